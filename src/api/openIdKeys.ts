import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import * as https from 'node:https';

/**
 * Fetches a JSON document over https; rejects on anything but 200 with JSON: with an
 * {@link AuthorityAnswer} when the server answered another status, else with the network error.
 */
export type FetchJson = (url: string) => Promise<unknown>;

/** The authority host answered, but not 200 (400 for a tenant it does not know, 5xx when down). */
export class AuthorityAnswer extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AuthorityAnswer';
  }
}

/**
 * The tenant's keys could not be read for a reason on the authority's side or on the way there
 * (a timeout, a refused connection, a 5xx): the token may well be valid, so the caller is told
 * to try again rather than that the token is invalid.
 */
export class KeysUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the signing keys could not be read: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'KeysUnavailableError';
  }
}

/** The authority answered a document the bot will not use (no issuer, keys on another host). */
class UnusableMetadata extends Error {}

/** Whether a failed look-up says nothing about the token: the authority could not answer. */
function unavailable(err: unknown): boolean {
  if (err instanceof UnusableMetadata) return false;
  return !(err instanceof AuthorityAnswer) || err.status >= 500 || err.status === 429;
}

/** Which Entra token format: v1.0 (`sts.windows.net` issuer in the global cloud) or v2.0. */
export type TokenVersion = 'v1' | 'v2';

/** A tenant's signing keys and the issuer its tokens of one version carry. */
export interface TenantKeys {
  issuer: string;
  keys: Map<string, KeyObject>;
}

const MAX_BODY = 256 * 1024;

/**
 * GETs JSON with node's https client. `ca` adds a certificate authority to trust (tests serve
 * the authority host with their own CA); nothing but https is fetched.
 */
export function httpsJson(options: { ca?: string; timeoutMs?: number } = {}): FetchJson {
  return (url) =>
    new Promise((resolve, reject) => {
      if (!url.startsWith('https://')) {
        reject(new Error(`not an https URL: ${url}`));
        return;
      }
      const request = https.get(
        url,
        { ca: options.ca, timeout: options.timeoutMs ?? 5000, headers: { accept: 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY) request.destroy(new Error(`${url} answered more than ${MAX_BODY} bytes`));
            else chunks.push(chunk);
          });
          res.on('end', () => {
            if (res.statusCode !== 200) {
              reject(new AuthorityAnswer(res.statusCode ?? 0, `${url} answered ${res.statusCode}`));
              return;
            }
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
            } catch {
              reject(new Error(`${url} did not answer JSON`));
            }
          });
          res.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error(`${url} did not answer in time`)));
      request.on('error', reject);
    });
}

interface Entry {
  fetchedAt: number;
  value: Promise<TenantKeys>;
}

/** Keys are re-read after a day (Entra rolls them over), and at most every 5 minutes on an unknown kid. */
const KEYS_TTL_MS = 24 * 60 * 60 * 1000;
const REFRESH_FLOOR_MS = 5 * 60 * 1000;
/** A failed look-up (an unknown tenant) is not retried for a minute: tids come from unchecked tokens. */
const FAILURE_TTL_MS = 60 * 1000;
/** An authority that could not answer is asked again after a few seconds, not a minute. */
const UNAVAILABLE_TTL_MS = 5 * 1000;
/** Tenants kept; the least recently used is dropped beyond this, so forged tids cannot grow memory. */
const MAX_TENANTS = 500;
/**
 * Look-ups of tenants not in the cache running at once. Tids come from unchecked tokens, so
 * without a cap anyone could make the bot open connections to the authority host at will;
 * beyond it a token is answered 503 (try again), and cached tenants are never held up.
 */
export const MAX_LOADS_IN_FLIGHT = 8;

/**
 * Each tenant's OpenID metadata and signing keys, read from the authority host
 * (`{host}/{tid}/v2.0/.well-known/openid-configuration`, or the v1.0 document for v1.0 tokens)
 * and cached. The keys document must live on the authority host itself.
 */
export class OpenIdKeys {
  private readonly cache = new Map<string, Entry>();
  private loadsInFlight = 0;

  constructor(
    private readonly authorityHost: string,
    private readonly fetchJson: FetchJson,
    private readonly now: () => number = Date.now,
  ) {}

  /** The tenant's keys; `refresh` asks again when a token names a kid not seen yet. */
  async keys(tenantId: string, version: TokenVersion, refresh = false): Promise<TenantKeys> {
    const cacheKey = `${tenantId}/${version}`;
    const cached = this.cache.get(cacheKey);
    const age = cached ? this.now() - cached.fetchedAt : Infinity;
    if (cached && age < KEYS_TTL_MS && !(refresh && age >= REFRESH_FLOOR_MS)) {
      // Used again: moved to the end, so a flood of forged tids evicts them, not the tenants in use.
      this.cache.delete(cacheKey);
      this.cache.set(cacheKey, cached);
      return cached.value;
    }
    if (this.loadsInFlight >= MAX_LOADS_IN_FLIGHT) {
      throw new KeysUnavailableError(new Error('too many tenants’ keys are being read at once'));
    }
    this.loadsInFlight += 1;
    const value = this.load(tenantId, version)
      .catch((err: unknown) => {
        throw unavailable(err) ? new KeysUnavailableError(err) : err;
      })
      .finally(() => {
        this.loadsInFlight -= 1;
      });
    const entry = { fetchedAt: this.now(), value };
    this.cache.delete(cacheKey);
    this.cache.set(cacheKey, entry);
    if (this.cache.size > MAX_TENANTS) this.cache.delete(this.cache.keys().next().value as string);
    value.catch((err: unknown) => {
      // Remembered for a minute only (a few seconds when the authority could not answer).
      const ttl = err instanceof KeysUnavailableError ? UNAVAILABLE_TTL_MS : FAILURE_TTL_MS;
      entry.fetchedAt = this.now() - KEYS_TTL_MS + ttl;
    });
    return value;
  }

  private async load(tenantId: string, version: TokenVersion): Promise<TenantKeys> {
    const base = this.authorityHost.replace(/\/+$/, '');
    const metadataUrl =
      version === 'v2'
        ? `${base}/${tenantId}/v2.0/.well-known/openid-configuration`
        : `${base}/${tenantId}/.well-known/openid-configuration`;
    const metadata = (await this.fetchJson(metadataUrl)) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof metadata?.issuer !== 'string' || typeof metadata.jwks_uri !== 'string') {
      throw new UnusableMetadata(`${metadataUrl} has no issuer or jwks_uri`);
    }
    if (new URL(metadata.jwks_uri).origin !== new URL(base).origin) {
      throw new UnusableMetadata(`${metadataUrl} names keys on another host: ${metadata.jwks_uri}`);
    }
    const issuer = metadata.issuer.replace('{tenantid}', tenantId);
    const jwks = (await this.fetchJson(metadata.jwks_uri)) as { keys?: unknown };
    const keys = new Map<string, KeyObject>();
    for (const jwk of Array.isArray(jwks?.keys) ? (jwks.keys as JsonWebKey[]) : []) {
      if (jwk.kty !== 'RSA' || typeof jwk.kid !== 'string' || (jwk.use && jwk.use !== 'sig')) continue;
      try {
        keys.set(jwk.kid, createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' }));
      } catch {
        // A key this runtime cannot read signs nothing we accept.
      }
    }
    return { issuer, keys };
  }
}
