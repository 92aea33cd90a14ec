import type { Request, RequestHandler, Response, Next } from 'restify';

/** Set by restify's body reader on a request whose body it has read, and honoured by it. */
interface ReadMark {
  _readBody?: boolean;
}

/**
 * Reads a JSON activity's body as UTF-8 text for restify's body parser, which then parses and
 * checks it as before. restify's own reader starts every body with the deprecated `new Buffer(0)`,
 * and Node looks at the caller's stack on each of the first 10 000 such calls to decide whether
 * to warn: a stack trace per request. Only plain bodies of a stated length within `maxBytes` are
 * read here; a compressed, checksummed, chunked or oversized body, or another media type, is left
 * to restify's reader and gets its answers (415, 400, 413) unchanged.
 */
export function readActivityBody(maxBytes: number): RequestHandler {
  return function readActivityBodyHandler(req: Request, res: Response, next: Next): void {
    const length = Number(req.headers['content-length']);
    const plain =
      !(req as ReadMark)._readBody &&
      req.headers['content-encoding'] === undefined &&
      req.headers['content-md5'] === undefined &&
      req.contentType() === 'application/json' &&
      Number.isInteger(length) &&
      length > 0 &&
      length <= maxBytes;
    if (!plain) {
      next();
      return;
    }
    readBody(req, res, next);
  };
}

function readBody(req: Request, res: Response, next: Next): void {
  const chunks: Buffer[] = [];
  let finished = false;
  // Like restify's reader: one answer, and a request ended early stops here (its client is gone).
  const finish = (outcome?: Error | false) => {
    if (finished) return;
    finished = true;
    if (outcome === undefined) {
      (req as ReadMark)._readBody = true;
      req.body = Buffer.concat(chunks).toString('utf8');
    }
    next(outcome);
  };
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.once('end', () => finish());
  req.once('error', (err: Error) => finish(err));
  req.once('aborted', () => finish(false));
  res.once('close', () => finish(false));
  req.resume();
}
