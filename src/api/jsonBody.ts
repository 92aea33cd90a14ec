import * as restify from 'restify';
import type { RequestHandler } from 'restify';
import type { Logger } from '../util/logger';
import { ApiError, sendError } from './errors';

/** Answers a request refused before any route ran, with a log line that says why. */
function refuseBody(logger: Logger, req: restify.Request, res: restify.Response, err: ApiError): void {
  logger.info('request body refused', {
    method: req.method,
    path: req.path(),
    status: err.status,
    code: err.code,
    remote: req.socket?.remoteAddress,
  });
  if (!res.headersSent) sendError(res, err);
}

/** Largest request body the management API reads (an import of 1,000 connectors fits easily). */
export const MAX_API_BODY_BYTES = 1024 * 1024;

/** True when the request declares a body (a length above zero, or chunked). */
export function hasBody(req: restify.Request): boolean {
  return req.isChunked() || Number(req.headers['content-length'] ?? 0) > 0;
}

/** A body must be `application/json`, in UTF-8 when a charset is named; anything else is 415. */
export function requireJsonContentType(logger: Logger): RequestHandler {
  return function requireJsonContentType(req, res, next) {
    if (!hasBody(req)) {
      next();
      return;
    }
    const [mediaType, ...params] = (req.headers['content-type'] ?? '').split(';').map((p) => p.trim());
    const charset = params
      .map((p) => /^charset\s*=\s*"?([^"]*)"?$/i.exec(p)?.[1])
      .find((c) => c !== undefined);
    if (
      mediaType.toLowerCase() === 'application/json' &&
      (charset === undefined || /^utf-8$/i.test(charset))
    ) {
      next();
      return;
    }
    refuseBody(
      logger,
      req,
      res,
      new ApiError(
        415,
        'UnsupportedMediaType',
        `Send the request body as "Content-Type: application/json"; got "${mediaType.slice(0, 100) || 'none'}".`,
      ),
    );
    next(false);
  };
}

/** Turns a restify body error (413, 400 for bad JSON, 415 for an encoding) into the API's JSON shape. */
function bodyProblem(err: { statusCode?: number; message?: string }, maxBytes: number): ApiError {
  switch (err.statusCode) {
    case 413:
      return new ApiError(
        413,
        'PayloadTooLarge',
        `The request body is larger than the API accepts (${maxBytes} bytes).`,
      );
    case 415:
      return new ApiError(415, 'UnsupportedMediaType', `The request body cannot be read: ${err.message}.`);
    case 400:
      return new ApiError(400, 'MalformedJson', `The request body is not valid JSON (${err.message}).`);
    default:
      return new ApiError(400, 'BadRequest', 'The request body could not be read.');
  }
}

/** Runs a restify body handler, answering its errors as `{error: {code, message}}`. */
function jsonShaped(handler: RequestHandler, maxBytes: number, logger: Logger): RequestHandler {
  return function readJsonBody(req, res, next) {
    handler(req, res, (err?: unknown) => {
      if (err === false) {
        next(false);
      } else if (err) {
        refuseBody(logger, req, res, bodyProblem(err as { statusCode?: number }, maxBytes));
        next(false);
      } else {
        next();
      }
    });
  };
}

/** A chunked request with nothing in it leaves an empty string behind: that is no body either. */
function emptyIsNoBody(req: restify.Request, _res: restify.Response, next: restify.Next): void {
  if (req.body === '' || (Buffer.isBuffer(req.body) && req.body.length === 0)) req.body = undefined;
  next();
}

/**
 * The handlers that read a JSON request body into `req.body`: 415 for another content type,
 * 413 above `maxBytes` (restify's bodyParser counts the bytes), 400 for malformed JSON. A request
 * without a body passes with `req.body` undefined.
 */
export function jsonBody(logger: Logger, maxBytes: number = MAX_API_BODY_BYTES): RequestHandler[] {
  const restifyHandlers = restify.plugins.bodyParser({
    maxBodySize: maxBytes,
    mapParams: false,
    rejectUnknown: true,
  });
  return [
    requireJsonContentType(logger),
    ...restifyHandlers.map((h) => jsonShaped(h, maxBytes, logger)),
    emptyIsNoBody,
  ];
}
