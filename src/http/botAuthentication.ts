import type { RequestHandler } from 'restify';
import { ApiError, sendError } from '../api/errors';
import { TokenRefusedError, type ConciergeAdapter } from '../bot/conciergeAdapter';
import type { Logger } from '../util/logger';

/**
 * Refuses a request to /api/messages without a valid Bot Framework token with 401 before its
 * body is read, so that a stranger learns nothing from the body's size, syntax or shape.
 */
export function requireBotToken(
  adapter: Pick<ConciergeAdapter, 'authenticateHeader'>,
  logger: Logger,
): RequestHandler {
  return function requireBotToken(req, res, next) {
    adapter.authenticateHeader(String(req.headers.authorization ?? '')).then(
      () => next(),
      (err: unknown) => {
        if (err instanceof TokenRefusedError) {
          logger.warn('activity refused: token', { reason: err.message, remote: req.socket.remoteAddress });
          res.header('WWW-Authenticate', 'Bearer');
          sendError(res, new ApiError(401, 'Unauthorized', 'A valid Bot Framework token is required.'));
        } else {
          // The signing keys could not be fetched, say: not the caller's fault.
          logger.error('activity refused: the token could not be checked', { error: err });
          sendError(
            res,
            new ApiError(503, 'AuthenticationUnavailable', 'The token could not be checked; try again.'),
          );
        }
        next(false);
      },
    );
  };
}
