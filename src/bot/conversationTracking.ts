import { ActivityTypes, TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import { RecentMap } from '../util/recentMap';
import { unrefLater, type Later } from '../util/later';
import type { BotDeps } from './deps';
import { actorOf, conversationTypeOf, tenantIdOf } from './turnInfo';

/**
 * Conversations whose last written reference is remembered: about 330 bytes each (measured with
 * Teams-length ids), 3.3 MB when full; a conversation forgotten costs one store write on its next turn.
 */
export const REFERENCES_REMEMBERED = 10_000;

/**
 * How long a conversation with no turn stays remembered (up to twice this): the clicks and
 * typeaheads this spares writes for come seconds apart, and a conversation that went quiet costs
 * one store write when it wakes, rather than 330 bytes for every conversation of the last hour.
 */
export const REFERENCE_KEPT_IDLE_MS = 2 * 60 * 1000;

/** How long an unchanged reference is not written again (card clicks and typeaheads are frequent). */
export const REFERENCE_REFRESH_MS = 60 * 60 * 1000;

/**
 * Records the conversation reference (DESIGN.md "Proactive messages"), so that notices and
 * consent replies can reach any conversation the bot has been in. Install events always write;
 * other turns write only when what a later send needs (service URL, type, person) changed, or an
 * hour has passed, instead of one store write per click.
 */
export function registerConversationTracking(
  app: Application<TurnState>,
  deps: Pick<BotDeps, 'store' | 'clock'>,
  later: Later = unrefLater,
): void {
  // Emptied on a timer once traffic stops: every entry can be written again from the turn.
  const written = new RecentMap<string, { signature: string; at: number }>(
    REFERENCE_KEPT_IDLE_MS,
    REFERENCES_REMEMBERED,
    () => deps.clock.now().getTime(),
    later,
  );

  app.turn('beforeTurn', async (context) => {
    const tenantId = tenantIdOf(context);
    const activity = context.activity;
    const conversationType = conversationTypeOf(context);
    // A personal chat is how expiry notices reach a connector's creator 1:1.
    const userId = conversationType === 'personal' ? actorOf(context).aadObjectId : undefined;
    // Joined into flat strings: a template literal would keep a chain of the activity's strings
    // alive in each of up to REFERENCES_REMEMBERED entries.
    const key = [tenantId, activity.conversation.id].join('/');
    const signature = [activity.serviceUrl, conversationType, userId ?? ''].join('|');
    const now = deps.clock.now().getTime();
    const installEvent =
      activity.type === ActivityTypes.InstallationUpdate ||
      activity.type === ActivityTypes.ConversationUpdate;
    const last = written.get(key);
    if (!installEvent && last && last.signature === signature && now - last.at < REFERENCE_REFRESH_MS)
      return true;
    await deps.store.conversations.upsert({
      tenantId,
      conversationId: activity.conversation.id,
      conversationType,
      reference: TurnContext.getConversationReference(activity),
      userId,
      updatedAt: new Date(now).toISOString(),
    });
    written.set(key, { signature, at: now });
    return true;
  });
}
