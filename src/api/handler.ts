import type { Request, Response } from 'restify';
import type { Logger } from '../util/logger';
import { INTERNAL_ERROR, sendError, toApiError } from './errors';

/** What a route answers on success. */
export interface ApiResult {
  status: number;
  body: unknown;
}

/**
 * Wraps a route so that nothing escapes it: known refusals answer with their own status and
 * code, anything else is logged with the error and answered 500 InternalError.
 */
export function apiRoute(
  logger: Logger,
  route: (req: Request) => Promise<ApiResult>,
): (req: Request, res: Response) => Promise<void> {
  return async function handleApiRequest(req, res) {
    try {
      const result = await route(req);
      res.json(result.status, result.body);
    } catch (err) {
      const known = toApiError(err);
      if (known) {
        // Refusals are logged at info: bad input leaves a line at the default LOG_LEVEL.
        logger[known.status >= 500 ? 'warn' : 'info']('api: request refused', {
          method: req.method,
          path: req.path(),
          status: known.status,
          code: known.code,
        });
        sendError(res, known);
        return;
      }
      logger.error('api: request failed', { method: req.method, path: req.path(), error: err });
      if (!res.headersSent) sendError(res, INTERNAL_ERROR);
    }
  };
}
