/**
 * A local stand-in for the two Microsoft services the bot calls for app-only Graph access, on ONE
 * HTTPS server at https://127.0.0.1:<free port> (certificate from ./tls, made at test start):
 *
 * - the sign-in service's token endpoint, `POST /{tenant}/oauth2/v2.0/token` (client
 *   credentials): checks client_id, client_secret and scope, answers like Entra ID (AADSTS
 *   errors included), and records every call;
 * - Microsoft Graph under `/v1.0` and `/beta`: routes a test programs (`graph.on`), one-shot
 *   failures (`graph.failNext`), and a {@link FakeTenant} per tenant that serves what the bot's
 *   features read (licences, the connector app's consent, directory roles, users, OneDrive).
 *
 * A Graph request is answered for the tenant its bearer token was issued for, so two tenants'
 * data never mix. Everything the server receives is recorded (`requests`), which lets a test
 * assert that MSAL asked for nothing but a token (no instance discovery, no OpenID document).
 *
 * Typical use:
 *
 *   const cloud = await startFakeMicrosoftCloud();
 *   const tenant = cloud.addTenant();                       // Contoso, with defaults
 *   const gateway = new MsGraphGateway({ ...cloud.gatewayOptions(), logger });
 *   cloud.graph.on('GET', '/subscribedSkus', { value: [] }); // override one route
 *   cloud.graph.failNext('/users', { status: 429, headers: { 'Retry-After': '1' } });
 *   ...
 *   await cloud.stop();
 *
 * In-process code trusts `cloud.ca` (MsGraphGateway's `ca` option); a bot started as a child
 * process gets `NODE_EXTRA_CA_CERTS=writeCaBundle(dir)` (see ./tls).
 */
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { installConsentWorkflowRoutes } from '../fakeConsentWorkflow';
import { testTls, type TestTls } from '../tls';
import type { CloudContext } from './context';
import { FakeGraph, type RecordedRequest } from './graph';
import { graphRequest } from './graphRequests';
import { sendJson } from './http';
import { FakeLogin, openId, token } from './login';
import { graphError, reply } from './odata';
import { installFixtureRoutes } from './routes';
import { FakeTenant, type FakeTenantInit } from './tenant';

export interface FakeMicrosoftCloudOptions {
  /** The bot's Graph app the token endpoint accepts; defaults: a new GUID and a random secret. */
  clientId?: string;
  clientSecret?: string;
  /** The connector app every tenant's fixture has consented to; default a new GUID. */
  connectorAppId?: string;
  /** TLS material; default the shared test CA (./tls). */
  tls?: TestTls;
}

export interface FakeMicrosoftCloud {
  /** https://127.0.0.1:PORT: AZURE_AUTHORITY_HOST */
  authorityHost: string;
  /** https://127.0.0.1:PORT: GRAPH_ENDPOINT */
  graphEndpoint: string;
  /** 127.0.0.1:PORT */
  host: string;
  port: number;
  /** The CA to trust (PEM). */
  ca: string;
  clientId: string;
  clientSecret: string;
  connectorAppId: string;
  login: FakeLogin;
  graph: FakeGraph;
  tenants: Map<string, FakeTenant>;
  /** Every request the server got (token, Graph, anything else), in order. */
  requests: RecordedRequest[];
  /** Adds a tenant (with the default fixture unless `empty`). */
  addTenant(init?: FakeTenantInit): FakeTenant;
  /** A tenant by id or domain; throws when unknown. */
  tenant(idOrDomain: string): FakeTenant;
  /** clientId, clientSecret, authorityHost, graphEndpoint and ca, for MsGraphGateway. */
  gatewayOptions(): {
    clientId: string;
    clientSecret: string;
    authorityHost: string;
    graphEndpoint: string;
    ca: string;
  };
  /** Forgets records, programmed routes and failures, and issued tokens; tenants stay. */
  reset(): void;
  /** Environment variables for a bot started as a child process (add NODE_EXTRA_CA_CERTS). */
  env(): Record<string, string>;
  /**
   * Signs an access token as the tenant's sign-in service would (RS256, the key its OpenID
   * metadata publishes): `iss` is the tenant's v2.0 issuer (v1.0 when `ver` is '1.0'), `tid` the
   * tenant, one hour of validity; `claims` add to or override these. `key`/`kid`/`algorithm`
   * forge a token the tenant did not sign.
   */
  signAccessToken(
    tenantId: string,
    claims?: Record<string, unknown>,
    options?: { key?: KeyObject | string; kid?: string; algorithm?: jwt.Algorithm },
  ): string;
  /** The `kid` of the signing key every tenant's metadata publishes. */
  signingKeyId: string;
  stop(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeMicrosoftCloud(
  options: FakeMicrosoftCloudOptions = {},
): Promise<FakeMicrosoftCloud> {
  const material = options.tls ?? testTls();
  const clientId = (options.clientId ?? randomUUID()).toLowerCase();
  const clientSecret = options.clientSecret ?? `fake~${randomBytes(18).toString('base64url')}`;
  const connectorAppId = (options.connectorAppId ?? randomUUID()).toLowerCase();
  const login = new FakeLogin();
  login.apps.set(clientId, clientSecret);
  const graph = new FakeGraph();
  const tenants = new Map<string, FakeTenant>();
  const requests: RecordedRequest[] = [];
  let base = '';
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKeyId = `fake-${randomBytes(8).toString('hex')}`;
  const signingJwk = { ...signing.publicKey.export({ format: 'jwk' }), kid: signingKeyId, use: 'sig' };

  const findTenant = (idOrDomain: string): FakeTenant | undefined => {
    const key = idOrDomain.toLowerCase();
    return tenants.get(key) ?? [...tenants.values()].find((t) => t.domain === key);
  };

  /** The issuer of a tenant's tokens of one version, as its OpenID metadata names it. */
  const issuerOf = (tenantId: string, v2: boolean) =>
    v2 ? `${base}/${tenantId}/v2.0` : `https://sts.windows.net/${tenantId}/`;

  const ctx: CloudContext = {
    login,
    graph,
    tenants,
    signingJwk,
    findTenant,
    issuerOf,
    get base() {
      return base;
    },
    cloud: () => cloud,
  };

  const server = https.createServer({ cert: material.cert, key: material.key }, (req, res) => {
    const url = new URL(req.url ?? '/', base);
    const record: RecordedRequest = {
      at: new Date(),
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      path: url.pathname,
      host: req.headers.host,
      authorization: req.headers.authorization,
      kind: 'other',
    };
    requests.push(record);
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    const version = /^\/(v1\.0|beta)(\/|$)/.exec(url.pathname)?.[1];
    const openIdPath =
      /^\/([^/]+)\/(v2\.0\/)?\.well-known\/openid-configuration$/.exec(url.pathname) ??
      /^\/([^/]+)\/discovery\/(v2\.0\/)?keys$/.exec(url.pathname);
    let handled: Promise<number>;
    if (openIdPath && req.method === 'GET' && login.openIdDown) {
      handled = Promise.resolve(
        sendJson(res, reply(503, { error: 'temporarily_unavailable', error_description: 'fake outage' })),
      );
    } else if (openIdPath && req.method === 'GET') {
      handled = Promise.resolve(
        sendJson(
          res,
          openId(ctx, decodeURIComponent(openIdPath[1]), !!openIdPath[2], url.pathname.endsWith('keys')),
        ),
      );
    } else if (tokenPath && req.method === 'POST') {
      record.kind = 'token';
      handled = token(ctx, req, res, decodeURIComponent(tokenPath[1]));
    } else if (version) {
      record.kind = 'graph';
      handled = graphRequest(ctx, req, res, url, version);
    } else if (url.pathname === '/' && req.method === 'GET') {
      handled = Promise.resolve(
        sendJson(res, reply(200, { fake: 'microsoft-cloud', tenants: tenants.size })),
      );
    } else {
      handled = Promise.resolve(
        sendJson(
          res,
          reply(404, {
            error: 'not_found',
            error_description: `fake Microsoft cloud: nothing at ${req.method} ${url.pathname}`,
          }),
        ),
      );
    }
    handled.then(
      (status) => (record.status = status),
      (err: Error) => {
        record.status = 500;
        if (!res.headersSent)
          sendJson(
            res,
            graphError(500, 'InternalServerError', `fake Microsoft cloud failed: ${err.message}`),
          );
        else res.destroy();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `https://127.0.0.1:${port}`;

  installFixtureRoutes(graph);
  installConsentWorkflowRoutes(graph);

  const cloud: FakeMicrosoftCloud = {
    authorityHost: base,
    graphEndpoint: base,
    host: `127.0.0.1:${port}`,
    port,
    ca: material.ca,
    clientId,
    clientSecret,
    connectorAppId,
    login,
    graph,
    tenants,
    requests,
    addTenant(init = {}) {
      const tenant = new FakeTenant(init, clientId, connectorAppId);
      if (tenants.has(tenant.id)) throw new Error(`fake Microsoft cloud: tenant ${tenant.id} exists already`);
      tenants.set(tenant.id, tenant);
      return tenant;
    },
    tenant(idOrDomain) {
      const tenant = findTenant(idOrDomain);
      if (!tenant) throw new Error(`fake Microsoft cloud: no tenant ${idOrDomain}`);
      return tenant;
    },
    reset() {
      requests.length = 0;
      graph.reset();
      login.reset();
    },
    gatewayOptions: () => ({
      clientId,
      clientSecret,
      authorityHost: base,
      graphEndpoint: base,
      ca: material.ca,
    }),
    env: () => ({
      AZURE_AUTHORITY_HOST: base,
      GRAPH_ENDPOINT: base,
      GRAPH_CLIENT_ID: clientId,
      GRAPH_CLIENT_SECRET: clientSecret,
      CONNECTOR_APP_ID: connectorAppId,
    }),
    signingKeyId,
    signAccessToken(tenantId, claims = {}, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const v2 = claims.ver !== '1.0';
      const payload: Record<string, unknown> = {
        iss: issuerOf(tenantId.toLowerCase(), v2),
        tid: tenantId.toLowerCase(),
        iat: now,
        nbf: now,
        exp: now + 3600,
        ver: v2 ? '2.0' : '1.0',
        oid: randomUUID(),
        ...claims,
      };
      // A claim given as undefined is left out (a token without exp, say).
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
      return jwt.sign(payload, options.key ?? signing.privateKey, {
        algorithm: options.algorithm ?? 'RS256',
        keyid: options.kid ?? signingKeyId,
      });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return cloud;
}
