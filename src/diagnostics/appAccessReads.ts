import { GraphError } from '../graph/errors';
import type { GraphGateway } from '../graph/graphGateway';
import { GRAPH_PERMISSIONS } from '../graph/graphPermissions';
import { odataString } from './finding';

/** The connector app's service principal in one tenant, as Graph returns it. */
export interface ServicePrincipal {
  id: string;
  appId: string;
  displayName?: string;
  appRoleAssignmentRequired?: boolean;
}

/** A delegated permission grant of the app: for the organization (AllPrincipals) or one user. */
export interface PermissionGrant {
  id: string;
  clientId: string;
  consentType: 'AllPrincipals' | 'Principal';
  principalId?: string | null;
  resourceId: string;
  scope?: string;
}

/** An application permission assigned to the app. */
export interface AppRoleAssignment {
  id: string;
  appRoleId: string;
  resourceId: string;
  resourceDisplayName?: string;
}

/** What the consent check and the revocation check both read: the principal, its grants and roles. */
export interface AppAccess {
  servicePrincipal: ServicePrincipal;
  grants: PermissionGrant[];
  /** True when there were more user-only (Principal) grants than were read. */
  moreUserGrants: boolean;
  roles: AppRoleAssignment[];
}

/**
 * Reads the connector app's service principal, its delegated grants and its application role
 * assignments; undefined when the app has no service principal in the tenant. Throws GraphError
 * when Graph fails, so that each caller can say it could not verify and why.
 */
export async function readAppAccess(
  graph: GraphGateway,
  tenantId: string,
  connectorAppId: string,
): Promise<AppAccess | undefined> {
  const principals = await graph.get<{ value: ServicePrincipal[] }>(
    tenantId,
    `/servicePrincipals?$filter=appId eq ${odataString(connectorAppId)}&$select=id,appId,displayName,appRoleAssignmentRequired`,
    { permission: GRAPH_PERMISSIONS.applicationRead },
  );
  const servicePrincipal = principals.value[0];
  if (!servicePrincipal) return undefined;
  // The tenant-wide grant is read on its own: the app holds one Principal grant per user who
  // consented, and among many of those it could fall past the end of a capped read.
  const clientFilter = `clientId eq ${odataString(servicePrincipal.id)}`;
  const tenantWide = await graph.list<PermissionGrant>(
    tenantId,
    `/oauth2PermissionGrants?$filter=${clientFilter} and consentType eq 'AllPrincipals'`,
    { permission: GRAPH_PERMISSIONS.directoryRead },
  );
  // Only whether there are any is used (user-only consent), so the first page does.
  const userGrants = await graph.list<PermissionGrant>(
    tenantId,
    `/oauth2PermissionGrants?$filter=${clientFilter} and consentType eq 'Principal'&$top=100`,
    { permission: GRAPH_PERMISSIONS.directoryRead, maxItems: 100 },
  );
  const roles = await graph.list<AppRoleAssignment>(
    tenantId,
    `/servicePrincipals/${encodeURIComponent(servicePrincipal.id)}/appRoleAssignments`,
    { permission: GRAPH_PERMISSIONS.applicationRead },
  );
  if (tenantWide.truncated || roles.truncated) {
    throw new GraphError(
      'GRAPH_ERROR',
      `Microsoft Graph listed more ${tenantWide.truncated ? 'tenant-wide permission grants' : 'application permissions'} of the connector app than I read, so I cannot tell what it holds.`,
    );
  }
  const grants = [
    ...tenantWide.filter((g) => g.consentType === 'AllPrincipals'),
    ...userGrants.filter((g) => g.consentType === 'Principal'),
  ];
  return { servicePrincipal, grants, moreUserGrants: userGrants.truncated === true, roles };
}
