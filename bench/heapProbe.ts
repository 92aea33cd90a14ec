/**
 * Preloaded into the bot by the soak (`node -r dist/bench/heapProbe.js`): writes the process's
 * memory usage to BENCH_HEAP_FILE every second, so that the bench reads the bot's live heap
 * without the bot exposing it. Unreferenced timer: it never keeps the bot alive.
 */
import * as fs from 'node:fs';

const file = process.env.BENCH_HEAP_FILE;
if (file) {
  setInterval(() => {
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    fs.writeFileSync(file, JSON.stringify({ at: Date.now(), rss, heapUsed, heapTotal, external }));
  }, 1_000).unref();
}
