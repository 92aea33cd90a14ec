import { MessageFactory, TurnContext, type Attachment } from 'botbuilder';
import { GRAPH_PERMISSIONS } from '../../../graph/graphPermissions';
import { httpStatusOf } from '../../../util/httpStatus';
import { GUID } from '../../../util/ids';
import type { BotDeps } from '../../deps';

/** What sending a card to one person 1:1 needs. */
export type PersonalCardDeps = Pick<BotDeps, 'graph' | 'config' | 'logger' | 'store' | 'clock' | 'messenger'>;

/**
 * Why a 1:1 send did not reach the person, as it happened: no Entra object id to address;
 * not installed for them and installing is not set up (no TEAMS_APP_CATALOG_ID, or Graph not
 * configured); not installed and the install was refused; or Teams refused or failed the send
 * for another reason (throttling, an outage), with its HTTP status when there was one.
 */
export type PersonalSendFailure =
  | { kind: 'no-object-id' }
  | { kind: 'not-installed' }
  | { kind: 'install-refused' }
  | { kind: 'failed'; status?: number; afterInstall?: boolean };

export type PersonalSendOutcome = { delivery: 'direct' | 'installed' } | { failure: PersonalSendFailure };

/**
 * Sends a card to one person (Entra object id) in a proactive 1:1 chat. When Teams answers that
 * the bot is not installed for them (403/404), installs it with Graph (TEAMS_APP_CATALOG_ID) and
 * tries once more. Says how it was delivered, or why not, so the caller words it truthfully.
 * `what` names the card in the log line.
 */
export async function sendPersonalCardOutcome(
  deps: PersonalCardDeps,
  context: TurnContext,
  tenantId: string,
  userId: string,
  card: Attachment,
  what = 'consent request',
  sent: SentCard = {},
): Promise<PersonalSendOutcome> {
  if (!GUID.test(userId)) return { failure: { kind: 'no-object-id' } };
  const first = await sendDirect(deps, context, tenantId, userId, card, what, sent);
  if (first.kind === 'sent') return { delivery: 'direct' };
  if (first.kind === 'failed') return { failure: { kind: 'failed', status: first.status } };
  const installed = await installFor(deps, tenantId, userId);
  if (installed === 'unavailable') return { failure: { kind: 'not-installed' } };
  if (installed === 'refused') return { failure: { kind: 'install-refused' } };
  const second = await sendDirect(deps, context, tenantId, userId, card, what, sent);
  if (second.kind === 'sent') return { delivery: 'installed' };
  return { failure: { kind: 'failed', status: second.status, afterInstall: true } };
}

/** Why a 1:1 send failed, as a clause for the person who asked: "(…)". */
export function personalFailureText(failure: PersonalSendFailure): string {
  switch (failure.kind) {
    case 'no-object-id':
      return 'I have no Microsoft Entra object id for them';
    case 'not-installed':
      return 'I am not installed for them, and installing myself for them is not set up here';
    case 'install-refused':
      return 'I am not installed for them, and installing myself for them was refused';
    case 'failed':
      return `Teams did not accept the message${failure.status ? ` (HTTP ${failure.status})` : ''}${failure.afterInstall ? ' even after I installed myself for them' : '; it may work later'}`;
  }
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
): Promise<{ kind: 'sent' } | { kind: 'not-installed' | 'failed'; status?: number }> {
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
        // Kept so that reminders can reach the person in the same chat later. The card has gone
        // out by now: a failure to keep the chat is logged, not reported as a failed delivery
        // (which would be untrue, and a retry would send the card twice).
        try {
          await deps.store.conversations.upsert({
            tenantId,
            conversationId: privateContext.activity.conversation.id,
            conversationType: 'personal',
            reference: TurnContext.getConversationReference(privateContext.activity),
            userId,
            updatedAt: deps.clock.now().toISOString(),
          });
        } catch (err) {
          deps.logger.warn(`${what} delivered 1:1, but its chat was not stored for later reminders`, {
            error: err,
          });
        }
      },
    );
  } catch (err) {
    failure = err;
  }
  if (!failure) return { kind: 'sent' };
  const status = httpStatusOf(failure);
  deps.logger.warn(`${what} not delivered 1:1`, { status, error: failure });
  return { kind: status === 403 || status === 404 ? 'not-installed' : 'failed', status };
}

/** Installs the bot for the person (Graph), when TEAMS_APP_CATALOG_ID is set and permitted. */
async function installFor(
  deps: PersonalCardDeps,
  tenantId: string,
  userId: string,
): Promise<'installed' | 'unavailable' | 'refused'> {
  const { config, graph, logger } = deps;
  if (!config.teamsAppCatalogId || !graph.configured) return 'unavailable';
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
    return 'installed';
  } catch (err) {
    logger.warn('could not install the app for the global admin', { error: err });
    return 'refused';
  }
}
