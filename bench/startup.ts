/** Start-up: process start to GET /healthz 200, and resident memory once idle, bot vs echo bot. */
import {
  BOT_ENTRY,
  ECHO_ENTRY,
  QUIET_CRON,
  freePort,
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
import { mb, ms, ratio, type Row, type Section } from './table';

/** How long a server is left alone before its idle RSS is read. */
const SETTLE_MS = 1000;

async function startOnce(which: 'bot' | 'echo'): Promise<{ ms: number; rss: number }> {
  const port = String(await freePort());
  const dataDir = tempDir('startup');
  const server =
    which === 'bot'
      ? spawnServer('bot', BOT_ENTRY, {
          PORT: port,
          DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
          SCAN_CRON: QUIET_CRON,
        })
      : spawnServer('echo bot', ECHO_ENTRY, { PORT: port });
  try {
    const healthyAt = await waitForHealthy(server, 30_000, 2);
    await sleep(SETTLE_MS);
    return { ms: healthyAt - server.spawnedAt, rss: memoryOf(server.child.pid!).rss };
  } finally {
    await server.stop();
    removeDir(dataDir);
  }
}

export async function runStartup(options: BenchOptions): Promise<Section> {
  const runs = options.size === 'small' ? 3 : 5;
  log(`start-up: ${runs} starts each of the bot and the echo bot (after one unmeasured start each)`);
  await startOnce('bot');
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
      target: '—',
      verdict: '',
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
  return {
    title: 'Start-up (bot vs echo bot)',
    rows,
    notes: [
      `start-up times of the bot: ${bot.map((b) => ms(b.ms)).join(', ')}; echo bot: ${echo.map((e) => ms(e.ms)).join(', ')} (fresh DATA_DIR each, /healthz polled every 2 ms)`,
    ],
  };
}
