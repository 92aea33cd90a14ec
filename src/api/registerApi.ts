import type { Request, RequestHandler, Response, Server } from 'restify';
import { registerAuditRoutes } from './auditRoutes';
import { requireBearer } from './auth';
import { registerConnectorRoutes } from './connectorRoutes';
import { registerScanRoutes } from './scanRoutes';
import type { ApiDeps } from './deps';
import { ApiError, sendError } from './errors';
import { jsonBody } from './jsonBody';

export type { ApiDeps } from './deps';

const API_PATHS = ['/api/v1', '/api/v1/*'];

/** Answers every method on every /api/v1 path that no route claimed. */
function registerFallback(server: Server, handlers: RequestHandler[]): void {
  for (const path of API_PATHS) {
    server.get(path, ...handlers);
    server.head(path, ...handlers);
    server.post(path, ...handlers);
    server.put(path, ...handlers);
    server.patch(path, ...handlers);
    server.del(path, ...handlers);
    server.opts(path, ...handlers);
  }
}

function answer(err: ApiError): RequestHandler {
  return function answerApiError(_req: Request, res: Response, next) {
    sendError(res, err);
    next(false);
  };
}

/**
 * The management REST API under /api/v1 (DESIGN.md "HTTP"): Bearer API_TOKEN, JSON bodies up
 * to 1 MiB validated by schema, errors as `{error: {code, message}}`. Without API_TOKEN every
 * /api/v1 path answers 404 ApiDisabled.
 */
export function registerApi(server: Server, deps: ApiDeps): void {
  const token = deps.config.apiToken;
  if (!token) {
    registerFallback(server, [
      answer(new ApiError(404, 'ApiDisabled', 'The management API is off: set API_TOKEN to enable it.')),
    ]);
    return;
  }
  const auth = requireBearer(token, deps.logger);
  registerConnectorRoutes(server, deps, auth, jsonBody());
  registerAuditRoutes(server, deps, auth);
  registerScanRoutes(server, deps, auth);
  // Registered last, but the router prefers any concrete route over the wildcard anyway.
  registerFallback(server, [auth, answer(new ApiError(404, 'NotFound', 'No such API route.'))]);
}
