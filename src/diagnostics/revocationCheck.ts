import type { GraphGateway } from '../graph/graphGateway';
import { readAppAccess, type ServicePrincipal } from './appAccessReads';

/** What Graph says, after a delete, about the connector app's tenant-wide access. */
export type RevocationState = { kind: 'no-service-principal' } | ServicePrincipalAccess;

/** The connector app's service principal and the tenant-wide access it holds. */
export interface ServicePrincipalAccess {
  kind: 'revoked' | 'still-granted';
  servicePrincipal: ServicePrincipal;
  /** Delegated grants for the whole organization (consentType AllPrincipals). */
  tenantWideGrants: { id: string; scope: string }[];
  /** Application permissions assigned to the app. */
  appRoleAssignments: { id: string; resource: string }[];
}

/**
 * Asks Graph whether the connector app still holds tenant-wide access: an AllPrincipals
 * oauth2PermissionGrant or an application role assignment. Throws GraphError when Graph fails,
 * so that the caller can say it could not verify and why.
 */
export async function checkRevocation(
  graph: GraphGateway,
  tenantId: string,
  connectorAppId: string,
): Promise<RevocationState> {
  const access = await readAppAccess(graph, tenantId, connectorAppId);
  if (!access) return { kind: 'no-service-principal' };
  const { servicePrincipal, grants, roles } = access;
  const tenantWideGrants = grants
    .filter((g) => g.consentType === 'AllPrincipals')
    .map((g) => ({ id: g.id, scope: (g.scope ?? '').trim() }));
  const appRoleAssignments = roles.map((r) => ({ id: r.id, resource: r.resourceDisplayName ?? 'an API' }));
  const kind: ServicePrincipalAccess['kind'] =
    tenantWideGrants.length > 0 || appRoleAssignments.length > 0 ? 'still-granted' : 'revoked';
  return { kind, servicePrincipal, tenantWideGrants, appRoleAssignments };
}

/** The Microsoft Graph PowerShell environment of each cloud (Connect-MgGraph -Environment). */
const POWERSHELL_ENVIRONMENTS: Record<string, string> = {
  global: 'Global',
  usgovhigh: 'USGov',
  dod: 'USGovDoD',
  china: 'China',
};

/**
 * How to remove what is left, for an admin: the Entra admin center path, then the Microsoft Graph
 * PowerShell commands and the Graph requests with the ids Graph returned.
 */
export function revocationSteps(
  state: ServicePrincipalAccess,
  cloud: string,
  graphHost: string,
): { portal: string; script: string } {
  const sp = state.servicePrincipal;
  const name = sp.displayName ?? sp.appId;
  const portal = `A global admin opens the Microsoft Entra admin center > Identity > Applications > Enterprise applications, selects ${name} (app id ${sp.appId}), and under Security > Permissions reviews and revokes its permissions; or, to remove the app and every grant it holds from the tenant, selects Properties > Delete.`;
  const lines = [
    '# Microsoft Graph PowerShell, signed in as a global admin',
    `Connect-MgGraph -Environment ${POWERSHELL_ENVIRONMENTS[cloud] ?? 'Global'} -Scopes "DelegatedPermissionGrant.ReadWrite.All","AppRoleAssignment.ReadWrite.All"`,
    ...state.tenantWideGrants.map((g) => `Remove-MgOauth2PermissionGrant -OAuth2PermissionGrantId "${g.id}"`),
    ...state.appRoleAssignments.map(
      (r) =>
        `Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId "${sp.id}" -AppRoleAssignmentId "${r.id}"`,
    ),
    '',
    '# or the same with Microsoft Graph requests',
    ...state.tenantWideGrants.map((g) => `DELETE ${graphHost}/v1.0/oauth2PermissionGrants/${g.id}`),
    ...state.appRoleAssignments.map(
      (r) => `DELETE ${graphHost}/v1.0/servicePrincipals/${sp.id}/appRoleAssignments/${r.id}`,
    ),
  ];
  return { portal, script: lines.join('\n') };
}
