import { RateLimiter, type Timing } from '../../../src/notify/rateLimiter';

/** Virtual time: sleeping moves the clock, so limits can be checked without waiting. */
class VirtualTiming implements Timing {
  current = 0;
  now(): number {
    return this.current;
  }
  async sleep(ms: number): Promise<void> {
    this.current += ms;
  }
}

/** Time that moves only when the test says: sleepers wake once their deadline has passed. */
class SteppedTiming implements Timing {
  current = 0;
  private sleepers: { until: number; wake: () => void }[] = [];
  now(): number {
    return this.current;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.sleepers.push({ until: this.current + ms, wake }));
  }
  /** Moves the clock and wakes whoever is due, letting their continuations run. */
  async advance(ms: number): Promise<void> {
    this.current += ms;
    const due = this.sleepers.filter((s) => s.until <= this.current);
    this.sleepers = this.sleepers.filter((s) => s.until > this.current);
    for (const s of due) s.wake();
    for (let i = 0; i < 20; i++) await Promise.resolve();
  }
}

describe('rate limiter', () => {
  test('keeps 7 a second, 60 per 30 seconds and 1,800 an hour per conversation', async () => {
    const timing = new VirtualTiming();
    const limiter = new RateLimiter(1000, timing);
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      await limiter.acquire('conv-a');
      times.push(timing.now());
    }
    for (let i = 0; i < times.length; i++) {
      expect(times.filter((t) => t > times[i] - 1000 && t <= times[i]).length).toBeLessThanOrEqual(7);
      expect(times.filter((t) => t > times[i] - 30_000 && t <= times[i]).length).toBeLessThanOrEqual(60);
    }
    // 200 messages need at least three full 30-second windows.
    expect(times[199]).toBeGreaterThanOrEqual(90_000);
  });

  test('the global rate bounds sends across conversations, while conversations do not wait for each other', async () => {
    const timing = new VirtualTiming();
    const limiter = new RateLimiter(30, timing);
    for (let i = 0; i < 300; i++) await limiter.acquire(`conv-${i}`);
    // 300 sends at 30 a second take about 10 seconds.
    expect(timing.now()).toBeGreaterThanOrEqual(9_000);
    expect(timing.now()).toBeLessThan(11_000);
  });

  test('an hour-long burst into one conversation stops at 1,800', async () => {
    const timing = new VirtualTiming();
    const limiter = new RateLimiter(1000, timing);
    for (let i = 0; i < 1801; i++) await limiter.acquire('busy');
    expect(timing.now()).toBeGreaterThanOrEqual(3_600_000);
  });

  test('with a spacing, sends go out evenly instead of in bursts at the start of each second', async () => {
    const timing = new VirtualTiming();
    const limiter = new RateLimiter(30, timing, undefined, 1000 / 28.5);
    const times: number[] = [];
    for (let i = 0; i < 120; i++) {
      await limiter.acquire(`conv-${i}`);
      times.push(timing.now());
    }
    for (let i = 1; i < times.length; i++)
      expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(1000 / 28.5 - 1e-9);
    // Any window a little longer than a second (a send arriving late) still holds at most 30.
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1050).length).toBeLessThanOrEqual(30);
  });

  test('timers that fire late do not slow the schedule, and no second holds more than the spacing allows', async () => {
    // Every sleep overshoots by 1 to 8 ms, as timers do on a busy event loop.
    const timing = new VirtualTiming();
    let late = 0;
    timing.sleep = async (ms: number) => {
      late = (late * 7 + 3) % 8;
      timing.current += ms + 1 + late;
    };
    const spacing = 1000 / 28.5;
    const limiter = new RateLimiter(30, timing, undefined, spacing);
    const times: number[] = [];
    for (let i = 0; i < 600; i++) {
      await limiter.acquire(`conv-${i}`);
      times.push(timing.now());
    }
    const rate = ((times.length - 1) * 1000) / (times[times.length - 1] - times[0]);
    // Spacing each send from when it actually left would lose 1-8 ms a send (about 26.5/s).
    expect(rate).toBeGreaterThan(28);
    for (let i = 1; i < times.length; i++)
      expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(spacing * 0.75);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(29);
  });

  test('after an event-loop stall the catch-up still leaves any 1,050 ms with at most the limit', async () => {
    // Most sleeps overshoot by a little; every 50th by 300 ms, a stalled event loop.
    const timing = new VirtualTiming();
    let sleeps = 0;
    timing.sleep = async (ms: number) => {
      sleeps += 1;
      timing.current += ms + (sleeps % 50 === 0 ? 300 : 1);
    };
    const limiter = new RateLimiter(30, timing, undefined, 1000 / 28.5);
    const times: number[] = [];
    for (let i = 0; i < 600; i++) {
      await limiter.acquire(`conv-${i}`);
      times.push(timing.now());
    }
    // A send arriving up to 50 ms later than it left must not make a second at Teams hold 31.
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1050).length).toBeLessThanOrEqual(30);
  });

  test('a recorded send goes out at once and the waiting sends leave room for it', async () => {
    const timing = new VirtualTiming();
    const limiter = new RateLimiter(10, timing);
    for (let i = 0; i < 5; i++) limiter.record(`reply-${i}`);
    expect(timing.now()).toBe(0);
    for (let i = 0; i < 5; i++) await limiter.acquire(`notice-${i}`);
    expect(timing.now()).toBe(0);
    // The eleventh send of the second waits for the window to move on.
    await limiter.acquire('notice-5');
    expect(timing.now()).toBeGreaterThanOrEqual(1000);
  });

  test('a conversation at its hourly limit does not hold back sends to other conversations', async () => {
    const timing = new SteppedTiming();
    const limiter = new RateLimiter(10_000, timing);
    // Replies are booked as they leave, so a busy chat can pass 1,800 in the hour.
    for (let i = 0; i < 1_800; i++) limiter.record('busy-chat');
    const done: string[] = [];
    const busy = limiter.acquire('busy-chat').then(() => done.push('busy-chat'));
    const other = limiter.acquire('quiet-chat').then(() => done.push('quiet-chat'));
    await timing.advance(0);
    expect(done).toEqual(['quiet-chat']);
    await timing.advance(3_600_000);
    await Promise.all([busy, other]);
    expect(done).toEqual(['quiet-chat', 'busy-chat']);
  });

  test('a conversation with more sends than its largest window still keeps every limit', async () => {
    const timing = new VirtualTiming();
    const limiter = new RateLimiter(10_000, timing);
    for (let i = 0; i < 5_000; i++) limiter.record('busy-chat');
    // The hour's 1,800 were passed at once: the next send waits the hour out.
    await limiter.acquire('busy-chat');
    expect(timing.now()).toBeGreaterThanOrEqual(3_600_000);
  });

  test('once sends stop, conversations are let go when their windows can no longer hold a send back', async () => {
    const timing = new VirtualTiming();
    const timers: { ms: number; run: () => void }[] = [];
    const limiter = new RateLimiter(10_000, timing, undefined, 0, (ms, run) => timers.push({ ms, run }));
    for (let i = 0; i < 1_800; i++) limiter.record('busy-chat');
    limiter.record('quiet-chat');
    // One timer for the whole limiter, an hour (the longest window) away.
    expect(timers.map((t) => t.ms)).toEqual([3_600_000]);
    timing.current = 1_800_000;
    limiter.record('late-chat');
    timing.current = 3_600_000;
    timers.shift()!.run();
    // busy-chat and quiet-chat are an hour old; late-chat could still be held back.
    expect(limiter.trackedConversations).toBe(1);
    expect(timers.length).toBe(1);
    timing.current = 7_200_000;
    timers.shift()!.run();
    expect(limiter.trackedConversations).toBe(0);
    expect(timers).toEqual([]);
    // A conversation let go starts afresh: its hour's 1,800 sends were an hour ago.
    await limiter.acquire('busy-chat');
    expect(timing.now()).toBe(7_200_000);
  });

  test('within the hour, the sweep keeps every window a send could still be held back by', async () => {
    const timing = new VirtualTiming();
    const timers: (() => void)[] = [];
    const limiter = new RateLimiter(10_000, timing, undefined, 0, (_ms, run) => timers.push(run));
    for (let i = 0; i < 1_800; i++) limiter.record('busy-chat');
    timing.current = 3_599_000;
    timers.shift()!();
    expect(limiter.trackedConversations).toBe(1);
    await limiter.acquire('busy-chat');
    expect(timing.now()).toBeGreaterThanOrEqual(3_600_000);
  });
});
