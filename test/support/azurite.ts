/**
 * Starts the Azurite storage emulator (the devDependency) as a child process for tests, on loopback ports
 * the operating system picks, with in-memory storage and telemetry off. A test that restarts the emulator
 * and needs its data back passes `location` (a folder it owns) and the ports of the first run.
 *
 * Every test file that calls {@link startAzurite} must call `stop()` in `afterAll`. As a safety net the
 * emulator also exits when this process exits (an `exit` hook) or dies without running hooks (the child
 * watches its stdin pipe, which closes with its parent), so a crashed or killed test run leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestTls } from './tls';

/** The storage services Azurite can start. */
export type AzuriteService = 'blob' | 'table';

/** A running emulator. */
export interface AzuriteInstance {
  /** Path-style endpoint of the dev account, e.g. http://127.0.0.1:41234/devstoreaccount1. */
  blobEndpoint: string;
  /** Path-style endpoint of the dev account, when 'table' was started. */
  tableEndpoint?: string;
  tablePort?: number;
  blobPort: number;
  accountName: 'devstoreaccount1';
  /** The well-known development key (public; documented by Microsoft, not a secret). */
  accountKey: string;
  /** Connection string with an endpoint for each started service. */
  connectionString: string;
  /**
   * Kills the emulator and waits for it to exit; safe to call twice. With `location` it first lets
   * Azurite shut down cleanly (SIGTERM), so that its metadata is on disk for the next start.
   */
  stop(): Promise<void>;
}

/** Options of {@link startAzurite}; the defaults are an in-memory emulator on free ports. */
export interface AzuriteOptions {
  services?: AzuriteService[];
  /**
   * Keep the data in this folder (Azurite's --location) instead of in memory, so that a second
   * start on the same folder finds it. The caller owns the folder and removes it.
   */
  location?: string;
  /** Fixed ports (to restart on the same endpoints); 0 or absent lets the system pick. */
  ports?: { blob?: number; table?: number };
  /**
   * Serve HTTPS with this certificate and accept Entra bearer tokens (`--oauth basic`: Azurite
   * checks a token's audience, issuer and lifetime, not its signature). Shared key still works.
   */
  oauth?: TestTls;
}

/** Azurite's built-in account and key, the same in every installation. */
export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
/** Microsoft's published development-storage key: public, not a secret. */
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const STARTUP_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 2_000;
/** How long a persistent emulator may take to close its services and save its metadata. */
const SHUTDOWN_TIMEOUT_MS = 10_000;
const CLOSED = /Azurite (Blob|Queue|Table) service successfully closed/g;

/**
 * Runs Azurite's CLI in a child that, as soon as its stdin reaches end-of-file (which happens when the parent
 * dies, however it dies), deletes its working folder (the temporary workspace) and exits. `node -e` leaves
 * the arguments after the script in process.argv[1..], which is where Azurite's parser expects them.
 */
const WATCHDOG_THEN_CLI = `
process.stdin
  .on('end', () => {
    try { require('node:fs').rmSync(process.cwd(), { recursive: true, force: true }); } catch {}
    process.exit(0);
  })
  .on('error', () => process.exit(0))
  .resume();
require(process.argv[1]);
`;

// The combined `azurite` CLI is used even for one service: given port 0 it logs the ports it actually
// bound, whereas azurite-table 3.35 logs only "started on 127.0.0.1:0".
const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at (https?:\/\/\S+)/g;

/** Emulators not stopped yet, with their workspaces. */
const running = new Map<ChildProcess, string>();
let exitHookInstalled = false;

// An emulator a suite left running (its afterAll never reached `stop()`, or a test failed before a
// later start was stopped) would keep the jest worker alive; stop it after the file's tests.
const afterAllHook = (globalThis as { afterAll?: (fn: () => Promise<void>) => void }).afterAll;
if (afterAllHook) {
  afterAllHook(async () => {
    await Promise.all([...running.keys()].map((child) => kill(child)));
  });
}

function cleanUpOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [child, workDir] of running) {
      child.kill('SIGKILL');
      rmSync(workDir, { recursive: true, force: true });
    }
  });
}

function azuriteCli(): string {
  const manifest = require.resolve('azurite/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> };
  return path.join(path.dirname(manifest), bin.azurite);
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function kill(child: ChildProcess): Promise<void> {
  if (!hasExited(child)) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Closing stdin trips the watchdog; SIGTERM alone would leave the watchdog's stdin read running.
    child.stdin?.end();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
  running.delete(child);
}

/**
 * Asks Azurite to close its services (SIGTERM: it saves its metadata on close) and waits until it
 * says all three closed, or SHUTDOWN_TIMEOUT_MS passed; the caller then kills the process.
 */
async function shutDownCleanly(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  let output = '';
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (new Set([...output.matchAll(CLOSED)].map((m) => m[1])).size === 3) done();
    };
    const timer = setTimeout(done, SHUTDOWN_TIMEOUT_MS);
    child.stdout?.on('data', onData);
    child.once('exit', done);
    child.kill('SIGTERM');
  });
}

function waitUntilListening(child: ChildProcess, urls: Map<string, URL>): Promise<void> {
  let output = '';
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('error', done);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const [, service, url] of output.matchAll(LISTENING))
        urls.set(service.toLowerCase(), new URL(url));
      if (urls.has('blob') && urls.has('queue') && urls.has('table')) done();
    };
    const onExit = (code: number | null, signal: string | null) =>
      done(new Error(`Azurite exited during start-up (${signal ?? `code ${code}`}):\n${output}`));
    const timer = setTimeout(
      () => done(new Error(`Azurite did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output}`)),
      STARTUP_TIMEOUT_MS,
    );
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', done);
    child.on('exit', onExit);
  });
}

/**
 * Starts Azurite on 127.0.0.1 with the blob service (and the table service when asked), each on a free
 * port, and resolves once it listens. The caller must `stop()` it, in `afterAll`.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteInstance> {
  const withTable = options.services?.includes('table') ?? false;
  cleanUpOnExit();

  // Azurite creates its workspace folder (by default the working directory) even with in-memory
  // persistence and refuses --location together with --inMemoryPersistence, so it runs in a temporary one.
  // With `location` the data goes there instead; the watchdog only ever removes the working folder.
  const persistence = options.location
    ? ['--location', options.location]
    : ['--inMemoryPersistence', ...['--extentMemoryLimit', '256']];
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'azurite-'));
  const oauth: string[] = [];
  if (options.oauth) {
    // Azurite reads the certificate once, at start; the workspace is removed with the emulator.
    writeFileSync(path.join(workDir, 'cert.pem'), options.oauth.cert);
    writeFileSync(path.join(workDir, 'key.pem'), options.oauth.key, { mode: 0o600 });
    oauth.push(
      '--oauth',
      'basic',
      '--cert',
      path.join(workDir, 'cert.pem'),
      '--key',
      path.join(workDir, 'key.pem'),
    );
  }
  // A developer's AZURITE_ACCOUNTS would replace the well-known dev account the tests sign with.
  const env: NodeJS.ProcessEnv = { ...process.env, APPLICATION_INSIGHTS_NO_STATSBEAT: '1' };
  delete env.AZURITE_ACCOUNTS;
  // Queue cannot be switched off in the combined CLI; on port 0 it costs nothing.
  const child = spawn(
    process.execPath,
    [
      '-e',
      WATCHDOG_THEN_CLI,
      azuriteCli(),
      ...['--blobHost', '127.0.0.1', '--blobPort', String(options.ports?.blob ?? 0)],
      ...['--queueHost', '127.0.0.1', '--queuePort', '0'],
      ...['--tableHost', '127.0.0.1', '--tablePort', String(options.ports?.table ?? 0)],
      ...persistence,
      ...oauth,
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--silent',
    ],
    { cwd: workDir, env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  running.set(child, workDir);

  const urls = new Map<string, URL>();
  try {
    await waitUntilListening(child, urls);
  } catch (err) {
    await kill(child);
    rmSync(workDir, { recursive: true, force: true });
    throw err;
  }
  // Keep draining its output so a full pipe never blocks it, but let a test run that forgot stop()
  // end anyway; the exit hook then kills the emulator.
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Socket | null)?.unref();
  child.stdout?.resume();
  child.stderr?.resume();
  child.unref();

  const scheme = options.oauth ? 'https' : 'http';
  const endpointOf = (service: string) =>
    `${scheme}://127.0.0.1:${(urls.get(service) as URL).port}/${AZURITE_ACCOUNT_NAME}`;
  const blobEndpoint = endpointOf('blob');
  const tableEndpoint = withTable ? endpointOf('table') : undefined;
  const connectionString =
    [
      `DefaultEndpointsProtocol=${scheme}`,
      `AccountName=${AZURITE_ACCOUNT_NAME}`,
      `AccountKey=${AZURITE_ACCOUNT_KEY}`,
      `BlobEndpoint=${blobEndpoint}`,
      ...(tableEndpoint ? [`TableEndpoint=${tableEndpoint}`] : []),
    ].join(';') + ';';

  let stopping: Promise<void> | undefined;
  return {
    blobEndpoint,
    tableEndpoint,
    tablePort: withTable ? Number((urls.get('table') as URL).port) : undefined,
    blobPort: Number((urls.get('blob') as URL).port),
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    connectionString,
    stop() {
      stopping ??= (options.location ? shutDownCleanly(child) : Promise.resolve())
        .then(() => kill(child))
        .finally(() => rmSync(workDir, { recursive: true, force: true }));
      return stopping;
    },
  };
}

/**
 * Starts one emulator for the test file (beforeAll) and stops it after (afterAll); the returned
 * function gives the running instance inside tests.
 */
export function useAzurite(options: AzuriteOptions = {}): () => AzuriteInstance {
  let azurite: AzuriteInstance | undefined;
  beforeAll(async () => {
    azurite = await startAzurite(options);
  });
  afterAll(async () => {
    await azurite?.stop();
  });
  return () => {
    if (!azurite) throw new Error('Azurite is not running: useAzurite() gives it inside tests only');
    return azurite;
  };
}

/** A table and container prefix of its own, so that every store shares the one emulator safely. */
export const freshPrefix = (letter = 't'): string => `${letter}${randomBytes(5).toString('hex')}`;
