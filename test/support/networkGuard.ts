import dns from 'node:dns';
import net from 'node:net';

/** One attempt to reach a host that is not this machine. */
export interface NetworkAttempt {
  via: 'dns.lookup' | 'dns.promises.lookup' | 'net.Socket.connect';
  host: string;
  port?: number;
  /** Where the attempt came from, to tell which library made it. */
  stack: string;
}

/** The error a refused attempt fails with. */
export class NetworkGuardError extends Error {
  readonly code = 'ENETWORKGUARD';
  constructor(attempt: NetworkAttempt) {
    super(
      `network guard: ${attempt.via} to ${attempt.host}${attempt.port ? `:${attempt.port}` : ''} refused; tests only talk to loopback`,
    );
    this.name = 'NetworkGuardError';
  }
}

export interface NetworkGuard {
  /** Every refused attempt, in order. */
  readonly attempts: NetworkAttempt[];
  /** A one-line-per-attempt summary, for failure messages. */
  describe(): string;
  uninstall(): void;
}

/** True for names and addresses that stay on this machine: localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackTarget(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  return net.isIPv4(v4) && v4.startsWith('127.');
}

type LookupCallback = (err: NodeJS.ErrnoException | null, ...rest: unknown[]) => void;
type Lookup = (hostname: string, ...rest: unknown[]) => void;
type PromisesLookup = (hostname: string, ...rest: unknown[]) => Promise<unknown>;
type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;

/** The host and port a `Socket#connect` call aims at; undefined for a local pipe or Unix socket. */
function connectTarget(args: unknown[]): { host: string; port?: number } | undefined {
  // net.connect() hands Socket#connect its normalized arguments as one array: [options, callback].
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: unknown; port?: unknown; path?: unknown };
    if (typeof options.path === 'string' && options.path !== '') return undefined;
    return {
      host: typeof options.host === 'string' ? options.host : 'localhost',
      port: Number(options.port),
    };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined;
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: Number(first) };
}

/**
 * Refuses, and records, every DNS lookup and socket connection to a host that is not loopback,
 * until `uninstall`. A refused attempt fails the way a network error does (the socket emits
 * the error, the lookup calls back with it or rejects), so the caller sees an ordinary failure.
 */
export function installNetworkGuard(): NetworkGuard {
  const attempts: NetworkAttempt[] = [];
  const record = (via: NetworkAttempt['via'], host: string, port?: number): NetworkGuardError => {
    const attempt: NetworkAttempt = {
      via,
      host,
      port: Number.isFinite(port) ? port : undefined,
      stack: (new Error().stack ?? '').split('\n').slice(3, 12).join('\n'),
    };
    attempts.push(attempt);
    return new NetworkGuardError(attempt);
  };

  // A default import is the module object itself, so these assignments reach every user of it.
  const dnsModule = dns as unknown as { lookup: Lookup; promises: { lookup: PromisesLookup } };
  const originalLookup = dnsModule.lookup;
  const originalPromisesLookup = dnsModule.promises.lookup;
  const originalConnect = net.Socket.prototype.connect as unknown as Connect;

  dnsModule.lookup = function guardedLookup(hostname: string, ...rest: unknown[]): void {
    if (!isLoopbackTarget(String(hostname))) {
      const error = record('dns.lookup', String(hostname));
      const callback = rest[rest.length - 1];
      if (typeof callback !== 'function') throw error;
      process.nextTick(() => (callback as LookupCallback)(error));
      return;
    }
    return originalLookup.call(this, hostname, ...rest);
  };
  dnsModule.promises.lookup = function guardedPromisesLookup(
    hostname: string,
    ...rest: unknown[]
  ): Promise<unknown> {
    if (!isLoopbackTarget(String(hostname))) {
      return Promise.reject(record('dns.promises.lookup', String(hostname)));
    }
    return originalPromisesLookup.call(this, hostname, ...rest);
  };
  (net.Socket.prototype as unknown as { connect: Connect }).connect = function guardedConnect(
    this: net.Socket,
    ...args: unknown[]
  ): net.Socket {
    const target = connectTarget(args);
    if (target && !isLoopbackTarget(target.host)) {
      const error = record('net.Socket.connect', target.host, target.port);
      process.nextTick(() => this.destroy(error));
      return this;
    }
    return originalConnect.apply(this, args);
  };

  return {
    attempts,
    describe: () =>
      attempts.map((a) => `${a.via} ${a.host}${a.port ? `:${a.port}` : ''}\n${a.stack}`).join('\n---\n') ||
      'none',
    uninstall() {
      dnsModule.lookup = originalLookup;
      dnsModule.promises.lookup = originalPromisesLookup;
      (net.Socket.prototype as unknown as { connect: Connect }).connect = originalConnect;
    },
  };
}
