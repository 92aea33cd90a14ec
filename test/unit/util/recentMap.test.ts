import { RecentMap } from '../../../src/util/recentMap';

const KEEP_MS = 60_000;

describe('RecentMap', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  test('an entry used within the period stays, however long it lives', () => {
    const map = new RecentMap<string, number>(KEEP_MS, 100, clock);
    map.set('busy', 1);
    for (let i = 0; i < 20; i++) {
      now += KEEP_MS * 0.9;
      expect(map.get('busy')).toBe(1);
    }
  });

  test('entries unused for twice the period are forgotten, so the map shrinks as activity moves on', () => {
    const map = new RecentMap<string, number>(KEEP_MS, 100_000, clock);
    // A new conversation every 100 ms for ten minutes, each seen once.
    for (let i = 0; i < 6_000; i++) {
      now += 100;
      map.set(`c${i}`, i);
      // Never more than the last two periods' worth.
      expect(map.size).toBeLessThanOrEqual((2 * KEEP_MS) / 100 + 1);
    }
    expect(map.get('c0')).toBeUndefined();
    expect(map.get('c5999')).toBe(5999);
    now += 2 * KEEP_MS;
    expect(map.get('c5999')).toBeUndefined();
    expect(map.size).toBe(0);
  });

  test('an entry from the previous period comes back into the current one when read', () => {
    const map = new RecentMap<string, string>(KEEP_MS, 100, clock);
    map.set('a', 'A');
    map.set('b', 'B');
    now += KEEP_MS;
    expect(map.get('a')).toBe('A');
    now += KEEP_MS;
    // 'a' was read in the last period and stays; 'b' was not and is gone.
    expect(map.get('a')).toBe('A');
    expect(map.get('b')).toBeUndefined();
    expect(map.size).toBe(1);
  });

  test('keeps at most maxSize entries, the least recently used dropped first', () => {
    const map = new RecentMap<string, number>(KEEP_MS, 3, clock);
    map.set('old', 0);
    now += KEEP_MS;
    map.set('x', 1);
    map.set('y', 2);
    map.set('z', 3);
    expect(map.size).toBe(3);
    expect(map.get('old')).toBeUndefined();
    expect(map.get('x')).toBe(1);
    map.set('w', 4);
    // x was just read, so y was the least recently used.
    expect(map.get('y')).toBeUndefined();
    expect([map.get('x'), map.get('z'), map.get('w')]).toEqual([1, 3, 4]);
  });

  test('delete removes an entry from either period', () => {
    const map = new RecentMap<string, number>(KEEP_MS, 10, clock);
    map.set('a', 1);
    now += KEEP_MS;
    map.set('b', 2);
    expect(map.delete('a')).toBe(true);
    expect(map.delete('b')).toBe(true);
    expect(map.delete('b')).toBe(false);
    expect(map.size).toBe(0);
  });

  test('refuses a period or size that cannot hold anything', () => {
    expect(() => new RecentMap(0, 10, clock)).toThrow(RangeError);
    expect(() => new RecentMap(KEEP_MS, 0, clock)).toThrow(RangeError);
  });

  describe('with a timer', () => {
    let timers: { ms: number; run: () => void }[];
    const later = (ms: number, run: () => void) => timers.push({ ms, run });
    const fire = () => {
      const [timer] = timers.splice(0, 1);
      now += timer.ms;
      timer.run();
    };
    beforeEach(() => {
      timers = [];
    });

    test('empties once traffic stops, without waiting for a next use', () => {
      const map = new RecentMap<string, number>(KEEP_MS, 100, clock, later);
      map.set('a', 1);
      map.set('b', 2);
      // One timer for the map, however many entries.
      expect(timers.map((t) => t.ms)).toEqual([KEEP_MS]);
      fire();
      // Unused for one period: still there, and read back without a store call.
      expect(map.size).toBe(2);
      fire();
      expect(map.size).toBe(0);
      // Nothing left to forget, so no timer.
      expect(timers).toEqual([]);
    });

    test('keeps what is still used, and arms again when filled after emptying', () => {
      const map = new RecentMap<string, number>(KEEP_MS, 100, clock, later);
      map.set('busy', 1);
      map.set('idle', 2);
      fire();
      expect(map.get('busy')).toBe(1);
      fire();
      expect(map.get('idle')).toBeUndefined();
      expect(map.get('busy')).toBe(1);
      fire();
      fire();
      expect(map.size).toBe(0);
      expect(timers).toEqual([]);
      map.set('again', 3);
      expect(timers.length).toBe(1);
    });
  });
});
