import { StoreUnavailableError } from '../../connectors/ports';
import { httpStatusOf } from '../../util/httpStatus';

/**
 * True when an Azure SDK error means the service could not be reached or would not serve us:
 * no answer at all (connection refused, DNS, timeout, abort), authentication or authorization
 * refused, throttling, or a server error. Other errors (a 400 for a bad request) are bugs and
 * surface unchanged.
 */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return false;
  if (isMissingContainer(err)) return true;
  const name = (err as { name?: unknown })?.name;
  const status = httpStatusOf(err);
  if (status === undefined) return name === 'RestError' || name === 'AbortError';
  return status === 401 || status === 403 || status === 408 || status === 429 || status >= 500;
}

/**
 * A table or blob container the store created at start-up is gone (deleted by hand, a wrong
 * account): the store is damaged, which is not the same as one record being absent.
 */
export function isMissingContainer(err: unknown): boolean {
  if (httpStatusOf(err) !== 404) return false;
  // The blob SDK sets `code`; the tables SDK leaves it out and keeps the service's error code in
  // `details.errorCode` (the x-ms-error-code header).
  const e = err as { code?: unknown; details?: { errorCode?: unknown } };
  const code = e?.code ?? e?.details?.errorCode;
  return code === 'TableNotFound' || code === 'ContainerNotFound';
}

/** Runs one store operation, turning "Azure is unreachable" into StoreUnavailableError. */
export async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    throw isUnavailable(err) ? new StoreUnavailableError(err) : err;
  }
}

/** Resolves undefined instead of failing when the entity is absent (404). */
export async function unlessMissing<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (err) {
    if (httpStatusOf(err) === 404 && !isMissingContainer(err)) return undefined;
    throw err;
  }
}

/** Ignores the given statuses (e.g. 404 on a delete, 409 on a create that may already exist). */
export async function ignoring<T>(statuses: number[], request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (err) {
    const status = httpStatusOf(err);
    if (status !== undefined && statuses.includes(status) && !isMissingContainer(err)) return undefined;
    throw err;
  }
}

/** How often a write that lost an ETag race to a change that did not matter is tried again. */
export const MAX_ATTEMPTS = 8;

/** Maps `items` with at most `limit` calls in flight, keeping order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Like Promise.all, but waits for every request to settle before failing with the first error,
 * so that no request of a failed operation goes on retrying in the background.
 */
export async function settleAll(requests: Promise<unknown>[]): Promise<void> {
  await settledValues(requests);
}

/** {@link settleAll}, giving the requests' values. */
export async function settledValues<T>(requests: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(requests);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
