import { MessageFactory, type Attachment, type TurnContext } from 'botbuilder';
import { daysText } from '../../../util/format';
import {
  connectorStatusCard,
  type ActivityEvidenceRow,
  type ConnectorStatusCardData,
  type ConsentWorkflowRow,
} from '../../../cards/connectorsCards';
import { renderCard } from '../../../cards/render';
import { messageCardData, messageCard } from '../../../cards/messageCard';
import { md } from '../../../cards/markdown';
import { cloudLabel, type MicrosoftCloud } from '../../../connectors/clouds';
import { connectorType } from '../../../connectors/catalog';
import {
  daysUntilExpiry,
  deauthorizedMessage,
  expiresAt,
  type Connector,
} from '../../../connectors/connector';
import { describeState } from '../../../connectors/provenance';
import { reauthorizeAdvice } from '../../../connectors/reauthorization';
import type { AuditEvent } from '../../../connectors/ports';
import { readerDates } from '../../../util/readerDates';
import type { DateFormatter } from '../../../util/dates';
import { resolveConnector } from '../../connectorResolver';
import { consentWorkflowRow, NO_CONSENT_WORKFLOW } from '../../consentWorkflowReading';
import { actorOf, tenantIdOf } from '../../turnInfo';
import { CardActionError, dataProblem } from '../../universalActions';
import { deletionOf } from '../liveCards/cardViewers';
import { consentStatusView, type ConsentStatusView } from '../consent/consentStatus';
import { activityEvidenceRow, NO_EVIDENCE } from './activityEvidence';
import type { ConnectorsFeatureDeps } from './connectorsDeps';
import { askOwner, readerMayManage, refreshUsers, type MayManage } from './readerView';
import { lastRecordedTransfer } from '../../../notify/deauthorizedView';

/** The status card's refresh verb: Teams asks for the card as it is now when it is shown. */
export const STATUS_REFRESH_VERB = 'connectorStatusRefresh';

const AUDIT_TEXT: Record<string, string> = {
  'connector.created': 'created',
  'connector.imported': 'imported',
  'connector.reauthorized': 'reauthorized',
  'connector.deauthorized': 'deauthorized for inactivity',
  'transfer.recorded': 'transfer recorded',
  'consent.requested': 'consent requested',
  'consent.verified': 'consent verified',
  'consent.approved': 'consent request approved',
  'consent.declined': 'consent declined',
  'consent.expired': 'consent request expired',
  'consent.forwarded': 'consent request forwarded',
  'consent.reminded': 'consent reminder sent',
  'consent.not-requested': 'consent hand-over reached nobody',
  'consent.superseded': 'consent request replaced by a newer one',
  'notice.snoozed': 'expiry notice skipped',
  'notice.given-up': 'deauthorization notice given up',
  'reauthorization.started': 'reauthorization started',
  'step.done': 'wizard step done',
  'notice.sent': 'expiry notice sent',
};

/** The status card's facts: state, type, dates, cloud, keys and consent. */
function statusFacts(
  deps: ConnectorsFeatureDeps,
  connector: Connector,
  dates: DateFormatter,
  consentView: ConsentStatusView | undefined,
): { title: string; value: string }[] {
  const { config, clock } = deps;
  const days = daysUntilExpiry(connector, config.inactivityDays, clock.now());
  const expiry = expiresAt(connector, config.inactivityDays);
  const facts = [
    { title: 'Status', value: describeState(connector, dates.dateTime) },
    { title: 'Type', value: connectorType(connector.type).name },
    {
      title: 'Created',
      value: `${dates.dateTime(connector.createdAt)}${connector.createdByName ? ` by ${connector.createdByName}` : ' (imported)'}`,
    },
    { title: 'Authorized', value: dates.dateTime(connector.authorizedAt) },
    { title: 'Last recorded transfer', value: lastRecordedTransfer(connector, dates) },
    {
      title: connector.status === 'deauthorized' ? 'Deauthorized' : 'Deauthorized on',
      value: expiry
        ? `${dates.dateTime(expiry)}${days !== undefined && connector.status !== 'deauthorized' ? ` (${daysText(days)} left)` : ''}`
        : 'no clock yet',
    },
  ];
  if (connector.cloud) facts.push({ title: 'Cloud', value: cloudLabel(connector.cloud as MicrosoftCloud) });
  if (connector.keysVerified !== undefined) {
    facts.push({
      title: 'Keys',
      value: connector.keysVerified ? 'verified with the service' : 'format checked only (unverified)',
    });
  }
  if (consentView) facts.push({ title: 'Admin consent', value: consentView.fact });
  return facts;
}

/** The status card's data; Graph's readings and the audit events are passed in when read. */
function statusCardData(
  deps: ConnectorsFeatureDeps,
  connector: Connector,
  dates: DateFormatter,
  read: {
    events: AuditEvent[];
    evidence: ActivityEvidenceRow;
    consentWorkflow: ConsentWorkflowRow;
    consentView: ConsentStatusView | undefined;
    refreshUserIds: string[] | undefined;
    mayManage: MayManage;
  },
): ConnectorStatusCardData {
  const { consentView } = read;
  const canManage = read.mayManage(connector);
  return {
    id: connector.id,
    version: connector.version,
    displayName: connector.displayName,
    typeName: connectorType(connector.type).name,
    status: connector.status,
    alert:
      connector.status === 'deauthorized'
        ? deauthorizedMessage(deps.config.inactivityDays)
        : (consentView?.alert ?? ''),
    advice: reauthorizeAdvice(connector),
    askAgain: connector.status === 'consent-declined' || connector.status === 'consent-expired',
    consentRequests: connector.type === 'office365',
    facts: statusFacts(deps, connector, dates, consentView),
    canManage,
    canRecordTransfer: canManage && connector.status !== 'deauthorized',
    askOwner: askOwner(
      deps,
      connector,
      canManage,
      connector.status === 'deauthorized'
        ? 'reauthorize or delete it'
        : 'reauthorize it, record a transfer or delete it',
    ),
    evidence: read.evidence,
    consentWorkflow: read.consentWorkflow,
    events: read.events.map((e) => ({
      at: dates.dateTime(e.at),
      text: `${AUDIT_TEXT[e.action] ?? e.action}${e.actorName ? ` by ${e.actorName}` : e.actor === 'scanner' || e.actor === 'api' ? ` by ${e.actor}` : ''}`,
    })),
    refreshUserIds: read.refreshUserIds,
  };
}

async function sendStatusCard(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  connector: Connector,
): Promise<void> {
  const events: AuditEvent[] = await deps.store.audit.list(connector.tenantId, {
    connectorId: connector.id,
    limit: 5,
  });
  const dates = readerDates(context, deps.logger);
  // Two independent Graph reads (Entra's sign-in report, its consent workflow): side by side.
  const [evidence, consentWorkflow, consentView, refreshUserIds, mayManage] = await Promise.all([
    activityEvidenceRow(deps, connector, dates),
    consentWorkflowRow(context, deps, connector, dates),
    connector.type === 'office365' ? consentStatusView(deps.store, connector, dates) : undefined,
    refreshUsers(deps, context, [connector]),
    readerMayManage(deps, context, [connector], 'posted'),
  ]);
  await context.sendActivity(
    MessageFactory.attachment(
      renderCard(
        connectorStatusCard,
        statusCardData(deps, connector, dates, {
          events,
          evidence,
          consentWorkflow,
          consentView,
          refreshUserIds,
          mayManage,
        }),
      ),
    ),
  );
}

/**
 * The status card as it is now, for Teams' refresh when someone opens it: one read of the
 * connector (the audit log only once it is gone), nothing written, no Graph call. Graph's
 * readings and the recent activity come with `status <name>`.
 */
export async function statusNow(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<Attachment> {
  const problem = dataProblem(data, ['connectorId']);
  if (problem) throw new CardActionError(400, problem);
  const tenantId = tenantIdOf(context);
  const id = data.connectorId as string;
  const connector = await deps.connectors.current(tenantId, id);
  if (!connector) {
    const deleted = await deletionOf(deps.store, tenantId, id);
    if (!deleted) {
      throw new CardActionError(
        404,
        'This card names a connector that is not in your tenant, so it shows nothing.',
      );
    }
    const dates = readerDates(context, deps.logger);
    return renderCard(
      messageCard,
      messageCardData({
        title: 'Connector deleted',
        text: md`This connector was deleted by ${deleted.by} on ${dates.dateTime(deleted.at)}.`,
        style: 'warning',
      }),
    );
  }
  const dates = readerDates(context, deps.logger);
  return renderCard(
    connectorStatusCard,
    statusCardData(deps, connector, dates, {
      events: [],
      evidence: NO_EVIDENCE,
      consentWorkflow: NO_CONSENT_WORKFLOW,
      consentView: undefined,
      refreshUserIds: await refreshUsers(deps, context, [connector]),
      mayManage: await readerMayManage(deps, context, [connector], 'answer'),
    }),
  );
}

/** `status <name>`: the status card, after checking a pending Office 365 consent with Graph. */
export async function showStatus(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  args: string,
): Promise<void> {
  const { connectors } = deps;
  const found = await resolveConnector(context, connectors, 'status', args);
  if (!found) return;
  let current = await connectors.refresh(found, actorOf(context));
  if (current.type === 'office365' && current.status === 'awaiting-consent' && deps.verifyConsent) {
    const outcome = await deps.verifyConsent(current, actorOf(context));
    if (outcome.connector) current = outcome.connector;
    else if (outcome.message) await context.sendActivity(outcome.message);
  }
  await sendStatusCard(deps, context, current);
}
