import type { RequestHandler } from 'restify';
import { isLoopbackHost } from '../config/config';
import { ApiError, sendError } from '../api/errors';
import type { Logger } from '../util/logger';

/** The host name of a `Host` header (`127.0.0.1:3978`, `[::1]:3978`, `localhost`), lower-cased. */
export function hostNameOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/i.exec(header.trim());
  return match ? match[1].replace(/^\[|\]$/g, '').toLowerCase() : undefined;
}

/**
 * Anonymous mode trusts whoever reaches the loopback port, so a web page must not reach it
 * through DNS rebinding (a name of the attacker's that resolves to 127.0.0.1): the browser then
 * sends that name as `Host`. Only loopback names and addresses are served; anything else is 403.
 */
export function requireLoopbackHost(logger: Logger): RequestHandler {
  return function requireLoopbackHost(req, res, next) {
    const host = hostNameOf(req.headers.host);
    if (host !== undefined && isLoopbackHost(host)) {
      next();
      return;
    }
    logger.warn('request refused: Host is not loopback in anonymous mode', {
      method: req.method,
      path: req.path(),
      host: String(req.headers.host ?? '').slice(0, 100),
      remote: req.socket.remoteAddress,
    });
    sendError(
      res,
      new ApiError(
        403,
        'HostNotAllowed',
        'Anonymous local mode only answers requests addressed to localhost, 127.0.0.1 or [::1].',
      ),
    );
    next(false);
  };
}
