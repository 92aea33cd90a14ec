import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as net from 'node:net';

const ROOT = path.join(__dirname, '..', '..');
/** How long a bot may take to exit on SIGTERM (it forces its own exit after 3 s) before SIGKILL. */
const STOP_GRACE_MS = 10_000;

/** Bots not stopped yet: a test that fails before its `stop()` must not leave one running. */
const running = new Set<ChildBot>();

// A child left running holds its pipes open in the jest worker, which then cannot exit
// gracefully; so every test file that spawns bots stops the leftovers after its tests.
const afterAllHook = (globalThis as { afterAll?: (fn: () => Promise<void>) => void }).afterAll;
if (afterAllHook) {
  afterAllHook(async () => {
    await Promise.all([...running].map((bot) => bot.stop()));
  });
}

/** A free loopback port (asked of the OS, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The compiled bot running as its own process, as `npm start` runs it. */
export interface ChildBot {
  process: ChildProcess;
  url: string;
  stdout: string[];
  stderr: string[];
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info' };
  if (process.env.NODE_EXTRA_CA_CERTS) env.NODE_EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS;
  return { ...env, ...extra };
}

/**
 * Starts dist/src/index.js with only the given environment (plus PATH and HOME); `root` is the
 * folder holding dist/ and node_modules/ (this repository unless given).
 */
export function spawnBot(env: Record<string, string>, options: { root?: string } = {}): ChildBot {
  const root = options.root ?? ROOT;
  const child = spawn(
    process.execPath,
    ['--disable-warning=DEP0111', path.join(root, 'dist', 'src', 'index.js')],
    {
      cwd: root,
      env: baseEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (sink: string[]) => {
    let buffered = '';
    return (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      sink.push(...lines.filter((l) => l.length > 0));
    };
  };
  child.stdout!.on('data', collect(stdout));
  child.stderr!.on('data', collect(stderr));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const bot: ChildBot = {
    process: child,
    url: `http://127.0.0.1:${env.PORT ?? '3978'}`,
    stdout,
    stderr,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };
  running.add(bot);
  void exited.then(() => running.delete(bot));
  return bot;
}

/** Waits until GET /healthz answers (any status), or fails after `timeoutMs` (start-up takes 10 s and more on a loaded machine). */
export async function waitForHealth(bot: ChildBot, timeoutMs = 45000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(`${bot.url}/healthz`);
    } catch {
      if (bot.process.exitCode !== null) {
        throw new Error(`bot exited with ${bot.process.exitCode}: ${bot.stderr.join('\n')}`);
      }
      if (Date.now() > deadline) throw new Error(`bot did not answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
