import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeGrowth, heapGrowth, readHeapSnapshot } from '../../../bench/heapGrowth';

/**
 * A small process that holds a cache the way the bot does (a class around a Map, kept by a
 * closure's variable and by an object's field), writing a heap snapshot before and after filling
 * them: real V8 snapshots, so the analysis is tested on the format V8 writes.
 */
const PROGRAM = `
const v8 = require('node:v8');
const path = require('node:path');
const dir = process.argv[1];
class RecentMap { constructor() { this.current = new Map(); } }
class RateLimiter { constructor() { this.perConversation = new Map(); } }
class TeamsUserIds { constructor() { this.rereadable = new RecentMap(); } }
const written = new RecentMap();
const users = new TeamsUserIds();
const limiter = new RateLimiter();
const keep = () => [written, users, limiter];
v8.writeHeapSnapshot(path.join(dir, 'before.heapsnapshot'));
for (let i = 0; i < 3000; i++) {
  written.current.set(['tenant', 'conversation-' + i].join('/'), { signature: ['url', i].join('|'), at: Date.now() + i });
  users.rereadable.current.set(['tenant', 'person-' + i].join('/'), ['29:', i].join(''));
}
for (let i = 0; i < 500; i++) limiter.perConversation.set(['conversation', i].join('-'), Date.now() + i + 0.5);
v8.writeHeapSnapshot(path.join(dir, 'after.heapsnapshot'));
keep();
`;

describe('heap growth between two snapshots, by holder', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heap-growth-'));
    execFileSync(process.execPath, ['-e', PROGRAM, dir], { stdio: 'ignore' });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('attributes what each cache gained to the class and the variable or field holding it', () => {
    const before = readHeapSnapshot(path.join(dir, 'before.heapsnapshot'));
    const after = readHeapSnapshot(path.join(dir, 'after.heapsnapshot'));
    const groups = heapGrowth(before, after);
    const byHolder = new Map(groups.map((g) => [g.holder, g]));

    const written = byHolder.get('RecentMap held by written');
    const rereadable = byHolder.get('RecentMap held by TeamsUserIds.rereadable');
    const limiter = byHolder.get('RateLimiter held by limiter');
    // 3,000 entries: a key string, a value object and its signature string and number each.
    expect(written?.objects).toBeGreaterThanOrEqual(3000 * 3);
    expect(written?.bytes).toBeGreaterThan(3000 * 3 * 16);
    // 3,000 entries of two strings each.
    expect(rereadable?.objects).toBeGreaterThanOrEqual(3000 * 2);
    // 500 keys and 500 heap numbers, a smaller cache than the others.
    expect(limiter?.objects).toBeGreaterThanOrEqual(500 * 2);
    expect(limiter!.bytes).toBeLessThan(rereadable!.bytes);
    // The caches are what this program grew by, not V8's own structures.
    expect(groups[0].holder).toBe('RecentMap held by written');
    expect(describeGrowth(groups, 2)).toMatch(
      /^\+\d+\.\d\d MB in objects new since the earlier snapshot: \+\d+\.\d\d MB RecentMap held by written \([\d,]+ objects\); \+\d+\.\d\d MB RecentMap held by TeamsUserIds\.rereadable \([\d,]+ objects\); \+\d+\.\d\d MB in \d+ smaller groups$/,
    );
  });

  test('counts nothing that the earlier snapshot already held', () => {
    const after = readHeapSnapshot(path.join(dir, 'after.heapsnapshot'));
    expect(heapGrowth(after, after)).toEqual([]);
  });
});
