import { GroupCommit } from '../../../src/util/groupCommit';

describe('GroupCommit', () => {
  it('writes a lone call at once and the calls that arrive meanwhile together in the next write', async () => {
    const writes: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const commit = new GroupCommit<number, string>(async (items) => {
      writes.push(items);
      if (writes.length === 1) await first;
      return items.map((n) => `#${n}`);
    });
    const a = commit.add([1]);
    const b = commit.add([2, 3]);
    const c = commit.add([4]);
    release();
    expect(await Promise.all([a, b, c])).toEqual([['#1'], ['#2', '#3'], ['#4']]);
    expect(writes).toEqual([[1], [2, 3, 4]]);
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
