import { MessageFactory, TurnContext, type Attachment } from 'botbuilder';
import { GRAPH_PERMISSIONS } from '../../../graph/graphPermissions';
import { httpStatusOf } from '../../../util/httpStatus';
import { GUID } from '../../../util/ids';
import type { BotDeps } from '../../deps';

/** What sending a card to one person 1:1 needs. */
export type PersonalCardDeps = Pick<BotDeps, 'graph' | 'config' | 'logger' | 'store' | 'clock' | 'messenger'>;

/**
 * Sends a card to one person (Entra object id) in a proactive 1:1 chat. When Teams answers that
 * the bot is not installed for them (403/404), installs it with Graph (TEAMS_APP_CATALOG_ID) and
 * tries once more. Undefined when neither worked: the caller falls back, e.g. to
 * {@link postWithMention}. `what` names the card in the log line.
 */
export async function sendPersonalCard(
  deps: PersonalCardDeps,
  context: TurnContext,
  tenantId: string,
  userId: string,
  card: Attachment,
  what = 'consent request',
  sent: SentCard = {},
): Promise<'direct' | 'installed' | undefined> {
  if (!GUID.test(userId)) return undefined;
  const first = await sendDirect(deps, context, tenantId, userId, card, what, sent);
  if (first === 'sent') return 'direct';
  if (first === 'not-installed' && (await installFor(deps, tenantId, userId))) {
    if ((await sendDirect(deps, context, tenantId, userId, card, what, sent)) === 'sent') return 'installed';
  }
  return undefined;
}

/** Where a card went: filled in by the send, so that it can be updated later. */
export interface SentCard {
  conversationId?: string;
  activityId?: string;
}

/**
 * Posts a card in this turn's conversation, @mentioning the person it is for: "<at>name</at>, {text}".
 * The mention stays as Teams matches it against its entity; `text` comes escaped (`mdText`).
 */
export async function postWithMention(
  context: TurnContext,
  person: { id: string; name: string },
  card: Attachment,
  text: string,
): Promise<string | undefined> {
  const mention = {
    type: 'mention',
    text: `<at>${person.name}</at>`,
    mentioned: { id: person.id, name: person.name },
  };
  const ask = MessageFactory.attachment(card, `${mention.text}, ${text}`);
  ask.entities = [mention];
  return (await context.sendActivity(ask))?.id;
}

/** One proactive 1:1 send; 'not-installed' for the 403/404 Teams answers when the bot is not installed for them. */
async function sendDirect(
  deps: PersonalCardDeps,
  context: TurnContext,
  tenantId: string,
  userId: string,
  card: Attachment,
  what: string,
  sent: SentCard,
): Promise<'sent' | 'not-installed' | 'failed'> {
  let failure: unknown;
  try {
    await deps.messenger.sendToPerson(
      context,
      tenantId,
      { id: userId, aadObjectId: userId },
      MessageFactory.attachment(card),
      async (privateContext, activityId) => {
        sent.conversationId = privateContext.activity.conversation.id;
        sent.activityId = activityId;
        // Kept so that reminders can reach the person in the same chat later.
        await deps.store.conversations.upsert({
          tenantId,
          conversationId: privateContext.activity.conversation.id,
          conversationType: 'personal',
          reference: TurnContext.getConversationReference(privateContext.activity),
          userId,
          updatedAt: deps.clock.now().toISOString(),
        });
      },
    );
  } catch (err) {
    failure = err;
  }
  if (!failure) return 'sent';
  const status = httpStatusOf(failure);
  deps.logger.warn(`${what} not delivered 1:1`, { status, error: failure });
  return status === 403 || status === 404 ? 'not-installed' : 'failed';
}

/** Installs the bot for the person (Graph), when TEAMS_APP_CATALOG_ID is set and permitted. */
async function installFor(deps: PersonalCardDeps, tenantId: string, userId: string): Promise<boolean> {
  const { config, graph, logger } = deps;
  if (!config.teamsAppCatalogId || !graph.configured) return false;
  try {
    await graph.post(
      tenantId,
      `/users/${encodeURIComponent(userId)}/teamwork/installedApps`,
      {
        'teamsApp@odata.bind': `${config.graphEndpoint}/v1.0/appCatalogs/teamsApps/${config.teamsAppCatalogId}`,
      },
      { permission: GRAPH_PERMISSIONS.teamsAppInstallationForUser },
    );
    logger.info('installed the app for a global admin', { tenantId, userId });
    return true;
  } catch (err) {
    logger.warn('could not install the app for the global admin', { error: err });
    return false;
  }
}
