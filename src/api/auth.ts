import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'restify';
import type { Logger } from '../util/logger';
import { ApiError, sendError } from './errors';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Compares a presented token with the expected one in constant time: both are hashed first so
 * that neither their contents nor their lengths change how long the comparison takes.
 */
export function tokenMatches(expected: string, presented: string): boolean {
  return timingSafeEqual(digest(expected), digest(presented));
}

/**
 * The token of an `Authorization: Bearer <token>` header, or why there is none. Any visible
 * characters are taken (not only RFC 6750 token68), since API_TOKEN may hold any of them.
 */
export function bearerToken(header: string | undefined): { token: string } | { problem: string } {
  if (header === undefined || header.trim() === '') return { problem: 'missing' };
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match ? { token: match[1] } : { problem: 'malformed' };
}

function unauthorized(problem: string): ApiError {
  // RFC 6750: no credentials gets the bare challenge, bad credentials get invalid_token.
  const challenge =
    problem === 'missing'
      ? 'Bearer realm="connector-concierge"'
      : 'Bearer realm="connector-concierge", error="invalid_token"';
  return new ApiError(401, 'Unauthorized', 'Send the API token as "Authorization: Bearer <API_TOKEN>".', {
    'WWW-Authenticate': challenge,
  });
}

/**
 * Refuses a request whose bearer token is not API_TOKEN with 401 and `WWW-Authenticate: Bearer`.
 * The log line says why, never what was presented.
 */
export function requireBearer(expected: string, logger: Logger): RequestHandler {
  return function requireBearerToken(req, res, next) {
    const presented = bearerToken(req.headers.authorization);
    const problem =
      'problem' in presented ? presented.problem : tokenMatches(expected, presented.token) ? '' : 'wrong';
    if (problem === '') {
      next();
      return;
    }
    logger.warn('api: request refused', {
      reason: `${problem} bearer token`,
      method: req.method,
      path: req.path(),
      remote: req.socket.remoteAddress,
    });
    sendError(res, unauthorized(problem));
    next(false);
  };
}
