/** Reading and answering the fake's HTTP requests. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphReply } from './odata';

/** Sends `answer` as JSON (or text), with a request-id as Microsoft's services do; returns the status. */
export function sendJson(res: ServerResponse, answer: GraphReply): number {
  const status = answer.status ?? 200;
  const headers: Record<string, string> = { 'request-id': randomUUID(), ...(answer.headers ?? {}) };
  if (answer.body === undefined || status === 204) {
    res.writeHead(status, headers);
    res.end();
    return status;
  }
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] =
      typeof answer.body === 'string'
        ? 'text/plain'
        : 'application/json; odata.metadata=minimal; charset=utf-8';
  }
  res.writeHead(status, headers);
  res.end(text);
  return status;
}

/** The request body as text. */
export function readRequestBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
