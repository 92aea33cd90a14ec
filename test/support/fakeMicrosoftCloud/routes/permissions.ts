/**
 * What the fixture routes share. Each route names the application permissions Graph documents
 * for it (any one suffices); a tenant lacking them answers 403.
 */
import { graphError } from '../odata';

/** Application permissions by what they let the bot read or write. */
export const P = {
  org: ['Organization.Read.All', 'Directory.Read.All'],
  app: ['Application.Read.All', 'Directory.Read.All'],
  dir: ['Directory.Read.All'],
  roles: ['RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'RoleManagement.ReadWrite.Directory'],
  rolesWrite: ['RoleManagement.ReadWrite.Directory'],
  users: ['User.Read.All', 'Directory.Read.All'],
  files: ['Files.Read.All', 'Sites.Read.All'],
  auditLog: ['AuditLog.Read.All', 'Directory.Read.All'],
  groups: ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'],
};

/** Graph's 404 for a directory object. */
export const notFound = (what: string) =>
  graphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`,
  );

/** Typed fixture items as the plain records `collection` serves. */
export const rows = <T extends object>(items: T[]) => items as unknown as Array<Record<string, unknown>>;
