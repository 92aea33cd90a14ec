/**
 * Preloaded into the bot by the start-up part (`node -r dist/bench/loadedProbe.js`): on SIGUSR2
 * writes to BENCH_LOADED_FILE the packages in the module cache (top-level names under
 * node_modules), so that the bench says which dependencies a configuration loads.
 */
import * as fs from 'node:fs';
import { types } from 'node:util';

const file = process.env.BENCH_LOADED_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    const loaded = new Set<string>();
    for (const module of Object.keys(require.cache)) {
      // A stand-in for a module loaded on demand (src/bot/onDemandModules.ts) has loaded nothing.
      if (types.isProxy(require.cache[module]?.exports)) continue;
      const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(module);
      if (match) loaded.add(match[1]);
    }
    fs.writeFileSync(file, JSON.stringify([...loaded].sort()));
  });
}
