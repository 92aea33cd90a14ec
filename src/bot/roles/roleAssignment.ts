import type { TurnContext } from 'botbuilder';
import { commandButton } from '../../cards/wizardCards';
import { isGraphError } from '../../graph/errors';
import type { DirectoryRole, TargetKind } from '../../roles/requirements';
import { tenantIdOf } from '../turnInfo';
import { auditTurn } from '../turnAudit';
import type { RolesShared } from './rolesShared';

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

/**
 * Assigns roles one by one with Graph, skipping those already held, auditing each. After a 403
 * (the app lacks RoleManagement.ReadWrite.Directory) the rest are not tried.
 */
export const assignRoles = async (
  shared: RolesShared,
  context: TurnContext,
  account: { id: string; upn: string },
  roles: DirectoryRole[],
  auditDetail: Record<string, unknown>,
): Promise<RoleOutcome[]> => {
  const { directory, logger } = shared;
  const tenantId = tenantIdOf(context);
  let held: Set<string>;
  try {
    held = new Set((await directory.heldRoles(tenantId, account.id)).tenantWide);
  } catch (err) {
    if (!isGraphError(err)) throw err;
    return roles.map((role) => ({ role, result: 'not tried' as const, detail: err.message }));
  }
  const outcomes: RoleOutcome[] = [];
  let stop: string | undefined;
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
    if (stop) {
      outcomes.push({ role, result: 'not tried', detail: stop });
      continue;
    }
    try {
      await directory.assign(tenantId, account.id, role.id);
      outcomes.push({ role, result: 'assigned' });
      await auditTurn(shared, context, 'role.assigned', detail);
    } catch (err) {
      if (!isGraphError(err)) throw err;
      outcomes.push({ role, result: 'failed', detail: err.message });
      await auditTurn(shared, context, 'role.assignment-failed', {
        ...detail,
        code: err.code,
        permission: err.permission,
        status: err.status,
      });
      if (err.code === 'GRAPH_FORBIDDEN')
        stop = `the same permission is missing (${err.permission ?? 'see above'})`;
    }
  }
  logger.info('roles assigned', {
    results: outcomes.map((o) => o.result),
  });
  return outcomes;
};

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
      ...(outcomes.some((o) => o.result === 'assigned')
        ? [
            'A new role can take a few minutes to apply. Check the account again to define its target connection.',
          ]
        : []),
    ].map((p) => ({ text: p })),
    buttons: [commandButton('Check again', 'roles', `${account.upn} ${kind}`, 'positive')],
  });
};
