/**
 * Preloaded into the bot by the soak and the latency part (`node -r dist/bench/heapProbe.js`):
 * writes the process's memory usage to BENCH_HEAP_FILE every second, so that the bench reads the
 * bot's live heap without the bot exposing it. On SIGUSR2 it first runs a full garbage collection
 * and writes at once, with `collected` counting the requests, so that the bench reads the live
 * heap rather than whatever garbage V8 has not yet collected. Unreferenced timer: it never keeps
 * the bot alive.
 */
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

const file = process.env.BENCH_HEAP_FILE;
if (file) {
  let collected = 0;
  const write = () => {
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    fs.writeFileSync(file, JSON.stringify({ at: Date.now(), rss, heapUsed, heapTotal, external, collected }));
  };
  // A context made after the flag is set gets the gc() function; the bot's own context does not.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  setInterval(write, 1_000).unref();
  process.on('SIGUSR2', () => {
    gc();
    collected++;
    write();
  });
}
