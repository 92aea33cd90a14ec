import type { RequestHandler, Server } from 'restify';
import type { ApiDeps } from './deps';
import { ApiError } from './errors';
import { apiRoute } from './handler';
import { limitOf, queryOf, tenantIdOf } from './params';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

/** `GET /api/v1/tenants/:tid/audit?connectorId=&limit=`: the tenant's audit events, newest first. */
export function registerAuditRoutes(server: Server, deps: ApiDeps, auth: RequestHandler): void {
  server.get(
    '/api/v1/tenants/:tid/audit',
    auth,
    apiRoute(deps.logger, async (req) => {
      const tenantId = tenantIdOf(req);
      const query = queryOf(req);
      const limit = limitOf(query, DEFAULT_LIMIT, MAX_LIMIT);
      const connectorId = query.get('connectorId') ?? undefined;
      if (connectorId !== undefined && (connectorId === '' || connectorId.length > 200)) {
        throw new ApiError(400, 'InvalidQuery', 'connectorId must be a connector id (1 to 200 characters).');
      }
      // Events of a deleted connector stay listed: the log outlives what it describes.
      const items = await deps.audit.list(tenantId, { connectorId, limit });
      return { status: 200, body: { items } };
    }),
  );
}
