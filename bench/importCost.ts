/**
 * What each dependency costs to import: a fresh Node process requires it and nothing else, and
 * reports the time `require` took and the live heap after a full collection, against a process
 * that requires nothing. Which of them the bot loads at start-up comes from the bot itself: a
 * preloaded probe ([loadedProbe.ts](loadedProbe.ts)) lists the packages in its module cache once
 * it is healthy.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, median } from './common';

export interface ImportCost {
  module: string;
  /** require() time, median of the runs, ms. */
  ms: number;
  /** Live heap after a full collection, minus the empty process's, bytes. */
  heap: number;
}

/** The runtime dependencies in package.json, and the teams-ai entry points the bot uses. */
export function dependenciesToMeasure(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  return [
    ...Object.keys(pkg.dependencies),
    '@microsoft/teams-ai/lib/Application',
    '@microsoft/teams-ai/lib/TeamsAdapter',
  ].sort();
}

const CHILD = `
const started = process.hrtime.bigint();
const name = process.argv[1];
if (name) {
  try { require(name); } catch (err) {
    if (err.code !== 'ERR_REQUIRE_ESM') throw err;
  }
}
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const report = () => { gc(); process.stdout.write(JSON.stringify({ ms, heap: process.memoryUsage().heapUsed })); };
// ESM-only packages (import()) settle asynchronously.
if (name && !require.cache[require.resolve(name)]) import(name).then(report); else report();
`;

function once(module: string | undefined): { ms: number; heap: number } {
  const result = spawnSync(process.execPath, ['--expose-gc', '-e', CHILD, module ?? ''], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  if (result.status !== 0) throw new Error(`importing ${module}: ${result.stderr.split('\n')[0]}`);
  return JSON.parse(result.stdout) as { ms: number; heap: number };
}

/** Import cost of each module, `runs` fresh processes each (alternating with the empty one). */
export function measureImportCosts(modules: string[], runs: number): ImportCost[] {
  const empty: { ms: number; heap: number }[] = [];
  const costs: ImportCost[] = [];
  for (const module of modules) {
    const samples: { ms: number; heap: number }[] = [];
    for (let i = 0; i < runs; i++) {
      empty.push(once(undefined));
      samples.push(once(module));
    }
    costs.push({
      module,
      ms: median(samples.map((s) => s.ms)),
      heap: median(samples.map((s) => s.heap)) - median(empty.map((e) => e.heap)),
    });
  }
  return costs;
}
