import { createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { LookupFunction } from 'node:net';
import { ConfigError, loadConfig } from '../../../src/config/config';
import { installationUpdate, makeUser, message, personalChat, type Activity } from '../../harness/activities';
import { postActivity } from '../../harness/teamsClient';
import { makeTempDir, removeTempDir, startHarness, type Harness } from '../../harness/testBot';
import {
  BOT_FRAMEWORK_ISSUER,
  startFakeOpenIdProvider,
  type FakeOpenIdProvider,
} from '../../support/fakeOpenId';
import { installNetworkGuard, NetworkGuardError, type NetworkGuard } from '../../support/networkGuard';
import { rawRequest } from '../../support/rawHttp';
import { freePort, spawnBot, waitForHealth, type ChildBot } from '../../harness/childBot';

const APP_ID = '6f9a4b2c-3d1e-4f5a-8b7c-9d0e1f2a3b4c';
const OTHER_APP_ID = '0d8c7b6a-5f4e-4d3c-9b2a-1f0e9d8c7b6a';
const TENANT = '22222222-2222-4222-8222-222222222222';
/** A real Teams Bot Connector address: nothing in this file may reach it. */
const REMOTE_SERVICE_URL = 'https://smba.trafficmanager.net/amer/';
/** The Entra tenant the Bot Framework Emulator's tokens come from (botbuilder's emulator issuers). */
const EMULATOR_TENANT = 'd6d49420-f39b-4df7-a1dc-d59a935871db';

let guard: NetworkGuard;

beforeAll(() => {
  guard = installNetworkGuard();
});

afterAll(() => {
  guard.uninstall();
  expect(guard.describe()).toBe('none');
});

test('the network guard refuses a socket to a remote host (a broken guard would reach a closed loopback port, not the internet)', async () => {
  const before = guard.attempts.length;
  // Resolves every name to loopback, so that even without the guard nothing leaves this machine.
  const toLoopback = ((_hostname, options, callback) =>
    options.all
      ? callback(null, [{ address: '127.0.0.1', family: 4 }])
      : callback(null, '127.0.0.1', 4)) as LookupFunction;

  const outcome = await new Promise<unknown>((resolve) => {
    const request = http.get(
      { host: 'smba.trafficmanager.net', port: 9, path: '/', agent: false, lookup: toLoopback },
      () => resolve('answered'),
    );
    request.on('error', resolve);
  });

  expect(outcome).toBeInstanceOf(NetworkGuardError);
  // This test's own attempt is expected; take it out of the record the last test checks.
  expect(guard.attempts.splice(before)).toEqual([
    expect.objectContaining({ via: 'net.Socket.connect', host: 'smba.trafficmanager.net', port: 9 }),
  ]);
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

function conversationIdOf(activity: Activity): string {
  return (activity.conversation as { id: string }).id;
}

/** A `help` message from a new user in a new 1:1 chat: if any handler ran, the bot would answer it. */
function helpMessage(serviceUrl: string): Activity {
  const user = makeUser();
  return message(serviceUrl, personalChat(TENANT, user), user, 'help');
}

/**
 * An app upgrade in a new 1:1 chat: the bot handles it without answering, so the turn needs no
 * outbound token; only the conversation tracking step leaves a trace.
 */
function silentActivity(serviceUrl: string): Activity {
  const user = makeUser();
  return {
    ...installationUpdate(serviceUrl, personalChat(TENANT, user), user, 'add'),
    action: 'add-upgrade',
  };
}

/** Another RSA key, made once: its tokens must not be trusted. */
let strangerKey: ReturnType<typeof generateKeyPairSync>['privateKey'] | undefined;
function otherKey() {
  strangerKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return strangerKey;
}

describe('with MicrosoftAppId set, /api/messages only serves requests carrying a Bot Framework token', () => {
  let provider: FakeOpenIdProvider;
  let h: Harness;
  let consoleError: jest.SpyInstance;

  beforeAll(async () => {
    // botbuilder prints every refused token with console.error; keep the test output readable.
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    provider = await startFakeOpenIdProvider({ endorsements: ['msteams'] });
    h = await startHarness({
      env: {
        MicrosoftAppId: APP_ID,
        MicrosoftAppPassword: 'test-secret-not-real',
        BOT_OPENID_METADATA_URL: provider.metadataUrl,
      },
    });
  });

  afterAll(async () => {
    await h?.stop();
    await provider?.stop();
    consoleError.mockRestore();
  });

  /** The claims of a token a Teams channel sends this bot for an activity posted from `serviceUrl`. */
  function channelClaims(
    serviceUrl: string,
    overrides: Record<string, unknown> = {},
  ): Record<string, unknown> {
    return {
      iss: BOT_FRAMEWORK_ISSUER,
      aud: APP_ID,
      serviceurl: serviceUrl,
      nbf: nowSeconds() - 60,
      exp: nowSeconds() + 3600,
      ...overrides,
    };
  }

  /** Posts `activity`; the answer must be `status`, and no handler may have run. */
  async function expectRefused(
    activity: Activity,
    headers: Record<string, string>,
    status: number,
  ): Promise<void> {
    const callsBefore = h.standIn.calls.length;
    const answer = await postActivity(h.bot.url, activity, headers);
    expect(answer.status).toBe(status);
    await expect(h.bot.store.conversations.get(TENANT, conversationIdOf(activity))).resolves.toBeUndefined();
    expect(h.standIn.calls.slice(callsBefore)).toEqual([]);
  }

  test('the bot runs in authenticated mode against the local OpenID provider', () => {
    expect(h.bot.config.anonymous).toBe(false);
    expect(h.bot.config.bot.openIdMetadataUrl).toBe(provider.metadataUrl);
  });

  test('a request without an Authorization header gets 401 and runs no handler', async () => {
    await expectRefused(helpMessage(h.standIn.url), {}, 401);
  });

  test('an unauthenticated activity naming a remote serviceUrl gets 401 and the bot never contacts it', async () => {
    await expectRefused(helpMessage(REMOTE_SERVICE_URL), {}, 401);
  });

  const refusedTokens: [string, (serviceUrl: string) => string][] = [
    ['a bearer token that is not a JWT', () => 'Bearer garbage'],
    [
      'a Basic Authorization header',
      () => `Basic ${Buffer.from(`${APP_ID}:test-secret-not-real`).toString('base64')}`,
    ],
    [
      'an expired token signed with the published key',
      (serviceUrl) =>
        `Bearer ${provider.sign(channelClaims(serviceUrl, { nbf: nowSeconds() - 7200, exp: nowSeconds() - 3600 }))}`,
    ],
    [
      'a token signed with the published key but issued for another bot (wrong audience)',
      (serviceUrl) => `Bearer ${provider.sign(channelClaims(serviceUrl, { aud: OTHER_APP_ID }))}`,
    ],
    [
      'a token signed with the published key but from another issuer',
      (serviceUrl) =>
        `Bearer ${provider.sign(channelClaims(serviceUrl, { iss: 'https://sts.example.com/' }))}`,
    ],
    [
      'a token signed with the published key but for another serviceUrl',
      (serviceUrl) =>
        `Bearer ${provider.sign(channelClaims(serviceUrl, { serviceurl: REMOTE_SERVICE_URL }))}`,
    ],
    [
      'a token signed with the published key that is not valid yet (nbf in the future)',
      (serviceUrl) =>
        `Bearer ${provider.sign(channelClaims(serviceUrl, { nbf: nowSeconds() + 3600, exp: nowSeconds() + 7200 }))}`,
    ],
    [
      'a token signed by an unpublished key (unknown kid)',
      (serviceUrl) =>
        `Bearer ${provider.sign(channelClaims(serviceUrl), { key: otherKey(), kid: 'not-a-published-key' })}`,
    ],
    [
      'a token carrying the published kid but signed by another key',
      (serviceUrl) => `Bearer ${provider.sign(channelClaims(serviceUrl), { key: otherKey() })}`,
    ],
    [
      'an HS256 token carrying the published kid (algorithm confusion)',
      (serviceUrl) =>
        `Bearer ${provider.sign(channelClaims(serviceUrl), { key: createSecretKey(randomBytes(32)), algorithm: 'HS256' })}`,
    ],
  ];

  test.each(refusedTokens)('%s gets 401 and runs no handler', async (_name, authorization) => {
    await expectRefused(helpMessage(h.standIn.url), { authorization: authorization(h.standIn.url) }, 401);
  });

  test('a valid channel token (Bot Framework issuer, audience = app id, serviceurl = the activity serviceUrl) gets 200 and the turn runs', async () => {
    const activity = silentActivity(h.standIn.url);
    const callsBefore = h.standIn.calls.length;
    const token = provider.sign(channelClaims(h.standIn.url));

    const answer = await postActivity(h.bot.url, activity, { authorization: `Bearer ${token}` });

    expect(answer).toEqual({ status: 200, body: undefined });
    await expect(h.bot.store.conversations.get(TENANT, conversationIdOf(activity))).resolves.toMatchObject({
      conversationId: conversationIdOf(activity),
    });
    expect(h.standIn.calls.slice(callsBefore)).toEqual([]);
    expect(provider.requests).toEqual(expect.arrayContaining(['/.well-known/openid-configuration', '/keys']));
  });

  test('control: an Emulator-form token signed with the published key is honoured, so the refusals are not the harness failing', async () => {
    const activity = silentActivity(h.standIn.url);
    const token = provider.sign({
      iss: `https://sts.windows.net/${EMULATOR_TENANT}/`,
      tid: EMULATOR_TENANT,
      aud: APP_ID,
      appid: APP_ID,
      ver: '1.0',
      nbf: nowSeconds() - 60,
      exp: nowSeconds() + 3600,
    });

    const answer = await postActivity(h.bot.url, activity, { authorization: `Bearer ${token}` });

    expect(answer.status).toBe(200);
    await expect(h.bot.store.conversations.get(TENANT, conversationIdOf(activity))).resolves.toMatchObject({
      conversationId: conversationIdOf(activity),
    });
  });
  describe('the token is checked before the body (no 400 or 413 to a caller without a valid token)', () => {
    const url = () => `${h.bot.url}/api/messages`;
    const json = { 'content-type': 'application/json' };
    const tooLarge = JSON.stringify({ type: 'message', text: 'x'.repeat(2 * 1024 * 1024) });

    test.each([
      ['a body larger than the activity limit', tooLarge],
      ['malformed JSON', '{"type": "message", '],
      ['JSON that is not an activity', '{"hello": "world"}'],
      ['an empty body', ''],
    ])('without Authorization, %s gets 401', async (_name, body) => {
      const answer = await rawRequest(url(), { headers: json, body });
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer');
      expect(JSON.parse(answer.text)).toEqual({
        error: { code: 'Unauthorized', message: expect.any(String) },
      });
    });

    test('with a forged token, a body larger than the limit gets 401', async () => {
      const forged = provider.sign(channelClaims(h.standIn.url), { key: otherKey() });
      const answer = await rawRequest(url(), {
        headers: { ...json, authorization: `Bearer ${forged}` },
        body: tooLarge,
      });
      expect(answer.status).toBe(401);
    });

    test('with an expired token, malformed JSON gets 401', async () => {
      const expired = provider.sign(
        channelClaims(h.standIn.url, { nbf: nowSeconds() - 7200, exp: nowSeconds() - 3600 }),
      );
      const answer = await rawRequest(url(), {
        headers: { ...json, authorization: `Bearer ${expired}` },
        body: '{"type": ',
      });
      expect(answer.status).toBe(401);
    });

    test('control: with a valid token the same bodies get 413, 400 and 415', async () => {
      const authorization = `Bearer ${provider.sign(channelClaims(h.standIn.url))}`;
      const post = (headers: Record<string, string>, body: string) =>
        rawRequest(url(), { headers: { authorization, ...headers }, body });
      expect((await post(json, tooLarge)).status).toBe(413);
      expect((await post(json, '{"type": ')).status).toBe(400);
      expect((await post(json, '{"hello": "world"}')).status).toBe(400);
      expect(
        (await post({ 'content-type': 'application/x-www-form-urlencoded' }, 'type=message')).status,
      ).toBe(415);
    });
  });
});

describe('CLOUD=usgovhigh signs the bot in to the US Government Bot Framework', () => {
  let provider: FakeOpenIdProvider;
  let h: Harness;
  let consoleError: jest.SpyInstance;

  beforeAll(async () => {
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    provider = await startFakeOpenIdProvider({ endorsements: ['msteams'] });
    h = await startHarness({
      env: {
        MicrosoftAppId: APP_ID,
        MicrosoftAppPassword: 'test-secret-not-real',
        BOT_OPENID_METADATA_URL: provider.metadataUrl,
        CLOUD: 'usgovhigh',
      },
    });
  });

  afterAll(async () => {
    await h?.stop();
    await provider?.stop();
    consoleError.mockRestore();
  });

  const tokenFrom = (issuer: string) =>
    provider.sign({
      iss: issuer,
      aud: APP_ID,
      serviceurl: h.standIn.url,
      nbf: nowSeconds() - 60,
      exp: nowSeconds() + 3600,
    });

  test('a token from the Government channel (issuer api.botframework.us) is honoured', async () => {
    const activity = silentActivity(h.standIn.url);
    const answer = await postActivity(h.bot.url, activity, {
      authorization: `Bearer ${tokenFrom('https://api.botframework.us')}`,
    });
    expect(answer.status).toBe(200);
  });

  test('a token from the public channel (issuer api.botframework.com) is refused with 401', async () => {
    const activity = silentActivity(h.standIn.url);
    const answer = await postActivity(h.bot.url, activity, {
      authorization: `Bearer ${tokenFrom(BOT_FRAMEWORK_ISSUER)}`,
    });
    expect(answer.status).toBe(401);
    await expect(h.bot.store.conversations.get(TENANT, conversationIdOf(activity))).resolves.toBeUndefined();
  });
});

describe('botbuilder console output for refused tokens (the bot as `npm start` runs it)', () => {
  let provider: FakeOpenIdProvider;
  let bot: ChildBot | undefined;
  let dataDir: string;

  beforeAll(async () => {
    provider = await startFakeOpenIdProvider({ endorsements: ['msteams'] });
    dataDir = makeTempDir();
  });
  afterAll(async () => {
    await bot?.stop();
    await provider?.stop();
    removeTempDir(dataDir);
  });

  test('goes through the JSON logger, one line per refusal and no stack, and nothing reaches stderr', async () => {
    const port = await freePort();
    bot = spawnBot({
      PORT: String(port),
      DATA_DIR: dataDir,
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'test-secret-not-real',
      BOT_OPENID_METADATA_URL: provider.metadataUrl,
    });
    expect((await waitForHealth(bot, 45_000)).status).toBe(200);
    const serviceUrl = 'http://127.0.0.1:9/';
    const claims = { iss: BOT_FRAMEWORK_ISSUER, aud: APP_ID, serviceurl: serviceUrl };
    // botbuilder prints an expired token with its stack, a bad signature with the whole signing key.
    const expired = provider.sign({ ...claims, nbf: nowSeconds() - 7200, exp: nowSeconds() - 3600 });
    const forged = provider.sign(
      { ...claims, nbf: nowSeconds() - 60, exp: nowSeconds() + 3600 },
      { key: otherKey() },
    );
    for (const token of [expired, forged]) {
      const answer = await postActivity(bot.url, helpMessage(serviceUrl), {
        authorization: `Bearer ${token}`,
      });
      expect(answer.status).toBe(401);
    }
    await bot.stop();

    expect(bot.stderr).toEqual([]);
    const lines = bot.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
    const library = lines.filter((l) => l.msg === 'library console output');
    expect(library).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 'warn',
          source: 'console.error',
          text: expect.stringMatching(/^TokenExpiredError: jwt expired/),
        }),
        expect.objectContaining({
          level: 'warn',
          source: 'console.error',
          text: expect.stringContaining('Error finding key for token'),
        }),
      ]),
    );
    for (const line of library) {
      expect(String(line.text)).not.toMatch(/\n|\bat .*\.js:\d+|^MII/);
    }
    expect(lines.filter((l) => l.msg === 'activity refused: token')).toHaveLength(2);
  }, 90_000);
});

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe('anonymous mode (no MicrosoftAppId) stays on this machine', () => {
  test.each(['0.0.0.0', '10.1.2.3', '::', 'bot.contoso.com'])(
    'HOST=%s is refused with a ConfigError naming HOST',
    (host) => {
      const error = configErrorOf({ HOST: host });
      expect(error.variable).toBe('HOST');
      expect(error.code).toBe('CONFIG_INVALID');
    },
  );

  test('a blank MicrosoftAppId is still anonymous mode, so HOST=0.0.0.0 is refused', () => {
    expect(configErrorOf({ HOST: '0.0.0.0', MicrosoftAppId: '  ' }).variable).toBe('HOST');
  });

  test.each(['127.0.0.1', '::1', 'localhost'])('HOST=%s is accepted', (host) => {
    const config = loadConfig({ HOST: host });
    expect(config).toMatchObject({ anonymous: true, host });
  });

  test('with MicrosoftAppId and MicrosoftAppPassword set, HOST=0.0.0.0 is accepted', () => {
    const config = loadConfig({ HOST: '0.0.0.0', MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x' });
    expect(config).toMatchObject({ anonymous: false, host: '0.0.0.0', bot: { appId: APP_ID } });
  });

  describe('an anonymous bot', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(async () => h?.stop());

    test('refuses an activity whose serviceUrl is not loopback with 400 before it reaches the bot', async () => {
      expect(h.bot.config.anonymous).toBe(true);
      const activity = helpMessage(REMOTE_SERVICE_URL);
      const callsBefore = h.standIn.calls.length;

      const answer = await postActivity(h.bot.url, activity);

      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: { code: 'BadActivity' } });
      await expect(
        h.bot.store.conversations.get(TENANT, conversationIdOf(activity)),
      ).resolves.toBeUndefined();
      expect(h.standIn.calls.slice(callsBefore)).toEqual([]);
    });

    test.each([
      [
        'text that is not a string',
        (a: Activity) => ({ ...a, text: 123 }),
        'the activity text is not a string',
      ],
      [
        'a conversation type that is not a string',
        (a: Activity) => ({ ...a, conversation: { ...(a.conversation as object), conversationType: 123 } }),
        'conversation.conversationType is not a string',
      ],
      [
        'members added that are not members',
        (a: Activity) => ({ ...a, type: 'conversationUpdate', membersAdded: [null] }),
        'membersAdded is not a list of members with ids',
      ],
      [
        'a card action that is not Action.Execute',
        (a: Activity) => ({
          ...a,
          type: 'invoke',
          name: 'adaptiveCard/action',
          value: { action: { type: 'Action.Submit', data: {} } },
        }),
        'an adaptiveCard/action invoke needs value.action of type Action.Execute with a verb',
      ],
      [
        'a card action with no value',
        (a: Activity) => ({ ...a, type: 'invoke', name: 'adaptiveCard/action', value: undefined }),
        'an adaptiveCard/action invoke needs value.action of type Action.Execute with a verb',
      ],
    ])(
      'refuses %s with 400 naming it, before the bot runs (no "something went wrong")',
      async (_, malform, problem) => {
        const activity = malform(helpMessage(h.standIn.url)) as Activity;
        const callsBefore = h.standIn.calls.length;
        const answer = await postActivity(h.bot.url, activity);
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual({ error: { code: 'BadActivity', message: problem } });
        expect(h.standIn.calls.slice(callsBefore)).toEqual([]);
        expect(h.bot.logs.at(-1)).toMatchObject({ level: 'warn', msg: 'activity refused', problem });
      },
    );

    test('control: serves an activity from the loopback stand-in', async () => {
      const activity = silentActivity(h.standIn.url);
      const answer = await postActivity(h.bot.url, activity);
      expect(answer.status).toBe(200);
      await expect(h.bot.store.conversations.get(TENANT, conversationIdOf(activity))).resolves.toBeDefined();
    });

    describe('a web page cannot drive it (415 for anything but JSON, 403 for a Host that is not loopback)', () => {
      /** A `transfer` command as a form post: what a page on any site can send with <form method=post>. */
      function formPost(activity: Activity): string {
        const conversation = activity.conversation as Record<string, string>;
        const from = activity.from as Record<string, string>;
        return new URLSearchParams({
          type: 'message',
          text: String(activity.text),
          serviceUrl: String(activity.serviceUrl),
          'conversation[id]': conversation.id,
          'conversation[tenantId]': TENANT,
          'from[id]': from.id,
          'from[aadObjectId]': from.aadObjectId,
          'channelData[tenant][id]': TENANT,
          channelId: 'msteams',
          id: 'form-post',
        }).toString();
      }

      async function expectNoTurn(activity: Activity, callsBefore: number): Promise<void> {
        await expect(
          h.bot.store.conversations.get(TENANT, conversationIdOf(activity)),
        ).resolves.toBeUndefined();
        expect(h.standIn.calls.slice(callsBefore)).toEqual([]);
      }

      test.each([
        ['application/x-www-form-urlencoded', (a: Activity) => formPost(a)],
        ['text/plain', (a: Activity) => JSON.stringify(a)],
        [
          'multipart/form-data; boundary=x',
          (a: Activity) =>
            `--x\r\nContent-Disposition: form-data; name="text"\r\n\r\n${String(a.text)}\r\n--x--\r\n`,
        ],
      ])('a %s post gets 415 and runs no handler', async (contentType, body) => {
        const activity = helpMessage(h.standIn.url);
        const callsBefore = h.standIn.calls.length;
        const answer = await rawRequest(`${h.bot.url}/api/messages`, {
          headers: { 'content-type': contentType },
          body: body(activity),
        });
        expect(answer.status).toBe(415);
        expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'UnsupportedMediaType' } });
        await expectNoTurn(activity, callsBefore);
      });

      test.each([
        'attacker.example:3978',
        'rebind.attacker.example',
        '192.168.1.10:3978',
        '127.0.0.1.nip.io',
      ])('an activity sent with Host %s (DNS rebinding) gets 403 and runs no handler', async (host) => {
        const activity = helpMessage(h.standIn.url);
        const callsBefore = h.standIn.calls.length;
        const answer = await rawRequest(`${h.bot.url}/api/messages`, {
          headers: { host, 'content-type': 'application/json' },
          body: JSON.stringify(activity),
        });
        expect(answer.status).toBe(403);
        expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'HostNotAllowed' } });
        await expectNoTurn(activity, callsBefore);
        expect(h.bot.logs).toContainEqual(
          expect.objectContaining({
            level: 'warn',
            msg: 'request refused: Host is not loopback in anonymous mode',
          }),
        );
      });

      test('a rebound Host cannot read /healthz either', async () => {
        const answer = await rawRequest(`${h.bot.url}/healthz`, {
          method: 'GET',
          headers: { host: 'attacker.example' },
        });
        expect(answer.status).toBe(403);
      });

      test.each(['localhost', '127.0.0.1', '[::1]'])(
        'control: Host %s with the port is served',
        async (name) => {
          const port = new URL(h.bot.url).port;
          const activity = silentActivity(h.standIn.url);
          const answer = await rawRequest(`${h.bot.url}/api/messages`, {
            headers: { host: `${name}:${port}`, 'content-type': 'application/json; charset=utf-8' },
            body: JSON.stringify(activity),
          });
          expect(answer.status).toBe(200);
          await expect(
            h.bot.store.conversations.get(TENANT, conversationIdOf(activity)),
          ).resolves.toBeDefined();
        },
      );
    });
  });
});

test('no test reached, or looked up, any host but this machine', () => {
  expect(guard.describe()).toBe('none');
});
