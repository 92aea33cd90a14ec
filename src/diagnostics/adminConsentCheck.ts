import { GRAPH_PERMISSIONS } from '../graph/graphPermissions';
import { checkConsent, describeConsent, REQUIRED_CONSENT_SCOPES, type ConsentState } from './consentCheck';
import { checkedConnectorApp, type DiagnosticCheck, type DiagnosticContext, type Finding } from './finding';

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
      return `A global or SharePoint admin authorizes the Office 365 connector first (type connect office365, or reauthorize it): that adds the app to your tenant. While signing in, do not select Consent on behalf of your organization: that grants admin access to your entire organization (Mover: "DO NOT do this"). Then: ${grant.charAt(0).toLowerCase()}${grant.slice(1)}.`;
    case 'user-only':
      return `${grant}. Consent given for individual users does not count: it must be granted on behalf of the organization.`;
    case 'missing-scopes':
      return `${grant} again, so that the consent covers: ${state.missing.map((m) => m.permission).join('; ')}.`;
    case 'not-granted':
      return `${grant}.`;
  }
}

/**
 * True when the checked id is one of the bot's own (CONNECTOR_APP_ID fell back to the bot): the
 * id is set, yet it gives no connector app to check.
 */
function isBotApp(ctx: DiagnosticContext): boolean {
  return checkedConnectorApp(ctx).appId === undefined;
}

/**
 * Which app the check looked at, by the name Graph gives it in the tenant, so that a wrong
 * CONNECTOR_APP_ID (the bot's own app, another app) shows on the card.
 */
function checkedApp(state: ConsentState, ctx: DiagnosticContext): string {
  const appId = ctx.connectorAppId as string;
  const warning = isBotApp(ctx)
    ? " This is the bot's own app id, not the connector app: set CONNECTOR_APP_ID to the Office 365 Mover app's id."
    : '';
  if (state.kind === 'no-service-principal') {
    return `app id ${appId}, which Microsoft Graph does not know in your tenant. If it is not the Office 365 Mover app's id, correct CONNECTOR_APP_ID.${warning}`;
  }
  const name = state.servicePrincipal.displayName ?? '(no display name)';
  return `${name} (app id ${appId}), as Microsoft Graph names it.${warning}`;
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
    const userOnly =
      state.kind !== 'no-service-principal' && state.userOnlyGrants > 0 && state.kind !== 'user-only'
        ? ` ${state.moreUserOnlyGrants ? 'More than ' : ''}${state.userOnlyGrants} user-only consent${state.userOnlyGrants === 1 && !state.moreUserOnlyGrants ? '' : 's'} too.`
        : '';
    // A grant to the bot's own app says nothing about the connector app: never a pass.
    const ownApp = isBotApp(ctx);
    return {
      id: adminConsentCheck.id,
      title: adminConsentCheck.title,
      status: state.kind === 'granted' ? (ownApp ? 'warn' : 'pass') : 'fail',
      found: `${describeConsent(state)}${userOnly} Checked app: ${checkedApp(state, ctx)}`,
      fix:
        state.kind === 'granted' && ownApp
          ? "Set CONNECTOR_APP_ID to the Office 365 Mover app's id (Enterprise applications in the Microsoft Entra admin center) and run diagnose again."
          : fixFor(state, ctx.adminConsentLink),
      details: permissionTable(state),
    };
  },
};
