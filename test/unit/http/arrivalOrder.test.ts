import { ArrivalOrder } from '../../../src/http/arrivalOrder';

/** A Defer whose calls wait until the test runs them, one at a time. */
function manualDefer() {
  const due: (() => void)[] = [];
  return {
    defer: (run: () => void) => void due.push(run),
    get due() {
      return due.length;
    },
    runOne() {
      due.shift()!();
    },
  };
}

describe('ArrivalOrder', () => {
  it('starts one job per deferred run, in the order they were queued, each after the ones queued before it', async () => {
    const clock = manualDefer();
    const order = new ArrivalOrder(clock.defer);
    const started: string[] = [];
    const job = (name: string) => () => {
      started.push(name);
      return Promise.resolve(name);
    };
    const a = order.run(job('a'));
    const b = order.run(job('b'));
    expect(started).toEqual([]);
    expect(clock.due).toBe(1);
    clock.runOne();
    expect(started).toEqual(['a']);
    // Queued while b waits: behind b.
    const c = order.run(job('c'));
    expect(clock.due).toBe(1);
    clock.runOne();
    clock.runOne();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(clock.due).toBe(0);
    expect(order.queued).toBe(0);
    expect(await Promise.all([a, b, c])).toEqual(['a', 'b', 'c']);
  });

  it('settles as each job does, and a job that fails or throws does not hold up the next', async () => {
    const clock = manualDefer();
    const order = new ArrivalOrder(clock.defer);
    const rejected = order.run(() => Promise.reject(new Error('refused')));
    const thrown = order.run((): Promise<string> => {
      throw new Error('thrown');
    });
    const fine = order.run(() => Promise.resolve('fine'));
    while (clock.due > 0) clock.runOne();
    await expect(rejected).rejects.toThrow('refused');
    await expect(thrown).rejects.toThrow('thrown');
    await expect(fine).resolves.toBe('fine');
  });

  it('starts a job on the next turn of the event loop without waiting for others', async () => {
    const order = new ArrivalOrder(setImmediate);
    expect(await order.run(() => Promise.resolve(1))).toBe(1);
    expect(await order.run(() => Promise.resolve(2))).toBe(2);
  });
});
