import { mdText } from '../../../cards/markdown';
import { MessageFactory, type TurnContext } from 'botbuilder';
import type { TextColor } from '../../../cards/connectorsCards';
import { renderCard } from '../../../cards/render';
import { targetsListCard, type TargetRow } from '../../../cards/rolesCards';
import { cloudLabel, isMicrosoftCloud } from '../../../connectors/clouds';
import { isGraphError } from '../../../graph/errors';
import { targetKindLabel } from '../../../directoryRoles/requirements';
import type { TargetConnection } from '../../../connectors/ports';
import { chatCommand, type FeatureTables } from '../../chatCommands';
import { ROLES_COMMANDS } from './rolesCommands';
import { replaceCard } from '../../cardReplies';
import { actorOf, tenantIdOf } from '../../turnInfo';
import { grantRemovalOffer } from './roleGrantRemoval';
import { runCheck } from './rolesCheck';
import { auditTurn } from '../../turnAudit';
import { ROLES_VERBS, str, type RolesShared } from './rolesShared';
import type { DateFormatter } from '../../../util/dates';
import { readerDates } from '../../../util/readerDates';
import { recordVerb } from '../../cardVerbs';

const targetRow = (target: TargetConnection, dates: DateFormatter): TargetRow => {
  const failing = !!target.failedAt;
  const facts = [
    { title: 'Tenant', value: target.tenantId },
    { title: 'Cloud', value: isMicrosoftCloud(target.cloud) ? cloudLabel(target.cloud) : target.cloud },
    { title: 'Admin account', value: `${target.adminName} (${target.adminUpn})` },
    { title: 'Roles', value: target.roles.length > 0 ? target.roles.join(', ') : 'none' },
    {
      title: 'Verified at',
      value: `${dates.dateTime(target.verifiedAt)}${target.verifiedByName ? ` by ${target.verifiedByName}` : ''}`,
    },
  ];
  if (failing) {
    facts.push({
      title: 'Last check failed',
      value: `${dates.dateTime(target.failedAt)}: ${target.failure ?? 'see the roles card'}`,
    });
  }
  const color: TextColor = failing ? 'Attention' : 'Default';
  return {
    id: target.id,
    title: target.adminUpn,
    subtitle: targetKindLabel(target.kind),
    status: failing ? 'check failed' : 'verified',
    statusColor: color,
    facts,
  };
};

/** The targets card: every defined target connection of the tenant. */
async function targetsCard(shared: RolesShared, context: TurnContext) {
  const targets = await shared.store.targets.list(tenantIdOf(context));
  return renderCard(targetsListCard, {
    title: 'Defined target connections',
    summary:
      'Admin accounts whose target connection check passed: the right cloud, a licence and the roles the target needs.',
    empty:
      'No target connection is defined yet. Type roles (or roles <upn> exchange) to check an admin account: a check that passes defines its target connection.',
    rows: targets.map((target) => targetRow(target, readerDates(context, shared.logger))),
  });
}

async function loadTarget(shared: RolesShared, context: TurnContext, data: Record<string, unknown>) {
  const id = str(data.targetId, 120);
  const target = id ? await shared.store.targets.get(tenantIdOf(context), id) : undefined;
  if (!target) {
    await context.sendActivity(
      'That target connection does not exist in this tenant (it may have been removed). Nothing was changed.',
    );
  }
  return target;
}

/** "Check again": the roles check of the target's admin account, then the refreshed targets card. */
async function reverifyTarget(
  shared: RolesShared,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<void> {
  const target = await loadTarget(shared, context, data);
  if (!target) return;
  if (!(await runCheck(shared, context, target.adminId, target.kind, 'send', target.id))) return;
  await replaceCard(context, await targetsCard(shared, context), shared.logger);
}

/** "Remove": for whoever defined it, the admin account itself or a global admin; offers to remove granted roles. */
async function removeTarget(
  shared: RolesShared,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<void> {
  const { store, askerAssigner } = shared;
  const target = await loadTarget(shared, context, data);
  if (!target) return;
  const actor = actorOf(context);
  let allowed = actor.id === target.createdBy || actor.aadObjectId === target.adminId;
  if (!allowed && shared.graph.configured) {
    try {
      allowed = (await askerAssigner(context)) !== undefined;
    } catch (err) {
      if (!isGraphError(err)) throw err;
    }
  }
  if (!allowed) {
    await context.sendActivity(
      mdText`Only the person who defined the ${target.adminUpn} target connection, that admin account itself, or a global admin can remove it. Nothing was changed.`,
    );
    return;
  }
  await store.targets.remove(target.tenantId, target.id);
  await auditTurn(shared, context, 'target.removed', {
    targetId: target.id,
    kind: target.kind,
    adminUpn: target.adminUpn,
  });
  await replaceCard(context, await targetsCard(shared, context), shared.logger);
  const offer = await grantRemovalOffer(shared, target);
  await context.sendActivity(
    offer
      ? MessageFactory.attachment(
          offer,
          mdText`Removed the ${targetKindLabel(target.kind)} target connection of ${target.adminUpn}.`,
        )
      : mdText`Removed the ${targetKindLabel(target.kind)} target connection of ${target.adminUpn}. No role I assigned for it is still in effect, so its roles were not changed: remove them in the Microsoft Entra admin center if they are no longer needed.`,
  );
}

/** `targets`, the defined target connections, with their check-again and remove buttons. */
export function targetsTables(shared: RolesShared): FeatureTables {
  return {
    commands: [
      chatCommand(ROLES_COMMANDS.targets, async (context) => {
        await context.sendActivity(MessageFactory.attachment(await targetsCard(shared, context)));
      }),
    ],
    verbs: [
      recordVerb(ROLES_VERBS.reverify, (context, _state, data) => reverifyTarget(shared, context, data)),
      recordVerb(ROLES_VERBS.remove, (context, _state, data) => removeTarget(shared, context, data)),
    ],
  };
}
