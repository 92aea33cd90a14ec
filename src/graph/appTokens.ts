import type { ConfidentialClientApplication } from '@azure/msal-node';
import * as tls from 'node:tls';
import { BoundedMap } from '../util/boundedMap';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import { normalizeTenantId, pinAuthority } from './authority';
import { GraphError } from './errors';
import { TokenHttpClient } from './tokenHttp';

/** Tokens are reused until this long before they expire. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;

export interface AppTokenOptions {
  clientId: string;
  clientSecret: string;
  /** e.g. https://login.microsoftonline.com (no tenant). */
  authorityHost: string;
  /** e.g. https://graph.microsoft.com: the token's audience, scope `${graphEndpoint}/.default`. */
  graphEndpoint: string;
  logger: Logger;
  clock: Clock;
  /** Extra CA certificate(s) to trust for the sign-in host, besides Node's roots (tests). */
  ca?: string | Buffer | Array<string | Buffer>;
  /**
   * How long one token request may take before it is given up as GRAPH_UNAVAILABLE (default
   * {@link TOKEN_TIMEOUT_MS}); a later call then asks again.
   */
  timeoutMs?: number;
}

/** Default deadline of a token request. */
export const TOKEN_TIMEOUT_MS = 30_000;

/** Sign-in error codes that mean the service is down or busy, not that the app is misconfigured. */
const TRANSIENT_SIGN_IN_CODES = new Set(['server_error', 'temporarily_unavailable']);

/** A 429 or 5xx the sign-in service answered for a tenant: MSAL refuses later calls until `until`. */
interface SignInOutage {
  code: 'GRAPH_THROTTLED' | 'GRAPH_UNAVAILABLE';
  until: number;
  retryAfterMs?: number;
}

interface CachedToken {
  accessToken: string;
  /** Reuse until (expiresOn - margin). */
  refreshAt: number;
}

/** Sign-in errors (AADSTS numbers) that mean the app's settings are wrong, and what to check. */
function explainSignInError(
  errorNo: string | undefined,
  errorCode: string,
  clientId: string,
  tenant: string,
): string {
  switch (errorNo) {
    case '7000215':
      return `Microsoft sign-in refused the client secret of app ${clientId} (AADSTS7000215 invalid_client). Check GRAPH_CLIENT_SECRET (or MicrosoftAppPassword when it is unset): it must be the secret's Value, not its Secret ID.`;
    case '7000222':
      return `The client secret of app ${clientId} has expired (AADSTS7000222). Create a new secret for the app registration and set GRAPH_CLIENT_SECRET (or MicrosoftAppPassword).`;
    case '700016':
      return `App ${clientId} was not found in tenant ${tenant} (AADSTS700016). Check GRAPH_CLIENT_ID (or MicrosoftAppId), and that the app is multi-tenant and an administrator of that tenant has consented to it.`;
    case '90002':
    case '900023':
      return `Tenant ${tenant} was not found by the sign-in service (AADSTS${errorNo}). Check the tenant id, and CLOUD or AZURE_AUTHORITY_HOST for national clouds.`;
    case '7000112':
      return `App ${clientId} is disabled in tenant ${tenant} (AADSTS7000112). An administrator of that tenant must enable it.`;
    case '500011':
      return `The Microsoft Graph resource was not found in tenant ${tenant} (AADSTS500011). Check GRAPH_ENDPOINT and CLOUD.`;
  }
  if (errorCode === 'invalid_client' || errorCode === 'unauthorized_client') {
    return `Microsoft sign-in refused app ${clientId} (${errorNo ? `AADSTS${errorNo} ` : ''}${errorCode}). Check GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET (or MicrosoftAppId and MicrosoftAppPassword).`;
  }
  return `Microsoft sign-in did not issue a token for app ${clientId} in tenant ${tenant} (${errorNo ? `AADSTS${errorNo} ` : ''}${errorCode}). Check GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET and AZURE_AUTHORITY_HOST.`;
}

/** Tenants whose MSAL client and token are kept; the least recently used beyond it are dropped. */
export const MAX_TENANTS_CACHED = 1_000;

/**
 * App-only tokens for Microsoft Graph, one MSAL ConfidentialClientApplication per tenant
 * (client credentials). Tokens are kept per tenant until five minutes before they expire, by the
 * injected clock; concurrent callers share one request to the token endpoint.
 */
export class AppTokenProvider {
  // Per tenant, bounded: a bot in many tenants keeps the most recently used ones.
  private readonly apps = new BoundedMap<string, ConfidentialClientApplication>(MAX_TENANTS_CACHED);
  private readonly cache = new BoundedMap<string, CachedToken>(MAX_TENANTS_CACHED);
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly networks = new BoundedMap<string, TokenHttpClient>(MAX_TENANTS_CACHED);
  private readonly outages = new BoundedMap<string, SignInOutage>(MAX_TENANTS_CACHED);
  private readonly scope: string;
  private readonly logger: Logger;

  constructor(private readonly options: AppTokenOptions) {
    this.scope = `${options.graphEndpoint.replace(/\/+$/, '')}/.default`;
    this.logger = options.logger;
  }

  /** A bearer token for Microsoft Graph in `tenantId`. */
  async getToken(tenantId: string): Promise<string> {
    const tenant = normalizeTenantId(tenantId);
    const cached = this.cache.get(tenant);
    if (cached && this.options.clock.now().getTime() < cached.refreshAt) return cached.accessToken;
    let pending = this.inFlight.get(tenant);
    if (!pending) {
      const shared: Promise<string> = this.withDeadline(this.acquire(tenant), tenant).finally(() => {
        if (this.inFlight.get(tenant) === shared) this.inFlight.delete(tenant);
      });
      pending = shared;
      this.inFlight.set(tenant, pending);
    }
    return pending;
  }

  /**
   * The token request, or GRAPH_UNAVAILABLE once the deadline passes: the callers sharing it are
   * released and the next call asks again (a late answer still fills the cache).
   */
  private withDeadline(request: Promise<string>, tenant: string): Promise<string> {
    const timeoutMs = this.options.timeoutMs ?? TOKEN_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.logger.warn('graph token request timed out', { tenantId: tenant, timeoutMs });
        reject(
          new GraphError(
            'GRAPH_UNAVAILABLE',
            `Microsoft Entra sign-in at ${this.authorityHostName()} did not answer the token request for tenant ${tenant} within ${Math.round(timeoutMs / 1000)} s. Try again in a few minutes.`,
            { graphCode: 'timeout' },
          ),
        );
      }, timeoutMs);
      timer.unref?.();
    });
    // A request that fails after the deadline has nobody waiting: its rejection is handled here.
    request.catch(() => undefined);
    return Promise.race([request, deadline]).finally(() => clearTimeout(timer));
  }

  private authorityHostName(): string {
    try {
      return new URL(this.options.authorityHost).host;
    } catch {
      return this.options.authorityHost;
    }
  }

  /** Forgets the tenant's token (Graph refused it): the next call gets a new one. */
  invalidate(tenantId: string): void {
    this.cache.delete(normalizeTenantId(tenantId));
  }

  private async app(tenant: string): Promise<ConfidentialClientApplication> {
    let app = this.apps.get(tenant);
    if (!app) {
      // MSAL is loaded by the first token request, not at start-up.
      const { ConfidentialClientApplication, LogLevel: MsalLogLevel } = await import('@azure/msal-node');
      const pinned = pinAuthority(this.options.authorityHost, tenant);
      const logger = this.logger;
      const ca = this.options.ca;
      // MSAL's own network client sets no timeout on the token POST: ours does, and keeps Retry-After.
      const network = new TokenHttpClient(
        ca ? { ca: [...tls.rootCertificates, ...(Array.isArray(ca) ? ca : [ca])] } : {},
        this.options.timeoutMs ?? TOKEN_TIMEOUT_MS,
        this.options.clock,
      );
      this.networks.set(tenant, network);
      app = new ConfidentialClientApplication({
        auth: {
          clientId: this.options.clientId,
          clientSecret: this.options.clientSecret,
          authority: pinned.authority,
          knownAuthorities: pinned.knownAuthorities,
          cloudDiscoveryMetadata: pinned.cloudDiscoveryMetadata,
          authorityMetadata: pinned.authorityMetadata,
        },
        system: {
          networkClient: network,
          loggerOptions: {
            piiLoggingEnabled: false,
            logLevel: MsalLogLevel.Warning,
            loggerCallback: (level, message) => {
              if (level === MsalLogLevel.Error) logger.warn('msal', { msal: message });
              else if (level === MsalLogLevel.Warning) logger.debug('msal', { msal: message });
            },
          },
        },
      });
      this.apps.set(tenant, app);
    }
    return app;
  }

  private async acquire(tenant: string): Promise<string> {
    const started = this.options.clock.now().getTime();
    let result;
    try {
      // Our cache decides when to refresh (by the injected clock), so MSAL's is bypassed.
      result = await (
        await this.app(tenant)
      ).acquireTokenByClientCredential({
        scopes: [this.scope],
        skipCache: true,
      });
    } catch (err) {
      throw this.toGraphError(err, tenant);
    }
    if (!result?.accessToken) {
      throw new GraphError('GRAPH_AUTH_FAILED', `Microsoft sign-in returned no token for tenant ${tenant}.`);
    }
    const expiresOn = result.expiresOn?.getTime() ?? started + 60 * 60 * 1000;
    // Lifetime as issued, measured on the injected clock (MSAL computes expiresOn with Date.now()).
    const lifetime = Math.max(0, expiresOn - Date.now());
    this.cache.set(tenant, {
      accessToken: result.accessToken,
      // Five minutes early; a token issued for less than ten minutes is reused for half its life.
      refreshAt: started + lifetime - Math.min(TOKEN_REFRESH_MARGIN_MS, lifetime / 2),
    });
    this.logger.debug('graph token acquired', {
      tenantId: tenant,
      expiresInSeconds: Math.round(lifetime / 1000),
    });
    return result.accessToken;
  }

  private toGraphError(err: unknown, tenant: string): GraphError {
    const e = (err ?? {}) as {
      errorCode?: string;
      errorNo?: string | number;
      errorMessage?: string;
      name?: string;
      message?: string;
      status?: number;
    };
    const scrub = (text: string) =>
      this.options.clientSecret ? text.split(this.options.clientSecret).join('***') : text;
    const host = this.authorityHostName();
    if (e.name === 'ServerError' || e.errorNo !== undefined) {
      const errorCode = e.errorCode || '';
      const errorNo =
        e.errorNo !== undefined ? String(e.errorNo) : /AADSTS(\d+)/.exec(e.errorMessage ?? '')?.[1];
      const status = typeof e.status === 'number' ? e.status : undefined;
      // "Error(s): 7000215 - Timestamp: … - Description: AADSTS7000215: Invalid client secret … - Correlation ID: …"
      const detail = scrub(
        /Description: (.*?)(?: Trace ID:| - Correlation ID:|$)/s.exec(e.errorMessage ?? '')?.[1] ?? '',
      ).slice(0, 500);
      const outage = this.outageOf(tenant, status, errorCode);
      if (outage) {
        this.logger.warn('graph token request failed: sign-in service unavailable', {
          tenantId: tenant,
          status,
          errorCode: errorCode || undefined,
          aadsts: errorNo,
          code: outage.code,
          retryAfterMs: outage.retryAfterMs,
          detail,
        });
        const said = status !== undefined ? `${status}` : errorCode || 'no error code';
        return outage.code === 'GRAPH_THROTTLED'
          ? new GraphError(
              'GRAPH_THROTTLED',
              `Microsoft Entra sign-in at ${host} is throttling the bot’s token requests for tenant ${tenant} (${said})${outage.retryAfterMs !== undefined ? `; it asks to wait ${Math.ceil(outage.retryAfterMs / 1000)} s` : ''}. Try again in a few minutes.`,
              { graphCode: errorCode || undefined, status, retryAfterMs: outage.retryAfterMs },
            )
          : new GraphError(
              'GRAPH_UNAVAILABLE',
              `Microsoft Entra sign-in at ${host} is unavailable for tenant ${tenant} (${said}): no token was issued. Try again in a few minutes.`,
              { graphCode: errorCode || undefined, status, retryAfterMs: outage.retryAfterMs },
            );
      }
      const message = explainSignInError(errorNo, errorCode, this.options.clientId, tenant);
      this.logger.warn('graph token refused', {
        tenantId: tenant,
        status,
        errorCode,
        aadsts: errorNo,
        detail,
      });
      return new GraphError('GRAPH_AUTH_FAILED', scrub(message), { graphCode: errorCode, status });
    }
    const errorCode = e.errorCode ?? 'unknown_error';
    // Client-side MSAL errors: the sign-in host could not be reached or answered nonsense.
    const detail = scrub(e.errorMessage || e.message || String(err))
      .split('\n')[0]
      .slice(0, 300);
    this.logger.warn('graph token request failed', { tenantId: tenant, errorCode, detail });
    if (
      errorCode === 'network_error' ||
      /ECONN|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|socket|certificate/i.test(detail)
    ) {
      return new GraphError(
        'GRAPH_UNAVAILABLE',
        `Could not reach the Microsoft sign-in service at ${host} for tenant ${tenant} (${errorCode}: refused or timed-out connection, unknown host, or an untrusted TLS certificate). Check network access and AZURE_AUTHORITY_HOST.`,
        { graphCode: errorCode },
      );
    }
    return new GraphError(
      'GRAPH_AUTH_FAILED',
      `Microsoft sign-in at ${host} did not issue a token for tenant ${tenant} (${errorCode}). Check GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET and AZURE_AUTHORITY_HOST.`,
      { graphCode: errorCode },
    );
  }

  /**
   * Whether a sign-in refusal is the service being busy or down rather than the app's settings:
   * 429 (throttled), 5xx, server_error, temporarily_unavailable, or no error code at all. MSAL
   * also refuses calls itself for a while after a 429 or 5xx (its throttling cache), with no
   * status: such a refusal is reported as the outage it follows.
   */
  private outageOf(tenant: string, status: number | undefined, errorCode: string): SignInOutage | undefined {
    // The wall clock, not the injected one: this mirrors MSAL's own throttle cache, which runs on it.
    const now = Date.now();
    const network = this.networks.get(tenant);
    if (status === 429 || (status !== undefined && status >= 500)) {
      const retryAfterMs = network?.lastRetryAfterMs;
      const outage: SignInOutage = {
        code: status === 429 ? 'GRAPH_THROTTLED' : 'GRAPH_UNAVAILABLE',
        // MSAL blocks for Retry-After, else 60 s, at most an hour.
        until: now + Math.min(retryAfterMs ?? 60_000, 3_600_000),
        retryAfterMs,
      };
      this.outages.set(tenant, outage);
      return outage;
    }
    const earlier = this.outages.get(tenant);
    if (status === undefined && earlier && now <= earlier.until) {
      return { ...earlier, retryAfterMs: Math.max(0, earlier.until - now) };
    }
    if (TRANSIENT_SIGN_IN_CODES.has(errorCode) || errorCode === '' || /^[\d\s]+$/.test(errorCode)) {
      return { code: 'GRAPH_UNAVAILABLE', until: now };
    }
    return undefined;
  }
}
