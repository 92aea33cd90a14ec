import type { Request, RequestHandler, Server } from 'restify';
import type { Connector } from '../connectors/connector';
import { apiActorOf } from './auth';
import { connectorView } from './connectorView';
import { API_ACTOR, type ApiDeps } from './deps';
import { ApiError } from './errors';
import { apiRoute, type ApiResult } from './handler';
import { importConnectors } from './importConnectors';
import { connectorIdOf, cursorOf, limitOf, queryOf, tenantIdOf } from './params';
import { parseImportBody, parseTransferBody } from './schemas';

/** Page size of a listing when the caller gives none, and the most it may ask for. */
const DEFAULT_PAGE = 100;
const MAX_PAGE = 500;

/** A tenant's connector, deauthorized first when it has expired; 404 when the tenant has no such id. */
async function loadConnector(deps: ApiDeps, tenantId: string, id: string): Promise<Connector> {
  const connector = await deps.connectors.load(tenantId, id, API_ACTOR);
  // Another tenant's id answers exactly like an id that never existed.
  if (!connector) throw new ApiError(404, 'NotFound', `No connector "${id}" in this tenant.`);
  return connector;
}

function viewOf(deps: ApiDeps, connector: Connector): ReturnType<typeof connectorView> {
  return connectorView(connector, deps.connectors.inactivityDays, deps.clock.now());
}

/** GET …/connectors: one page of the tenant's connectors. */
async function listConnectors(deps: ApiDeps, req: Request): Promise<ApiResult> {
  const tenantId = tenantIdOf(req);
  const query = queryOf(req);
  const limit = limitOf(query, DEFAULT_PAGE, MAX_PAGE);
  const page = await deps.connectors.listPage(tenantId, API_ACTOR, { limit, cursor: cursorOf(query) });
  return {
    status: 200,
    body: { items: page.items.map((c) => viewOf(deps, c)), next: page.next ?? null },
  };
}

/** GET …/connectors/:id */
async function getConnector(deps: ApiDeps, req: Request): Promise<ApiResult> {
  const connector = await loadConnector(deps, tenantIdOf(req), connectorIdOf(req));
  return { status: 200, body: viewOf(deps, connector) };
}

/** POST …/connectors: one connector or a list; 201 when any was created. */
async function importConnectorsRoute(deps: ApiDeps, req: Request): Promise<ApiResult> {
  const tenantId = tenantIdOf(req);
  if (req.body === undefined) {
    throw new ApiError(400, 'MissingBody', 'Send one connector or a list of connectors as JSON.');
  }
  const items = await parseImportBody(req.body);
  const results = await importConnectors(deps, tenantId, items, !Array.isArray(req.body), apiActorOf(req));
  return { status: results.some((r) => r.created) ? 201 : 200, body: { results } };
}

/** POST …/connectors/:id/transfers: a transfer at `at`, or now. */
async function recordTransfer(deps: ApiDeps, req: Request): Promise<ApiResult> {
  const tenantId = tenantIdOf(req);
  const { at } = await parseTransferBody(req.body);
  const connector = await loadConnector(deps, tenantId, connectorIdOf(req));
  const updated = await deps.connectors.recordTransfer(
    connector,
    at ? new Date(at) : deps.clock.now(),
    apiActorOf(req),
  );
  deps.logger.info('api: transfer recorded', { tenantId, connectorId: updated.id });
  return { status: 200, body: viewOf(deps, updated) };
}

/**
 * Connector routes: list (paged), get, import, record a transfer. Every connector is looked up
 * under the tenant of the path, so a tenant never reaches another's.
 */
export function registerConnectorRoutes(
  server: Server,
  deps: ApiDeps,
  auth: RequestHandler,
  body: RequestHandler[],
): void {
  const base = '/api/v1/tenants/:tid/connectors';
  const route = (handler: (deps: ApiDeps, req: Request) => Promise<ApiResult>) =>
    apiRoute(deps.logger, (req) => handler(deps, req));
  server.get(base, auth, route(listConnectors));
  server.get(`${base}/:id`, auth, route(getConnector));
  server.post(base, auth, ...body, route(importConnectorsRoute));
  server.post(`${base}/:id/transfers`, auth, ...body, route(recordTransfer));
}
