/**
 * Preloaded into the bot by the start-up part (`node -r dist/bench/loadedProbe.js`): on SIGUSR2
 * writes to BENCH_LOADED_FILE the packages in the module cache (top-level names under
 * node_modules), so that the bench says which dependencies a configuration loads.
 */
import * as fs from 'node:fs';

const file = process.env.BENCH_LOADED_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    const loaded = new Set<string>();
    for (const module of Object.keys(require.cache)) {
      const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(module);
      if (match) loaded.add(match[1]);
    }
    fs.writeFileSync(file, JSON.stringify([...loaded].sort()));
  });
}
