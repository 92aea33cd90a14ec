import jwt from 'jsonwebtoken';
import { GUID } from '../util/ids';
import { KeysUnavailableError, type OpenIdKeys, type TokenVersion } from './openIdKeys';

/** App roles to define in the bot's app registration (README "Management API"). */
export const API_ROLES = { manage: 'Connectors.Manage', read: 'Connectors.Read' } as const;

/** Who an accepted Entra token speaks for: one tenant, reading only or managing. */
export interface TenantCaller {
  kind: 'tenant';
  tenantId: string;
  canWrite: boolean;
  /** The user (`oid`) or client application (`azp`/`appid`) the token was issued to. */
  subject: string;
}

/**
 * Why a token was not accepted; `status` 401 for an invalid token, 403 for a valid one without a
 * role, 503 when its tenant's keys could not be read (the token was not judged).
 */
export interface TokenRefusal {
  status: 401 | 403 | 503;
  reason: string;
}

/** Clock skew allowed on exp and nbf, as Entra's own libraries allow. */
const CLOCK_TOLERANCE_SECONDS = 300;

/**
 * Validates Microsoft Entra ID access tokens issued for the bot's app registration: RS256
 * signature with a key of the issuing tenant (its OpenID metadata on the authority host), the
 * issuer of that tenant, audience `api://{appId}` or the app id, exp and nbf, and an app role.
 */
export class EntraTokenVerifier {
  private readonly audiences: [string, ...string[]];

  constructor(
    appId: string,
    private readonly keys: OpenIdKeys,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.audiences = [`api://${appId}`, appId];
  }

  /** True when the bearer value has the shape of a JWT, so that it is worth verifying. */
  static looksLikeJwt(token: string): boolean {
    return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
  }

  async verify(token: string): Promise<TenantCaller | TokenRefusal> {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') return refuse('not a JWT');
    const { header, payload } = decoded;
    if (header.alg !== 'RS256') return refuse(`signature algorithm ${String(header.alg)}`);
    if (typeof header.kid !== 'string') return refuse('no key id');
    const tid = typeof payload.tid === 'string' ? payload.tid.toLowerCase() : '';
    if (!GUID.test(tid)) return refuse('no tenant id');
    const version: TokenVersion = payload.ver === '2.0' ? 'v2' : 'v1';

    let tenant;
    try {
      tenant = await this.keys.keys(tid, version);
      if (!tenant.keys.has(header.kid)) tenant = await this.keys.keys(tid, version, true);
    } catch (err) {
      if (err instanceof KeysUnavailableError) return { status: 503, reason: `the tenant's ${err.message}` };
      return refuse(`the tenant's signing keys could not be read: ${(err as Error).message}`);
    }
    const key = tenant.keys.get(header.kid);
    if (!key) return refuse('signed with a key the tenant does not publish');
    if (typeof payload.exp !== 'number') return refuse('no expiry');
    try {
      jwt.verify(token, key, {
        algorithms: ['RS256'],
        issuer: tenant.issuer,
        audience: this.audiences,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        clockTimestamp: this.nowSeconds(),
      });
    } catch (err) {
      return refuse((err as Error).message);
    }
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r) => typeof r === 'string') : [];
    const canWrite = roles.includes(API_ROLES.manage);
    if (!canWrite && !roles.includes(API_ROLES.read)) {
      return { status: 403, reason: `no ${API_ROLES.read} or ${API_ROLES.manage} app role` };
    }
    const subject = [payload.oid, payload.azp, payload.appid].find((v) => typeof v === 'string') as
      string | undefined;
    return { kind: 'tenant', tenantId: tid, canWrite, subject: subject ?? 'unknown' };
  }
}

function refuse(reason: string): TokenRefusal {
  return { status: 401, reason };
}
