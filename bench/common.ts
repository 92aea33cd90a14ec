/** Shared helpers of the benchmark: options, child processes, memory readings, statistics. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root (this file runs from dist/bench). */
export const ROOT = path.join(__dirname, '..', '..');
export const BOT_ENTRY = path.join(ROOT, 'dist', 'src', 'index.js');
export const ECHO_ENTRY = path.join(__dirname, 'echoBot.js');

/** A cron that never fires while the benchmark runs (1 January, midnight). */
export const QUIET_CRON = '0 0 1 1 *';

export type Part = 'latency' | 'scanner' | 'startup' | 'fanout' | 'provisioning' | 'soak';
export const PARTS: Part[] = ['startup', 'latency', 'scanner', 'fanout', 'provisioning', 'soak'];
/** Parts the default run leaves out unless asked for (`--soak`). */
const OPT_IN: Part[] = ['soak'];

export interface BenchOptions {
  parts: Part[];
  size: 'small' | 'full';
  /** Length of the soak part (`--soak-minutes`), default 10. */
  soakMinutes: number;
  /** Where the results table is written (markdown); the default run writes bench/RESULTS.md. */
  resultsFile?: string;
  /**
   * `--heap-snapshots DIR`: the latency part's servers leave a heap snapshot there at each live
   * heap reading, and the notes say what the growth between them is (bench/heapGrowth.ts).
   */
  heapSnapshots?: string;
}

export function parseOptions(argv: string[]): BenchOptions {
  const parts: Part[] = [];
  let size: BenchOptions['size'] = 'full';
  let resultsFile: string | undefined;
  let noWrite = false;
  let soak = false;
  let soakMinutes = 10;
  let heapSnapshots: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const inline = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : undefined;
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        [
          'npm run bench -- [--only latency|scanner|startup|fanout|provisioning|soak[,…]] [--soak] [--soak-minutes N] [--size small|full] [--results FILE] [--no-write]',
          '  --only     run only these parts (comma-separated or repeated); all by default',
          '  --size     small: 10k/100k scanner, fewer turns, 200 channels (about a minute a part)',
          '  --results  write the markdown table to FILE (default: bench/RESULTS.md for a full run of every part)',
          '  --soak     include the soak part (about 10 minutes) in the default run',
          '  --soak-minutes N  length of the soak (default 10; at least 2)',
          '  --no-write print only',
          '  --heap-snapshots DIR  latency part: heap snapshots of both servers at each heap reading, kept in DIR,',
          '             and what the heap gained between them in the notes (slows the readings; peak RSS then includes the snapshots)',
          '',
        ].join('\n'),
      );
      process.exit(0);
    } else if (arg.startsWith('--only')) {
      for (const p of value().split(',')) {
        if (!PARTS.includes(p as Part)) throw new Error(`--only: unknown part "${p}" (${PARTS.join(', ')})`);
        parts.push(p as Part);
      }
    } else if (arg.startsWith('--size')) {
      const v = value();
      if (v !== 'small' && v !== 'full') throw new Error(`--size: expected small or full, got "${v}"`);
      size = v;
    } else if (arg.startsWith('--results')) {
      resultsFile = path.resolve(value());
    } else if (arg === '--soak') {
      soak = true;
    } else if (arg.startsWith('--soak-minutes')) {
      soakMinutes = Number(value());
      if (!Number.isFinite(soakMinutes) || soakMinutes < 2)
        throw new Error(`--soak-minutes: expected a number of minutes, at least 2`);
    } else if (arg === '--no-write') {
      noWrite = true;
    } else if (arg.startsWith('--heap-snapshots')) {
      heapSnapshots = path.resolve(value());
    } else {
      throw new Error(`unknown option ${arg}; try --help`);
    }
  }
  const all = parts.length === 0;
  if (!resultsFile && !noWrite && all && size === 'full')
    resultsFile = path.join(ROOT, 'bench', 'RESULTS.md');
  if (noWrite) resultsFile = undefined;
  const chosen = all
    ? PARTS.filter((p) => soak || !OPT_IN.includes(p))
    : PARTS.filter((p) => parts.includes(p));
  return { parts: chosen, size, resultsFile, soakMinutes, heapSnapshots };
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `bench-${prefix}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

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

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A server started by the benchmark (the bot or the echo baseline) as its own process. */
export interface ServerProcess {
  name: string;
  child: ChildProcess;
  url: string;
  /** When spawn() was called, on performance.now()'s clock. */
  spawnedAt: number;
  output: string[];
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const running = new Set<ServerProcess>();

/** Starts `entry` with only the given environment (plus PATH and HOME); it must listen on PORT. */
export function spawnServer(name: string, entry: string, env: Record<string, string>): ServerProcess {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // For trying a remedy without editing the bot, e.g. BENCH_NODE_OPTIONS=--max-old-space-size=128.
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 200) output.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const server: ServerProcess = {
    name,
    child,
    url: `http://127.0.0.1:${env.PORT}`,
    spawnedAt,
    output,
    exited,
    async stop() {
      running.delete(server);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(server);
  return server;
}

/** Ends every server this process started (on failure or interruption). */
export function killStarted(): void {
  for (const server of running) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  }
  running.clear();
}

/** Polls GET /healthz until it answers 200; resolves with performance.now() at that moment. */
export async function waitForHealthy(server: ServerProcess, timeoutMs = 30_000, pollMs = 5): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${server.url}/healthz`);
      await response.arrayBuffer();
      if (response.status === 200) return performance.now();
    } catch {
      // not listening yet
    }
    if (server.child.exitCode !== null) {
      throw new Error(`${server.name} exited with ${server.child.exitCode}: ${server.output.join('')}`);
    }
    if (performance.now() > deadline)
      throw new Error(`${server.name} was not healthy within ${timeoutMs} ms`);
    await sleep(pollMs);
  }
}

/** VmRSS and VmHWM (peak) of a process, in bytes, from /proc. */
export function memoryOf(pid: number | 'self'): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : NaN;
  };
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/**
 * CPU time a process has used, user and system, in milliseconds (/proc/<pid>/stat; clock ticks
 * taken as 100 a second, Linux's USER_HZ).
 */
export function cpuMsOf(pid: number): number {
  return cpuMsIn(`/proc/${pid}/stat`);
}

/**
 * CPU time of a process's main thread alone, the one its event loop runs on: what a turn waits
 * for when turns queue, while V8's compiler and garbage-collector threads run beside it.
 */
export function mainThreadCpuMsOf(pid: number): number {
  return cpuMsIn(`/proc/${pid}/task/${pid}/stat`);
}

function cpuMsIn(statFile: string): number {
  const stat = fs.readFileSync(statFile, 'utf8');
  // Fields after the command name (which may hold spaces) start at state; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Pids of this process's children whose command line contains `needle` (from /proc). */
export function childPids(needle: string): number[] {
  const pids: number[] = [];
  for (const task of fs.readdirSync('/proc/self/task')) {
    let children = '';
    try {
      children = fs.readFileSync(`/proc/self/task/${task}/children`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    for (const pid of children.split(/\s+/).filter(Boolean).map(Number)) {
      try {
        if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) pids.push(pid);
      } catch {
        // exited meanwhile
      }
    }
  }
  return pids;
}

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(samples: number[]): number {
  return percentile(samples, 50);
}

export const MB = 1024 * 1024;

/** 10000 → "10,000". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Runs `work` over `items` with at most `concurrency` at once. */
export async function pool<T>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** The preload that lets the bench read a server's heap (see heapProbe.ts), as NODE_OPTIONS. */
export function heapProbeOptions(): string {
  return `${process.env.BENCH_NODE_OPTIONS ?? ''} -r ${path.join(__dirname, 'heapProbe.js')}`.trim();
}

/** A reading of {@link heapProbeOptions}' probe taken right after a full garbage collection. */
export interface HeapReading {
  heapUsed: number;
  /** Modules in the module cache, and the bytes of their files. */
  modules: number;
  moduleSource: number;
  /** V8's compiled code and bytecode, with their metadata (`v8.getHeapCodeStatistics()`). */
  code: number;
  /** The heap snapshot written with this reading, under `--heap-snapshots`. */
  snapshot?: string;
}

/**
 * The live heap of a server started with {@link heapProbeOptions}: asks the probe for a full
 * garbage collection (SIGUSR2) and reads the heap it writes after it.
 */
export async function liveHeap(server: ServerProcess, heapFile: string, timeoutMs = 10_000): Promise<number> {
  return (await liveHeapReading(server, heapFile, timeoutMs)).heapUsed;
}

/** {@link liveHeap} with what the probe says of the code the heap holds. */
export async function liveHeapReading(
  server: ServerProcess,
  heapFile: string,
  timeoutMs = 10_000,
): Promise<HeapReading> {
  const read = (): { collected: number; collection?: HeapReading } | undefined => {
    try {
      return JSON.parse(fs.readFileSync(heapFile, 'utf8')) as { collected: number; collection?: HeapReading };
    } catch {
      return undefined; // not written yet, or caught mid-write
    }
  };
  const deadline = performance.now() + timeoutMs;
  let before = read();
  while (!before) {
    if (performance.now() > deadline) throw new Error(`${server.name} wrote no heap reading to ${heapFile}`);
    await sleep(50);
    before = read();
  }
  server.child.kill('SIGUSR2');
  for (;;) {
    const now = read();
    if (now?.collection && now.collected > before.collected) return now.collection;
    if (performance.now() > deadline)
      throw new Error(`${server.name} did not report its heap after a collection`);
    await sleep(20);
  }
}
