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
  const grants = await graph.list<PermissionGrant>(
    tenantId,
    `/oauth2PermissionGrants?$filter=clientId eq ${odataString(servicePrincipal.id)}`,
    { permission: GRAPH_PERMISSIONS.directoryRead },
  );
  const roles = await graph.list<AppRoleAssignment>(
    tenantId,
    `/servicePrincipals/${encodeURIComponent(servicePrincipal.id)}/appRoleAssignments`,
    { permission: GRAPH_PERMISSIONS.applicationRead },
  );
  return { servicePrincipal, grants, roles };
}
