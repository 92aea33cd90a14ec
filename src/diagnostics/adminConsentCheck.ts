import { GRAPH_PERMISSIONS } from '../graph/permissions';
import { checkConsent, describeConsent, REQUIRED_CONSENT_SCOPES, type ConsentState } from './consentCheck';
import type { DiagnosticCheck, DiagnosticContext, Finding } from './finding';

export const ADMIN_CONSENT_ID = 'admin-consent';

/** The seed's permission table, each row saying whether the tenant-wide grant covers it. */
export function permissionTable(state: ConsentState): { title: string; value: string }[] {
  const missing = new Set(
    state.kind === 'no-service-principal' ? [] : state.missing.map((m) => m.permission),
  );
  return REQUIRED_CONSENT_SCOPES.map((row) => {
    const granted = state.kind !== 'no-service-principal' && !missing.has(row.permission);
    return {
      title: row.permission,
      value: `${granted ? 'Granted' : 'Not granted'} (${row.scopes[0]}). Allows our app to: ${row.allows}`,
    };
  });
}

function fixFor(state: ConsentState, link: string): string {
  const grant = `A global admin logs in to the Azure Portal via ${link}, selects the Office 365 Mover app in Enterprise applications, opens Permissions and selects Grant admin consent for Mover`;
  switch (state.kind) {
    case 'granted':
      return '';
    case 'no-service-principal':
      return `A global or SharePoint admin authorizes the Office 365 connector first (type connect office365, or reauthorize it): that adds the app to your tenant. Then: ${grant.charAt(0).toLowerCase()}${grant.slice(1)}.`;
    case 'user-only':
      return `${grant}. Consent given for individual users does not count: it must be granted on behalf of the organization.`;
    case 'missing-scopes':
      return `${grant} again, so that the consent covers: ${state.missing.map((m) => m.permission).join('; ')}.`;
    case 'not-granted':
      return `${grant}.`;
  }
}

/** Admin consent for CONNECTOR_APP_ID: service principal, AllPrincipals grant, the seed's scopes. */
export const adminConsentCheck: DiagnosticCheck = {
  id: ADMIN_CONSENT_ID,
  title: 'Admin consent for the Office 365 Mover app',
  needsGraph: true,
  permissions: [GRAPH_PERMISSIONS.applicationRead, GRAPH_PERMISSIONS.directoryRead],
  missingSettings: (ctx) => (ctx.connectorAppId ? [] : ['CONNECTOR_APP_ID']),
  async run(graph, tenantId, ctx: DiagnosticContext): Promise<Finding> {
    const state = await checkConsent(graph, tenantId, ctx.connectorAppId as string);
    const principal =
      state.kind === 'no-service-principal'
        ? ''
        : ` Service principal: ${state.servicePrincipal.displayName ?? state.servicePrincipal.id}.${state.userOnlyGrants > 0 && state.kind !== 'user-only' ? ` ${state.userOnlyGrants} user-only consent${state.userOnlyGrants === 1 ? '' : 's'} too.` : ''}`;
    return {
      id: adminConsentCheck.id,
      title: adminConsentCheck.title,
      status: state.kind === 'granted' ? 'pass' : 'fail',
      found: `${describeConsent(state)}${principal}`,
      fix: fixFor(state, ctx.adminConsentLink),
      details: permissionTable(state),
    };
  },
};
