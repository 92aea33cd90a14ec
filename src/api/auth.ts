import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'restify';
import type { ActorRef } from '../connectors/lifecycle';
import type { Logger } from '../util/logger';
import { API_ACTOR } from './deps';
import { API_ROLES, EntraTokenVerifier, type TenantCaller } from './entraTokens';
import { ApiError, INTERNAL_ERROR, sendError } from './errors';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Compares a presented token with the expected one in constant time: both are hashed first so
 * that neither their contents nor their lengths change how long the comparison takes.
 */
export function tokenMatches(expected: string, presented: string): boolean {
  return timingSafeEqual(digest(expected), digest(presented));
}

/**
 * The token of an `Authorization: Bearer <token>` header, or why there is none. Any visible
 * characters are taken (not only RFC 6750 token68), since API_TOKEN may hold any of them.
 */
export function bearerToken(header: string | undefined): { token: string } | { problem: string } {
  if (header === undefined || header.trim() === '') return { problem: 'missing' };
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match ? { token: match[1] } : { problem: 'malformed' };
}

/** Who a request speaks for: the operator (API_TOKEN, every tenant) or one tenant (an Entra token). */
export type ApiCaller = { kind: 'operator' } | TenantCaller;

const callers = new WeakMap<Request, ApiCaller>();

/**
 * Who the audit log names for a change: the operator token as `api`, an Entra token as
 * `api:{oid or client app id}`, so that a tenant's own changes through the API can be told apart.
 */
export function apiActorOf(req: Request): ActorRef {
  const caller = callers.get(req);
  return caller?.kind === 'tenant' ? { id: `api:${caller.subject}` } : API_ACTOR;
}

/** What the API accepts as credentials. */
export interface ApiCredentials {
  apiToken?: string;
  entra?: EntraTokenVerifier;
}

const HOW_TO = (credentials: ApiCredentials) =>
  credentials.entra
    ? `Send "Authorization: Bearer <token>": API_TOKEN, or a Microsoft Entra ID access token for the bot's app with the ${API_ROLES.read} or ${API_ROLES.manage} app role.`
    : 'Send the API token as "Authorization: Bearer <API_TOKEN>".';

function unauthorized(problem: string, credentials: ApiCredentials): ApiError {
  // RFC 6750: no credentials gets the bare challenge, bad credentials get invalid_token.
  const challenge =
    problem === 'missing'
      ? 'Bearer realm="connector-concierge"'
      : 'Bearer realm="connector-concierge", error="invalid_token"';
  return new ApiError(401, 'Unauthorized', HOW_TO(credentials), {
    'WWW-Authenticate': challenge,
  });
}

/**
 * What a tenant's token may not do on this route: another tenant's path, a route that covers
 * every tenant (no `:tid`, e.g. POST /scan), or a change with only the read role.
 */
function tenantScopeRefusal(req: Request, caller: TenantCaller): ApiError | undefined {
  const pathTenant = req.params?.tid === undefined ? undefined : String(req.params.tid).toLowerCase();
  if (pathTenant === undefined) {
    return new ApiError(
      403,
      'OperatorOnly',
      `This route covers every tenant and takes API_TOKEN. A Microsoft Entra token reaches only /api/v1/tenants/${caller.tenantId}/….`,
    );
  }
  if (pathTenant !== caller.tenantId) {
    return new ApiError(
      403,
      'WrongTenant',
      `This token was issued by tenant ${caller.tenantId} and reaches only that tenant's paths.`,
    );
  }
  if (!caller.canWrite && req.method !== 'GET' && req.method !== 'HEAD') {
    return new ApiError(
      403,
      'ReadOnlyRole',
      `The ${API_ROLES.read} app role only reads; ${req.method} needs ${API_ROLES.manage}.`,
    );
  }
  return undefined;
}

/**
 * Lets a request through when its bearer token is API_TOKEN (every tenant) or, with `entra`, a
 * valid Entra access token whose tenant is the path's; 401 with `WWW-Authenticate: Bearer`
 * otherwise, 403 for a valid token outside its tenant or role. The log line says why, never what
 * was presented.
 */
export function requireCaller(credentials: ApiCredentials, logger: Logger): RequestHandler {
  const refuse = (req: Request, res: Response, err: ApiError, reason: string) => {
    logger.warn('api: request refused', {
      reason,
      status: err.status,
      method: req.method,
      path: req.path(),
      remote: req.socket.remoteAddress,
    });
    sendError(res, err);
  };

  const identify = async (req: Request): Promise<ApiCaller | { status: 401 | 403 | 503; reason: string }> => {
    const presented = bearerToken(req.headers.authorization);
    if ('problem' in presented) return { status: 401, reason: `${presented.problem} bearer token` };
    if (credentials.apiToken !== undefined && tokenMatches(credentials.apiToken, presented.token)) {
      return { kind: 'operator' };
    }
    if (credentials.entra && EntraTokenVerifier.looksLikeJwt(presented.token)) {
      const verified = await credentials.entra.verify(presented.token);
      return 'kind' in verified ? verified : { ...verified, reason: `Entra token: ${verified.reason}` };
    }
    return { status: 401, reason: 'wrong bearer token' };
  };

  return function requireApiCaller(req, res, next) {
    identify(req).then(
      (caller) => {
        if (!('kind' in caller)) {
          const err =
            caller.status === 401
              ? unauthorized(caller.reason.startsWith('missing') ? 'missing' : 'invalid', credentials)
              : caller.status === 503
                ? new ApiError(
                    503,
                    'AuthenticationUnavailable',
                    "The token's tenant signing keys could not be read from Microsoft Entra ID just now, so the token was not checked. Try again shortly.",
                    { 'Retry-After': '10' },
                  )
                : new ApiError(
                    403,
                    'MissingAppRole',
                    `The token carries neither the ${API_ROLES.read} nor the ${API_ROLES.manage} app role of the bot's app.`,
                  );
          refuse(req, res, err, caller.reason);
          next(false);
          return;
        }
        const outOfScope = caller.kind === 'tenant' ? tenantScopeRefusal(req, caller) : undefined;
        if (outOfScope) {
          refuse(req, res, outOfScope, outOfScope.code);
          next(false);
          return;
        }
        callers.set(req, caller);
        next();
      },
      (err: unknown) => {
        logger.error('api: authentication failed', { method: req.method, path: req.path(), error: err });
        sendError(res, INTERNAL_ERROR);
        next(false);
      },
    );
  };
}
