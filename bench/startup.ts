/**
 * Start-up: process start to GET /healthz 200, and resident memory once idle, bot vs echo bot;
 * and what each dependency costs to import, with which of them the bot loads at start-up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BOT_ENTRY,
  ECHO_ENTRY,
  QUIET_CRON,
  freePort,
  MB,
  log,
  median,
  memoryOf,
  removeDir,
  sleep,
  spawnServer,
  tempDir,
  waitForHealthy,
  type BenchOptions,
} from './common';
import { dependenciesToMeasure, measureImportCosts } from './importCost';
import { atMost, mb, ms, ratio, type Row, type Section } from './table';

/** Start-up time of the bot against the echo bot's (issue 18). */
const START_UP_TARGET = 1.5;

/** How long a server is left alone before its idle RSS is read. */
const SETTLE_MS = 1000;

/** One start; with `loadedFile`, the bot also writes the packages it loaded there (loadedProbe.ts). */
async function startOnce(which: 'bot' | 'echo', loadedFile?: string): Promise<{ ms: number; rss: number }> {
  const port = String(await freePort());
  const dataDir = tempDir('startup');
  const probe: Record<string, string> = loadedFile
    ? { BENCH_LOADED_FILE: loadedFile, NODE_OPTIONS: `-r ${path.join(__dirname, 'loadedProbe.js')}` }
    : {};
  const server =
    which === 'bot'
      ? spawnServer('bot', BOT_ENTRY, {
          PORT: port,
          DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
          SCAN_CRON: QUIET_CRON,
          ...probe,
        })
      : spawnServer('echo bot', ECHO_ENTRY, { PORT: port });
  try {
    const healthyAt = await waitForHealthy(server, 30_000, 2);
    await sleep(SETTLE_MS);
    if (loadedFile) {
      server.child.kill('SIGUSR2');
      for (let i = 0; i < 100 && !fs.existsSync(loadedFile); i++) await sleep(20);
    }
    return { ms: healthyAt - server.spawnedAt, rss: memoryOf(server.child.pid!).rss };
  } finally {
    await server.stop();
    removeDir(dataDir);
  }
}

export async function runStartup(options: BenchOptions): Promise<Section> {
  const runs = options.size === 'small' ? 3 : 5;
  log(`start-up: ${runs} starts each of the bot and the echo bot (after one unmeasured start each)`);
  // The unmeasured start also says which packages the bot has loaded once it is healthy.
  const loadedFile = path.join(tempDir('loaded'), 'loaded.json');
  await startOnce('bot', loadedFile);
  const loaded = new Set(JSON.parse(fs.readFileSync(loadedFile, 'utf8')) as string[]);
  removeDir(path.dirname(loadedFile));
  await startOnce('echo');
  const bot: { ms: number; rss: number }[] = [];
  const echo: { ms: number; rss: number }[] = [];
  for (let i = 0; i < runs; i++) {
    bot.push(await startOnce('bot'));
    echo.push(await startOnce('echo'));
  }
  const botMs = median(bot.map((b) => b.ms));
  const echoMs = median(echo.map((e) => e.ms));
  const botRss = median(bot.map((b) => b.rss));
  const echoRss = median(echo.map((e) => e.rss));
  const rows: Row[] = [
    {
      measure: `process start → /healthz 200 (median of ${runs})`,
      bot: ms(botMs),
      baseline: ms(echoMs),
      ratio: ratio(botMs, echoMs),
      target: `≤ ${START_UP_TARGET}×`,
      verdict: atMost(botMs / echoMs, START_UP_TARGET),
    },
    {
      measure: `idle RSS ${SETTLE_MS / 1000} s after start (median of ${runs})`,
      bot: mb(botRss),
      baseline: mb(echoRss),
      ratio: ratio(botRss, echoRss),
      target: '—',
      verdict: '',
    },
  ];
  const importRuns = options.size === 'small' ? 1 : 3;
  log(`start-up: import cost of each dependency, ${importRuns} fresh process(es) each`);
  const costs = measureImportCosts(dependenciesToMeasure(), importRuns).sort((a, b) => b.ms - a.ms);
  for (const cost of costs) {
    const pkg = /^((?:@[^/]+\/)?[^/]+)/.exec(cost.module)![1];
    const atStart = cost.module.includes('/lib/')
      ? ''
      : loaded.has(pkg)
        ? ', loaded at start-up'
        : ', not loaded at start-up';
    rows.push({
      measure: `import \`${cost.module}\`${atStart}: time / live heap`,
      bot: `${ms(cost.ms)} / ${(cost.heap / MB).toFixed(1)} MB`,
      baseline: '—',
      ratio: '—',
      target: '—',
      verdict: '',
    });
  }
  return {
    title: 'Start-up (bot vs echo bot)',
    rows,
    notes: [
      `import cost: a fresh Node process requires the module alone (median of ${importRuns}); the time is that of require(), the heap is the live heap after a full collection less an empty process's; modules share dependencies, so the costs do not add up; "loaded at start-up" is read from the bot's module cache once healthy (SQLite, no Azure, no telemetry)`,
      `start-up times of the bot: ${bot.map((b) => ms(b.ms)).join(', ')}; echo bot: ${echo.map((e) => ms(e.ms)).join(', ')} (fresh DATA_DIR each, /healthz polled every 2 ms)`,
    ],
  };
}
