import type { CloudName, ConnectorApp } from '../config/config';
import { cloudLabel } from '../connectors/clouds';
import { isGraphError } from '../graph/errors';
import type { GraphGateway, GraphPage } from '../graph/graphGateway';
import { GRAPH_PERMISSIONS } from '../graph/graphPermissions';

/**
 * Microsoft's own caveat for the report (servicePrincipalSignInActivity, preview), so that
 * nobody reads the timestamp as more than it is.
 */
export const SIGN_IN_REPORT_CAVEAT =
  'Microsoft says this preview report may include partial sign-ins and other incomplete activity: the timestamp alone does not show that a sign-in completed or succeeded, or that a token was issued.';

/** The report is per app and tenant: every Office 365 connector of the tenant shares it. */
export const SIGN_IN_REPORT_SCOPE =
  'It is for the connector app in this tenant, not for one connector: all Office 365 connectors of the tenant use the same app.';

/** Graph's code when the tenant lacks the Microsoft Entra ID P1/P2 licence the report needs. */
const NO_PREMIUM_LICENCE = 'Authentication_RequestFromNonPremiumTenantOrB2CTenant';

/** What Microsoft Entra's sign-in activity report says about the connector app. */
export type SignInEvidence =
  /** Entra saw the app used in the tenant; `lastSignInAt` is its latest activity of any kind. */
  | { kind: 'seen'; appId: string; lastSignInAt: string }
  /** The report has no row for the app: Entra has not seen it used (within the report's window). */
  | { kind: 'not-seen'; appId: string }
  /** Not asked: another cloud, or settings missing. `reason` says which. */
  | { kind: 'unavailable'; reason: string }
  /** Graph refused (403): no AuditLog.Read.All, or no Entra ID P1/P2 licence. */
  | { kind: 'refused'; reason: string }
  /** Graph failed otherwise: could not verify. */
  | { kind: 'failed'; reason: string };

interface SignInActivity {
  lastSignInDateTime?: string | null;
}

/** The beta resource's shape (only what is read). */
interface ServicePrincipalSignInActivity {
  appId?: string;
  lastSignInActivity?: SignInActivity | null;
  delegatedClientSignInActivity?: SignInActivity | null;
  delegatedResourceSignInActivity?: SignInActivity | null;
  applicationAuthenticationClientSignInActivity?: SignInActivity | null;
  applicationAuthenticationResourceSignInActivity?: SignInActivity | null;
}

/** The latest timestamp of a row: lastSignInActivity, or the latest of the per-flow ones when absent. */
function latest(row: ServicePrincipalSignInActivity): string | undefined {
  const times = [
    row.lastSignInActivity,
    row.delegatedClientSignInActivity,
    row.delegatedResourceSignInActivity,
    row.applicationAuthenticationClientSignInActivity,
    row.applicationAuthenticationResourceSignInActivity,
  ]
    .map((a) => a?.lastSignInDateTime)
    .filter((t): t is string => typeof t === 'string' && !Number.isNaN(new Date(t).getTime()));
  if (times.length === 0) return undefined;
  return new Date(Math.max(...times.map((t) => new Date(t).getTime()))).toISOString();
}

/**
 * Asks Microsoft Entra when it last saw the connector app used in the tenant:
 * `GET /beta/reports/servicePrincipalSignInActivities?$filter=appId eq '{id}'` (AuditLog.Read.All,
 * global cloud only). Evidence only, never the 90-day clock itself. Never throws.
 */
export async function readSignInEvidence(
  graph: GraphGateway,
  tenantId: string,
  settings: { connectorApp: ConnectorApp; cloud: CloudName },
): Promise<SignInEvidence> {
  if (settings.cloud !== 'global') {
    return {
      kind: 'unavailable',
      reason: `Microsoft Entra’s sign-in activity report is not available in ${cloudLabel(settings.cloud)}: Microsoft offers it in the global cloud only.`,
    };
  }
  if (!graph.configured) {
    return {
      kind: 'unavailable',
      reason: `Not checked: Microsoft Graph is not configured (${graph.missingSettings().join(', ')}).`,
    };
  }
  const { appId, reason } = settings.connectorApp;
  if (appId === undefined) return { kind: 'unavailable', reason: `Not checked: ${reason}` };
  try {
    const page = await graph.get<GraphPage<ServicePrincipalSignInActivity>>(
      tenantId,
      `/reports/servicePrincipalSignInActivities?$filter=appId eq '${appId.replace(/'/g, "''")}'`,
      { version: 'beta', permission: GRAPH_PERMISSIONS.auditLogRead },
    );
    if (!Array.isArray(page?.value)) {
      // An answer without its list is not an empty report: nothing can be said from it.
      return {
        kind: 'failed',
        reason:
          'Could not verify: Microsoft Graph answered the sign-in activity report without its list of rows.',
      };
    }
    const rows = page.value.filter((r) => (r.appId ?? '').toLowerCase() === appId.toLowerCase());
    const times = rows.map(latest).filter((t): t is string => t !== undefined);
    if (times.length === 0) return { kind: 'not-seen', appId };
    return { kind: 'seen', appId, lastSignInAt: times.sort().at(-1) as string };
  } catch (err) {
    if (isGraphError(err, 'GRAPH_FORBIDDEN')) {
      return {
        kind: 'refused',
        reason:
          err.graphCode === NO_PREMIUM_LICENCE
            ? 'Microsoft Entra refused the sign-in activity report: the tenant has no Microsoft Entra ID P1 or P2 licence, which the report needs.'
            : `Microsoft Entra refused the sign-in activity report: the bot’s Graph app needs the application permission ${GRAPH_PERMISSIONS.auditLogRead} with admin consent (and the tenant a Microsoft Entra ID P1 or P2 licence).`,
      };
    }
    return {
      kind: 'failed',
      reason: `Could not verify: ${isGraphError(err) ? err.message : 'an unexpected error stopped the sign-in activity report'}`,
    };
  }
}
