// Starts the compiled bot and Microsoft 365 Agents Playground processes on loopback, for
// scripts/playground.mjs (by hand) and test/e2e/playground.e2e.mjs (in CI).
//
// What the Playground CLI does that matters here (read from @microsoft/m365agentsplayground 0.2.28):
//  - it reads .m365agentsplayground.yml from its working directory, or M365_AGENTS_PLAYGROUND_CONFIG_PATH;
//  - when stdout is not a terminal it writes "Listening on <port>" to stdout and sends everything else
//    (console.log/warn/error) to ./devTools/m365agentsplayground.log, or M365_AGENTS_PLAYGROUND_LOGFILE;
//  - when the requested port is taken it silently listens on a random one, hence "Listening on" is read;
//  - unless TEAMSAPPTESTER_BROWSER=none it opens the UI with xdg-open; where xdg-open is missing (servers,
//    containers, CI) the failed spawn is an uncaught error and the CLI exits with 1 right after "Listening on",
//    with the reason only in that log file.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/* global fetch */

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PLAYGROUND_CLI = join(ROOT, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
export const PLAYGROUND_CONFIG = join(ROOT, '.m365agentsplayground.yml');
const LOOPBACK_ONLY = join(ROOT, 'playground', 'loopback-only.cjs');
const BOT_ENTRY = join(ROOT, 'dist', 'src', 'index.js');

/**
 * Application Insights settings for the SDK bundled in the Playground. --disable-telemetry only stops the
 * Playground's own events; this also turns off the SDK's heartbeat, metrics and retry cache and points it at
 * a closed loopback port, so that nothing is sent even if a future version tracks something else.
 */
const APPINSIGHTS_OFF = JSON.stringify({
  disableAppInsights: true,
  disableStatsbeat: true,
  enableAutoCollectHeartbeat: false,
  enableAutoCollectPreAggregatedMetrics: false,
  enableAutoCollectPerformance: false,
  enableAutoCollectExtendedMetrics: false,
  enableAutoCollectExceptions: false,
  enableAutoCollectRequests: false,
  enableAutoCollectDependencies: false,
  enableSendLiveMetrics: false,
  enableUseDiskRetryCaching: false,
  endpointUrl: 'http://127.0.0.1:9/v2.1/track',
});

/** A free loopback port, asked of the OS and released. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** True when something answers on 127.0.0.1:port. */
export function portInUse(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

function lineCollector(sink, onLine) {
  let buffered = '';
  return (chunk) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.length === 0) continue;
      sink.push(line);
      onLine?.(line);
    }
  };
}

/** A child process with its output lines, and a stop() that ends it (SIGTERM, then SIGKILL). */
function track(child, name) {
  const stdout = [];
  const stderr = [];
  const listeners = new Set();
  child.stdout?.on(
    'data',
    lineCollector(stdout, (line) => listeners.forEach((l) => l(line, 'stdout'))),
  );
  child.stderr?.on(
    'data',
    lineCollector(stderr, (line) => listeners.forEach((l) => l(line, 'stderr'))),
  );
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    process: child,
    pid: child.pid,
    stdout,
    stderr,
    exited,
    onLine(listener) {
      listeners.add(listener);
    },
    get running() {
      return running();
    },
    async stop(graceMs = 5000) {
      if (running()) child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (running()) child.kill('SIGKILL');
      }, graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/**
 * Starts dist/src/index.js (anonymous local mode) on 127.0.0.1:port and waits for GET /healthz.
 * `env` adds to a minimal environment; `output` receives each line the bot prints.
 */
export async function startBot({ port, dataDir, env = {}, output, timeoutMs = 20000 }) {
  if (!existsSync(BOT_ENTRY)) throw new Error('dist/src/index.js is missing: run npm run build first');
  mkdirSync(dataDir, { recursive: true });
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', BOT_ENTRY], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'info',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const bot = track(child, 'bot');
  if (output) bot.onLine(output);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!bot.running) {
      throw new Error(`the bot exited during start-up:\n${[...bot.stderr, ...bot.stdout].join('\n')}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await bot.stop();
      throw new Error(`the bot did not answer ${url}/healthz within ${timeoutMs} ms`);
    }
    await delay(100);
  }
  return Object.assign(bot, { url, endpoint: `${url}/api/messages` });
}

/**
 * Starts one Playground (channel msteams) for the bot at `endpoint`, on `port` or whatever port it falls
 * back to, and waits until its server answers. Resolves with its url, port and log file.
 */
export async function startPlayground({
  endpoint,
  port,
  configPath = PLAYGROUND_CONFIG,
  logFile,
  output,
  timeoutMs = 30000,
}) {
  mkdirSync(dirname(logFile), { recursive: true });
  const child = spawn(
    process.execPath,
    [
      '-r',
      LOOPBACK_ONLY,
      PLAYGROUND_CLI,
      '-e',
      endpoint,
      '-c',
      'msteams',
      '-p',
      String(port),
      '--disable-telemetry',
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        APPLICATION_INSIGHTS_NO_STATSBEAT: '1',
        APPLICATIONINSIGHTS_CONFIGURATION_CONTENT: APPINSIGHTS_OFF,
        TEAMSAPPTESTER_BROWSER: 'none',
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: configPath,
        M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const playground = track(child, 'playground');
  if (output) playground.onLine(output);
  const listening = new Promise((resolve) => {
    playground.onLine((line) => {
      const match = /Listening on (\d+)/.exec(line);
      if (match) resolve(Number(match[1]));
    });
  });
  const failure = playground.exited.then(({ code, signal }) => {
    throw new Error(
      `the Playground exited (${signal ?? `code ${code}`}) during start-up; its log ${logFile} says:\n${tail(logFile)}`,
    );
  });
  const timeout = delay(timeoutMs).then(() => {
    throw new Error(`the Playground did not print "Listening on" within ${timeoutMs} ms`);
  });
  let actualPort;
  try {
    actualPort = await Promise.race([listening, failure, timeout]);
    const url = `http://127.0.0.1:${actualPort}`;
    // The API is mounted right after "Listening on"; wait until it answers.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${url}/_debug/ping`);
        if (res.ok) break;
      } catch {
        // not mounted yet
      }
      if (!playground.running) await failure;
      if (Date.now() > deadline) throw new Error(`the Playground at ${url} did not answer /_debug/ping`);
      await delay(100);
    }
  } catch (err) {
    await playground.stop();
    throw err;
  }
  failure.catch(() => {}); // exits after start-up are the caller's business
  return Object.assign(playground, { port: actualPort, url: `http://127.0.0.1:${actualPort}`, logFile });
}

/** The last lines of a log file, or a note that it is missing. */
export function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}
