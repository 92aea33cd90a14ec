import { mdText } from '../../../cards/markdown';
import type { Attachment, TurnContext } from 'botbuilder';
import type { MessageButton } from '../../../cards/messageCard';
import { isGraphError } from '../../../graph/errors';
import { isTargetKind, targetKindLabel, type TargetKind } from '../../../directoryRoles/requirements';
import type { TargetConnection } from '../../../connectors/ports';
import { UTC_DATES } from '../../../util/dates';
import { GUID } from '../../../util/ids';
import { replaceCard } from '../../cardReplies';
import { tenantIdOf } from '../../turnInfo';
import { auditTurn } from '../../turnAudit';
import type { RoleGrant } from './roleGrants';
import { ROLES_VERBS, str, type RolesShared } from './rolesShared';
import { recordVerb, type CardVerbs } from '../../cardVerbs';

/** Why a pending grant is left alone: the bot does not know that the assignment is its own. */
const PENDING_DETAIL = 'Graph’s answer to my assignment was not recorded, so I leave it to you';

const grantText = (grant: RoleGrant): string =>
  grant.pending
    ? `not confirmed: I asked Graph to assign it ${UTC_DATES.dateTime(grant.assignedAt)}, but its answer was not recorded. Check the account’s assignments in the Microsoft Entra admin center (Roles and administrators) before removing it there`
    : grant.type === 'time-bound'
      ? `time-bound, until ${UTC_DATES.dateTime(grant.expiresAt)}`
      : `permanent, assigned ${UTC_DATES.dateTime(grant.assignedAt)}`;

/** The roles the bot assigned to the account for this kind of target, still in effect. */
const grantsFor = async (shared: RolesShared, tenantId: string, adminId: string, kind: TargetKind) =>
  (await shared.grants.list(tenantId, adminId, shared.clock.now())).filter((g) => g.kind === kind);

/**
 * After a target connection is removed: a card offering to remove the roles the bot assigned
 * for it (roles it did not assign are never offered), or undefined when it assigned none.
 */
export const grantRemovalOffer = async (
  shared: RolesShared,
  target: TargetConnection,
): Promise<Attachment | undefined> => {
  const grants = await grantsFor(shared, target.tenantId, target.adminId, target.kind);
  if (grants.length === 0) return undefined;
  const button: MessageButton = {
    title: 'Remove these roles',
    style: 'destructive',
    verb: ROLES_VERBS.removeGrants,
    command: '',
    args: target.id,
    wizardId: '',
    move: '',
    connectorId: '',
  };
  return shared.message(
    `Remove the roles I assigned to ${target.adminUpn}?`,
    grants.some((g) => g.pending)
      ? `I assigned, or asked Graph to assign, these directory roles to ${target.adminUpn} for the ${targetKindLabel(target.kind)} target connection you removed. Remove them too if the account no longer needs them; roles I did not assign are not touched, and a role marked “not confirmed” is left for you to check, since it may have been assigned by someone else. Removing takes a Global Administrator or a Privileged Role Administrator.`
      : `I assigned these directory roles to ${target.adminUpn} for the ${targetKindLabel(target.kind)} target connection you removed. Remove them too if the account no longer needs them; roles I did not assign are not touched. Removing takes a Global Administrator or a Privileged Role Administrator.`,
    'warning',
    { facts: grants.map((g) => ({ title: g.roleName, value: grantText(g) })), buttons: [button] },
  );
};

/** What removing one recorded grant came to. */
type Removal = {
  grant: RoleGrant;
  result: 'removed' | 'already gone' | 'failed' | 'left to you';
  detail?: string;
};

const removeGrant = async (shared: RolesShared, tenantId: string, adminId: string, grant: RoleGrant) => {
  const { directory } = shared;
  // The role may have been someone else's assignment (Graph refused the bot's): never removed here.
  if (grant.pending) return { grant, result: 'left to you', detail: PENDING_DETAIL } satisfies Removal;
  if (grant.type === 'permanent') {
    if (!grant.assignmentId) {
      return { grant, result: 'failed', detail: 'its assignment id was not recorded' } satisfies Removal;
    }
    const removed = await directory.removeAssignment(tenantId, grant.assignmentId);
    return { grant, result: removed ? 'removed' : 'already gone' } satisfies Removal;
  }
  try {
    await directory.removeTimeBound(
      tenantId,
      adminId,
      grant.roleId,
      `Connector Concierge: the ${targetKindLabel(grant.kind)} target connection was removed`,
    );
    return { grant, result: 'removed' } satisfies Removal;
  } catch (err) {
    // Ended already (expired, or removed in the admin center).
    if (isGraphError(err) && err.graphCode === 'RoleAssignmentDoesNotExist') {
      return { grant, result: 'already gone' } satisfies Removal;
    }
    throw err;
  }
};

const REMOVAL_AUDIT: Record<Removal['result'], string> = {
  removed: 'role.removed',
  'already gone': 'role.removed',
  failed: 'role.removal-failed',
  'left to you': 'role.removal-skipped',
};

/**
 * Removes each grant with Graph, audits it, and forgets the ones that are gone, and the pending ones
 * (their card said to check them in Entra; the audit keeps the attempt).
 */
async function removeEach(
  shared: RolesShared,
  context: TurnContext,
  tenantId: string,
  adminId: string,
  kind: TargetKind,
): Promise<Removal[]> {
  const grants = await grantsFor(shared, tenantId, adminId, kind);
  const removals: Removal[] = [];
  for (const grant of grants) {
    let removal: Removal;
    try {
      removal = await removeGrant(shared, tenantId, adminId, grant);
    } catch (err) {
      if (!isGraphError(err)) throw err;
      removal = { grant, result: 'failed', detail: err.message };
    }
    removals.push(removal);
    await auditTurn(shared, context, REMOVAL_AUDIT[removal.result], {
      accountId: adminId,
      kind,
      roleId: grant.roleId,
      roleName: grant.roleName,
      assignment: grant.type,
      result: removal.result,
      detail: removal.detail,
    });
  }
  await shared.grants.forget(
    tenantId,
    adminId,
    removals.filter((r) => r.result !== 'failed').map((r) => r.grant.roleId),
  );
  shared.logger.info('assigned roles removed', { results: removals.map((r) => r.result) });
  return removals;
}

/** "Remove these roles": for a target connection that is gone, by someone who may remove roles. */
const removeGrants = async (shared: RolesShared, context: TurnContext, data: Record<string, unknown>) => {
  const { store, logger, askerAssigner, message } = shared;
  const tenantId = tenantIdOf(context);
  const [kind, adminId] = str(data.args, 120).split(':');
  if (!isTargetKind(kind) || !GUID.test(adminId ?? '')) {
    await context.sendActivity('That card does not name a target connection. Nothing was changed.');
    return;
  }
  if (await store.targets.get(tenantId, `${kind}:${adminId}`)) {
    await context.sendActivity(
      'That target connection is defined again, so its roles stay. Nothing was changed.',
    );
    return;
  }
  try {
    if (!(await askerAssigner(context))) {
      await context.sendActivity(
        'Removing directory roles takes a Global Administrator or a Privileged Role Administrator, and your direct role assignments show neither. Nothing was changed.',
      );
      return;
    }
  } catch (err) {
    if (!isGraphError(err)) throw err;
    await context.sendActivity(
      mdText`I could not read who may remove roles: ${err.message} Nothing was changed.`,
    );
    return;
  }
  const removals = await removeEach(shared, context, tenantId, adminId, kind);
  const failed = removals.some((r) => r.result === 'failed' || r.result === 'left to you');
  await replaceCard(
    context,
    message(
      'Roles I assigned',
      removals.length === 0
        ? 'None of the roles I assigned for that target connection is still in effect. Nothing was changed.'
        : `${removals.filter((r) => r.result === 'removed' || r.result === 'already gone').length} of ${removals.length} role${removals.length === 1 ? '' : 's'} removed.`,
      failed ? 'warning' : 'good',
      {
        facts: removals.map((r) => ({
          title: r.grant.roleName,
          value: r.result === 'failed' || r.result === 'left to you' ? `not removed: ${r.detail}` : r.result,
        })),
      },
    ),
    logger,
  );
};

/** The "Remove these roles" button offered when a target connection is removed. */
export function roleGrantRemovalVerbs(shared: RolesShared): CardVerbs {
  return [
    recordVerb(ROLES_VERBS.removeGrants, async (context, _state, data) =>
      removeGrants(shared, context, data),
    ),
  ];
}
