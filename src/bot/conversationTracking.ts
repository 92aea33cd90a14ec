import { ActivityTypes, TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import { BoundedMap } from '../util/boundedMap';
import type { BotDeps } from './deps';
import { actorOf, conversationTypeOf, tenantIdOf } from './turnInfo';

/** Conversations whose last written reference is remembered. */
export const REFERENCES_REMEMBERED = 10_000;

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
): void {
  const written = new BoundedMap<string, { signature: string; at: number }>(REFERENCES_REMEMBERED);

  app.turn('beforeTurn', async (context) => {
    const tenantId = tenantIdOf(context);
    const activity = context.activity;
    const conversationType = conversationTypeOf(context);
    // A personal chat is how expiry notices reach a connector's creator 1:1.
    const userId = conversationType === 'personal' ? actorOf(context).aadObjectId : undefined;
    const key = `${tenantId}/${activity.conversation.id}`;
    const signature = `${activity.serviceUrl}|${conversationType}|${userId ?? ''}`;
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
