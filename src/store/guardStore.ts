import { StoreUnavailableError } from '../connectors/ports';

/**
 * Wraps a store object so that every method throws (or rejects with) StoreUnavailableError for
 * the errors `isUnavailable` picks, whichever method forgot to: one error for callers to map to
 * 503 or "storage is unavailable", whatever the adapter.
 */
export function guardStore<T extends object>(target: T, isUnavailable: (err: unknown) => boolean): T {
  const mapError = (err: unknown) => (isUnavailable(err) ? new StoreUnavailableError(err) : err);
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return function guarded(...args: unknown[]) {
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(object, args);
        } catch (err) {
          throw mapError(err);
        }
        if (result instanceof Promise) return result.catch((err: unknown) => Promise.reject(mapError(err)));
        if (isAsyncIterable(result)) return guardIterable(result, mapError);
        return result;
      };
    },
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** A listing read as it is iterated fails the same way as a method's promise. */
async function* guardIterable<T>(source: AsyncIterable<T>, mapError: (err: unknown) => unknown) {
  try {
    yield* source;
  } catch (err) {
    throw mapError(err);
  }
}
