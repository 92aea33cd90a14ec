import { PreparedSends } from '../../../src/notify/preparedSends';

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('prepared sends', () => {
  test('admits up to the limit, then each release lets the longest waiting in, first come first served', async () => {
    const gate = new PreparedSends(2);
    const order: string[] = [];
    const releases = new Map<string, () => void>();
    for (const name of ['a', 'b', 'c', 'd'])
      void gate.admit().then((release) => {
        order.push(name);
        releases.set(name, release);
      });
    await settle();
    expect(order).toEqual(['a', 'b']);
    releases.get('b')!();
    await settle();
    expect(order).toEqual(['a', 'b', 'c']);
    releases.get('a')!();
    await settle();
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    expect(gate.admitted).toBe(2);
  });

  test('a release called twice frees one place, not two', async () => {
    const gate = new PreparedSends(1);
    const release = await gate.admit();
    release();
    release();
    expect(gate.admitted).toBe(0);
    await gate.admit();
    let third = false;
    void gate.admit().then(() => (third = true));
    await settle();
    expect(third).toBe(false);
  });

  test('refuses a limit that would admit nobody', () => {
    expect(() => new PreparedSends(0)).toThrow(RangeError);
  });
});
