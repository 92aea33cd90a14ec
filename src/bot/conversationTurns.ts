import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder';
import type { Logger } from '../util/logger';
import { answerInvokeError } from './invokeResponses';

/** Turns of one conversation that may wait behind the one running; more are turned away. */
export const MAX_QUEUED_TURNS = 16;

/**
 * Runs the turns people cause in one conversation (messages, card submits, invokes) one after
 * another in this process. A double click then meets the state its twin left (a deleted
 * connector, a wizard already on the next page) and is answered "already done", instead of both
 * clicks racing on one eTag and the loser being told something went wrong. Proactive turns
 * (notices, background diagnostics) are not queued: a turn may itself send one into its own
 * conversation and wait for it. Memory stays bounded: a conversation is tracked only while it
 * has turns in flight, and at most {@link MAX_QUEUED_TURNS} wait in each.
 */
export class ConversationTurns implements Middleware {
  private readonly queues = new Map<string, { tail: Promise<void>; queued: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly maxQueued = MAX_QUEUED_TURNS,
  ) {}

  /** Conversations with turns in flight (for tests and diagnostics). */
  get tracked(): number {
    return this.queues.size;
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const activity = context.activity;
    if (activity.type !== ActivityTypes.Message && activity.type !== ActivityTypes.Invoke) return next();
    const key = `${activity.channelId}/${activity.conversation?.id ?? ''}`;
    const queue = this.queues.get(key) ?? { tail: Promise.resolve(), queued: 0 };
    if (queue.queued >= this.maxQueued) {
      this.logger.warn('conversation busy: turn turned away', {
        conversationId: activity.conversation?.id,
        queued: queue.queued,
      });
      await turnAway(context);
      return;
    }
    queue.queued++;
    this.queues.set(key, queue);
    const previous = queue.tail;
    let release = () => {};
    queue.tail = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous;
      await next();
    } finally {
      queue.queued--;
      if (queue.queued === 0) this.queues.delete(key);
      release();
    }
  }
}

const BUSY_MESSAGE = 'I am still working on your earlier messages here. Send that again in a moment.';

/**
 * The answer to a turn turned away. A card click or refresh (an invoke) is answered in the invoke,
 * which only the person whose client sent it sees, as a failed invoke is (src/bot/turnErrors.ts):
 * a post would reach the whole conversation once for every viewer whose client refreshed a card,
 * and an invoke with no answer is a 501 to Teams.
 */
async function turnAway(context: TurnContext): Promise<void> {
  if (context.activity.type === ActivityTypes.Invoke) await answerInvokeError(context, 503, BUSY_MESSAGE);
  else await context.sendActivity(BUSY_MESSAGE);
}
