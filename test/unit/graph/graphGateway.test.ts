import {
  ConfidentialClientApplication,
  type INetworkModule,
  type NetworkRequestOptions,
} from '@azure/msal-node';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../../src/config/config';
import { pinAuthority } from '../../../src/graph/authority';
import { createGraphGateway } from '../../../src/graph/createGraphGateway';
import { GraphError } from '../../../src/graph/errors';
import { MsGraphGateway, type GraphGatewayOptions } from '../../../src/graph/graphGateway';
import { parseRetryAfter } from '../../../src/graph/middleware';
import { GRAPH_PERMISSIONS } from '../../../src/graph/graphPermissions';
import type { Clock } from '../../../src/util/clock';
import { createLogger } from '../../../src/util/logger';
import {
  DIRECTORY_ROLES,
  pages,
  SKUS,
  startFakeMicrosoftCloud,
  type FakeMicrosoftCloud,
  type FakeTenant,
} from '../../support/fakeMicrosoftCloud';
import { installNetworkGuard, type NetworkGuard } from '../../support/networkGuard';
import { writeCaBundle } from '../../support/tls';

let guard: NetworkGuard;
let cloud: FakeMicrosoftCloud;
let contoso: FakeTenant;
let fabrikam: FakeTenant;
let logLines: string[] = [];
const gateways: MsGraphGateway[] = [];

const logger = createLogger('debug', (line) => logLines.push(line));

/** A gateway on the fake, trusting its CA; retries wait through `sleeps` unless `sleep` is given. */
function gateway(overrides: Partial<GraphGatewayOptions> = {}): { gw: MsGraphGateway; sleeps: number[] } {
  const sleeps: number[] = [];
  const gw = new MsGraphGateway({
    ...cloud.gatewayOptions(),
    logger,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  gateways.push(gw);
  return { gw, sleeps };
}

async function failure(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(GraphError);
    return err as GraphError;
  }
  throw new Error('expected a GraphError');
}

async function collect<T>(iterable: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of iterable) out.push(page);
  return out;
}

interface Sku {
  skuPartNumber: string;
  servicePlans: Array<{ servicePlanId: string; servicePlanName: string; provisioningStatus: string }>;
}

beforeAll(async () => {
  guard = installNetworkGuard();
  cloud = await startFakeMicrosoftCloud();
  contoso = cloud.addTenant();
  fabrikam = cloud.addTenant({ displayName: 'Fabrikam' });
});

beforeEach(() => {
  cloud.reset();
  logLines = [];
});

afterEach(() => {
  for (const gw of gateways.splice(0)) gw.close();
});

afterAll(async () => {
  await cloud?.stop();
  guard.uninstall();
  expect(guard.describe()).toBe('none');
});

describe('tokens', () => {
  test('one token per tenant is fetched once, reused for several calls, and attached as a bearer', async () => {
    const { gw } = gateway();
    // Concurrent first calls share one token request.
    const [skus] = await Promise.all(
      [1, 2, 3, 4, 5].map(() => gw.get<{ value: Sku[] }>(contoso.id, '/subscribedSkus')),
    );
    await gw.get(contoso.id, '/organization');
    await gw.get(contoso.id, '/subscribedSkus');

    expect(skus.value[0].skuPartNumber).toBe('ENTERPRISEPACK');
    expect(skus.value[0].servicePlans).toContainEqual(
      expect.objectContaining({
        servicePlanId: SKUS.sharePointEnterprisePlan,
        servicePlanName: 'SHAREPOINTENTERPRISE',
        provisioningStatus: 'Success',
      }),
    );
    expect(cloud.login.calls).toHaveLength(1);
    const [call] = cloud.login.calls;
    expect(call).toMatchObject({
      tenant: contoso.id,
      grantType: 'client_credentials',
      clientId: cloud.clientId,
      scope: `${cloud.graphEndpoint}/.default`,
      status: 200,
    });
    expect(cloud.graph.requests).toHaveLength(7);
    for (const request of cloud.graph.requests) {
      expect(request.authorization).toBe(`Bearer ${call.accessToken}`);
      expect(request.tenantId).toBe(contoso.id);
      expect(request.status).toBe(200);
    }
  });

  test('a second tenant gets its own token and its own data', async () => {
    const { gw } = gateway();
    const a = await gw.get<{ value: Array<{ displayName: string }> }>(contoso.id, '/organization');
    const b = await gw.get<{ value: Array<{ displayName: string }> }>(fabrikam.domain, '/organization');
    await gw.get(contoso.id, '/organization');

    expect(a.value[0].displayName).toBe('Contoso');
    expect(b.value[0].displayName).toBe('Fabrikam');
    expect(cloud.login.calls.map((c) => c.tenant)).toEqual([contoso.id, fabrikam.domain]);
    const [tokenA, tokenB] = cloud.login.calls.map((c) => `Bearer ${c.accessToken}`);
    expect(tokenA).not.toBe(tokenB);
    expect(cloud.graph.requests.map((r) => r.authorization)).toEqual([tokenA, tokenB, tokenA]);
  });

  test('a token is renewed five minutes before it expires (by the injected clock)', async () => {
    let now = Date.parse('2025-03-01T10:00:00Z');
    const clock: Clock = { now: () => new Date(now) };
    cloud.login.expiresIn = 3600;
    try {
      const { gw } = gateway({ clock });
      await gw.get(contoso.id, '/organization');
      now += 54 * 60 * 1000;
      await gw.get(contoso.id, '/organization');
      expect(cloud.login.calls).toHaveLength(1);
      now += 60 * 1000 + 1000; // 55 min 1 s after: inside the 5-minute margin
      await gw.get(contoso.id, '/organization');
      expect(cloud.login.calls).toHaveLength(2);
      const [first, second] = cloud.graph.requests
        .map((r) => r.authorization)
        .filter((v, i, all) => all.indexOf(v) === i);
      expect(first).not.toBe(second);
    } finally {
      cloud.login.expiresIn = 3599;
    }
  });

  test('a token Graph no longer accepts (401) is replaced once, and the call succeeds', async () => {
    const { gw } = gateway();
    await gw.get(contoso.id, '/organization');
    cloud.login.revokeAll();
    await gw.get(contoso.id, '/organization');
    expect(cloud.login.calls).toHaveLength(2);
    expect(cloud.graph.requests.map((r) => r.status)).toEqual([200, 401, 200]);
  });

  test('a refused client secret is GRAPH_AUTH_FAILED naming the setting, never the secret', async () => {
    const wrongSecret = 'wrong~SecretValue-1234567890';
    const { gw } = gateway({ clientSecret: wrongSecret });
    const err = await failure(gw.get(contoso.id, '/subscribedSkus'));

    expect(err.code).toBe('GRAPH_AUTH_FAILED');
    expect(err.graphCode).toBe('invalid_client');
    expect(err.message).toContain('AADSTS7000215');
    expect(err.message).toContain('GRAPH_CLIENT_SECRET');
    expect(err.message).toContain(cloud.clientId);
    for (const secret of [wrongSecret, cloud.clientSecret]) {
      expect(err.message).not.toContain(secret);
      expect(JSON.stringify(err.toLogFields())).not.toContain(secret);
      expect(logLines.join('\n')).not.toContain(secret);
    }
    expect(cloud.login.calls).toMatchObject([{ status: 401, error: '7000215' }]);
    expect(cloud.graph.requests).toHaveLength(0);
  });

  test('an unknown client id is GRAPH_AUTH_FAILED naming GRAPH_CLIENT_ID', async () => {
    const { gw } = gateway({ clientId: randomUUID() });
    const err = await failure(gw.get(contoso.id, '/organization'));
    expect(err.code).toBe('GRAPH_AUTH_FAILED');
    expect(err.message).toContain('AADSTS700016');
    expect(err.message).toContain('GRAPH_CLIENT_ID');
  });

  test('tenant ids that are neither a GUID nor a domain never reach the authority URL', async () => {
    const { gw } = gateway();
    for (const tenant of ['common', 'organizations', '../../evil', 'contoso', `${contoso.id}/x`, '']) {
      const err = await failure(gw.get(tenant, '/organization'));
      expect(err.code).toBe('GRAPH_INVALID_REQUEST');
    }
    expect(cloud.requests).toHaveLength(0);
  });

  test('an unreachable sign-in host is GRAPH_UNAVAILABLE', async () => {
    const port = await closedPort();
    const { gw } = gateway({ authorityHost: `https://127.0.0.1:${port}` });
    const err = await failure(gw.get(contoso.id, '/organization'));
    expect(err.code).toBe('GRAPH_UNAVAILABLE');
    expect(err.message).toContain(`127.0.0.1:${port}`);
  });

  test('TLS is verified: without the test CA neither sign-in nor Graph is trusted', async () => {
    const { gw } = gateway({ ca: undefined });
    const err = await failure(gw.get(contoso.id, '/organization'));
    expect(err.code).toBe('GRAPH_UNAVAILABLE');
    expect(cloud.login.calls).toHaveLength(0);
  });
});

describe('MSAL stays offline', () => {
  test('against the fake, MSAL asked for nothing but tokens: no instance discovery, no OpenID document', async () => {
    const { gw } = gateway();
    await gw.get(contoso.id, '/organization');
    await gw.get(fabrikam.id, '/organization');
    const notGraph = cloud.requests.filter((r) => r.kind !== 'graph');
    expect(notGraph.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /${contoso.id}/oauth2/v2.0/token`,
      `POST /${fabrikam.id}/oauth2/v2.0/token`,
    ]);
    expect(guard.attempts).toEqual([]);
  });

  test('for login.microsoftonline.com too, the only request MSAL makes is the token POST', async () => {
    const tenantId = randomUUID();
    const pinned = pinAuthority('https://login.microsoftonline.com', tenantId);
    expect(pinned.knownAuthorities).toEqual(['login.microsoftonline.com']);
    expect(JSON.parse(pinned.cloudDiscoveryMetadata).metadata).toEqual([
      {
        preferred_network: 'login.microsoftonline.com',
        preferred_cache: 'login.microsoftonline.com',
        aliases: ['login.microsoftonline.com'],
      },
    ]);
    expect(JSON.parse(pinned.authorityMetadata)).toMatchObject({
      token_endpoint: `https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/token`,
      authorization_endpoint: `https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/authorize`,
      issuer: `https://login.microsoftonline.com/${tenantId}/v2.0`,
      jwks_uri: `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`,
    });

    // MSAL with a network module that records instead of sending.
    const sent: string[] = [];
    const networkClient: INetworkModule = {
      async sendGetRequestAsync<T>(
        url: string,
      ): Promise<{ headers: Record<string, string>; body: T; status: number }> {
        sent.push(`GET ${url}`);
        return { headers: {}, body: {} as T, status: 404 };
      },
      async sendPostRequestAsync<T>(
        url: string,
        _options?: NetworkRequestOptions,
      ): Promise<{ headers: Record<string, string>; body: T; status: number }> {
        sent.push(`POST ${url}`);
        const body = {
          token_type: 'Bearer',
          expires_in: 3599,
          ext_expires_in: 3599,
          access_token: 'token-1',
        };
        return { headers: {}, body: body as T, status: 200 };
      },
    };
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: randomUUID(),
        clientSecret: 'not-used-on-any-network',
        authority: pinned.authority,
        knownAuthorities: pinned.knownAuthorities,
        cloudDiscoveryMetadata: pinned.cloudDiscoveryMetadata,
        authorityMetadata: pinned.authorityMetadata,
      },
      system: { networkClient },
    });
    const result = await app.acquireTokenByClientCredential({
      scopes: ['https://graph.microsoft.com/.default'],
    });
    expect(result?.accessToken).toBe('token-1');
    expect(sent.map((s) => s.split('?')[0])).toEqual([
      `POST https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/token`,
    ]);
  });

  test('createGraphGateway pins every national cloud', () => {
    for (const cloudName of ['global', 'usgovhigh', 'dod', 'china']) {
      const config = loadConfig({
        CLOUD: cloudName,
        GRAPH_CLIENT_ID: randomUUID(),
        GRAPH_CLIENT_SECRET: 'x',
      });
      const pinned = pinAuthority(config.authorityHost, contoso.id);
      expect(pinned.knownAuthorities).toEqual([new URL(config.authorityHost).host]);
      expect(createGraphGateway(config, logger).configured).toBe(true);
    }
  });
});

describe('paging', () => {
  const people = Array.from({ length: 7 }, (_, i) => ({
    id: `user-${i + 1}`,
    displayName: `Person ${i + 1}`,
  }));

  test('follows @odata.nextLink over three pages, page by page', async () => {
    cloud.graph.on('GET', '/users', pages(people, 3));
    const { gw } = gateway();
    const requestsAtPage: number[] = [];
    const seen = await collect(
      gw.getAllPages<{ id: string }>(contoso.id, '/users?$select=id,displayName', {
        onPage: async () => {
          requestsAtPage.push(cloud.graph.requests.length);
        },
      }),
    );

    expect(seen.map((p) => p.map((u) => u.id))).toEqual([
      ['user-1', 'user-2', 'user-3'],
      ['user-4', 'user-5', 'user-6'],
      ['user-7'],
    ]);
    // Each page is handed over before the next one is asked for.
    expect(requestsAtPage).toEqual([1, 2, 3]);
    const requests = cloud.graph.requestsTo('/users');
    expect(requests.map((r) => r.query.$skiptoken)).toEqual([undefined, '3', '6']);
    expect(requests.every((r) => r.query.$select === 'id,displayName')).toBe(true);
    expect(requests.every((r) => r.authorization === requests[0].authorization)).toBe(true);
    expect(cloud.login.calls).toHaveLength(1);
  });

  test('maxItems cuts the last page and asks for no further page', async () => {
    cloud.graph.on('GET', '/users', pages(people, 3));
    const { gw } = gateway();
    const seen = await collect(gw.getAllPages<{ id: string }>(contoso.id, '/users', { maxItems: 4 }));
    expect(seen.map((p) => p.length)).toEqual([3, 1]);
    expect(cloud.graph.requestsTo('/users')).toHaveLength(2);
    expect(await gw.list(contoso.id, '/users', { maxItems: 6 })).toHaveLength(6);
  });

  test('list says when maxItems cut the collection short, and only then', async () => {
    cloud.graph.on('GET', '/users', pages(people, 3));
    const { gw } = gateway();
    const cut = await gw.list(contoso.id, '/users', { maxItems: 4 });
    expect(cut).toHaveLength(4);
    expect(cut.truncated).toBe(true);
    // A page boundary at the limit, with a nextLink left: cut too.
    expect((await gw.list(contoso.id, '/users', { maxItems: 6 })).truncated).toBe(true);
    const whole = await gw.list(contoso.id, '/users', { maxItems: 7 });
    expect(whole).toHaveLength(7);
    expect(whole.truncated).toBeUndefined();
  });

  test('pages the tenant fixture by $top', async () => {
    const { gw } = gateway();
    const all = await gw.list<{ userPrincipalName: string }>(
      contoso.id,
      '/users?$top=2&$select=userPrincipalName',
    );
    expect(all.map((u) => u.userPrincipalName)).toEqual(contoso.users.map((u) => u.userPrincipalName));
    expect(cloud.graph.requestsTo('/users')).toHaveLength(2);
  });

  test('a nextLink to another host is refused, without a lookup or the token going there', async () => {
    cloud.graph.on('GET', '/users', {
      value: [{ id: 'a' }],
      '@odata.nextLink': 'https://graph.example.net/v1.0/users?$skiptoken=2',
    });
    const { gw } = gateway();
    const seen: string[][] = [];
    const err = await failure(
      (async () => {
        for await (const page of gw.getAllPages<{ id: string }>(contoso.id, '/users'))
          seen.push(page.map((u) => u.id));
      })(),
    );
    expect(seen).toEqual([['a']]);
    expect(err.code).toBe('GRAPH_INVALID_REQUEST');
    expect(err.message).toContain('nextLink');
    expect(cloud.graph.requests).toHaveLength(1);

    const direct = await failure(gw.get(contoso.id, 'https://graph.example.net/v1.0/users'));
    expect(direct.code).toBe('GRAPH_INVALID_REQUEST');
    const sameHostOtherPort = await failure(
      gw.get(contoso.id, `https://127.0.0.1:${cloud.port + 1}/v1.0/users`),
    );
    expect(sameHostOtherPort.code).toBe('GRAPH_INVALID_REQUEST');
    expect(guard.attempts).toEqual([]);
  });
});

describe('retries', () => {
  test('429 with Retry-After: 1 is waited for (for real), then the call succeeds', async () => {
    cloud.graph.failNext('/subscribedSkus', { status: 429, headers: { 'Retry-After': '1' } });
    const { gw } = gateway({ sleep: undefined });
    const started = Date.now();
    const skus = await gw.get<{ value: Sku[] }>(contoso.id, '/subscribedSkus');
    const waited = Date.now() - started;

    expect(skus.value).toHaveLength(1);
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(5000);
    const requests = cloud.graph.requestsTo('/subscribedSkus');
    expect(requests.map((r) => r.status)).toEqual([429, 200]);
    expect(requests[1].headers['retry-attempt']).toBe('1');
    expect(requests[1].authorization).toBe(requests[0].authorization);
  });

  test('Retry-After seconds and dates go to sleep; 503 and 504 are retried like 429', async () => {
    cloud.graph.failNext('/organization', { status: 503, headers: { 'Retry-After': '2' } });
    cloud.graph.failNext('/organization', { status: 504 });
    cloud.graph.failNext('/organization', { status: 429, headers: { 'Retry-After': '7' } });
    const { gw, sleeps } = gateway();
    await gw.get(contoso.id, '/organization');
    // 504 without Retry-After: exponential backoff from 1 s (second retry: 2 s).
    expect(sleeps).toEqual([2000, 2000, 7000]);
    expect(cloud.graph.requestsTo('/organization').map((r) => r.status)).toEqual([503, 504, 429, 200]);

    const now = new Date('2025-03-01T10:00:00Z');
    expect(parseRetryAfter('Sat, 01 Mar 2025 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  test('a POST is retried after 429 too, with the same body', async () => {
    cloud.graph.failNext('/directoryObjects/getByIds', { status: 429, headers: { 'Retry-After': '1' } });
    const { gw, sleeps } = gateway();
    const found = await gw.post<{ value: Array<{ id: string }> }>(contoso.id, '/directoryObjects/getByIds', {
      ids: [contoso.admin!.id],
    });
    expect(found.value.map((o) => o.id)).toEqual([contoso.admin!.id]);
    expect(sleeps).toEqual([1000]);
    expect(cloud.graph.requestsTo('/directoryObjects/getByIds').map((r) => r.body)).toEqual([
      { ids: [contoso.admin!.id] },
      { ids: [contoso.admin!.id] },
    ]);
  });

  test('a write answered 503 or 504 is not sent again (Graph may have made the change); a $batch of GETs and a read-only POST are', async () => {
    const { gw, sleeps } = gateway();
    const assignments = '/roleManagement/directory/roleAssignments';
    for (const status of [503, 504]) {
      cloud.graph.failNext(assignments, { status, method: 'POST' });
      const err = await failure(
        gw.post(contoso.id, assignments, {
          principalId: contoso.admin!.id,
          roleDefinitionId: 'r',
          directoryScopeId: '/',
        }),
      );
      expect(err.code).toBe('GRAPH_UNAVAILABLE');
      expect(err.status).toBe(status);
    }
    expect(cloud.graph.requestsTo(assignments, 'POST')).toHaveLength(2);
    expect(sleeps).toEqual([]);

    cloud.graph.failNext('/$batch', { status: 503, method: 'POST' });
    const answers = await gw.batch(contoso.id, [{ id: '1', method: 'GET', url: '/organization' }]);
    expect(answers.get('1')?.status).toBe(200);
    expect(cloud.graph.requestsTo('/$batch', 'POST').map((r) => r.status)).toEqual([503, 200]);
    expect(sleeps).toEqual([1000]);

    // getByIds only reads (reviewer names, the admin group's checkMemberGroups alike): sent again.
    cloud.graph.failNext('/directoryObjects/getByIds', { status: 503, method: 'POST' });
    const found = await gw.post<{ value: Array<{ id: string }> }>(contoso.id, '/directoryObjects/getByIds', {
      ids: [contoso.admin!.id],
    });
    expect(found.value.map((o) => o.id)).toEqual([contoso.admin!.id]);
    expect(cloud.graph.requestsTo('/directoryObjects/getByIds', 'POST').map((r) => r.status)).toEqual([
      503, 200,
    ]);
  });

  test('still throttled after every retry: GRAPH_THROTTLED with the wait Graph asked for', async () => {
    cloud.graph.failNext('/organization', { status: 429, headers: { 'Retry-After': '3' }, times: 5 });
    const { gw, sleeps } = gateway({ maxRetries: 2 });
    const err = await failure(gw.get(contoso.id, '/organization'));
    expect(err.code).toBe('GRAPH_THROTTLED');
    expect(err.status).toBe(429);
    expect(err.retryAfterMs).toBe(3000);
    expect(err.message).toContain('3 s');
    expect(sleeps).toEqual([3000, 3000]);
    expect(cloud.graph.requestsTo('/organization')).toHaveLength(3);
  });

  test('a Retry-After longer than maxRetryDelayMs is not waited for', async () => {
    cloud.graph.failNext('/organization', { status: 429, headers: { 'Retry-After': '600' } });
    const { gw, sleeps } = gateway();
    const err = await failure(gw.get(contoso.id, '/organization'));
    expect(err.code).toBe('GRAPH_THROTTLED');
    expect(err.retryAfterMs).toBe(600_000);
    expect(sleeps).toEqual([]);
  });

  test('a GET whose connection is reset is retried; a POST is not, and is GRAPH_UNAVAILABLE', async () => {
    cloud.graph.failNext('/organization', { drop: true });
    const { gw, sleeps } = gateway();
    await gw.get(contoso.id, '/organization');
    expect(sleeps).toEqual([1000]);
    expect(cloud.graph.requestsTo('/organization').map((r) => r.status)).toEqual([0, 200]);

    cloud.graph.failNext('/directoryObjects/getByIds', { drop: true });
    const err = await failure(gw.post(contoso.id, '/directoryObjects/getByIds', { ids: [] }));
    expect(err.code).toBe('GRAPH_UNAVAILABLE');
    expect(err.message).toContain(`Could not reach Microsoft Graph at ${cloud.graphEndpoint}`);
    expect(cloud.graph.requestsTo('/directoryObjects/getByIds')).toHaveLength(1);
    expect(sleeps).toEqual([1000]);
  });

  test('503 after every retry: GRAPH_UNAVAILABLE', async () => {
    cloud.graph.failNext('/organization', { status: 503, times: 4 });
    const { gw, sleeps } = gateway();
    const err = await failure(gw.get(contoso.id, '/organization'));
    expect(err.code).toBe('GRAPH_UNAVAILABLE');
    expect(sleeps).toEqual([1000, 2000, 4000]);
  });
});

describe('errors', () => {
  test('403 names the missing application permission, without a stack trace', async () => {
    contoso.denyPermission('Organization.Read.All', 'Directory.Read.All');
    try {
      const { gw } = gateway();
      const err = await failure(gw.get(contoso.id, '/subscribedSkus'));
      expect(err.code).toBe('GRAPH_FORBIDDEN');
      expect(err.status).toBe(403);
      expect(err.permission).toBe('Organization.Read.All');
      expect(err.graphCode).toBe('Authorization_RequestDenied');
      expect(err.message).toBe(
        'Microsoft Graph refused GET /subscribedSkus: the app needs the application permission Organization.Read.All with admin consent.',
      );
      expect(err.message).not.toMatch(/\n\s+at /);
    } finally {
      contoso.grantPermission('Organization.Read.All', 'Directory.Read.All');
    }
  });

  test.each([
    ['/servicePrincipals', GRAPH_PERMISSIONS.applicationRead],
    ['/oauth2PermissionGrants', GRAPH_PERMISSIONS.directoryRead],
    ['/roleManagement/directory/roleAssignments', GRAPH_PERMISSIONS.roleManagementRead],
    ['/users/someone/drive', GRAPH_PERMISSIONS.filesRead],
    ['/users/someone', GRAPH_PERMISSIONS.userRead],
    ['/directoryObjects/someone', GRAPH_PERMISSIONS.directoryRead],
  ])('403 on GET %s names %s', async (graphPath, permission) => {
    cloud.graph.failNext(graphPath, { status: 403 });
    const { gw } = gateway();
    const err = await failure(gw.get(contoso.id, graphPath));
    expect(err).toMatchObject({ code: 'GRAPH_FORBIDDEN', permission });
    expect(err.message).toContain(
      `the app needs the application permission ${permission} with admin consent`,
    );
  });

  test('the permission the caller names wins', async () => {
    cloud.graph.failNext('/organization', { status: 403 });
    const { gw } = gateway();
    const err = await failure(gw.get(contoso.id, '/organization', { permission: 'Directory.Read.All' }));
    expect(err.permission).toBe('Directory.Read.All');
  });

  test('a POST the app may not make names the write permission', async () => {
    const { gw } = gateway();
    const body = {
      principalId: contoso.member!.id,
      roleDefinitionId: DIRECTORY_ROLES.sharePointAdministrator,
      directoryScopeId: '/',
    };
    const err = await failure(gw.post(contoso.id, '/roleManagement/directory/roleAssignments', body));
    expect(err).toMatchObject({ code: 'GRAPH_FORBIDDEN', permission: 'RoleManagement.ReadWrite.Directory' });

    contoso.grantPermission('RoleManagement.ReadWrite.Directory');
    try {
      const created = await gw.post<{ id: string; principalId: string }>(
        contoso.id,
        '/roleManagement/directory/roleAssignments',
        body,
      );
      expect(created.principalId).toBe(contoso.member!.id);
    } finally {
      contoso.denyPermission('RoleManagement.ReadWrite.Directory');
      contoso.roleAssignments = contoso.roleAssignments.filter((a) => a.principalId !== contoso.member!.id);
    }
  });

  test('404 is GRAPH_NOT_FOUND: a user without OneDrive', async () => {
    const { gw } = gateway();
    const drive = await gw.get<{ driveType: string }>(contoso.id, `/users/${contoso.admin!.id}/drive`);
    expect(drive.driveType).toBe('business');
    const err = await failure(gw.get(contoso.id, `/users/${contoso.member!.id}/drive`));
    expect(err).toMatchObject({ code: 'GRAPH_NOT_FOUND', status: 404, graphCode: 'itemNotFound' });
    expect(err.message).toContain(`GET /users/${contoso.member!.id}/drive`);
  });

  test('not configured: GRAPH_NOT_CONFIGURED naming the settings, and nothing is sent', async () => {
    const { gw } = gateway({ clientId: undefined, clientSecret: undefined });
    expect(gw.configured).toBe(false);
    expect(gw.missingSettings()).toEqual(['GRAPH_CLIENT_ID', 'GRAPH_CLIENT_SECRET']);
    const err = await failure(gw.get(contoso.id, '/organization'));
    expect(err.code).toBe('GRAPH_NOT_CONFIGURED');
    expect(err.message).toContain('GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET');
    expect(err.message).toContain('MicrosoftAppId');
    await expect(collect(gw.getAllPages(contoso.id, '/users'))).rejects.toMatchObject({
      code: 'GRAPH_NOT_CONFIGURED',
    });

    const fromConfig = createGraphGateway(loadConfig({ GRAPH_CLIENT_ID: randomUUID() }), logger);
    expect(fromConfig.configured).toBe(false);
    expect(fromConfig.missingSettings()).toEqual(['GRAPH_CLIENT_SECRET']);
    expect(cloud.requests).toHaveLength(0);
  });

  test('paths that are not Graph paths are refused before anything is sent', async () => {
    const { gw } = gateway();
    for (const bad of ['users', '//evil.example/x', '/users/../me', '/users/%2e%2e/x', '/users/a b']) {
      expect((await failure(gw.get(contoso.id, bad))).code).toBe('GRAPH_INVALID_REQUEST');
    }
    expect(cloud.requests).toHaveLength(0);
  });
});

describe('what later features read', () => {
  test('OData $filter values are sent encoded and read back by the fake', async () => {
    const { gw } = gateway();
    const sps = await gw.get<{ value: Array<{ id: string; appId: string }> }>(
      contoso.id,
      `/servicePrincipals?$filter=appId eq '${cloud.connectorAppId}'`,
    );
    expect(sps.value).toEqual([
      expect.objectContaining({ id: contoso.connectorApp!.id, appId: cloud.connectorAppId }),
    ]);
    const [request] = cloud.graph.requestsTo('/servicePrincipals');
    expect(request.url).toContain('%20eq%20%27');
    expect(request.query.$filter).toBe(`appId eq '${cloud.connectorAppId}'`);

    const grants = await gw.get<{ value: Array<{ consentType: string; scope: string }> }>(
      contoso.id,
      `/oauth2PermissionGrants?$filter=clientId eq '${sps.value[0].id}'`,
    );
    expect(grants.value).toEqual([
      expect.objectContaining({
        consentType: 'AllPrincipals',
        scope: 'AllSites.Manage Sites.Manage.All profile offline_access',
      }),
    ]);

    const admins = await gw.list<{ principalId: string }>(
      contoso.id,
      `/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '${DIRECTORY_ROLES.globalAdministrator}'`,
    );
    expect(admins.map((a) => a.principalId)).toEqual([contoso.admin!.id]);

    const user = await gw.get<Record<string, unknown>>(
      contoso.id,
      `/users/${encodeURIComponent(contoso.member!.userPrincipalName)}?$select=assignedLicenses,assignedPlans,userPrincipalName`,
    );
    expect(Object.keys(user).sort()).toEqual([
      'assignedLicenses',
      'assignedPlans',
      'id',
      'userPrincipalName',
    ]);
  });
});

describe('child processes', () => {
  test('a NODE_EXTRA_CA_CERTS bundle (system CAs + test CA) lets another process trust the fake', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'concierge-ca-'));
    try {
      const bundle = writeCaBundle(dir, cloud.ca);
      const bundleText = fs.readFileSync(bundle, 'utf8');
      expect(bundleText.endsWith(cloud.ca)).toBe(true);
      expect((bundleText.match(/BEGIN CERTIFICATE/g) ?? []).length).toBeGreaterThan(1);

      const script = `fetch(${JSON.stringify(`${cloud.graphEndpoint}/`)}).then((r) => r.json()).then((j) => process.stdout.write(JSON.stringify(j)), (e) => { process.stdout.write('ERR ' + (e.cause?.code ?? e.message)); process.exitCode = 3; })`;
      const run = (extraCa: string | undefined) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
          if (extraCa) env.NODE_EXTRA_CA_CERTS = extraCa;
          else delete env.NODE_EXTRA_CA_CERTS;
          execFile(process.execPath, ['-e', script], { env, timeout: 20_000 }, (error, stdout) =>
            resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout }),
          );
        });

      const trusted = await run(bundle);
      expect(trusted.out).toContain('"fake":"microsoft-cloud"');
      expect(trusted.code).toBe(0);
      const untrusted = await run(undefined);
      expect(untrusted.out).toMatch(/^ERR /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
  await new Promise((resolve) => server.close(resolve));
  return port;
}
