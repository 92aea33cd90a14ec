/** A Graph request to the fake: bearer check (per-tenant data), $filter parsing, routing, and JSON `$batch`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudContext } from './context';
import type { RecordedGraphRequest } from './graph';
import { readRequestBody, sendJson } from './http';
import { graphError, parseFilter, reply, type FakeGraphRequest, type GraphReply } from './odata';

/** The decoded path of a Graph URL without its version (`/users/abc/drive`); an undecodable segment stays as sent. */
function graphPathOf(url: URL, version: string): string {
  return (
    url.pathname
      .slice(version.length + 1)
      .split('/')
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      })
      .join('/') || '/'
  );
}

/** Serves one Graph request for the tenant its token was issued for; resolves with the status sent. */
export async function graphRequest(
  ctx: CloudContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  version: string,
): Promise<number> {
  const rawBody = await readRequestBody(req);
  let body: unknown;
  try {
    body = rawBody ? JSON.parse(rawBody) : undefined;
  } catch {
    body = rawBody;
  }
  const graphPath = graphPathOf(url, version);
  const authorization = req.headers.authorization;
  const record: RecordedGraphRequest = {
    at: new Date(),
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    path: url.pathname,
    host: req.headers.host,
    authorization,
    kind: 'graph',
    version,
    graphPath,
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    body,
  };
  if (ctx.graph.recording) ctx.graph.requests.push(record);
  ctx.graph.served.requests += 1;

  const bearer = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
  if (!bearer) {
    return (record.status = sendJson(
      res,
      graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.'),
    ));
  }
  const issued = ctx.login.tokens.get(bearer);
  const tenant = issued && issued.audience === ctx.base ? ctx.tenants.get(issued.tenantId) : undefined;
  if (!tenant) {
    return (record.status = sendJson(
      res,
      graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.'),
    ));
  }
  record.tenantId = tenant.id;
  const filterText = url.searchParams.get('$filter');
  const filter = filterText === null ? undefined : parseFilter(filterText);
  if (filterText !== null && !filter) {
    return (record.status = sendJson(
      res,
      graphError(
        400,
        'BadRequest',
        `Invalid filter clause: the fake Microsoft Graph does not understand "${filterText}"; extend parseFilter.`,
      ),
    ));
  }
  const top = url.searchParams.get('$top');
  const select = url.searchParams.get('$select');
  const request: FakeGraphRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    path: graphPath,
    version,
    url,
    query: url.searchParams,
    params: {},
    filter,
    select: select ? select.split(',').map((s) => s.trim()) : undefined,
    top: top !== null ? Number(top) : undefined,
    headers: req.headers,
    body,
    tenant,
    cloud: ctx.cloud(),
  };
  const answer =
    request.method === 'POST' && graphPath === '/$batch'
      ? await batch(ctx, request, record)
      : await ctx.graph.handle(request);
  if (answer.drop) {
    req.socket.destroy();
    return (record.status = 0);
  }
  return (record.status = sendJson(res, answer));
}

/**
 * JSON `$batch`: at most 20 requests, each served as if sent alone (same routes, failures and
 * permissions), answered together with their own status and headers; with throttling on, some
 * answer 429 with Retry-After inside a 200 batch, as Graph does.
 */
async function batch(
  ctx: CloudContext,
  outer: FakeGraphRequest,
  record: RecordedGraphRequest,
): Promise<GraphReply> {
  const failed = ctx.graph.failureFor(outer);
  if (failed) return failed;
  const requests = (outer.body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests) || requests.length === 0 || requests.length > 20) {
    return graphError(400, 'BadRequest', 'A $batch holds between 1 and 20 requests.');
  }
  ctx.graph.served.batches += 1;
  const responses = [];
  for (const sub of requests as Array<{ id?: unknown; method?: unknown; url?: unknown; body?: unknown }>) {
    const id = String(sub.id ?? '');
    const method = String(sub.method ?? 'GET').toUpperCase();
    const relative = String(sub.url ?? '');
    ctx.graph.served.batchedRequests += 1;
    const url = new URL(
      `${outer.url.origin}/${outer.version}${relative.startsWith('/') ? '' : '/'}${relative}`,
    );
    const path = graphPathOf(url, outer.version);
    if (ctx.graph.recording) {
      ctx.graph.requests.push({
        ...record,
        method,
        url: url.pathname + url.search,
        path: url.pathname,
        graphPath: path,
        query: Object.fromEntries(url.searchParams),
        body: sub.body,
        batchId: id,
      });
    }
    const throttle = ctx.graph.throttleInBatch(relative);
    if (throttle) {
      const answer = graphError(429, undefined, undefined, {
        'Retry-After': String(throttle.retryAfterSeconds),
      });
      responses.push({ id, status: 429, headers: answer.headers, body: answer.body });
      continue;
    }
    const filterText = url.searchParams.get('$filter');
    const select = url.searchParams.get('$select');
    const top = url.searchParams.get('$top');
    const answer = await ctx.graph.handle({
      ...outer,
      method,
      path,
      url,
      query: url.searchParams,
      params: {},
      filter: filterText === null ? undefined : parseFilter(filterText),
      select: select ? select.split(',').map((s) => s.trim()) : undefined,
      top: top !== null ? Number(top) : undefined,
      body: sub.body,
    });
    responses.push({ id, status: answer.status ?? 200, headers: answer.headers ?? {}, body: answer.body });
  }
  return reply(200, { responses });
}
