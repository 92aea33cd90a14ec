import { TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { BotDeps } from './deps';
import { actorOf, conversationTypeOf, tenantIdOf } from './turnInfo';

/**
 * Records the conversation reference on every turn (DESIGN.md "Proactive messages"), so that
 * notices and consent replies can reach any conversation the bot has been in.
 */
export function registerConversationTracking(app: Application<TurnState>, deps: BotDeps): void {
  app.turn('beforeTurn', async (context) => {
    const tenantId = tenantIdOf(context);
    const reference = TurnContext.getConversationReference(context.activity);
    const conversationType = conversationTypeOf(context);
    await deps.store.conversations.upsert({
      tenantId,
      conversationId: context.activity.conversation.id,
      conversationType,
      reference,
      // A personal chat is how expiry notices reach a connector's creator 1:1.
      userId: conversationType === 'personal' ? actorOf(context).aadObjectId : undefined,
      updatedAt: deps.clock.now().toISOString(),
    });
    return true;
  });
}
