import {
  MessageFactory,
  type Activity,
  type Attachment,
  type ConversationParameters,
  type ConversationReference,
  type TurnContext,
} from 'botbuilder';
import type { Logger } from '../util/logger';
import { withDepartures } from './connectorPacing';
import type { ProactiveSender, ProactiveTransport, SendOutcome } from './proactiveSender';

/** Someone the bot writes to in their 1:1 chat. */
export interface Person {
  /** Channel account id, or the Entra object id (Teams accepts either to open a 1:1 chat). */
  id: string;
  aadObjectId?: string;
  name?: string;
}

/**
 * Every message the bot sends outside the reply to the current turn goes through here: to the
 * person who acted (privately), to a person (1:1), into a stored conversation, or replacing a
 * card posted earlier. Each send is paced by the proactive sender's rate limits.
 */
export interface Messenger {
  /**
   * Tells the person who acted something only they need to know. In a personal chat that is a
   * reply; in a group chat or channel the bot opens (or reuses) its 1:1 chat with them, and only
   * if Teams refuses that does it answer in the conversation, mentioning them.
   */
  replyPrivately(context: TurnContext, text: string): Promise<void>;
  /**
   * Opens (or reuses) the bot's 1:1 chat with a person of this turn's tenant and sends there;
   * `afterSend` runs in that chat (to keep its reference). Throws what Teams answered (403/404
   * when the bot is not installed for them).
   */
  sendToPerson(
    context: TurnContext,
    tenantId: string,
    person: Person,
    activity: Partial<Activity> | string,
    afterSend?: (privateContext: TurnContext, activityId?: string) => Promise<void>,
  ): Promise<void>;
  /** Posts a new message into a stored conversation, retrying 429 and 5xx; 403/404 end as `gone`. */
  post(reference: Partial<ConversationReference>, activity: Partial<Activity>): Promise<SendOutcome>;
  /** Replaces a card posted earlier in a stored conversation; throws what Teams answered. */
  updateCard(reference: Partial<ConversationReference>, activityId: string, card: Attachment): Promise<void>;
  /** Runs `logic` in a stored conversation (work that outlived its turn); errors are the caller's. */
  continueIn(
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void>;
}

/** The bot adapter calls a messenger needs: CloudAdapter's, which the TurnContext types do not expose. */
export interface ConversationAdapter {
  continueConversationAsync(
    botAppId: string,
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void>;
  createConversationAsync(
    botAppId: string,
    channelId: string,
    serviceUrl: string,
    audience: string,
    parameters: ConversationParameters,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void>;
}

/** The audience of Bot Framework tokens for the channel. */
const BOT_FRAMEWORK_AUDIENCE = 'https://api.botframework.com';

/** The messenger over the bot adapter, with the bot's app id resolved once (empty in anonymous mode). */
export class TeamsMessenger implements Messenger {
  constructor(
    private readonly adapter: ConversationAdapter,
    private readonly botAppId: string,
    private readonly sender: ProactiveSender,
    private readonly logger: Logger,
  ) {}

  async replyPrivately(context: TurnContext, text: string): Promise<void> {
    const activity = context.activity;
    if (activity.conversation?.conversationType === 'personal' || !activity.conversation?.isGroup) {
      await context.sendActivity(text);
      return;
    }
    const tenantId =
      (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ??
      activity.conversation.tenantId;
    try {
      await this.sendToPerson(
        context,
        tenantId ?? '',
        { id: activity.from.id, name: activity.from.name },
        text,
      );
    } catch (err) {
      this.logger.warn('could not reply privately; answering in the conversation', { error: err });
      const mention = { type: 'mention', text: `<at>${activity.from.name}</at>`, mentioned: activity.from };
      const reply = MessageFactory.text(`${mention.text} ${text}`);
      reply.entities = [mention];
      await context.sendActivity(reply);
    }
  }

  async sendToPerson(
    context: TurnContext,
    tenantId: string,
    person: Person,
    activity: Partial<Activity> | string,
    afterSend?: (privateContext: TurnContext, activityId?: string) => Promise<void>,
  ): Promise<void> {
    // An error inside the send is rethrown here rather than reaching the adapter's turn-error
    // handler, which would answer the wrong person.
    let failure: unknown;
    await this.sender.paced(`person:${tenantId}/${person.id}`, () =>
      this.adapter.createConversationAsync(
        this.botAppId,
        context.activity.channelId,
        context.activity.serviceUrl,
        BOT_FRAMEWORK_AUDIENCE,
        {
          isGroup: false,
          bot: context.activity.recipient,
          members: [{ id: person.id, aadObjectId: person.aadObjectId, name: person.name ?? '' }],
          tenantId,
          channelData: { tenant: { id: tenantId } },
        } as ConversationParameters,
        async (privateContext) => {
          try {
            const sent = await privateContext.sendActivity(activity);
            if (afterSend) await afterSend(privateContext, sent?.id);
          } catch (err) {
            failure = err;
          }
        },
      ),
    );
    if (failure) throw failure;
  }

  post(reference: Partial<ConversationReference>, activity: Partial<Activity>): Promise<SendOutcome> {
    return this.sender.send(reference, activity);
  }

  async updateCard(
    reference: Partial<ConversationReference>,
    activityId: string,
    card: Attachment,
  ): Promise<void> {
    await this.continueIn(reference, async (context) => {
      await context.updateActivity({ type: 'message', id: activityId, attachments: [card] });
    });
  }

  async continueIn(
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    // Without an activity id the conversation is addressed, not whatever was said last in it.
    const { activityId: _last, ...target } = reference;
    // An error thrown inside the continuation would go to the adapter's turn-error handler
    // (which answers the person); the caller needs it instead.
    let failure: unknown;
    await this.sender.paced(target.conversation?.id ?? 'unknown', () =>
      this.adapter.continueConversationAsync(this.botAppId, target, async (context) => {
        // The continuation event gets an id of its own, which botbuilder would turn into a
        // replyToId; clearing it makes each message a new post (sendToConversation).
        context.activity.id = undefined;
        try {
          await logic(context);
        } catch (err) {
          failure = err;
        }
      }),
    );
    if (failure) throw failure;
  }
}

/**
 * The proactive sender's transport: one activity as a new post in a stored conversation, through
 * the adapter, as one request booked in the sender's rate limiter as it leaves (the connector
 * client's own retry off: the sender paces and retries it).
 */
export function adapterTransport(adapter: ConversationAdapter, botAppId: string): ProactiveTransport {
  return {
    booksDeparture: true,
    async send(reference, activity, depart = async () => undefined) {
      // Without an activity id the message is a new post, not a reply to whatever was said last.
      const { activityId: _lastActivity, ...target } = reference;
      // An error thrown inside the continuation would go to the adapter's turn-error handler
      // (which answers the person); the sender needs it instead, to retry or end the target.
      let failure: unknown;
      await adapter.continueConversationAsync(botAppId, target, async (context) => {
        // The continuation event gets an id of its own, which botbuilder would turn into a
        // replyToId; clearing it makes the notice a new post (sendToConversation).
        context.activity.id = undefined;
        try {
          await withDepartures(context, depart, () => context.sendActivity(activity));
        } catch (err) {
          failure = err;
        }
      });
      if (failure) throw failure;
    },
  };
}
