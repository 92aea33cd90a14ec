import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

/** The issuer of tokens the Bot Framework channels send to bots (public cloud). */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

/**
 * A local stand-in for the Bot Framework OpenID metadata service
 * (login.botframework.com/v1/.well-known/openidconfiguration): the metadata document and a
 * JWKS holding one RSA key made at start, endorsed for Teams as Bot Framework's keys are.
 */
export interface FakeOpenIdProvider {
  /** Base URL, http://127.0.0.1:port */
  url: string;
  /** The metadata document's URL: what BOT_OPENID_METADATA_URL names. */
  metadataUrl: string;
  /** The `kid` of the published key. */
  keyId: string;
  /** Paths requested so far, in order. */
  requests: string[];
  /** Signs `claims` as an RS256 JWT with the published key, or with `key`/`kid` when given. */
  sign(
    claims: Record<string, unknown>,
    options?: { key?: KeyObject; kid?: string; algorithm?: jwt.Algorithm },
  ): string;
  stop(): Promise<void>;
}

export interface FakeOpenIdOptions {
  /** Channel ids the key is endorsed for; Bot Framework lists the channels, e.g. msteams. */
  endorsements?: string[];
}

export async function startFakeOpenIdProvider(options: FakeOpenIdOptions = {}): Promise<FakeOpenIdProvider> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyId = `test-key-${randomUUID()}`;
  const jwk = {
    ...publicKey.export({ format: 'jwk' }),
    kid: keyId,
    use: 'sig',
    alg: 'RS256',
    endorsements: options.endorsements ?? ['msteams'],
  };
  const requests: string[] = [];
  let baseUrl = '';

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push(path);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return json(405, { error: 'method not allowed' });
    if (path === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: BOT_FRAMEWORK_ISSUER,
        authorization_endpoint: `${baseUrl}/authorize`,
        jwks_uri: `${baseUrl}/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
    }
    if (path === '/keys') return json(200, { keys: [jwk] });
    return json(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    metadataUrl: `${baseUrl}/.well-known/openid-configuration`,
    keyId,
    requests,
    sign(claims, signOptions = {}) {
      return jwt.sign(claims, signOptions.key ?? privateKey, {
        algorithm: signOptions.algorithm ?? 'RS256',
        keyid: signOptions.kid ?? keyId,
      });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
