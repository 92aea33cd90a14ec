import type { Request, RequestHandler, Response, Server } from 'restify';
import { registerAuditRoutes } from './auditRoutes';
import { requireCaller } from './auth';
import { registerConnectorRoutes } from './connectorRoutes';
import { registerScanRoutes } from './scanRoutes';
import type { ApiDeps } from './deps';
import { ApiError, sendError } from './errors';
import { EntraTokenVerifier } from './entraTokens';
import { jsonBody } from './jsonBody';
import { httpsJson, OpenIdKeys } from './openIdKeys';

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

/** The Entra token check, when the bot has an app registration and API_ENTRA_AUTH is not off. */
function entraVerifier(deps: ApiDeps): EntraTokenVerifier | undefined {
  const { config } = deps;
  if (!config.apiEntraAuth || !config.bot.appId) return undefined;
  return new EntraTokenVerifier(
    config.bot.appId,
    new OpenIdKeys(config.authorityHost, deps.fetchJson ?? httpsJson()),
  );
}

/**
 * The management REST API under /api/v1 (DESIGN.md "HTTP"): Bearer API_TOKEN for operators (every
 * tenant), or an Entra ID access token for the bot's app (its own tenant only); JSON bodies up to
 * 1 MiB validated by schema, errors as `{error: {code, message}}`. With neither credential every
 * /api/v1 path answers 404 ApiDisabled.
 */
export function registerApi(server: Server, deps: ApiDeps): void {
  const apiToken = deps.config.apiToken;
  const entra = entraVerifier(deps);
  if (!apiToken && !entra) {
    registerFallback(server, [
      answer(new ApiError(404, 'ApiDisabled', 'The management API is off: set API_TOKEN to enable it.')),
    ]);
    return;
  }
  const auth = requireCaller({ apiToken, entra }, deps.logger);
  registerConnectorRoutes(server, deps, auth, jsonBody(deps.logger));
  registerAuditRoutes(server, deps, auth);
  registerScanRoutes(server, deps, auth);
  // Registered last, but the router prefers any concrete route over the wildcard anyway.
  registerFallback(server, [auth, answer(new ApiError(404, 'NotFound', 'No such API route.'))]);
}
