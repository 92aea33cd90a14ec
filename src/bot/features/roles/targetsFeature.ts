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
import { refuse } from '../../universalActions';

/**
 * The bot reads the admin account in the directory and never signs in with it, so whether the
 * connection works is for the migration tool to find out (seed 004: "Click Configure and verify
 * the results"; the Office 365 Connector's own authorization for Mover).
 */
const CONNECTION_UNTESTED: Record<TargetConnection['kind'], string> = {
  exchange:
    'not tested by me: CodeTwo tests it when you click Configure in its Target server connection wizard, and lists it under Defined target server connections once that succeeds',
  office365: 'not tested by me: Mover tests it when this account authorizes the Office 365 Connector',
};

const targetRow = (target: TargetConnection, dates: DateFormatter): TargetRow => {
  const failing = !!target.failedAt;
  const facts = [
    { title: 'Tenant', value: target.tenantId },
    { title: 'Cloud', value: isMicrosoftCloud(target.cloud) ? cloudLabel(target.cloud) : target.cloud },
    { title: 'Admin account', value: `${target.adminName} (${target.adminUpn})` },
    { title: 'Roles', value: target.roles.length > 0 ? target.roles.join(', ') : 'none' },
    {
      title: 'Checked',
      value: `${dates.dateTime(target.verifiedAt)}${target.verifiedByName ? ` by ${target.verifiedByName}` : ''}, with Microsoft Graph (cloud, sign-in, licence, directory roles)`,
    },
    { title: 'Connection', value: CONNECTION_UNTESTED[target.kind] },
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
    status: failing ? 'check failed' : 'check passed',
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
      'Admin accounts whose check passed here: the right cloud, sign-in allowed, a licence and the directory roles the target needs, read with Microsoft Graph. I never sign in with them, so the connections themselves are not tested here.',
    empty:
      'No target connection is defined yet. Type roles (or roles <upn> exchange) to check an admin account: a check that passes defines its target connection.',
    rows: targets.map((target) => targetRow(target, readerDates(context, shared.logger))),
  });
}

async function loadTarget(shared: RolesShared, context: TurnContext, data: Record<string, unknown>) {
  const id = str(data.targetId, 120);
  const target = id ? await shared.store.targets.get(tenantIdOf(context), id) : undefined;
  if (!target) {
    await refuse(
      context,
      404,
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
      shared.logger.warn('target removal: the remover’s roles could not be read', { error: err });
      await context.sendActivity(
        mdText`I could not read your directory roles, so I cannot tell whether you may remove the ${target.adminUpn} target connection: ${err.message} Nothing was changed.`,
      );
      return;
    }
  }
  if (!allowed) {
    await refuse(
      context,
      403,
      `Only the person who defined the ${target.adminUpn} target connection, that admin account itself, or a Global Administrator or Privileged Role Administrator can remove it. Nothing was changed.`,
    );
    return;
  }
  // Read before anything changes: once the record is gone, this offer is the only way back to
  // the roles the bot assigned for it.
  const offer = await grantRemovalOffer(shared, target);
  await store.targets.remove(target.tenantId, target.id);
  try {
    await auditTurn(shared, context, 'target.removed', {
      targetId: target.id,
      kind: target.kind,
      adminUpn: target.adminUpn,
    });
    await replaceCard(context, await targetsCard(shared, context), shared.logger);
  } catch (err) {
    // Removed all the same: say so, rather than the turn's "I could not do that".
    shared.logger.error('target removed, but not audited or the list not refreshed', {
      targetId: target.id,
      error: err,
    });
    await context.sendActivity(
      mdText`Removed the ${targetKindLabel(target.kind)} target connection of ${target.adminUpn}, but I could not record it in the audit log or refresh the list (storage did not answer). Type targets to see the list.`,
    );
  }
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
