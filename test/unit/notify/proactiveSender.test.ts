import { ProactiveSender, retryAfterMs, type ProactiveTransport } from '../../../src/notify/proactiveSender';
import { RateLimiter, type Timing } from '../../../src/notify/rateLimiter';
import { createLogger } from '../../../src/util/logger';

class VirtualTiming implements Timing {
  current = 0;
  sleeps: number[] = [];
  now(): number {
    return this.current;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.current += ms;
  }
}

function httpError(status: number, retryAfter?: string): Error {
  const err = new Error(`HTTP ${status}`) as Error & {
    statusCode: number;
    response: { headers: Map<string, string> };
  };
  err.statusCode = status;
  err.response = { headers: new Map(retryAfter ? [['retry-after', retryAfter]] : []) };
  return err;
}

function transport(answers: (Error | undefined)[]): ProactiveTransport & { calls: number } {
  return {
    calls: 0,
    async send() {
      const answer = answers[this.calls++];
      if (answer) throw answer;
    },
  };
}

const reference = { conversation: { id: 'c1', isGroup: true, conversationType: 'channel', name: '' } };
const logger = createLogger('error', () => undefined);

describe('proactive sender', () => {
  test('a 429 waits Retry-After (seconds) and then delivers', async () => {
    const timing = new VirtualTiming();
    const t = transport([httpError(429, '3'), undefined]);
    const sender = new ProactiveSender(t, new RateLimiter(100, timing), logger, { timing });
    const outcome = await sender.send(reference, { type: 'message', text: 'hi' });
    expect(outcome).toMatchObject({ status: 'sent', attempts: 2, retried: 1 });
    expect(timing.sleeps).toContain(3000);
  });

  test('Retry-After may be an HTTP date', () => {
    const now = Date.parse('2026-03-02T09:00:00Z');
    const err = httpError(429, 'Mon, 02 Mar 2026 09:00:05 GMT');
    expect(retryAfterMs(err, now)).toBe(5000);
  });

  test('5xx and network errors back off exponentially with jitter, up to a bound, then fail', async () => {
    const timing = new VirtualTiming();
    const t = transport([
      httpError(502),
      httpError(503),
      new Error('ECONNRESET'),
      httpError(500),
      httpError(500),
    ]);
    const sender = new ProactiveSender(t, new RateLimiter(100, timing), logger, {
      timing,
      maxAttempts: 5,
      baseBackoffMs: 100,
      random: () => 1,
    });
    const outcome = await sender.send(reference, { type: 'message' });
    expect(outcome.status).toBe('failed');
    expect(t.calls).toBe(5);
    expect(timing.sleeps.filter((ms) => ms >= 100)).toEqual([100, 200, 400, 800]);
  });

  test('400, 401 and 413 fail at once, logged at error level; 408 is retried like a 5xx', async () => {
    for (const status of [400, 401, 413]) {
      const timing = new VirtualTiming();
      const lines: Record<string, unknown>[] = [];
      const t = transport([httpError(status), undefined]);
      const sender = new ProactiveSender(
        t,
        new RateLimiter(100, timing),
        createLogger('info', (line) => lines.push(JSON.parse(line))),
        { timing },
      );
      const outcome = await sender.send(reference, { type: 'message' });
      expect(outcome).toMatchObject({ status: 'failed', attempts: 1, retried: 0, error: `HTTP ${status}` });
      expect(t.calls).toBe(1);
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'error',
          msg: 'send refused by the Bot Connector; not retried',
          status,
        }),
      );
    }
    const timing = new VirtualTiming();
    const t = transport([httpError(408), undefined]);
    const sender = new ProactiveSender(t, new RateLimiter(100, timing), logger, { timing });
    expect(await sender.send(reference, { type: 'message' })).toMatchObject({ status: 'sent', attempts: 2 });
  });

  test('403 and 404 mean the conversation is gone: no retry', async () => {
    for (const status of [403, 404]) {
      const timing = new VirtualTiming();
      const t = transport([httpError(status)]);
      const outcome = await new ProactiveSender(t, new RateLimiter(100, timing), logger, { timing }).send(
        reference,
        {},
      );
      expect(outcome).toMatchObject({ status: 'gone', attempts: 1 });
    }
  });

  test('an activity given as a function is built only once the send is admitted among the prepared ones', async () => {
    const timing = new VirtualTiming();
    const built: string[] = [];
    const departed: string[] = [];
    let letGo: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (letGo = resolve));
    const booking: ProactiveTransport = {
      booksDeparture: true,
      async send(_reference, activity, depart) {
        // The first send stays before its departure until the test lets it go.
        if (activity.text === 'first') await held;
        await depart!();
        departed.push(String(activity.text));
      },
    };
    const sender = new ProactiveSender(booking, new RateLimiter(100, timing), logger, {
      timing,
      prepared: 1,
    });
    const build = (text: string) => () => {
      built.push(text);
      return { type: 'message', text };
    };
    const first = sender.send(reference, build('first'));
    const second = sender.send({ conversation: { ...reference.conversation, id: 'c2' } }, build('second'));
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(built).toEqual(['first']);
    letGo();
    await Promise.all([first, second]);
    expect(built).toEqual(['first', 'second']);
    expect(departed).toEqual(['first', 'second']);
  });

  test('a send that starts while another is being booked builds its card only after that one is written', async () => {
    // Real timers: what matters is Node's order of timers, promise jobs and process.nextTick.
    const timing: Timing = {
      now: () => performance.now(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    };
    const events: string[] = [];
    let second: Promise<unknown> | undefined;
    const booking: ProactiveTransport = {
      booksDeparture: true,
      async send(_reference, activity, depart) {
        await depart!();
        events.push(`booked ${activity.text}`);
        // The next digest's send starts in the same run of promise jobs (its claim came back in
        // the same batch as this one's)...
        if (activity.text === 'first')
          second = sender.send({ conversation: { ...reference.conversation, id: 'c2' } }, build('second'));
        // ...while Node's http client writes this request to its socket on process.nextTick, once
        // that run of promise jobs is over.
        await new Promise<void>((resolve) =>
          process.nextTick(() => {
            events.push(`written ${activity.text}`);
            resolve();
          }),
        );
      },
    };
    const sender = new ProactiveSender(booking, new RateLimiter(1000, timing), logger, {
      timing,
      prepared: 4,
    });
    const build = (text: string) => () => {
      events.push(`built ${text}`);
      return { type: 'message', text };
    };
    await sender.send(reference, build('first'));
    await second;
    expect(events).toEqual([
      'built first',
      'booked first',
      'written first',
      'built second',
      'booked second',
      'written second',
    ]);
  });

  test('a send whose activity cannot be built frees its place for the next', async () => {
    const timing = new VirtualTiming();
    const sender = new ProactiveSender(transport([undefined]), new RateLimiter(100, timing), logger, {
      timing,
      prepared: 1,
    });
    await expect(
      sender.send(reference, () => {
        throw new Error('no card');
      }),
    ).rejects.toThrow('no card');
    await expect(sender.send(reference, { type: 'message', text: 'next' })).resolves.toMatchObject({
      status: 'sent',
    });
  });
});
