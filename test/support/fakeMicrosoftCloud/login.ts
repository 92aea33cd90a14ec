/** The fake sign-in service: client-credentials tokens (with AADSTS errors) and tenants' OpenID metadata. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { reply, type GraphReply } from './odata';
import type { CloudContext } from './context';
import { readRequestBody, sendJson } from './http';

export interface TokenCall {
  at: Date;
  /** The tenant segment of the URL as sent (GUID or domain). */
  tenant: string;
  grantType?: string;
  clientId?: string;
  scope?: string;
  status: number;
  /** AADSTS number when refused. */
  error?: string;
  accessToken?: string;
}

/** The fake sign-in service: apps, tokens, records. */
export class FakeLogin {
  /** Token requests, in order. */
  readonly calls: TokenCall[] = [];
  /** Lifetime of issued tokens, seconds. */
  expiresIn = 3599;
  /** client id → secret. */
  readonly apps = new Map<string, string>();
  /** Issued tokens → tenant id, client id and audience. */
  readonly tokens = new Map<string, { tenantId: string; clientId: string; audience?: string }>();
  /**
   * Resources besides this fake's Graph that tokens are issued for (scope `<resource>/.default`,
   * audience `<resource>`), e.g. https://storage.azure.com or https://vault.azure.net.
   */
  readonly resources = new Set<string>();
  /** Claims that replace the issued tokens' own (e.g. another `iss`, for a token a service refuses). */
  claims: Record<string, unknown> = {};
  private readonly failures: GraphReply[] = [];
  private stalls = 0;
  /** While set, every tenant's OpenID metadata and keys answer 503 (an Entra outage). */
  openIdDown = false;

  /** The next token request is answered with this (e.g. a 503), before any check. */
  failNext(answer: GraphReply): void {
    this.failures.push(answer);
  }

  /** The next `count` token requests are read and recorded, and never answered (a stuck sign-in host). */
  stallNext(count = 1): void {
    this.stalls += count;
  }

  /** Every issued token stops working (Graph answers 401). */
  revokeAll(): void {
    this.tokens.clear();
  }

  /** Forgets calls, pending failures and issued tokens (apps and `expiresIn` stay). */
  reset(): void {
    this.calls.length = 0;
    this.failures.length = 0;
    this.stalls = 0;
    this.tokens.clear();
    this.openIdDown = false;
  }

  /** Token requests that got a token. */
  get issued(): TokenCall[] {
    return this.calls.filter((c) => c.status === 200);
  }

  /** @internal */
  takeFailure(): GraphReply | undefined {
    return this.failures.shift();
  }

  /** @internal true when this request is to be left unanswered (used up). */
  takeStall(): boolean {
    if (this.stalls <= 0) return false;
    this.stalls--;
    return true;
  }
}

function fakeJwt(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ typ: 'JWT', alg: 'RS256', kid: 'fake' })}.${part(claims)}.${randomBytes(32).toString('base64url')}`;
}

function aadError(status: number, error: string, aadsts: number, description: string): GraphReply {
  return reply(status, {
    error,
    error_description: `AADSTS${aadsts}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
    error_codes: [aadsts],
    timestamp: new Date().toISOString(),
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  });
}

/** A tenant's OpenID metadata (v1.0 or v2.0) or its keys, as Entra's discovery endpoints serve them. */
export function openId(ctx: CloudContext, tenantSegment: string, v2: boolean, keys: boolean): GraphReply {
  const tenant = ctx.findTenant(tenantSegment);
  if (!tenant) {
    return aadError(
      400,
      'invalid_tenant',
      90002,
      `Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );
  }
  if (keys) return reply(200, { keys: [ctx.signingJwk] });
  const root = `${ctx.base}/${tenant.id}`;
  return reply(200, {
    token_endpoint: `${root}/oauth2${v2 ? '/v2.0' : ''}/token`,
    // MSAL (@azure/identity with instance discovery off) refuses metadata without it.
    authorization_endpoint: `${root}/oauth2${v2 ? '/v2.0' : ''}/authorize`,
    jwks_uri: `${root}/discovery${v2 ? '/v2.0' : ''}/keys`,
    issuer: ctx.issuerOf(tenant.id, v2),
    id_token_signing_alg_values_supported: ['RS256'],
    tenant_region_scope: 'WW',
  });
}

/** `POST /{tenant}/oauth2/v2.0/token` (client credentials), answered and recorded as Entra ID does. */
export async function token(
  ctx: CloudContext,
  req: IncomingMessage,
  res: ServerResponse,
  tenantSegment: string,
): Promise<number> {
  const form = new URLSearchParams(await readRequestBody(req));
  const call: TokenCall = {
    at: new Date(),
    tenant: tenantSegment,
    grantType: form.get('grant_type') ?? undefined,
    clientId: form.get('client_id') ?? undefined,
    scope: form.get('scope') ?? undefined,
    status: 0,
  };
  ctx.login.calls.push(call);
  // Left open: the server's stop() (closeAllConnections) ends it.
  if (ctx.login.takeStall()) return new Promise<number>(() => undefined);
  const answer = ((): GraphReply => {
    const failure = ctx.login.takeFailure();
    if (failure) return failure;
    const tenant = ctx.findTenant(tenantSegment);
    if (!tenant) {
      return aadError(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    }
    if (call.grantType !== 'client_credentials') {
      return aadError(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${call.grantType}'.`,
      );
    }
    const id = (call.clientId ?? '').toLowerCase();
    if (!ctx.login.apps.has(id)) {
      return aadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${call.clientId}' was not found in the directory '${tenant.displayName}'.`,
      );
    }
    if (form.get('client_secret') !== ctx.login.apps.get(id)) {
      return aadError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${call.clientId}'.`,
      );
    }
    const scopes = (call.scope ?? '').split(/\s+/);
    const audience = [ctx.base, ...ctx.login.resources].find((r) => scopes.includes(`${r}/.default`));
    if (audience === undefined) {
      return aadError(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${scopes.join(' ')} was not found in the tenant named ${tenant.displayName}.`,
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const accessToken = fakeJwt({
      aud: audience,
      iss: `https://sts.windows.net/${tenant.id}/`,
      iat: now,
      nbf: now,
      exp: now + ctx.login.expiresIn,
      appid: id,
      idtyp: 'app',
      roles: [...tenant.appPermissions],
      tid: tenant.id,
      jti: randomUUID(),
      ...ctx.login.claims,
    });
    ctx.login.tokens.set(accessToken, { tenantId: tenant.id, clientId: id, audience });
    call.accessToken = accessToken;
    return reply(200, {
      token_type: 'Bearer',
      expires_in: ctx.login.expiresIn,
      ext_expires_in: ctx.login.expiresIn,
      access_token: accessToken,
    });
  })();
  const body = answer.body as { error_codes?: number[] } | undefined;
  call.error = body?.error_codes?.[0] !== undefined ? String(body.error_codes[0]) : undefined;
  call.status = sendJson(res, {
    ...answer,
    headers: { 'content-type': 'application/json; charset=utf-8', ...answer.headers },
  });
  return call.status;
}
