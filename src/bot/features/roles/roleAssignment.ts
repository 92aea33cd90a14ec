import type { TurnContext } from 'botbuilder';
import { daysText } from '../../../util/format';
import { UTC_DATES, type DateFormatter } from '../../../util/dates';
import { commandButton } from '../../../cards/messageCard';
import { isGraphError } from '../../../graph/errors';
import { isTimeBoundUnavailable } from '../../../directoryRoles/directory';
import { targetKindLabel, type DirectoryRole, type TargetKind } from '../../../directoryRoles/requirements';
import { actorOf, tenantIdOf } from '../../turnInfo';
import { auditTurn } from '../../turnAudit';
import type { RolesShared } from './rolesShared';
import type { RoleGrant } from './roleGrants';

/** What happened to one role. */
export interface RoleOutcome {
  role: DirectoryRole;
  result: 'assigned' | 'already held' | 'failed' | 'not tried' | 'declined';
  detail?: string;
}

const OUTCOME_TEXT: Record<RoleOutcome['result'], string> = {
  assigned: 'assigned',
  'already held': 'already held: nothing to do',
  failed: 'not assigned',
  'not tried': 'not tried',
  declined: 'declined',
};

/** How the roles of one submit are assigned. */
export interface AssignmentTerms {
  kind: TargetKind;
  /** The approver confirmed a permanent assignment where the tenant cannot make time-bound ones. */
  permanentFallback: boolean;
}

/** The card input where the approver confirms the permanent fallback. */
export const PERMANENT_FALLBACK_INPUT = 'permanentFallback';

/** True when the submitted card confirmed the permanent fallback. */
export const permanentFallbackOf = (data: Record<string, unknown>): boolean =>
  data[PERMANENT_FALLBACK_INPUT] === 'true' || data[PERMANENT_FALLBACK_INPUT] === true;

const DAY_MS = 24 * 60 * 60 * 1000;

/** "for 30 days, until …": how long a role assigned now lasts, for cards. */
export const durationText = (shared: Pick<RolesShared, 'config' | 'clock'>, dates: DateFormatter): string => {
  const days = shared.config.roleAssignmentDays;
  const end = new Date(shared.clock.now().getTime() + days * DAY_MS).toISOString();
  return `for ${daysText(days)}, until ${dates.dateTime(end)}`;
};

/** The outcome detail of a role left unassigned for want of PIM and of a confirmation. */
const NOT_CONFIRMED_DETAIL =
  'time-bound assignment is unavailable in this tenant, and permanent was not confirmed';

/** Said on the results card when a role was not assigned for want of PIM and of a confirmation. */
export const PERMANENT_NOT_CONFIRMED =
  'This tenant cannot make time-bound role assignments (that takes Microsoft Entra ID P2), and a permanent assignment was not confirmed, so those roles were not assigned. To assign them permanently, ask again and check “Assign permanently if time-bound assignment is unavailable”.';

/** One role's assignment: who, for whom, on what terms, with the detail its audit events carry. */
interface RoleAssignmentRun {
  shared: RolesShared;
  context: TurnContext;
  tenantId: string;
  actor: { id: string; name: string };
  account: { id: string; upn: string };
  terms: AssignmentTerms;
}

/** A time-bound (PIM) assignment; `unavailable` (Graph's words) when this tenant cannot make one. */
async function assignTimeBound(
  run: RoleAssignmentRun,
  role: DirectoryRole,
  start: Date,
  detail: Record<string, unknown>,
): Promise<RoleOutcome | { unavailable: string }> {
  const { directory, config, logger } = run.shared;
  const end = new Date(start.getTime() + config.roleAssignmentDays * DAY_MS);
  const grant: RoleGrant = {
    roleId: role.id,
    roleName: role.name,
    kind: run.terms.kind,
    type: 'time-bound',
    assignedAt: start.toISOString(),
    expiresAt: end.toISOString(),
    assignedBy: run.actor.id,
  };
  await recordIntent(run, grant, detail);
  try {
    await directory.assignUntil(run.tenantId, run.account.id, role.id, {
      start,
      end,
      justification: `Connector Concierge: ${targetKindLabel(run.terms.kind)} target connection, approved by ${run.actor.name}`,
    });
  } catch (err) {
    await forgetUnlessUncertain(run, grant, err);
    if (!isTimeBoundUnavailable(err)) throw err;
    logger.info('time-bound role assignment unavailable in this tenant', { tenantId: run.tenantId });
    return { unavailable: (err as Error).message };
  }
  await confirmGrant(run, grant);
  await auditTurn(run.shared, run.context, 'role.assigned', {
    ...detail,
    assignment: 'time-bound',
    expiresAt: end.toISOString(),
  });
  return {
    role,
    result: 'assigned',
    detail: `for ${daysText(config.roleAssignmentDays)}, until ${UTC_DATES.dateTime(end)}`,
  };
}

/**
 * Before Graph is asked: the grant is recorded as pending and the attempt audited, so that an
 * assignment Graph made is never without a trace, even when storage fails right after (a retry then
 * finds the role "already held" and writes nothing; the grant recorded here is what tells the
 * removal offer about it). Pending, because until Graph answers the role may be someone else's.
 */
async function recordIntent(run: RoleAssignmentRun, grant: RoleGrant, detail: Record<string, unknown>) {
  await run.shared.grants.add(run.tenantId, run.account.id, { ...grant, pending: true });
  await auditTurn(run.shared, run.context, 'role.assigning', { ...detail, assignment: grant.type });
}

/**
 * Graph made the assignment: the grant is no longer pending. A storage failure here leaves it
 * pending (the removal offer then asks for a check in Entra instead of removing it), which is
 * logged; the role was assigned, so the turn goes on to say so.
 */
async function confirmGrant(run: RoleAssignmentRun, grant: RoleGrant) {
  try {
    await run.shared.grants.add(run.tenantId, run.account.id, grant);
  } catch (err) {
    run.shared.logger.warn('a role Graph assigned could not be recorded as assigned; it stays pending', {
      roleId: grant.roleId,
      assignment: grant.type,
      error: err,
    });
  }
}

/** Graph did not assign it: the grant recorded beforehand goes (a failure here is only logged). */
async function forgetIntent(run: RoleAssignmentRun, grant: RoleGrant) {
  try {
    await run.shared.grants.forget(run.tenantId, run.account.id, [grant.roleId]);
  } catch (err) {
    run.shared.logger.warn('a role grant recorded before a failed assignment could not be forgotten', {
      roleId: grant.roleId,
      error: err,
    });
  }
}

/**
 * True when Graph may have made the assignment although the call failed: a 5xx, a timeout or no
 * answer at all (GRAPH_UNAVAILABLE). Writes are not retried on these (see RetryMiddleware).
 */
function mayHaveAssigned(err: unknown): boolean {
  // A sign-in that failed sent nothing: the role was not assigned, whatever the code says.
  return isGraphError(err, 'GRAPH_UNAVAILABLE') && !err.notSent;
}

/** Outcome detail added when the assignment may have been made after all. */
export const UNCONFIRMED_ASSIGNMENT_NOTE =
  'Microsoft Graph did not confirm the assignment, so it may have been made: check the account again before asking once more.';

/**
 * After a failed write: the pending grant goes when Graph surely did nothing, and stays pending
 * (not confirmed) when it may have assigned the role, so that the removal offer still knows of it.
 */
async function forgetUnlessUncertain(run: RoleAssignmentRun, grant: RoleGrant, err: unknown) {
  if (!mayHaveAssigned(err)) {
    await forgetIntent(run, grant);
    return;
  }
  run.shared.logger.warn('a role assignment got no clear answer from Graph; its grant stays pending', {
    tenantId: run.tenantId,
    roleId: grant.roleId,
    assignment: grant.type,
    error: err,
  });
}

/** A permanent assignment, made only when the approver confirmed it on the card. */
async function assignPermanent(
  run: RoleAssignmentRun,
  role: DirectoryRole,
  start: Date,
  detail: Record<string, unknown>,
  noTimeBound: string,
): Promise<RoleOutcome> {
  const { directory } = run.shared;
  if (!run.terms.permanentFallback) {
    await auditTurn(run.shared, run.context, 'role.assignment-failed', {
      ...detail,
      code: 'TIME_BOUND_UNAVAILABLE',
      graph: noTimeBound,
    });
    return { role, result: 'failed', detail: NOT_CONFIRMED_DETAIL };
  }
  const grant: RoleGrant = {
    roleId: role.id,
    roleName: role.name,
    kind: run.terms.kind,
    type: 'permanent',
    assignedAt: start.toISOString(),
    assignedBy: run.actor.id,
  };
  await recordIntent(run, grant, detail);
  let assignmentId: string | undefined;
  try {
    assignmentId = await directory.assign(run.tenantId, run.account.id, role.id);
  } catch (err) {
    await forgetUnlessUncertain(run, grant, err);
    throw err;
  }
  // Its id is known only now: removing a permanent assignment needs it.
  await confirmGrant(run, { ...grant, assignmentId });
  await auditTurn(run.shared, run.context, 'role.assigned', {
    ...detail,
    assignment: 'permanent',
    assignmentId,
  });
  return {
    role,
    result: 'assigned',
    detail: 'permanently, as confirmed (time-bound assignment is unavailable in this tenant)',
  };
}

/** What one role's assignment tells the next ones. */
interface AssignmentState {
  /** Set after a 403: the other roles are not tried, for this reason. */
  stop?: string;
  /** Set once Graph said this tenant has no PIM: the other roles skip the time-bound try. */
  noTimeBound?: string;
}

/**
 * Assigns one role not yet held: time-bound first, permanent where the tenant has no PIM. A Graph
 * failure is audited and becomes a 'failed' outcome; a 403 stops the roles after it.
 */
async function assignOne(
  run: RoleAssignmentRun,
  role: DirectoryRole,
  detail: Record<string, unknown>,
  state: AssignmentState,
): Promise<RoleOutcome> {
  const start = run.shared.clock.now();
  try {
    const timeBound = state.noTimeBound ? undefined : await assignTimeBound(run, role, start, detail);
    if (timeBound && !('unavailable' in timeBound)) return timeBound;
    state.noTimeBound ??= timeBound?.unavailable;
    return await assignPermanent(run, role, start, detail, state.noTimeBound ?? '');
  } catch (err) {
    if (!isGraphError(err)) throw err;
    await auditTurn(run.shared, run.context, 'role.assignment-failed', {
      ...detail,
      code: err.code,
      permission: err.permission,
      status: err.status,
    });
    if (err.code === 'GRAPH_FORBIDDEN')
      state.stop = `the same permission is missing (${err.permission ?? 'see above'})`;
    return {
      role,
      result: 'failed',
      detail: mayHaveAssigned(err) ? `${err.message} ${UNCONFIRMED_ASSIGNMENT_NOTE}` : err.message,
    };
  }
}

/**
 * Assigns roles one by one with Graph, skipping those already held, auditing each and recording
 * what the bot assigned. Each is time-bound (ROLE_ASSIGNMENT_DAYS, through PIM); where the tenant
 * has no PIM it is permanent only if the approver confirmed that on the card. After a 403 (the
 * app lacks RoleManagement.ReadWrite.Directory) the rest are not tried.
 */
export async function assignRoles(
  shared: RolesShared,
  context: TurnContext,
  account: { id: string; upn: string },
  roles: DirectoryRole[],
  auditDetail: Record<string, unknown>,
  terms: AssignmentTerms,
): Promise<RoleOutcome[]> {
  const run: RoleAssignmentRun = {
    shared,
    context,
    tenantId: tenantIdOf(context),
    actor: actorOf(context),
    account,
    terms,
  };
  let held: Set<string>;
  try {
    held = new Set((await shared.directory.heldRoles(run.tenantId, account.id)).tenantWide);
  } catch (err) {
    if (!isGraphError(err)) throw err;
    return roles.map((role) => ({ role, result: 'not tried' as const, detail: err.message }));
  }
  const outcomes: RoleOutcome[] = [];
  const state: AssignmentState = {};
  for (const role of roles) {
    const detail = {
      ...auditDetail,
      accountId: account.id,
      accountUpn: account.upn,
      roleId: role.id,
      roleName: role.name,
    };
    if (held.has(role.id)) {
      outcomes.push({ role, result: 'already held' });
      continue;
    }
    if (state.stop) {
      outcomes.push({ role, result: 'not tried', detail: state.stop });
      continue;
    }
    outcomes.push(await assignOne(run, role, detail, state));
  }
  shared.logger.info('roles assigned', { results: outcomes.map((o) => o.result) });
  return outcomes;
}

const outcomeFacts = (outcomes: RoleOutcome[]) =>
  outcomes.map((o) => ({
    title: o.role.name,
    value: `${OUTCOME_TEXT[o.result]}${o.detail ? `: ${o.detail}` : ''}`,
  }));

/** The outcome of each role, with a button to check the account again. */
export const resultsCard = (
  shared: Pick<RolesShared, 'message'>,
  title: string,
  text: string,
  outcomes: RoleOutcome[],
  account: { upn: string },
  kind: TargetKind,
  paragraphs: string[] = [],
) => {
  const { message } = shared;
  const failed = outcomes.some((o) => o.result === 'failed');
  return message(title, text, failed ? 'warning' : 'good', {
    facts: outcomeFacts(outcomes),
    paragraphs: [
      ...paragraphs,
      ...(outcomes.some((o) => o.detail === NOT_CONFIRMED_DETAIL) ? [PERMANENT_NOT_CONFIRMED] : []),
      ...(outcomes.some((o) => o.result === 'assigned')
        ? [
            'A new role can take a few minutes to apply. Check the account again to define its target connection.',
          ]
        : []),
    ].map((p) => ({ text: p })),
    buttons: [commandButton('Check again', 'roles', `${account.upn} ${kind}`, 'positive')],
  });
};
