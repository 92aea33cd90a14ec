import type { Response } from 'restify';
import { LifecycleError } from '../connectors/lifecycle';
import { ConcurrencyError, StoreUnavailableError } from '../connectors/ports';

/** The JSON every failed API request answers with. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

/** A refusal the API answers with its own status and code; the message is safe to show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The status a lifecycle rule maps to: a state conflict is 409, a bad time is 422. */
const LIFECYCLE_STATUS: Record<LifecycleError['code'], number> = {
  CONNECTOR_DEAUTHORIZED: 409,
  TRANSFER_IN_FUTURE: 422,
  TRANSFER_BEFORE_CREATION: 422,
  INVALID_TIME: 422,
};

/**
 * The API answer for a thrown value; undefined for an unexpected error, which the caller logs
 * and answers with 500.
 */
export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof LifecycleError) return new ApiError(LIFECYCLE_STATUS[err.code], err.code, err.message);
  if (err instanceof ConcurrencyError) {
    return new ApiError(
      409,
      'Conflict',
      'The connector was changed by another request at the same time; try again.',
    );
  }
  if (err instanceof StoreUnavailableError) {
    return new ApiError(503, 'StoreUnavailable', 'Storage is unavailable; try again later.');
  }
  return undefined;
}

/** The answer for an error nobody expected; the details go to the log, not to the caller. */
export const INTERNAL_ERROR = new ApiError(
  500,
  'InternalError',
  'The request could not be completed because of an internal error; it has been logged.',
);

/** Writes `{error: {code, message}}` with the error's status and headers. */
export function sendError(res: Response, err: ApiError): void {
  for (const [name, value] of Object.entries(err.headers)) res.header(name, value);
  res.json(err.status, { error: { code: err.code, message: err.message } } satisfies ApiErrorBody);
}
