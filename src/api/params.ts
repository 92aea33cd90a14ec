import type { Request } from 'restify';
import { ApiError } from './errors';
import { GUID } from '../util/ids';

/**
 * The tenant of the path: a GUID, lower-cased as Teams sends it in `channelData.tenant.id`, so
 * the API and the chat see the same connectors. Anything else is 400.
 */
export function tenantIdOf(req: Request): string {
  const raw = String(req.params?.tid ?? '');
  if (!GUID.test(raw)) {
    throw new ApiError(
      400,
      'InvalidTenantId',
      'The tenant id in the path must be a GUID such as 00000000-0000-0000-0000-000000000000.',
    );
  }
  return raw.toLowerCase();
}

/** The connector id of the path (any string: an id that was never stored simply finds nothing). */
export function connectorIdOf(req: Request): string {
  return String(req.params?.id ?? '');
}

/** The query string, read without a query plugin. */
export function queryOf(req: Request): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}

/** A whole number from the query between min and max, the fallback when absent; 400 otherwise. */
export function limitOf(query: URLSearchParams, fallback: number, max: number): number {
  const raw = query.get('limit');
  if (raw === null) return fallback;
  const value = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= max)) {
    throw new ApiError(400, 'InvalidQuery', `limit must be a whole number from 1 to ${max}.`);
  }
  return value;
}

/** A paging cursor as the API handed it out (URL-safe base64); 400 for anything else. */
export function cursorOf(query: URLSearchParams): string | undefined {
  const raw = query.get('cursor');
  if (raw === null || raw === '') return undefined;
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(raw)) {
    throw new ApiError(400, 'InvalidQuery', 'cursor must be the "next" value of a previous page.');
  }
  return raw;
}
