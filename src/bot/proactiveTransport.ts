import type { Activity, ConversationReference } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { ProactiveTransport } from '../notify/proactiveSender';

/** Proactive sends through the bot adapter (continueConversation into a stored reference). */
export class AdapterTransport implements ProactiveTransport {
  constructor(
    private readonly adapter: TeamsAdapter,
    private readonly botAppId: string,
  ) {}

  async send(reference: Partial<ConversationReference>, activity: Partial<Activity>): Promise<void> {
    // Without an activity id the message is a new post, not a reply to whatever was said last.
    const { activityId: _lastActivity, ...target } = reference;
    // An error thrown inside the continuation would go to the adapter's turn-error handler
    // (which answers the person); the sender needs it instead, to retry or end the target.
    let failure: unknown;
    await this.adapter.continueConversationAsync(this.botAppId, target, async (context) => {
      // The continuation event gets an id of its own, which botbuilder would turn into a
      // replyToId; clearing it makes the notice a new post (sendToConversation).
      context.activity.id = undefined;
      try {
        await context.sendActivity(activity);
      } catch (err) {
        failure = err;
      }
    });
    if (failure) throw failure;
  }
}
