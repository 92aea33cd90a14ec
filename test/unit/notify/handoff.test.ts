import { Handoff } from '../../../src/notify/handoff';

const settled = async <T>(promise: Promise<T>): Promise<boolean> => {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('Handoff', () => {
  it('gives items in order and makes the producer wait while more than its capacity wait', async () => {
    const handoff = new Handoff<number>(2);
    await handoff.put(1);
    await handoff.put(2);
    const third = handoff.put(3);
    expect(await settled(third)).toBe(false);
    await expect(handoff.take()).resolves.toBe(1);
    expect(await settled(third)).toBe(true);
    await expect(handoff.take()).resolves.toBe(2);
    await expect(handoff.take()).resolves.toBe(3);
  });

  it('hands an item straight to a waiting worker, and ends the workers once closed and drained', async () => {
    const handoff = new Handoff<string>(1);
    const waiting = handoff.take();
    await handoff.put('a');
    await expect(waiting).resolves.toBe('a');
    await handoff.put('b');
    const idle = handoff.take();
    await expect(idle).resolves.toBe('b');
    const last = handoff.take();
    handoff.close();
    await expect(last).resolves.toBeUndefined();
    await expect(handoff.take()).resolves.toBeUndefined();
  });

  it('after a worker failed, rejects the waiting and later puts and gives no more items', async () => {
    const handoff = new Handoff<number>(1);
    await handoff.put(1);
    const blocked = handoff.put(2);
    const failure = new Error('store unavailable');
    handoff.fail(failure);
    await expect(blocked).rejects.toBe(failure);
    await expect(handoff.put(3)).rejects.toBe(failure);
    await expect(handoff.take()).resolves.toBeUndefined();
  });
});
