import { SpanKind } from '@opentelemetry/api';
import type { Store } from '../connectors/ports';
import type { Telemetry } from './telemetry';

/**
 * The ports whose calls get a span. The scan lease is left out: its `runExclusive` spans a whole
 * scan, which has a span of its own.
 */
const PORTS = new Set<string | symbol>([
  'state',
  'conversations',
  'connectors',
  'secrets',
  'audit',
  'subscriptions',
  'notices',
  'targets',
  'consentRequests',
]);

/** Port methods that return an async iterable rather than a promise: each step is a span. */
const LISTINGS = new Set<string>(['expiringByTenant']);

/** Each step of a listing (a tenant's records read, say) inside its own span. */
async function* spannedSteps<T>(
  source: AsyncIterable<T>,
  inSpan: (step: () => Promise<IteratorResult<T>>) => Promise<IteratorResult<T>>,
) {
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  try {
    while (!done) {
      const next = await inSpan(() => iterator.next());
      done = !!next.done;
      if (!next.done) yield next.value;
    }
  } finally {
    if (!done) await iterator.return?.();
  }
}

/** A port whose async methods each run inside a `storage <port>.<method>` span. */
function instrumentPort<T extends object>(port: T, name: string, system: string, telemetry: Telemetry): T {
  const wrapped = new Map<string | symbol, unknown>();
  return new Proxy(port, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      let method = wrapped.get(prop);
      if (!method) {
        const original = value as (...args: unknown[]) => Promise<unknown>;
        const inSpan = <R>(fn: () => Promise<R>) =>
          telemetry.inSpan(
            `storage ${name}.${prop}`,
            {
              kind: SpanKind.CLIENT,
              attributes: { 'db.system.name': system, 'db.operation.name': `${name}.${prop}` },
            },
            fn,
          );
        method = LISTINGS.has(prop)
          ? (...args: unknown[]) =>
              spannedSteps(original.apply(target, args) as unknown as AsyncIterable<unknown>, inSpan)
          : (...args: unknown[]) => inSpan(() => original.apply(target, args));
        wrapped.set(prop, method);
      }
      return method;
    },
  });
}

/**
 * The same store with a span around every port call, so a turn's or a scan's trace shows its
 * storage reads and writes. Every port method is async (see `ports.ts`), so wrapping one in an
 * async span changes nothing for its callers; a listing read as it is iterated gets a span per step. With tracing off the store itself is returned:
 * the spans would all be no-op ones, and the proxies cost every store call of every turn.
 */
export function instrumentStore(store: Store, telemetry: Telemetry): Store {
  if (!telemetry.tracing) return store;
  const ports = new Map<string | symbol, unknown>();
  return new Proxy(store, {
    // `target` as the receiver, and methods bound to it: adapters may keep private fields.
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value === 'function') return (value as (...args: unknown[]) => unknown).bind(target);
      if (!PORTS.has(prop) || typeof value !== 'object' || value === null) return value;
      let port = ports.get(prop);
      if (!port) {
        port = instrumentPort(value, String(prop), target.kind, telemetry);
        ports.set(prop, port);
      }
      return port;
    },
  });
}
