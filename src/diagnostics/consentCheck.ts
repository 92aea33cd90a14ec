import type { GraphGateway } from '../graph/graphGateway';
import { readAppAccess, type ServicePrincipal } from './appAccessReads';

/**
 * The seed's permission table (001, "Office 365 permission requirements") as the scopes an
 * admin-consent grant must hold, each with the words the seed uses.
 */
export const REQUIRED_CONSENT_SCOPES: readonly { scopes: string[]; permission: string; allows: string }[] = [
  {
    // SharePoint names it AllSites.Manage; Microsoft Graph names it Sites.Manage.All.
    scopes: ['Sites.Manage.All', 'AllSites.Manage'],
    permission: 'Create, edit, and delete items and lists in all your site collections',
    allows: 'Create or delete document libraries and lists in all site collections on your behalf.',
  },
  {
    scopes: ['profile'],
    permission: 'View your basic profile',
    allows: 'See your basic profile (name, picture, user name).',
  },
  {
    scopes: ['offline_access'],
    permission: 'Maintain access to data you have given it access to',
    allows:
      'See and update the data you gave it access to, even when you are not currently using our app. This does not give our app any additional permissions.',
  },
];

/** What Graph says about the connector app's admin consent in one tenant. */
export type ConsentState =
  | { kind: 'no-service-principal' }
  | {
      kind: 'granted' | 'user-only' | 'missing-scopes' | 'not-granted';
      servicePrincipal: ServicePrincipal;
      grantedScopes: string[];
      /** The seed's permissions (in its words) not covered by a tenant-wide grant. */
      missing: { permission: string; allows: string }[];
      /** Users who consented for themselves only (consentType Principal), as far as read. */
      userOnlyGrants: number;
      /** True when there are more user-only grants than `userOnlyGrants` (the read was capped). */
      moreUserOnlyGrants?: boolean;
      appRoleAssignments: number;
    };

/** Which of the seed's permissions a set of scopes lacks. */
export function missingPermissions(scopes: readonly string[]): { permission: string; allows: string }[] {
  const held = new Set(scopes.map((s) => s.toLowerCase()));
  return REQUIRED_CONSENT_SCOPES.filter((r) => !r.scopes.some((s) => held.has(s.toLowerCase()))).map(
    ({ permission, allows }) => ({ permission, allows }),
  );
}

/**
 * Checks the admin consent of the connector app: its service principal must exist in the tenant,
 * and an oauth2PermissionGrant with consentType AllPrincipals must cover the seed's scopes. A
 * grant of consentType Principal is user-only consent. Application permissions (app role
 * assignments) do not count: the seed's three permissions are delegated ones, and "Grant admin
 * consent for Mover" grants them as such.
 */
export async function checkConsent(
  graph: GraphGateway,
  tenantId: string,
  connectorAppId: string,
): Promise<ConsentState> {
  const access = await readAppAccess(graph, tenantId, connectorAppId);
  if (!access) return { kind: 'no-service-principal' };
  const { servicePrincipal, grants, roles, moreUserGrants } = access;
  const tenantWide = grants.filter((g) => g.consentType === 'AllPrincipals');
  const grantedScopes = [...new Set(tenantWide.flatMap((g) => (g.scope ?? '').split(/\s+/).filter(Boolean)))];
  const userOnlyGrants = grants.filter((g) => g.consentType === 'Principal').length;
  const missing = missingPermissions(grantedScopes);
  const base = {
    servicePrincipal,
    grantedScopes,
    missing,
    userOnlyGrants,
    moreUserOnlyGrants: moreUserGrants,
    appRoleAssignments: roles.length,
  };
  if (tenantWide.length > 0 && missing.length === 0) return { kind: 'granted', ...base };
  if (tenantWide.length > 0) return { kind: 'missing-scopes', ...base };
  if (userOnlyGrants > 0) return { kind: 'user-only', ...base };
  return { kind: 'not-granted', ...base };
}

/** One sentence on what is missing, for the requester's and the admin's cards. */
export function describeConsent(state: ConsentState): string {
  switch (state.kind) {
    case 'no-service-principal':
      return 'The Office 365 Mover app is not in your tenant yet (no service principal): the connector has not been authorized in Mover, or consent was never given.';
    case 'granted':
      return 'Admin consent is granted for the whole organization.';
    case 'user-only':
      return 'Only user consent was given (for individual users), not admin consent for the organization. A global admin must select "Grant admin consent for Mover".';
    case 'missing-scopes':
      return `Admin consent is granted but misses: ${state.missing.map((m) => m.permission).join('; ')}. A global admin must grant consent again.`;
    case 'not-granted':
      return state.appRoleAssignments > 0
        ? `No admin consent was granted yet for the delegated permissions Mover asks for (the app holds ${state.appRoleAssignments} application permission${state.appRoleAssignments === 1 ? '' : 's'}, which do not count).`
        : 'No admin consent was granted yet.';
  }
}
