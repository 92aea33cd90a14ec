/**
 * The Microsoft Graph side of the target connection check: an admin account, its licences and
 * directory role assignments, role names, and assigning a role. The gateway is handed in; this
 * module holds no Teams code and keeps the rules in ./requirements and ./accountCheck.
 */
import { cloudOfUpn, type MicrosoftCloud } from '../connectors/clouds';
import { isGraphError } from '../graph/errors';
import type { GraphGateway } from '../graph/graphGateway';
import type { Logger } from '../util/logger';
import { GRAPH_PERMISSIONS } from '../graph/graphPermissions';
import { assessAccount, checkCloud, type AccountFacts, type AccountFindings } from './accountCheck';
import { knownRole, type TargetKind } from './requirements';
import { GUID } from '../util/ids';

interface GraphUser {
  id: string;
  displayName?: string;
  userPrincipalName?: string;
  accountEnabled?: boolean;
  assignedLicenses?: { skuId: string }[];
  assignedPlans?: { capabilityStatus?: string; service?: string; servicePlanId?: string }[];
}

interface GraphRoleAssignment {
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId?: string;
}

/** Role template ids a principal holds directly: tenant-wide, and on a narrower scope only. */
export interface HeldRoles {
  tenantWide: string[];
  scoped: string[];
}

export class RoleDirectory {
  /** @param logger where a look-up that fails and is worked around (a name, a domain) is noted. */
  constructor(
    private readonly graph: GraphGateway,
    private readonly logger?: Logger,
  ) {}

  /** An account by Entra object id or UPN, with its licences and roles; undefined when the tenant has none. */
  async account(tenantId: string, idOrUpn: string): Promise<AccountFacts | undefined> {
    let user: GraphUser;
    try {
      user = await this.graph.get<GraphUser>(
        tenantId,
        `/users/${encodeURIComponent(idOrUpn)}?$select=id,displayName,userPrincipalName,accountEnabled,assignedLicenses,assignedPlans`,
        { permission: GRAPH_PERMISSIONS.userRead },
      );
    } catch (err) {
      if (isGraphError(err, 'GRAPH_NOT_FOUND')) return undefined;
      throw err;
    }
    const roles = await this.heldRoles(tenantId, user.id);
    return {
      id: user.id,
      upn: user.userPrincipalName ?? idOrUpn,
      displayName: user.displayName ?? user.userPrincipalName ?? idOrUpn,
      accountEnabled: user.accountEnabled !== false,
      licences: user.assignedLicenses?.length ?? 0,
      enabledServices: [
        ...new Set(
          (user.assignedPlans ?? [])
            .filter((p) => (p.capabilityStatus ?? 'Enabled') === 'Enabled' && p.service)
            .map((p) => p.service as string),
        ),
      ],
      roleIds: roles.tenantWide,
      scopedRoleIds: roles.scoped.filter((id) => !roles.tenantWide.includes(id)),
    };
  }

  /** Direct, active role assignments of a principal (GET /roleManagement/directory/roleAssignments). */
  async heldRoles(tenantId: string, principalId: string): Promise<HeldRoles> {
    if (!GUID.test(principalId)) return { tenantWide: [], scoped: [] };
    const assignments = await this.graph.list<GraphRoleAssignment>(
      tenantId,
      `/roleManagement/directory/roleAssignments?$filter=principalId eq '${principalId}'`,
      { permission: GRAPH_PERMISSIONS.roleManagementRead, maxItems: 500 },
    );
    const tenantWide = new Set<string>();
    const scoped = new Set<string>();
    for (const a of assignments) {
      const id = a.roleDefinitionId.toLowerCase();
      if ((a.directoryScopeId ?? '/') === '/') tenantWide.add(id);
      else scoped.add(id);
    }
    return { tenantWide: [...tenantWide], scoped: [...scoped] };
  }

  /** Display names of roles: the built-in ones this bot knows, others from Graph (their id if that fails). */
  async roleNames(tenantId: string, ids: string[]): Promise<string[]> {
    const names: string[] = [];
    for (const id of ids.slice(0, 20)) {
      const known = knownRole(id);
      if (known) {
        names.push(known.name);
        continue;
      }
      try {
        const definition = await this.graph.get<{ displayName?: string }>(
          tenantId,
          `/roleManagement/directory/roleDefinitions/${encodeURIComponent(id)}?$select=id,displayName`,
          { permission: GRAPH_PERMISSIONS.roleManagementRead },
        );
        names.push(definition.displayName ?? id);
      } catch (err) {
        // The role is shown by its id instead.
        this.logger?.warn('role definition name could not be read', {
          tenantId,
          roleDefinitionId: id,
          error: err,
        });
        names.push(id);
      }
    }
    return names;
  }

  /** The tenant's initial domain (…onmicrosoft.com), which tells its cloud; undefined when Graph will not say. */
  async initialDomain(tenantId: string): Promise<string | undefined> {
    try {
      const orgs = await this.graph.get<{
        value: { verifiedDomains?: { name: string; isInitial?: boolean }[] }[];
      }>(tenantId, '/organization?$select=id,verifiedDomains', {
        permission: GRAPH_PERMISSIONS.organizationRead,
      });
      return orgs.value?.[0]?.verifiedDomains?.find((d) => d.isInitial)?.name;
    } catch (err) {
      this.logger?.warn('initial domain could not be read', { tenantId, error: err });
      return undefined;
    }
  }

  /**
   * Assigns a directory role tenant-wide, active from `start` until `end`, through Privileged
   * Identity Management (POST /roleManagement/directory/roleAssignmentScheduleRequests, adminAssign).
   * Throws the GraphError; {@link isTimeBoundUnavailable} tells a tenant without PIM.
   */
  async assignUntil(
    tenantId: string,
    principalId: string,
    roleId: string,
    schedule: { start: Date; end: Date; justification: string },
  ): Promise<void> {
    await this.graph.post(
      tenantId,
      '/roleManagement/directory/roleAssignmentScheduleRequests',
      {
        action: 'adminAssign',
        justification: schedule.justification,
        principalId,
        roleDefinitionId: roleId,
        directoryScopeId: '/',
        scheduleInfo: {
          startDateTime: schedule.start.toISOString(),
          expiration: { type: 'afterDateTime', endDateTime: schedule.end.toISOString() },
        },
      },
      { permission: GRAPH_PERMISSIONS.roleManagementWrite },
    );
  }

  /** Ends a time-bound assignment early (adminRemove). */
  async removeTimeBound(
    tenantId: string,
    principalId: string,
    roleId: string,
    justification: string,
  ): Promise<void> {
    await this.graph.post(
      tenantId,
      '/roleManagement/directory/roleAssignmentScheduleRequests',
      { action: 'adminRemove', justification, principalId, roleDefinitionId: roleId, directoryScopeId: '/' },
      { permission: GRAPH_PERMISSIONS.roleManagementWrite },
    );
  }

  /**
   * Assigns a directory role tenant-wide with no end (POST /roleManagement/directory/roleAssignments);
   * returns the assignment's id, which removing it takes.
   */
  async assign(tenantId: string, principalId: string, roleId: string): Promise<string | undefined> {
    const created = await this.graph.post<{ id?: string } | undefined>(
      tenantId,
      '/roleManagement/directory/roleAssignments',
      {
        '@odata.type': '#microsoft.graph.unifiedRoleAssignment',
        principalId,
        roleDefinitionId: roleId,
        directoryScopeId: '/',
      },
      { permission: GRAPH_PERMISSIONS.roleManagementWrite },
    );
    return typeof created?.id === 'string' ? created.id : undefined;
  }

  /** Deletes a permanent assignment; false when it was gone already. */
  async removeAssignment(tenantId: string, assignmentId: string): Promise<boolean> {
    try {
      await this.graph.delete(
        tenantId,
        `/roleManagement/directory/roleAssignments/${encodeURIComponent(assignmentId)}`,
        { permission: GRAPH_PERMISSIONS.roleManagementWrite },
      );
      return true;
    } catch (err) {
      if (isGraphError(err, 'GRAPH_NOT_FOUND')) return false;
      throw err;
    }
  }
}

/**
 * True when Graph refused a time-bound assignment because the tenant has no Privileged Identity
 * Management (no Microsoft Entra ID P2 licence: 400 or 403 AadPremiumLicenseRequired), as opposed
 * to a missing permission or a policy rule.
 */
export function isTimeBoundUnavailable(err: unknown): boolean {
  if (!isGraphError(err) || (err.status !== 400 && err.status !== 403)) return false;
  return /AadPremiumLicense/i.test(err.graphCode ?? '');
}

/** What checking an admin account with Graph came to. */
export type AccountCheck =
  /** Graph is not configured or refused (the message names the setting or the permission). */
  | { outcome: 'unavailable'; message: string }
  /** The typed UPN's cloud is not this bot's: nothing was looked up. */
  | { outcome: 'wrong-cloud'; upn: string; message: string; detail: string }
  | { outcome: 'not-found'; upn: string }
  | { outcome: 'checked'; findings: AccountFindings; otherRoles: string[]; scopedRoles: string[] };

/**
 * Seed 004's check: the cloud of the account (from its UPN, or the tenant's initial domain for a
 * custom domain), whether it exists, is enabled and licensed, and its roles for `kind`.
 */
export async function checkAdminAccount(
  directory: RoleDirectory,
  configured: MicrosoftCloud,
  tenantId: string,
  idOrUpn: string,
  kind: TargetKind,
): Promise<AccountCheck> {
  if (idOrUpn.includes('@')) {
    const typed = checkCloud(idOrUpn, configured);
    if (!typed.ok)
      return { outcome: 'wrong-cloud', upn: idOrUpn, message: typed.message, detail: typed.detail };
  }
  try {
    const account = await directory.account(tenantId, idOrUpn);
    if (!account) return { outcome: 'not-found', upn: idOrUpn };
    const custom = cloudOfUpn(account.upn).kind === 'custom-domain';
    const cloud = checkCloud(
      account.upn,
      configured,
      custom ? await directory.initialDomain(tenantId) : undefined,
    );
    const findings = assessAccount(kind, cloud, account);
    const counted = new Set(findings.results.map((r) => r.heldAs?.id).filter(Boolean));
    const otherRoles = await directory.roleNames(
      tenantId,
      account.roleIds.filter((id) => !counted.has(id)),
    );
    const scopedRoles = await directory.roleNames(tenantId, account.scopedRoleIds);
    return { outcome: 'checked', findings, otherRoles, scopedRoles };
  } catch (err) {
    if (isGraphError(err)) return { outcome: 'unavailable', message: err.message };
    throw err;
  }
}
