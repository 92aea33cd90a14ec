import { ActivityTypes, MessageFactory, type Attachment, type TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import { CATALOG_GROUP_TITLES, CONNECTOR_TYPES, type CatalogGroup } from '../../../connectors/catalog';
import { moverRetirementCardData } from '../../../connectors/moverRetirement';
import { helpCard, retirementNotice, welcomeCard, type HelpCardData } from '../../../cards/helpCards';
import { renderCard } from '../../../cards/render';
import { COMMAND_SPECS, type CommandName } from '../../commandCatalog';
import type { CommandRouter } from '../../commandRouter';
import { chatCommand, type FeatureTables } from '../../chatCommands';
import { HELP_COMMANDS } from './helpCommands';
import type { BotDeps } from '../../deps';
import { baseConversationId, conversationTypeOf, tenantIdOf } from '../../turnInfo';

const GROUP_ORDER: CatalogGroup[] = ['microsoft', 'other-cloud', 'storage'];

/** The help card's data; `hint` is the line shown above it for a message the bot did not understand. */
export function helpCardData(
  inactivityDays: number,
  available: (name: CommandName) => boolean,
  hint = '',
): HelpCardData {
  return {
    title: 'Connector Concierge: commands',
    hint,
    inactivityDays,
    commands: COMMAND_SPECS.filter((c) => available(c.name)).map(({ usage, description }) => ({
      usage,
      description,
    })),
    connectorGroups: GROUP_ORDER.map((group) => ({
      title: CATALOG_GROUP_TITLES[group],
      types: CONNECTOR_TYPES.filter((t) => t.group === group).map(({ id, name, summary }) => ({
        id,
        name,
        summary,
      })),
    })),
    retirement: retirementNotice(moverRetirementCardData()),
  };
}

const SCOPE_TIPS = {
  personal:
    'Here in our 1:1 chat you can run every command; I also send you the expiry notices of connectors you create.',
  groupChat: 'In this chat, @mention me before a command. Type subscribe to get expiry notices here.',
  channel:
    'In this team, @mention me before a command. Type subscribe in a channel to get expiry notices there.',
} as const;

/** Sends the help card listing the commands the router serves, with an optional hint above it. */
export async function sendHelp(
  context: TurnContext,
  router: CommandRouter,
  deps: BotDeps,
  hint = '',
): Promise<void> {
  await context.sendActivity(MessageFactory.attachment(helpAttachment(router, deps, hint)));
}

function helpAttachment(router: CommandRouter, deps: BotDeps, hint = ''): Attachment {
  const data = helpCardData(deps.config.inactivityDays, (name) => router.get(name) !== undefined, hint);
  return renderCard(helpCard, data);
}

/** `help`: the card listing the commands the router serves. */
export function helpFeature(deps: BotDeps, router: CommandRouter): FeatureTables {
  // Without a hint the card is the same for every `help` once the router's commands are
  // registered (before the first turn): its data is built and bound once, not on every turn.
  let plain: Attachment | undefined;
  const sendPlainHelp = async (context: TurnContext) => {
    plain ??= helpAttachment(router, deps);
    // A wrapper of its own for each message; the card in it is frozen and shared.
    await context.sendActivity(MessageFactory.attachment({ ...plain }));
  };
  return {
    commands: [chatCommand(HELP_COMMANDS.help, sendPlainHelp)],
    verbs: [],
  };
}

/** The welcome card, posted once per conversation on install. */
async function welcome(deps: BotDeps, context: TurnContext): Promise<void> {
  const tenantId = tenantIdOf(context);
  const conversationId = context.activity.conversation.id;
  const type = conversationTypeOf(context);
  // The conversation was just recorded by the turn middleware; the claim makes the card once-only
  // even though Teams announces an install with both installationUpdate and conversationUpdate.
  if (
    !(await deps.store.conversations.claimWelcome(tenantId, conversationId, deps.clock.now().toISOString()))
  ) {
    return;
  }
  try {
    const name = context.activity.from?.name;
    await context.sendActivity(
      MessageFactory.attachment(
        renderCard(welcomeCard, {
          greeting: `Thanks for adding me${name ? `, ${name}` : ''}. I help you authorize migration connectors into Microsoft 365 and keep them from expiring.`,
          scopeTip: SCOPE_TIPS[type],
          retirement: retirementNotice(moverRetirementCardData()),
        }),
      ),
    );
    deps.logger.info('welcome posted', { tenantId, conversationId, conversationType: type });
  } catch (err) {
    // Give the claim back so that the next install event can try again.
    await deps.store.conversations.releaseWelcome(tenantId, conversationId);
    throw err;
  }
}

/** Forgets a conversation the bot was removed from, ending its subscriptions (a team's: all its channels'). */
async function forget(deps: BotDeps, context: TurnContext): Promise<void> {
  const tenantId = tenantIdOf(context);
  const conversationId = context.activity.conversation.id;
  await deps.store.conversations.remove(tenantId, conversationId);
  // Removing the bot from a team ends the subscriptions of all its channels.
  const teamId = (context.activity.channelData as { team?: { id?: string } } | undefined)?.team?.id;
  const ended = (teamId ? await deps.store.subscriptions.removeByTeam(tenantId, teamId) : []).map(
    (s) => s.conversationId,
  );
  if (await deps.store.subscriptions.remove(tenantId, baseConversationId(conversationId))) {
    ended.push(baseConversationId(conversationId));
  }
  for (const endedId of ended) {
    await deps.store.audit.append({
      tenantId,
      at: deps.clock.now().toISOString(),
      actor: context.activity.from?.aadObjectId ?? context.activity.from?.id ?? 'teams',
      actorName: context.activity.from?.name,
      action: 'subscription.ended',
      detail: { conversationId: endedId, reason: 'bot removed' },
    });
  }
  deps.logger.info('bot removed from conversation', {
    tenantId,
    conversationId,
    subscriptionsEnded: ended.length,
  });
}

const botWasAdded = (context: TurnContext) =>
  (context.activity.membersAdded ?? []).some((m) => m.id === context.activity.recipient?.id);
const botWasRemoved = (context: TurnContext) =>
  (context.activity.membersRemoved ?? []).some((m) => m.id === context.activity.recipient?.id);

/** The welcome card on install, and forgetting a conversation when the bot is removed from it. */
export function registerInstallEvents(app: Application<TurnState>, deps: BotDeps): void {
  app.activity(ActivityTypes.InstallationUpdate, async (context) => {
    const action = String(context.activity.action ?? '').toLowerCase();
    // add-upgrade and remove-upgrade are version changes of an installed app, not new installs.
    if (action === 'add') await welcome(deps, context);
    else if (action === 'remove') await forget(deps, context);
  });
  app.activity(ActivityTypes.ConversationUpdate, async (context) => {
    if (botWasAdded(context)) await welcome(deps, context);
    else if (botWasRemoved(context)) await forget(deps, context);
  });
}
