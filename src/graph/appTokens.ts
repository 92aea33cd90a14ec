import type { ConfidentialClientApplication } from '@azure/msal-node';
import * as tls from 'node:tls';
import { BoundedMap } from '../util/boundedMap';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import { normalizeTenantId, pinAuthority } from './authority';
import { GraphError } from './errors';

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
      pending = this.acquire(tenant).finally(() => this.inFlight.delete(tenant));
      this.inFlight.set(tenant, pending);
    }
    return pending;
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
          // MSAL makes an https.Agent from these for each request: Node's roots plus the extra CA.
          ...(ca
            ? { customAgentOptions: { ca: [...tls.rootCertificates, ...(Array.isArray(ca) ? ca : [ca])] } }
            : {}),
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
    };
    const scrub = (text: string) =>
      this.options.clientSecret ? text.split(this.options.clientSecret).join('***') : text;
    const errorCode = e.errorCode ?? 'unknown_error';
    if (e.name === 'ServerError' || e.errorNo !== undefined) {
      const errorNo =
        e.errorNo !== undefined ? String(e.errorNo) : /AADSTS(\d+)/.exec(e.errorMessage ?? '')?.[1];
      const message = explainSignInError(errorNo, errorCode, this.options.clientId, tenant);
      this.logger.warn('graph token refused', {
        tenantId: tenant,
        errorCode,
        aadsts: errorNo,
        // "Error(s): 7000215 - Timestamp: … - Description: AADSTS7000215: Invalid client secret … - Correlation ID: …"
        detail: scrub(
          /Description: (.*?)(?: Trace ID:| - Correlation ID:|$)/s.exec(e.errorMessage ?? '')?.[1] ?? '',
        ).slice(0, 500),
      });
      return new GraphError('GRAPH_AUTH_FAILED', scrub(message), { graphCode: errorCode });
    }
    // Client-side MSAL errors: the sign-in host could not be reached or answered nonsense.
    const host = (() => {
      try {
        return new URL(this.options.authorityHost).host;
      } catch {
        return this.options.authorityHost;
      }
    })();
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
}
