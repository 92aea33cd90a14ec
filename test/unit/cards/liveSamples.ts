import { performance } from 'node:perf_hooks';
import { activityEvidenceRow } from '../../../src/bot/features/connectors/activityEvidence';
import { consentWorkflowRowOf } from '../../../src/bot/consentWorkflowReading';
import { readConsentWorkflow } from '../../../src/diagnostics/consentWorkflow';
import { diagnosticsCard, diagnosticsCardData } from '../../../src/cards/diagnosticsCards';
import { connectorStatusCard, type ConnectorStatusCardData } from '../../../src/cards/connectorsCards';
import { loadConfig } from '../../../src/config/config';
import type { Connector } from '../../../src/connectors/connector';
import { describeState } from '../../../src/connectors/provenance';
import { DEFAULT_DIAGNOSTIC_LIMITS, type DiagnosticContext } from '../../../src/diagnostics/finding';
import { diagnosticPlan } from '../../../src/diagnostics/plan';
import { runDiagnostics } from '../../../src/diagnostics/runner';
import { MsGraphGateway } from '../../../src/graph/graphGateway';
import { createDateFormatter, UTC_DATES } from '../../../src/util/dates';
import { createLogger } from '../../../src/util/logger';
import { askForAdminConsent, enableConsentWorkflow } from '../../support/fakeConsentWorkflow';
import { DIRECTORY_ROLES, startFakeMicrosoftCloud } from '../../support/fakeMicrosoftCloud';
import type { CardSample } from './samples';

const NOW = new Date('2026-03-02T09:00:00.000Z');

/** Typed, so a field the template gains is not forgotten here. */
const statusData = (data: ConnectorStatusCardData) => data;

function connector(overrides: Partial<Connector> & Pick<Connector, 'tenantId' | 'displayName'>): Connector {
  return {
    id: '7f0b7c1e-0d7e-4c55-9a55-2f3f4b8f1c22',
    type: 'office365',
    status: 'authorized',
    createdAt: '2025-10-01T09:00:00.000Z',
    authorizedAt: '2026-01-05T09:00:00.000Z',
    cloud: 'global',
    version: 3,
    ...overrides,
  };
}

/**
 * Cards whose content comes from the real checks, not from written samples: the diagnostics
 * card from every check of `diagnose` run against the local HTTPS fake of Microsoft Graph (real
 * msal-node, graph-client and check code; the permission table from the consent check), and the
 * status card's Entra evidence from the sign-in activity report. The fake tenant has the problems
 * worth showing: SharePoint disabled, user-only consent, a missing Graph permission, users
 * without OneDrive, a connector whose clock runs behind Entra's evidence, a deauthorized one, and Entra's admin
 * consent workflow on with a request for the connector app pending there.
 */
export async function liveCardSamples(): Promise<CardSample[]> {
  const cloud = await startFakeMicrosoftCloud();
  try {
    const tenant = cloud.addTenant({ displayName: 'Contoso' });
    tenant.setSharePointPlan('Disabled');
    for (const grant of tenant.oauth2PermissionGrants.filter((g) => g.clientId === tenant.connectorApp!.id)) {
      grant.consentType = 'Principal';
      grant.principalId = tenant.admin!.id;
    }
    tenant.denyPermission('RoleManagement.Read.Directory');
    tenant.recordSignIn(cloud.connectorAppId, '2026-02-25T13:20:00.000Z');
    const helpdesk = tenant.addGroup('Helpdesk leads', [tenant.sharePointAdmin!.id]);
    enableConsentWorkflow(tenant, {
      users: [tenant.admin!],
      groups: [helpdesk],
      roles: [DIRECTORY_ROLES.globalAdministrator],
    });
    askForAdminConsent(tenant, {
      appId: cloud.connectorAppId,
      appDisplayName: 'Office 365 Mover',
      scopes: ['AllSites.Manage', 'profile', 'offline_access'],
      by: tenant.member!,
      at: '2026-02-27T08:15:00.000Z',
    });
    const logger = createLogger('error', () => undefined);
    const graph = new MsGraphGateway({ ...cloud.gatewayOptions(), logger, sleep: async () => undefined });
    const config = loadConfig({ CONNECTOR_APP_ID: cloud.connectorAppId });

    const behind = connector({ tenantId: tenant.id, displayName: 'Contoso destination' });
    const stale = connector({
      tenantId: tenant.id,
      id: '5b0c7c1e-0d7e-4c55-9a55-2f3f4b8f1c33',
      displayName: 'Finance archive',
      status: 'deauthorized',
      authorizedAt: '2025-09-01T09:00:00.000Z',
      lastTransferAt: '2025-11-27T09:00:00.000Z',
    });
    const ctx: DiagnosticContext = {
      connectorAppId: cloud.connectorAppId,
      adminConsentLink: config.adminConsentLink,
      cloud: 'global',
      inactivityDays: config.inactivityDays,
      firstNoticeDays: Math.max(...config.expiryNoticeDays),
      now: NOW,
      dates: UTC_DATES,
      asker: { aadObjectId: tenant.admin!.id, name: tenant.admin!.displayName },
      connectors: [behind, stale],
      limits: DEFAULT_DIAGNOSTIC_LIMITS,
      elapsed: () => performance.now(),
    };
    const findings = await runDiagnostics(graph, tenant.id, diagnosticPlan(ctx, 'tenant'), ctx);
    const options = { title: 'Troubleshooting your connectors', finishedAt: UTC_DATES.dateTime(NOW) };

    const berlin = createDateFormatter({ timeZone: 'Europe/Berlin', locale: 'de-DE' });
    const evidence = await activityEvidenceRow(
      { graph, config, clock: { now: () => NOW }, logger },
      behind,
      berlin,
    );
    const consentWorkflow = consentWorkflowRowOf(
      await readConsentWorkflow(graph, tenant.id, {
        connectorApp: { appId: cloud.connectorAppId },
        cloud: 'global',
      }),
      cloud.connectorAppId,
      berlin,
    );
    return [
      {
        name: 'diagnostics-channel',
        template: diagnosticsCard as never,
        data: diagnosticsCardData(findings, { ...options, privateDetails: false }),
      },
      {
        name: 'diagnostics-personal',
        template: diagnosticsCard as never,
        data: diagnosticsCardData(findings, { ...options, privateDetails: true }),
      },
      {
        name: 'connector-status-entra-evidence',
        template: connectorStatusCard as never,
        data: statusData({
          id: behind.id,
          version: behind.version,
          displayName: behind.displayName,
          typeName: 'Office 365 Connector',
          status: behind.status,
          alert: '',
          advice: '',
          askAgain: false,
          consentRequests: true,
          facts: [
            { title: 'Status', value: describeState(behind, berlin.dateTime) },
            { title: 'Authorized', value: berlin.dateTime(behind.authorizedAt) },
            { title: 'Last recorded transfer', value: berlin.dateTime(behind.lastTransferAt) },
          ],
          canManage: true,
          canRecordTransfer: behind.status !== 'deauthorized',
          askOwner: '',
          evidence,
          refreshUserIds: [],
          consentWorkflow,
          events: [{ at: berlin.dateTime(behind.authorizedAt), text: 'created by Sam SharePoint' }],
        }),
      },
    ];
  } finally {
    await cloud.stop();
  }
}
