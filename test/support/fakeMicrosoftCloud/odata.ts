/** OData for the fake Graph: $filter/$select, the request a route gets, replies, error bodies and paged collections. */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FakeTenant } from './tenant';
import type { FakeMicrosoftCloud } from './server';

/** One `property eq value` (or `property in (...)`) clause of a $filter. */
export interface FilterClause {
  /** May be a path: principal/id. */
  property: string;
  values: string[];
}

/**
 * Parses the $filter forms the bot sends: `a eq 'x'`, `a eq 5`/`true`/a GUID,
 * `a in ('x','y')`, joined by `and`. Returns undefined for anything else (the fake then answers
 * 400 as Graph does for an unsupported filter, so a test notices).
 */
export function parseFilter(filter: string): FilterClause[] | undefined {
  const clauses = filter.split(/\s+and\s+/i);
  const parsed: FilterClause[] = [];
  for (const clause of clauses) {
    const eq = /^\s*\(?\s*([A-Za-z0-9_/]+)\s+eq\s+(?:'((?:[^']|'')*)'|([^\s'()]+))\s*\)?\s*$/i.exec(clause);
    if (eq) {
      parsed.push({ property: eq[1], values: [eq[2] !== undefined ? eq[2].replace(/''/g, "'") : eq[3]] });
      continue;
    }
    const inList = /^\s*([A-Za-z0-9_/]+)\s+in\s+\((.*)\)\s*$/i.exec(clause);
    if (inList) {
      const values = [...inList[2].matchAll(/'((?:[^']|'')*)'|([^\s,']+)/g)].map((m) =>
        m[1] !== undefined ? m[1].replace(/''/g, "'") : m[2],
      );
      parsed.push({ property: inList[1], values });
      continue;
    }
    return undefined;
  }
  return parsed;
}

function valueAt(item: Record<string, unknown>, path: string): unknown {
  return path
    .split('/')
    .reduce<unknown>(
      (v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
      item,
    );
}

/** True when the item satisfies every clause (string comparison, case-insensitive). */
export function matchesFilter(item: Record<string, unknown>, clauses: FilterClause[]): boolean {
  return clauses.every((c) => {
    const actual = valueAt(item, c.property);
    return c.values.some((v) => String(actual).toLowerCase() === v.toLowerCase());
  });
}

export function applySelect(
  item: Record<string, unknown>,
  select: string[] | undefined,
): Record<string, unknown> {
  if (!select) return item;
  const out: Record<string, unknown> = {};
  if (item['@odata.type'] !== undefined) out['@odata.type'] = item['@odata.type'];
  for (const key of ['id', ...select]) if (key in item) out[key] = item[key];
  return out;
}

/** What a Graph route handler gets. */
export interface FakeGraphRequest {
  method: string;
  /** Decoded path without the version: /users/abc/drive */
  path: string;
  version: string;
  url: URL;
  query: URLSearchParams;
  /** Values of `{name}` segments of the route pattern. */
  params: Record<string, string>;
  /** Parsed $filter (undefined when absent). Throw-free: an unparsable filter is answered 400 before. */
  filter?: FilterClause[];
  select?: string[];
  top?: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (POST), or undefined. */
  body: unknown;
  tenant: FakeTenant;
  cloud: FakeMicrosoftCloud;
}

export interface GraphReply {
  status?: number;
  headers?: Record<string, string>;
  /** JSON-serialized unless a string. */
  body?: unknown;
  /** Answer nothing: the connection is destroyed (the client sees a reset). */
  drop?: boolean;
}

/** A route handler: return a reply, or undefined to let the next matching route answer. */
export type GraphHandler = (
  req: FakeGraphRequest,
) => GraphReply | undefined | Promise<GraphReply | undefined>;

export function reply(status: number, body?: unknown, headers?: Record<string, string>): GraphReply {
  return { status, body, headers };
}

/** Graph's error body: { error: { code, message, innerError } }. */
export function graphErrorBody(code: string, message: string): Record<string, unknown> {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString(),
        'request-id': randomUUID(),
        'client-request-id': randomUUID(),
      },
    },
  };
}

const DEFAULT_ERRORS: Record<number, [string, string]> = {
  400: ['BadRequest', 'Invalid request.'],
  401: ['InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.'],
  403: ['Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'],
  404: [
    'Request_ResourceNotFound',
    'Resource does not exist or one of its queried reference-property objects are not present.',
  ],
  429: ['TooManyRequests', 'Too many requests.'],
  500: ['InternalServerError', 'Internal server error.'],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable. Please retry after some time.'],
  504: ['GatewayTimeout', 'The gateway did not receive a response in time.'],
};

/** A Graph error reply with the usual code and message for the status. */
export function graphError(
  status: number,
  code?: string,
  message?: string,
  headers?: Record<string, string>,
): GraphReply {
  const [defaultCode, defaultMessage] = DEFAULT_ERRORS[status] ?? ['UnknownError', `Error ${status}.`];
  return reply(status, graphErrorBody(code ?? defaultCode, message ?? defaultMessage), headers);
}

/**
 * Serves `items` as a Graph collection: $filter (eq/in), $select, $count=true, and paging by
 * $top (default `pageSize`) with an @odata.nextLink carrying $skiptoken back to this server.
 */
export function collection(
  req: FakeGraphRequest,
  items: Array<Record<string, unknown>>,
  pageSize = 100,
): GraphReply {
  const filtered = req.filter ? items.filter((i) => matchesFilter(i, req.filter as FilterClause[])) : items;
  const size = req.top && req.top > 0 ? req.top : pageSize;
  const offset = Number(req.query.get('$skiptoken') ?? '0') || 0;
  const page = filtered.slice(offset, offset + size).map((i) => applySelect(i, req.select));
  const body: Record<string, unknown> = {
    '@odata.context': `${req.cloud.graphEndpoint}/${req.version}/$metadata#${req.path.split('/')[1] ?? ''}`,
  };
  if (req.query.get('$count') === 'true') body['@odata.count'] = filtered.length;
  body.value = page;
  if (offset + size < filtered.length) {
    const next = new URLSearchParams(req.query);
    next.set('$skiptoken', String(offset + size));
    body['@odata.nextLink'] = `${req.cloud.graphEndpoint}${req.url.pathname}?${next.toString()}`;
  }
  return reply(200, body);
}

/** A handler that serves `items` in pages of `pageSize` (links back to this server). */
export function pages<T extends object>(items: T[], pageSize: number): GraphHandler {
  return (req) => collection(req, items as Array<Record<string, unknown>>, pageSize);
}

/** A handler answering one object, with $select applied. */
export function item(value: Record<string, unknown>): GraphHandler {
  return (req) => reply(200, applySelect(value, req.select));
}
