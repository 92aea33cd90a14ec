/**
 * Microsoft Graph application permissions the bot asks for, by their Graph names. A refused call
 * (403) is reported as the permission it needs, so the operator knows what to grant.
 */
export const GRAPH_PERMISSIONS = {
  /** GET /subscribedSkus, /organization */
  organizationRead: 'Organization.Read.All',
  /** GET /servicePrincipals, /servicePrincipals/{id}/appRoleAssignments|appRoleAssignedTo */
  applicationRead: 'Application.Read.All',
  /** GET /oauth2PermissionGrants, /directoryObjects, group membership */
  directoryRead: 'Directory.Read.All',
  /** GET /roleManagement/directory/... */
  roleManagementRead: 'RoleManagement.Read.Directory',
  /** GET /users, /users/{id} */
  userRead: 'User.Read.All',
  /** GET /users/{id}/drive */
  filesRead: 'Files.Read.All',
  /** POST /roleManagement/directory/roleAssignments and roleAssignmentScheduleRequests, DELETE of an assignment */
  roleManagementWrite: 'RoleManagement.ReadWrite.Directory',
  /** POST /users/{id}/teamwork/installedApps */
  teamsAppInstallationForUser: 'TeamsAppInstallation.ReadWriteForUser.All',
  /** GET /reports/servicePrincipalSignInActivities (beta) */
  auditLogRead: 'AuditLog.Read.All',
} as const;

/** One of the permission names above. */
export type GraphPermission = (typeof GRAPH_PERMISSIONS)[keyof typeof GRAPH_PERMISSIONS];

interface Rule {
  method: 'GET' | 'POST' | 'DELETE' | '*';
  /** Matched against the path without version and query, e.g. /users/abc/drive. */
  path: RegExp;
  permission: GraphPermission;
}

/** Most specific first. */
const RULES: Rule[] = [
  { method: 'GET', path: /^\/users\/[^/]+\/drive(\/|$)/i, permission: GRAPH_PERMISSIONS.filesRead },
  {
    method: 'POST',
    path: /^\/users\/[^/]+\/teamwork\/installedApps(\/|$)/i,
    permission: GRAPH_PERMISSIONS.teamsAppInstallationForUser,
  },
  {
    method: 'GET',
    path: /^\/users\/[^/]+\/teamwork\/installedApps(\/|$)/i,
    permission: GRAPH_PERMISSIONS.teamsAppInstallationForUser,
  },
  {
    method: 'GET',
    path: /^\/users\/[^/]+\/(memberOf|transitiveMemberOf)(\/|$)/i,
    permission: GRAPH_PERMISSIONS.directoryRead,
  },
  { method: 'GET', path: /^\/users(\/|$)/i, permission: GRAPH_PERMISSIONS.userRead },
  {
    method: 'GET',
    path: /^\/(subscribedSkus|organization)(\/|$)/i,
    permission: GRAPH_PERMISSIONS.organizationRead,
  },
  {
    method: 'GET',
    path: /^\/(servicePrincipals|applications)(\/|$)/i,
    permission: GRAPH_PERMISSIONS.applicationRead,
  },
  {
    method: 'GET',
    path: /^\/(oauth2PermissionGrants|directoryObjects|groups)(\/|$)/i,
    permission: GRAPH_PERMISSIONS.directoryRead,
  },
  { method: 'GET', path: /^\/roleManagement\//i, permission: GRAPH_PERMISSIONS.roleManagementRead },
  { method: 'GET', path: /^\/reports\//i, permission: GRAPH_PERMISSIONS.auditLogRead },
  { method: 'POST', path: /^\/roleManagement\//i, permission: GRAPH_PERMISSIONS.roleManagementWrite },
  { method: 'DELETE', path: /^\/roleManagement\//i, permission: GRAPH_PERMISSIONS.roleManagementWrite },
  { method: 'POST', path: /^\/directoryObjects\/getByIds$/i, permission: GRAPH_PERMISSIONS.directoryRead },
];

/**
 * The least-privileged application permission this bot expects a call to need, for the
 * endpoints it uses; undefined for others. Callers may name the permission themselves.
 */
export function defaultPermissionFor(method: string, path: string): GraphPermission | undefined {
  const bare = path.split('?')[0];
  const verb = method.toUpperCase();
  return RULES.find((r) => (r.method === '*' || r.method === verb) && r.path.test(bare))?.permission;
}
