/**
 * Preloaded into the bot by the soak and the latency part (`node -r dist/bench/heapProbe.js`):
 * writes the process's memory usage to BENCH_HEAP_FILE every second, so that the bench reads the
 * bot's live heap without the bot exposing it. On SIGUSR2 it first runs a full garbage collection
 * and writes at once, with `collected` counting the requests, so that the bench reads the live
 * heap rather than whatever garbage V8 has not yet collected; that reading (`collection`) stays in
 * the writes that follow, so a write on the timer cannot replace it. It also says what the
 * heap holds that is code rather than data: the modules loaded so far (how many, and their source
 * text on disk, which V8 keeps as strings) and V8's compiled code and bytecode with their
 * metadata. With BENCH_HEAP_SNAPSHOT_DIR set it also writes a heap snapshot there at each reading
 * (named after BENCH_HEAP_FILE and the reading's number). Unreferenced timer: it never keeps the
 * bot alive.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** The modules in Node's module cache: how many, and the bytes of their files. */
function loadedModules(): { modules: number; moduleSource: number } {
  let moduleSource = 0;
  const files = Object.keys(require.cache);
  for (const file of files) {
    try {
      moduleSource += fs.statSync(file).size;
    } catch {
      // A built-in or a module whose file is gone counts without its size.
    }
  }
  return { modules: files.length, moduleSource };
}

const file = process.env.BENCH_HEAP_FILE;
const snapshotDir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
if (file) {
  let collected = 0;
  /** The reading taken right after the last requested collection, kept in every later write. */
  let collection: object | undefined;
  const write = () => {
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    fs.writeFileSync(
      file,
      JSON.stringify({ at: Date.now(), rss, heapUsed, heapTotal, external, collected, collection }),
    );
  };
  // A context made after the flag is set gets the gc() function; the bot's own context does not.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  setInterval(write, 1_000).unref();
  process.on('SIGUSR2', () => {
    gc();
    // Read before listing the modules, whose file sizes make garbage of their own.
    const { heapUsed } = process.memoryUsage();
    const code = v8.getHeapCodeStatistics();
    // With `--heap-snapshots DIR`, each reading also leaves a snapshot for bench/heapGrowth.ts,
    // written before the reading is, so that the bench goes on only once it is complete.
    const snapshot = snapshotDir
      ? v8.writeHeapSnapshot(
          path.join(snapshotDir, `${path.basename(file, '.json')}-${collected + 1}.heapsnapshot`),
        )
      : undefined;
    collection = {
      heapUsed,
      ...loadedModules(),
      code: code.code_and_metadata_size + code.bytecode_and_metadata_size,
      snapshot,
    };
    collected++;
    write();
  });
}
