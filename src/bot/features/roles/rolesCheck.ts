import { markdown, mdText } from '../../../cards/markdown';
import { MessageFactory, type TurnContext } from 'botbuilder';
import { renderCard } from '../../../cards/render';
import { rolesCheckCard } from '../../../cards/rolesCards';
import { parseRolesArgs, ROLES_USAGE, type AccountFindings } from '../../../directoryRoles/accountCheck';
import { checkAdminAccount, type AccountCheck } from '../../../directoryRoles/directory';
import { DEFAULT_TARGET_KIND, type TargetKind } from '../../../directoryRoles/requirements';
import type { TargetConnection } from '../../../connectors/ports';
import { replaceCard } from '../../cardReplies';
import { actorOf, tenantIdOf } from '../../turnInfo';
import { checkCardData } from './rolesCheckCard';
import { auditTurn } from '../../turnAudit';
import { kindOf, ROLES_VERBS, str, type RolesShared } from './rolesShared';
import { readerDates } from '../../../util/readerDates';
import { recordVerb } from '../../cardVerbs';
import { chatCommand, type FeatureTables } from '../../chatCommands';
import { ROLES_COMMANDS } from './rolesCommands';

/** Saves (or refreshes) the target connection of a passing check. */
const defineTarget = async (
  shared: RolesShared,
  context: TurnContext,
  findings: AccountFindings,
): Promise<TargetConnection> => {
  const { store, clock, directory, cloud } = shared;
  const tenantId = tenantIdOf(context);
  const actor = actorOf(context);
  const id = `${findings.kind}:${findings.account.id}`;
  const existing = await store.targets.get(tenantId, id);
  const now = clock.now().toISOString();
  const roles = await directory.roleNames(tenantId, findings.account.roleIds);
  const target: TargetConnection = {
    tenantId,
    id,
    kind: findings.kind,
    cloud: findings.cloud.ok ? findings.cloud.cloud : cloud,
    adminId: findings.account.id,
    adminUpn: findings.account.upn,
    adminName: findings.account.displayName,
    roles,
    verifiedAt: now,
    verifiedBy: actor.id,
    verifiedByName: actor.name,
    createdAt: existing?.createdAt ?? now,
    createdBy: existing?.createdBy ?? actor.id,
  };
  await store.targets.put(target);
  await auditTurn(shared, context, existing ? 'target.verified' : 'target.defined', {
    targetId: id,
    kind: findings.kind,
    adminUpn: target.adminUpn,
    roles,
  });
  return target;
};

/** A defined target whose account no longer passes is flagged (the first reason kept), not removed. */
const flagTarget = async (shared: RolesShared, context: TurnContext, targetId: string, failure: string) => {
  const { store, clock } = shared;
  const target = await store.targets.get(tenantIdOf(context), targetId);
  if (!target) return;
  await store.targets.put({
    ...target,
    failedAt: clock.now().toISOString(),
    failure: failure.slice(0, 300),
  });
  await auditTurn(shared, context, 'target.verify-failed', { targetId, kind: target.kind, failure });
};

/** Runs the check, saves a passing target (or flags a failing one), and answers with the roles card. */
export const runCheck = async (
  shared: RolesShared,
  context: TurnContext,
  subject: string,
  kind: TargetKind,
  answer: 'send' | 'replace' = 'send',
  knownTargetId?: string,
): Promise<AccountCheck | undefined> => {
  const { directory, cloud, logger, notConfigured } = shared;
  const missing = notConfigured();
  if (missing) {
    await context.sendActivity(missing);
    return undefined;
  }
  const check = await checkAdminAccount(directory, cloud, tenantIdOf(context), subject, kind);
  let defined = false;
  if (check.outcome === 'checked' && check.findings.passed) {
    await defineTarget(shared, context, check.findings);
    defined = true;
  } else if (check.outcome === 'checked') {
    const { findings } = check;
    await flagTarget(
      shared,
      context,
      `${kind}:${findings.account.id}`,
      findings.problems[0] ?? 'the check failed',
    );
  } else if (knownTargetId && check.outcome !== 'unavailable') {
    // Graph being unreachable says nothing about the account; a missing account or wrong cloud does.
    await flagTarget(
      shared,
      context,
      knownTargetId,
      check.outcome === 'not-found' ? `there is no account ${check.upn} any more` : check.message,
    );
  }
  logger.info('roles checked', {
    outcome: check.outcome,
    kind,
    passed: check.outcome === 'checked' ? check.findings.passed : false,
  });
  const card = renderCard(
    rolesCheckCard,
    checkCardData(shared, check, kind, subject, defined, readerDates(context, logger)),
  );
  if (answer === 'replace') await replaceCard(context, card, logger);
  else await context.sendActivity(MessageFactory.attachment(card));
  return check;
};

/** `roles [upn] [office365|exchange]` and the check button of the roles card. */
export function rolesCheckTables(shared: RolesShared): FeatureTables {
  return {
    commands: [
      chatCommand(ROLES_COMMANDS.roles, (context, _state, args) => checkRoles(shared, context, args)),
    ],
    verbs: [recordVerb(ROLES_VERBS.check, (context, _state, data) => checkAgain(shared, context, data))],
  };
}

/** `roles [upn] [office365|exchange]`: the asker's account when no UPN is given. */
async function checkRoles(shared: RolesShared, context: TurnContext, args: string): Promise<void> {
  {
    const parsed = parseRolesArgs(args);
    if ('unknownWord' in parsed) {
      await context.sendActivity(
        mdText`I did not understand "${parsed.unknownWord}". Type ${markdown(ROLES_USAGE)}, for example roles admin@contoso.onmicrosoft.com exchange.`,
      );
      return;
    }
    const subject = parsed.upn ?? actorOf(context).aadObjectId;
    if (!subject) {
      await context.sendActivity(
        'I cannot tell which account you sign in with here. Type roles followed by the admin account, e.g. roles admin@contoso.onmicrosoft.com.',
      );
      return;
    }
    await runCheck(shared, context, subject, parsed.kind ?? DEFAULT_TARGET_KIND);
  }
}

/** The roles card's check button, for the account the card names. */
async function checkAgain(
  shared: RolesShared,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<void> {
  const subject = str(data.subject);
  if (!subject) {
    await context.sendActivity('That card does not say which account to check. Type roles to start again.');
    return;
  }
  await runCheck(shared, context, subject, kindOf(data), 'replace');
}
