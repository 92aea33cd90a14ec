import { TurnContext, type Activity } from 'botbuilder';
import { ConversationTurns, MAX_QUEUED_TURNS } from '../../../src/bot/conversationTurns';
import { RateLimiter, type Timing } from '../../../src/notify/rateLimiter';
import { BoundedMap } from '../../../src/util/boundedMap';
import { createLogger } from '../../../src/util/logger';

/** Virtual time: sleeping moves the clock. */
class VirtualTiming implements Timing {
  current = 0;
  now(): number {
    return this.current;
  }
  async sleep(ms: number): Promise<void> {
    this.current += ms;
  }
}

describe('in-memory maps stay bounded', () => {
  test('BoundedMap keeps the most recently used entries up to its size', () => {
    const map = new BoundedMap<string, number>(3);
    for (let i = 0; i < 1_000; i++) map.set(`k${i}`, i);
    expect(map.size).toBe(3);
    expect(map.get('k997')).toBe(997);
    map.set('new', -1);
    // k997 was just read, so k998 was the least recently used and went first.
    expect(map.has('k998')).toBe(false);
    expect(map.has('k997')).toBe(true);
    map.sweep((value) => value < 0);
    expect(map.has('new')).toBe(false);
  });

  test('the rate limiter forgets conversations with no send in the last hour', async () => {
    const timing = new VirtualTiming();
    const limiter = new RateLimiter(1_000_000, timing);
    for (let i = 0; i < 1_500; i++) await limiter.acquire(`old-${i}`);
    timing.current += 2 * 60 * 60 * 1000;
    for (let i = 0; i < 1_500; i++) await limiter.acquire(`new-${i}`);
    expect(limiter.trackedConversations).toBeLessThanOrEqual(1_500);
    // Many more conversations over many hours never pile up beyond those of one hour.
    for (let hour = 0; hour < 5; hour++) {
      timing.current += 2 * 60 * 60 * 1000;
      for (let i = 0; i < 1_500; i++) await limiter.acquire(`h${hour}-${i}`);
    }
    expect(limiter.trackedConversations).toBeLessThanOrEqual(3_000);
  });

  test('conversation turns: tracked only while in flight, at most MAX_QUEUED_TURNS waiting each', async () => {
    const lines: Record<string, unknown>[] = [];
    const turns = new ConversationTurns(createLogger('debug', (line) => lines.push(JSON.parse(line))));
    const context = (conversationId: string, type = 'message', name?: string) => {
      const sent: string[] = [];
      const posted: Partial<Activity>[] = [];
      const ctx = new TurnContext(
        {
          sendActivities: async (_c: TurnContext, activities: Partial<Activity>[]) => {
            sent.push(...activities.map((a) => String(a.text)));
            posted.push(...activities);
            return activities.map(() => ({ id: 'x' }));
          },
        } as never,
        { type, name, channelId: 'msteams', conversation: { id: conversationId } } as Activity,
      );
      return { ctx, sent, posted };
    };
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const order: number[] = [];
    const running = Array.from({ length: MAX_QUEUED_TURNS }, (_, i) =>
      turns.onTurn(context('busy').ctx, async () => {
        if (i === 0) await gate;
        order.push(i);
      }),
    );
    const extra = context('busy');
    await turns.onTurn(extra.ctx, async () => {
      order.push(-1);
    });
    expect(extra.sent).toEqual([
      'I am still working on your earlier messages here. Send that again in a moment.',
    ]);
    expect(lines.some((l) => l.msg === 'conversation busy: turn turned away' && l.level === 'warn')).toBe(
      true,
    );
    // A card click turned away is answered in its invoke, to the clicker alone: nothing is posted.
    const click = context('busy', 'invoke', 'adaptiveCard/action');
    await turns.onTurn(click.ctx, async () => {
      order.push(-2);
    });
    expect(click.posted).toEqual([
      expect.objectContaining({
        type: 'invokeResponse',
        value: {
          status: 200,
          body: expect.objectContaining({
            statusCode: 503,
            value: expect.objectContaining({
              message: 'I am still working on your earlier messages here. Send that again in a moment.',
            }),
          }),
        },
      }),
    ]);
    expect(order).not.toContain(-2);
    expect(turns.tracked).toBe(1);
    open();
    await Promise.all(running);
    // One after another, in arrival order; the turned-away turn never ran.
    expect(order).toEqual(Array.from({ length: MAX_QUEUED_TURNS }, (_, i) => i));
    for (let i = 0; i < 500; i++) await turns.onTurn(context(`c${i}`).ctx, async () => undefined);
    expect(turns.tracked).toBe(0);
  });
});
