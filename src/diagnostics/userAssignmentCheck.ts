import type { GraphGateway } from '../graph/graphGateway';
import { GRAPH_PERMISSIONS } from '../graph/graphPermissions';
import {
  checkedConnectorApp,
  odataString,
  plural,
  type DiagnosticCheck,
  type DiagnosticContext,
  type Finding,
} from './finding';

interface ServicePrincipal {
  id: string;
  displayName?: string;
  appRoleAssignmentRequired?: boolean;
}

interface Assignment {
  principalId?: string;
  principalType?: string;
}

/** Assignments of the app read before giving up looking for the asker. */
const MAX_ASSIGNMENTS_READ = 10_000;

const TIP =
  'To tighten your security beyond administrators, turn on User assignment required from the Office 365 Mover app settings in your Azure portal. You need to specifically assign your migrator users who may use the app.';

export const USER_ASSIGNMENT_ID = 'user-assignment';

/**
 * "User assignment required" on the connector app's enterprise app, and whether the person who
 * asked is assigned to it directly. Membership of an assigned group is not checked.
 */
export const userAssignmentCheck: DiagnosticCheck = {
  id: USER_ASSIGNMENT_ID,
  title: 'User assignment required',
  needsGraph: true,
  permissions: [GRAPH_PERMISSIONS.applicationRead],
  missingSettings: (ctx) => (checkedConnectorApp(ctx).appId ? [] : ['CONNECTOR_APP_ID']),
  run: (graph, tenantId, ctx) => checkUserAssignment(graph, tenantId, ctx),
};

export async function checkUserAssignment(
  graph: GraphGateway,
  tenantId: string,
  ctx: DiagnosticContext,
): Promise<Finding> {
  const base = { id: userAssignmentCheck.id, title: userAssignmentCheck.title };
  const principals = await graph.get<{ value: ServicePrincipal[] }>(
    tenantId,
    `/servicePrincipals?$filter=appId eq ${odataString(checkedConnectorApp(ctx).appId as string)}&$select=id,displayName,appRoleAssignmentRequired`,
    { permission: GRAPH_PERMISSIONS.applicationRead },
  );
  const sp = principals.value[0];
  if (!sp) {
    return {
      ...base,
      status: 'warn',
      found:
        'Nothing to check yet: the Office 365 Mover app is not in your tenant (no service principal; see admin consent).',
      fix: 'Authorize the Office 365 connector first; then this setting can be checked.',
    };
  }
  const app = `the ${sp.displayName ?? 'Office 365 Mover'} app`;
  if (!sp.appRoleAssignmentRequired) {
    return {
      ...base,
      status: 'pass',
      found: `User assignment required is off on ${app}: every user of the tenant can use it.`,
      fix: TIP,
    };
  }
  const asker = ctx.asker;
  if (!asker.aadObjectId) {
    return {
      ...base,
      status: 'warn',
      found: `User assignment required is on for ${app}, and Teams did not say who you are, so I cannot tell whether you are assigned.`,
      fix: `Check in the Azure portal (Enterprise applications > ${sp.displayName ?? 'Office 365 Mover'} > Users and groups) that the migrator users who may use the app are assigned.`,
    };
  }
  const assignments = await readAssignments(graph, tenantId, sp.id, asker.aadObjectId);
  return assignmentFinding(base, sp, asker.name, assignments);
}

/** What the app's assignments say about the asker, as far as they were read. */
interface AskerAssignments {
  direct: boolean;
  /** Groups assigned to the app (the asker may be in one; not checked). */
  groups: number;
  read: number;
  /** True when the app has more assignments than were read (MAX_ASSIGNMENTS_READ). */
  cut: boolean;
}

/**
 * Reads the app's assignments until the asker is found among them, or MAX_ASSIGNMENTS_READ (then
 * `cut` says there were more, and the asker's absence from those read proves nothing).
 */
async function readAssignments(
  graph: GraphGateway,
  tenantId: string,
  servicePrincipalId: string,
  askerObjectId: string,
): Promise<AskerAssignments> {
  const me = askerObjectId.toLowerCase();
  let direct = false;
  let groups = 0;
  let read = 0;
  let cut = false;
  for await (const page of graph.getAllPages<Assignment>(
    tenantId,
    `/servicePrincipals/${encodeURIComponent(servicePrincipalId)}/appRoleAssignedTo?$select=principalId,principalType&$top=999`,
    {
      permission: GRAPH_PERMISSIONS.applicationRead,
      maxItems: MAX_ASSIGNMENTS_READ,
      onTruncated: () => (cut = true),
    },
  )) {
    read += page.length;
    direct = page.some((a) => a.principalId?.toLowerCase() === me);
    groups += page.filter((a) => a.principalType === 'Group').length;
    if (direct) break;
  }
  return { direct, groups, read, cut };
}

function assignmentFinding(
  base: Pick<Finding, 'id' | 'title'>,
  sp: ServicePrincipal,
  askerName: string,
  { direct, groups, read, cut }: AskerAssignments,
): Finding {
  const app = `the ${sp.displayName ?? 'Office 365 Mover'} app`;
  const assign = `An admin assigns you in the Azure portal: Enterprise applications > ${sp.displayName ?? 'Office 365 Mover'} > Users and groups > Add user/group. Keep User assignment required on: Mover advises it to tighten your security beyond administrators.`;
  const groupNote = 'Assignment through a group is not checked here.';
  if (direct) {
    return {
      ...base,
      status: 'pass',
      found: `User assignment required is on for ${app}, and you (${askerName}) are assigned to it.`,
      fix: '',
    };
  }
  if (cut) {
    // Only the first assignments were read: the asker may be among the others.
    return {
      ...base,
      status: 'warn',
      found: `User assignment required is on for ${app}. I read the first ${plural(read, 'assignment')} of the app and you (${askerName}) are not among them, but it has more, so I cannot tell whether you are assigned. ${groupNote}`,
      fix: `Check in the Azure portal (Enterprise applications > ${sp.displayName ?? 'Office 365 Mover'} > Users and groups) that you are assigned. ${assign}`,
    };
  }
  if (groups > 0) {
    return {
      ...base,
      status: 'warn',
      found: `User assignment required is on for ${app}, and you (${askerName}) are not assigned to it directly. ${plural(groups, 'group is', 'groups are')} assigned: ${groupNote} If you are not in one of them, you cannot use the app.`,
      fix: assign,
    };
  }
  return {
    ...base,
    status: 'fail',
    found: `User assignment required is on for ${app}, and you (${askerName}) are not assigned to it, so you cannot use it. ${groupNote}`,
    fix: assign,
  };
}
