import type { Activity, ConversationReference } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { ProactiveTransport } from '../notify/proactiveSender';
import { bookDepartures } from './connectorPacing';

/**
 * Proactive sends through the bot adapter (continueConversation into a stored reference): one
 * request per send, booked in the sender's rate limiter as it leaves, never retried here.
 */
export class AdapterTransport implements ProactiveTransport {
  readonly booksDeparture = true;

  constructor(
    private readonly adapter: TeamsAdapter,
    private readonly botAppId: string,
  ) {}

  async send(
    reference: Partial<ConversationReference>,
    activity: Partial<Activity>,
    depart: () => Promise<void> = async () => undefined,
  ): Promise<void> {
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
        if (!bookDepartures(context, depart)) await depart();
        await context.sendActivity(activity);
      } catch (err) {
        failure = err;
      }
    });
    if (failure) throw failure;
  }
}
