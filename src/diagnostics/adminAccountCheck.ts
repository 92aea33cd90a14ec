import { isGraphError } from '../graph/errors';
import type { GraphGateway } from '../graph/graphGateway';
import { GRAPH_PERMISSIONS } from '../graph/graphPermissions';
import { GLOBAL_ADMINISTRATOR } from '../directoryRoles/requirements';
import { mapLimit } from './concurrency';
import {
  count,
  odataString,
  plural,
  type DiagnosticCheck,
  type DiagnosticContext,
  type Finding,
} from './finding';
import { hasSharePointPlan, type AssignedPlan } from './spoLicenseCheck';

/** Directory role template id of Global Administrator. */
export const GLOBAL_ADMINISTRATOR_ROLE = GLOBAL_ADMINISTRATOR.id;

interface DirectoryUser {
  id: string;
  displayName?: string;
  userPrincipalName?: string;
  assignedLicenses?: { skuId?: string }[];
  assignedPlans?: AssignedPlan[];
}

/** What was found about one admin account. */
type AccountState =
  | { kind: 'ok'; who: string; licenses: number }
  | { kind: 'unlicensed' | 'no-sharepoint' | 'not-provisioned'; who: string; licenses: number }
  | { kind: 'not-a-user'; who: string };

/** An account to look at: its object id and how people know it. */
interface Candidate {
  id: string;
  label?: string;
  /** The role-assignable group it holds the role through, if any. */
  viaGroup?: string;
}

/**
 * The users of a role-assignable group that holds the role (such groups cannot nest), or
 * undefined when the principal is not a group either (an app, or a deleted account).
 */
async function groupMembers(
  graph: GraphGateway,
  tenantId: string,
  principalId: string,
): Promise<Candidate[] | undefined> {
  try {
    const members = await graph.list<{ id?: string; userPrincipalName?: string; '@odata.type'?: string }>(
      tenantId,
      `/groups/${encodeURIComponent(principalId)}/members?$select=id,userPrincipalName`,
      { permission: GRAPH_PERMISSIONS.directoryRead, maxItems: 100 },
    );
    return members
      .filter(
        (m) => !!m.id && (m['@odata.type'] === undefined || m['@odata.type'] === '#microsoft.graph.user'),
      )
      .map((m) => ({ id: m.id!, label: m.userPrincipalName, viaGroup: principalId }));
  } catch (err) {
    if (isGraphError(err, 'GRAPH_NOT_FOUND')) return undefined;
    throw err;
  }
}

async function inspect(graph: GraphGateway, tenantId: string, candidate: Candidate): Promise<AccountState> {
  let user: DirectoryUser;
  try {
    user = await graph.get<DirectoryUser>(
      tenantId,
      `/users/${encodeURIComponent(candidate.id)}?$select=id,displayName,userPrincipalName,assignedLicenses,assignedPlans`,
      { permission: GRAPH_PERMISSIONS.userRead },
    );
  } catch (err) {
    // A role can be held by a group or an app: not an account that signs in.
    if (isGraphError(err, 'GRAPH_NOT_FOUND'))
      return { kind: 'not-a-user', who: candidate.label ?? candidate.id };
    throw err;
  }
  const who = user.userPrincipalName ?? candidate.label ?? user.id;
  const licenses = user.assignedLicenses?.length ?? 0;
  if (licenses === 0) return { kind: 'unlicensed', who, licenses };
  if (!hasSharePointPlan(user.assignedPlans)) return { kind: 'no-sharepoint', who, licenses };
  try {
    await graph.get(tenantId, `/users/${encodeURIComponent(user.id)}/drive?$select=id`, {
      permission: GRAPH_PERMISSIONS.filesRead,
    });
  } catch (err) {
    if (isGraphError(err, 'GRAPH_NOT_FOUND')) return { kind: 'not-provisioned', who, licenses };
    throw err;
  }
  return { kind: 'ok', who, licenses };
}

function describe(state: AccountState): string {
  switch (state.kind) {
    case 'ok':
      return `${state.who}: licensed (${plural(state.licenses, 'license')}), SharePoint Online enabled, Office 365 account provisioned (OneDrive found)`;
    case 'unlicensed':
      return `${state.who}: no Office 365 license`;
    case 'no-sharepoint':
      return `${state.who}: licensed, but SharePoint Online is not enabled in its license`;
    case 'not-provisioned':
      return `${state.who}: licensed, but its Office 365 account is not provisioned (no OneDrive: it never went through the Office 365 setup)`;
    case 'not-a-user':
      return `${state.who}: not a user account (an app, or an account deleted since), skipped`;
  }
}

const SEED =
  'Your global admin user must have an Office 365 account provisioned in order to administer other Office 365 accounts.';

function fixFor(bad: AccountState[]): string {
  const names = bad.map((b) => b.who).join(', ');
  return `${SEED} Assign an Office 365 license with SharePoint Online to ${names} and walk through the Office 365 setup process: sign in as them at office.com and open OneDrive once. If you create a service account for our app, ensure you also assigned an Office 365 license and walked through the Office 365 setup process.`;
}

export const ADMIN_ACCOUNT_ID = 'admin-account';

/**
 * "Global admin account provisioning": the account that authorizes (the global admin an
 * Office 365 connector's consent was asked of, else the tenant's global admins) must be licensed
 * for SharePoint Online and provisioned (GET /users/{id}/drive answers, not 404).
 */
export const adminAccountCheck: DiagnosticCheck = {
  id: ADMIN_ACCOUNT_ID,
  title: 'Global admin account provisioning',
  needsGraph: true,
  permissions: [
    GRAPH_PERMISSIONS.roleManagementRead,
    GRAPH_PERMISSIONS.userRead,
    GRAPH_PERMISSIONS.filesRead,
    GRAPH_PERMISSIONS.directoryRead,
  ],
  run: (graph, tenantId, ctx) => checkAdminAccount(graph, tenantId, ctx),
};

export async function checkAdminAccount(
  graph: GraphGateway,
  tenantId: string,
  ctx: DiagnosticContext,
): Promise<Finding> {
  const base = { id: adminAccountCheck.id, title: adminAccountCheck.title };
  const designated = new Map<string, Candidate>();
  for (const c of ctx.connectors) {
    const id = c.type === 'office365' ? c.consent?.requestedFromId : undefined;
    if (id && !designated.has(id.toLowerCase()))
      designated.set(id.toLowerCase(), { id, label: c.consent?.requestedFrom });
  }
  let candidates: Candidate[];
  let source: string;
  if (designated.size > 0) {
    candidates = [...designated.values()];
    source = `The global admin${designated.size > 1 ? 's' : ''} asked to grant consent for ${designated.size > 1 ? 'the connectors' : 'the connector'}`;
  } else {
    const assignments = await graph.list<{ principalId?: string }>(
      tenantId,
      `/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq ${odataString(GLOBAL_ADMINISTRATOR_ROLE)}`,
      { permission: GRAPH_PERMISSIONS.roleManagementRead, maxItems: 1_000 },
    );
    const ids = [...new Set(assignments.map((a) => a.principalId).filter((id): id is string => !!id))];
    candidates = ids.map((id) => ({ id }));
    source = `The tenant’s global admins (${plural(ids.length, 'direct, active assignment')}; eligible PIM assignments not read)`;
  }
  const max = ctx.limits.maxAdminsChecked;
  const looked = candidates.slice(0, max);
  // Candidates (and members of role-assignable groups) beyond the limit: not checked.
  let unchecked = candidates.length - looked.length;
  const inspected = await mapLimit(looked, 3, (c) => inspect(graph, tenantId, c));
  // A principal that is no user may be a role-assignable group: its members hold the role.
  const states: AccountState[] = [];
  for (const [i, state] of inspected.entries()) {
    if (state.kind !== 'not-a-user' || designated.size > 0) {
      states.push(state);
      continue;
    }
    const members = await groupMembers(graph, tenantId, looked[i].id);
    if (!members) {
      states.push(state);
      continue;
    }
    unchecked += Math.max(0, members.length - max);
    const viaGroup = await mapLimit(members.slice(0, max), 3, (c) => inspect(graph, tenantId, c));
    states.push(
      ...viaGroup.map((m) => (m.kind === 'not-a-user' ? m : { ...m, who: `${m.who} (through a group)` })),
    );
  }
  const users = states.filter((s) => s.kind !== 'not-a-user');
  const ok = users.filter((s) => s.kind === 'ok');
  const bad = users.filter((s) => s.kind !== 'ok');
  const more =
    unchecked > 0
      ? ` I checked ${plural(users.length, 'account')}; ${plural(unchecked, 'other was', 'others were')} not checked.`
      : '';
  const found = `${source}: ${states.map(describe).join('; ') || 'none'}.${more}`;
  if (users.length === 0) {
    return {
      ...base,
      status: 'warn',
      found: `${found} No global admin user account was found to authorize with.`,
      fix: `Give a licensed, provisioned user the Global Administrator role (Microsoft Entra admin center > Roles and administrators) to authorize the connector. ${SEED}`,
    };
  }
  if (designated.size > 0) {
    if (bad.length > 0) return { ...base, status: 'fail', found, fix: fixFor(bad) };
    return unchecked > 0
      ? {
          ...base,
          status: 'warn',
          found,
          fix: 'Check the others in the Microsoft 365 admin center: each needs a licence with SharePoint Online and a provisioned account.',
        }
      : { ...base, status: 'pass', found, fix: '' };
  }
  if (ok.length === 0 && unchecked > 0) {
    // Not every admin was looked at: one of the others may well be ready.
    return {
      ...base,
      status: 'warn',
      found: `${source}: ${states.map(describe).join('; ')}. I checked ${plural(users.length, 'global admin account')} of ${count(users.length + unchecked)}; none of those is ready to authorize with; the others were not checked.`,
      fix: `${fixFor(bad)} Or check the other global admins in the Microsoft 365 admin center: one that is licensed and provisioned can authorize.`,
    };
  }
  if (ok.length === 0) return { ...base, status: 'fail', found, fix: fixFor(bad) };
  return {
    ...base,
    status: 'pass',
    found: `${found} Authorize with ${ok.length === 1 ? ok[0].who : `one of ${ok.map((o) => o.who).join(', ')}`}.`,
    fix:
      bad.length > 0
        ? `Only a provisioned account can authorize: not ${bad.map((b) => b.who).join(', ')}.`
        : '',
  };
}
