import { GroupCommit } from '../../../src/util/groupCommit';

describe('GroupCommit', () => {
  it('writes the calls of one turn together, and the calls that arrive meanwhile together in the next write', async () => {
    const writes: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    const commit = new GroupCommit<number, string>(async (items) => {
      writes.push(items);
      if (writes.length === 1) {
        started();
        await first;
      }
      return items.map((n) => `#${n}`);
    });
    const a = commit.add([1]);
    const b = commit.add([2]);
    await firstStarted;
    const c = commit.add([3, 4]);
    const d = commit.add([5]);
    release();
    expect(await Promise.all([a, b, c, d])).toEqual([['#1'], ['#2'], ['#3', '#4'], ['#5']]);
    expect(writes).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('writes a lone call on the next turn without waiting for company', async () => {
    const writes: number[][] = [];
    const commit = new GroupCommit<number>(async (items) => {
      writes.push(items);
    });
    await commit.add([1]);
    await commit.add([2]);
    expect(writes).toEqual([[1], [2]]);
  });

  it('fails every call of a failed write, and writes the next calls afresh', async () => {
    let fail = true;
    const commit = new GroupCommit<number>(async () => {
      if (fail) throw new Error('storage down');
    });
    await expect(commit.add([1])).rejects.toThrow('storage down');
    fail = false;
    await expect(commit.add([2])).resolves.toEqual([]);
  });
});
