import { generateKeyPairSync } from 'node:crypto';
import { removeTempDir, startTestBot, type TestBot } from '../../harness/testBot';
import {
  startFakeMicrosoftCloud,
  type FakeMicrosoftCloud,
  type FakeTenant,
} from '../../support/fakeMicrosoftCloud';

const APP_ID = '6f9a4b2c-3d1e-4f5a-8b7c-9d0e1f2a3b4c';
const API_TOKEN = 'operator-token-'.padEnd(40, 'x');
const MANAGE = 'Connectors.Manage';
const READ = 'Connectors.Read';

interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test asserts the shape it expects
  body: any;
}

async function call(
  bot: TestBot,
  path: string,
  token: string,
  options: { method?: string; body?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${bot.url}${path}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const connectors = (tid: string) => `/api/v1/tenants/${tid}/connectors`;
const importBody = (displayName: string) => ({ type: 'box', displayName, status: 'authorized' });
const nowSeconds = () => Math.floor(Date.now() / 1000);

function expectError(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({ status, code });
}

describe('management API with Entra ID access tokens for the bot app', () => {
  let cloud: FakeMicrosoftCloud;
  let bot: TestBot;
  let contoso: FakeTenant;
  let fabrikam: FakeTenant;

  beforeAll(async () => {
    cloud = await startFakeMicrosoftCloud();
    contoso = cloud.addTenant({ displayName: 'Contoso' });
    fabrikam = cloud.addTenant({ displayName: 'Fabrikam' });
    bot = await startTestBot({
      cloud,
      env: { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'test-secret-not-real', API_TOKEN },
    });
  });
  afterAll(async () => {
    await bot.stop();
    removeTempDir(bot.dataDir);
    await cloud.stop();
  });

  /** A token Contoso's sign-in service issues for the bot's API with `roles`. */
  const tokenFor = (tenant: FakeTenant, roles: string[], claims: Record<string, unknown> = {}) =>
    cloud.signAccessToken(tenant.id, { aud: `api://${APP_ID}`, roles, ...claims });

  test('a Connectors.Manage token of Contoso lists, imports and records transfers in Contoso, checked against Contoso keys on the authority host', async () => {
    cloud.reset();
    const oid = '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e';
    const token = tokenFor(contoso, [MANAGE], { oid });
    const created = await call(bot, connectors(contoso.id), token, { body: importBody('Box of Contoso') });
    expect(created.status).toBe(201);
    const id = created.body.results[0].id as string;
    const listed = await call(bot, connectors(contoso.id), token);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((c: { displayName: string }) => c.displayName)).toEqual(['Box of Contoso']);
    const transfer = await call(bot, `${connectors(contoso.id)}/${id}/transfers`, token, { body: {} });
    expect(transfer.status).toBe(200);
    const audit = await call(bot, `/api/v1/tenants/${contoso.id}/audit`, token);
    expect(audit.status).toBe(200);
    // Changes made with the token are audited as its user (or client app), not as the operator.
    const actors = audit.body.items.map((a: { action: string; actor: string }) => [a.action, a.actor]);
    expect(actors).toEqual(
      expect.arrayContaining([
        ['connector.imported', `api:${oid}`],
        ['transfer.recorded', `api:${oid}`],
      ]),
    );
    // The tenant's v2.0 metadata and keys were read once, from the authority host, and cached.
    const openIdReads = cloud.requests.filter((r) => r.path.startsWith(`/${contoso.id}/`)).map((r) => r.path);
    expect(openIdReads).toEqual([
      `/${contoso.id}/v2.0/.well-known/openid-configuration`,
      `/${contoso.id}/discovery/v2.0/keys`,
    ]);
  });

  test("Contoso's token gets 403 on Fabrikam's paths, whatever the route, and Fabrikam's data is untouched", async () => {
    const token = tokenFor(contoso, [MANAGE]);
    await call(bot, connectors(fabrikam.id), API_TOKEN, { body: importBody('Box of Fabrikam') });
    for (const [path, method, body] of [
      [connectors(fabrikam.id), 'GET', undefined],
      [connectors(fabrikam.id.toUpperCase()), 'GET', undefined],
      [connectors(fabrikam.id), 'POST', importBody('Planted by Contoso')],
      [`/api/v1/tenants/${fabrikam.id}/audit`, 'GET', undefined],
    ] as const) {
      const answer = await call(bot, path, token, { method, body });
      expectError(answer, 403, 'WrongTenant');
      expect(answer.body.error.message).toContain(contoso.id);
    }
    const fabrikamList = await call(bot, connectors(fabrikam.id), API_TOKEN);
    expect(fabrikamList.body.items.map((c: { displayName: string }) => c.displayName)).toEqual([
      'Box of Fabrikam',
    ]);
  });

  test('POST /scan covers every tenant: operator only (API_TOKEN), 403 OperatorOnly for a tenant token', async () => {
    expectError(
      await call(bot, '/api/v1/scan', tokenFor(contoso, [MANAGE]), { method: 'POST' }),
      403,
      'OperatorOnly',
    );
    expect((await call(bot, '/api/v1/scan', API_TOKEN, { method: 'POST' })).status).toBe(200);
  });

  test('Connectors.Read reads but may not change; a token without either role is 403', async () => {
    const reader = tokenFor(contoso, [READ]);
    expect((await call(bot, connectors(contoso.id), reader)).status).toBe(200);
    expectError(
      await call(bot, connectors(contoso.id), reader, { body: importBody('Read-only import') }),
      403,
      'ReadOnlyRole',
    );
    expectError(await call(bot, connectors(contoso.id), tokenFor(contoso, [])), 403, 'MissingAppRole');
    expectError(
      await call(bot, connectors(contoso.id), tokenFor(contoso, ['Other.Role'])),
      403,
      'MissingAppRole',
    );
  });

  test('the app id itself is an accepted audience, and v1.0 tokens are checked against the v1.0 issuer', async () => {
    expect((await call(bot, connectors(contoso.id), tokenFor(contoso, [READ], { aud: APP_ID }))).status).toBe(
      200,
    );
    const v1 = tokenFor(contoso, [READ], { ver: '1.0' });
    expect((await call(bot, connectors(contoso.id), v1)).status).toBe(200);
  });

  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  test.each<[string, () => string]>([
    [
      'another audience',
      () => tokenFor(contoso, [MANAGE], { aud: 'api://00000000-0000-0000-0000-000000000001' }),
    ],
    [
      'Microsoft Graph as audience',
      () => tokenFor(contoso, [MANAGE], { aud: 'https://graph.microsoft.com' }),
    ],
    [
      'an expired token',
      () => tokenFor(contoso, [MANAGE], { exp: nowSeconds() - 3600, nbf: nowSeconds() - 7200 }),
    ],
    ['a token not yet valid', () => tokenFor(contoso, [MANAGE], { nbf: nowSeconds() + 3600 })],
    ['a token without expiry', () => tokenFor(contoso, [MANAGE], { exp: undefined })],
    [
      'a key the tenant does not publish, under its kid',
      () => cloud.signAccessToken(contoso.id, { aud: `api://${APP_ID}`, roles: [MANAGE] }, { key: stranger }),
    ],
    [
      'a key the tenant does not publish, under another kid',
      () =>
        cloud.signAccessToken(
          contoso.id,
          { aud: `api://${APP_ID}`, roles: [MANAGE] },
          { key: stranger, kid: 'forged' },
        ),
    ],
    [
      'HS256 signed with the app id',
      () =>
        cloud.signAccessToken(
          contoso.id,
          { aud: `api://${APP_ID}`, roles: [MANAGE] },
          { key: APP_ID, algorithm: 'HS256' },
        ),
    ],
    [
      "Fabrikam's issuer on a token that claims Contoso's tid",
      () => tokenFor(contoso, [MANAGE], { iss: `${cloud.authorityHost}/${fabrikam.id}/v2.0` }),
    ],
    [
      'a tenant the authority does not know',
      () =>
        cloud.signAccessToken('11111111-1111-4111-8111-111111111111', {
          aud: `api://${APP_ID}`,
          roles: [MANAGE],
        }),
    ],
  ])('%s is 401 invalid_token, and the token is not logged', async (_name, make) => {
    const token = make();
    const answer = await call(bot, connectors(contoso.id), token);
    expectError(answer, 401, 'Unauthorized');
    expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(JSON.stringify(bot.logs)).not.toContain(token.split('.')[2]);
  });

  test('an Entra outage while reading the keys is 503 with Retry-After, not an invalid token; it recovers within seconds', async () => {
    // A tenant whose keys were never read, so the outage is met on the first look-up.
    const northwind = cloud.addTenant({ displayName: 'Northwind' });
    const token = tokenFor(northwind, [READ]);
    cloud.login.openIdDown = true;
    try {
      const down = await call(bot, connectors(northwind.id), token);
      expectError(down, 503, 'AuthenticationUnavailable');
      expect(down.headers.get('retry-after')).toBe('10');
      expect(bot.logs).toContainEqual(expect.objectContaining({ msg: 'api: request refused', status: 503 }));
    } finally {
      cloud.login.openIdDown = false;
    }
    // Failures of this kind are kept 5 seconds, not a minute.
    await new Promise((resolve) => setTimeout(resolve, 5_100));
    expect((await call(bot, connectors(northwind.id), token)).status).toBe(200);
  });

  test('the operator API_TOKEN still reaches every tenant', async () => {
    expect((await call(bot, connectors(contoso.id), API_TOKEN)).status).toBe(200);
    expect((await call(bot, connectors(fabrikam.id), API_TOKEN)).status).toBe(200);
  });
});

describe('Entra tokens without API_TOKEN, and API_ENTRA_AUTH=off', () => {
  let cloud: FakeMicrosoftCloud;
  beforeAll(async () => {
    cloud = await startFakeMicrosoftCloud();
  });
  afterAll(async () => cloud.stop());

  test('with MicrosoftAppId and no API_TOKEN the API is on for Entra tokens only', async () => {
    const tenant = cloud.addTenant();
    const bot = await startTestBot({
      cloud,
      env: { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'test-secret-not-real' },
    });
    try {
      const token = cloud.signAccessToken(tenant.id, { aud: `api://${APP_ID}`, roles: [READ] });
      expect((await call(bot, connectors(tenant.id), token)).status).toBe(200);
      expectError(
        await call(bot, connectors(tenant.id), 'a-guess-at-an-operator-token'),
        401,
        'Unauthorized',
      );
    } finally {
      await bot.stop();
      removeTempDir(bot.dataDir);
    }
  });

  test('API_ENTRA_AUTH=off: only API_TOKEN opens the API', async () => {
    const tenant = cloud.addTenant();
    const bot = await startTestBot({
      cloud,
      env: {
        MicrosoftAppId: APP_ID,
        MicrosoftAppPassword: 'test-secret-not-real',
        API_TOKEN,
        API_ENTRA_AUTH: 'off',
      },
    });
    try {
      cloud.reset();
      const token = cloud.signAccessToken(tenant.id, { aud: `api://${APP_ID}`, roles: [MANAGE] });
      expectError(await call(bot, connectors(tenant.id), token), 401, 'Unauthorized');
      expect(cloud.requests).toEqual([]);
    } finally {
      await bot.stop();
      removeTempDir(bot.dataDir);
    }
  });
});
