/**
 * A local stand-in for Azure Key Vault's secrets API on HTTPS loopback (certificate from ./tls),
 * with the real service's authentication: a request without a bearer token gets 401 and the
 * challenge (`WWW-Authenticate: Bearer authorization="<authority>/<tenant>", resource="https://vault.azure.net"`)
 * that @azure/keyvault-secrets answers by getting a token; a token is accepted only when the fake
 * sign-in service (./fakeMicrosoftCloud) issued it, for the vault's audience and tenant, unexpired.
 * Only `GET /secrets/{name}[/{version}]` is served; every request is recorded.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FakeMicrosoftCloud } from './fakeMicrosoftCloud';
import { testTls, type TestTls } from './tls';

/** The audience of Key Vault tokens in the global cloud. */
export const KEY_VAULT_RESOURCE = 'https://vault.azure.net';

export interface KeyVaultRequest {
  method: string;
  path: string;
  authorization?: string;
  status: number;
}

export interface FakeKeyVault {
  /** https://127.0.0.1:PORT: SECRETS_KEY_VAULT_URL */
  url: string;
  /** Secret name → current value. */
  secrets: Map<string, string>;
  /** Client ids allowed to read secrets (Key Vault Secrets User); undefined = every token's client. */
  readers?: Set<string>;
  /**
   * How a refused reader is refused, as Key Vault's inner error code says: an RBAC vault
   * (ForbiddenByRbac, the default) or one on access policies (ForbiddenByPolicy).
   */
  permissionModel?: 'rbac' | 'policy';
  /** The vault's firewall refuses every caller (ForbiddenByFirewall), before any role is looked at. */
  firewalled?: boolean;
  requests: KeyVaultRequest[];
  stop(): Promise<void>;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): number {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
  return status;
}

const vaultError = (code: string, message: string, inner?: string) => ({
  error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) },
});

/** Starts the vault for `tenantId`, trusting the tokens of `cloud`'s sign-in service. */
export async function startFakeKeyVault(
  cloud: FakeMicrosoftCloud,
  tenantId: string,
  tls: TestTls = testTls(),
): Promise<FakeKeyVault> {
  cloud.login.resources.add(KEY_VAULT_RESOURCE);
  let base = '';
  const vault: FakeKeyVault = {
    url: '',
    secrets: new Map(),
    requests: [],
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const answer = (req: IncomingMessage, res: ServerResponse, url: URL): number => {
    const challenge = {
      'www-authenticate': `Bearer authorization="${cloud.authorityHost}/${tenantId}", resource="${KEY_VAULT_RESOURCE}"`,
    };
    const auth = req.headers.authorization;
    if (!auth)
      return send(
        res,
        401,
        vaultError('Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.'),
        challenge,
      );
    const token = /^Bearer (.+)$/.exec(auth)?.[1] ?? '';
    const issued = cloud.login.tokens.get(token);
    let claims: { exp?: number } = {};
    try {
      claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
        exp?: number;
      };
    } catch {
      // Not a JWT: refused below like an unknown token.
    }
    if (!issued || issued.audience !== KEY_VAULT_RESOURCE || issued.tenantId !== tenantId) {
      return send(res, 401, vaultError('Unauthorized', 'AKV10022: Invalid audience or tenant.'), challenge);
    }
    if (!claims.exp || claims.exp * 1000 < Date.now())
      return send(res, 401, vaultError('Unauthorized', 'AKV10032: Token expired.'), challenge);
    if (vault.firewalled) {
      return send(
        res,
        403,
        vaultError(
          'Forbidden',
          'Client address is not authorized and caller is not a trusted service.\r\nClient address: 127.0.0.1',
          'ForbiddenByFirewall',
        ),
      );
    }
    if (vault.readers && !vault.readers.has(issued.clientId)) {
      return send(
        res,
        403,
        vault.permissionModel === 'policy'
          ? vaultError(
              'Forbidden',
              `The user, group or application 'appid=${issued.clientId}' does not have secrets get permission on key vault.`,
              'ForbiddenByPolicy',
            )
          : vaultError(
              'Forbidden',
              `Caller is not authorized to perform action on resource. Caller: appid=${issued.clientId}. Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'`,
              'ForbiddenByRbac',
            ),
      );
    }
    const route = /^\/secrets\/([^/]+)(?:\/([^/]*))?$/.exec(url.pathname);
    if (req.method !== 'GET' || !route || !url.searchParams.get('api-version')) {
      return send(
        res,
        400,
        vaultError(
          'BadParameter',
          `fake Key Vault serves only GET /secrets/{name}, not ${req.method} ${url.pathname}`,
        ),
      );
    }
    const name = decodeURIComponent(route[1]);
    const value = vault.secrets.get(name);
    if (value === undefined) {
      return send(
        res,
        404,
        vaultError('SecretNotFound', `A secret with (name/id) ${name} was not found in this key vault.`),
      );
    }
    const version = route[2] || randomBytes(16).toString('hex');
    const now = Math.floor(Date.now() / 1000);
    return send(res, 200, {
      value,
      id: `${base}/secrets/${name}/${version}`,
      attributes: { enabled: true, created: now, updated: now, recoveryLevel: 'Recoverable+Purgeable' },
      tags: {},
    });
  };

  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const url = new URL(req.url ?? '/', base);
    // The SDK sends the challenge request without a body; a body would be drained here.
    req.resume();
    req.on('end', () => {
      const status = answer(req, res, url);
      vault.requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        authorization: req.headers.authorization,
        status,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  vault.url = base;
  return vault;
}
