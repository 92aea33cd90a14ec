import { randomUUID } from 'node:crypto';
import { removeTempDir, startTestBot, TestClock, type TestBot } from '../../harness/testBot';
import { StoreUnavailableError } from '../../../src/connectors/ports';

const TOKEN = 'api-token-'.padEnd(40, 'x');
const DAY_MS = 24 * 60 * 60 * 1000;

interface Call {
  method?: string;
  body?: unknown;
  /** Sent as is, with no Content-Type unless `contentType` says so. */
  raw?: string;
  contentType?: string;
  /** The Authorization header; the right bearer token unless given (null: none). */
  authorization?: string | null;
}

interface Answer {
  status: number;
  headers: Headers;
  // Response bodies are whatever the API sent; each test asserts the shape it expects.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function call(bot: TestBot, path: string, options: Call = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  const authorization = options.authorization === undefined ? `Bearer ${TOKEN}` : options.authorization;
  if (authorization !== null) headers.authorization = authorization;
  let body: string | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    if (options.contentType) headers['content-type'] = options.contentType;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const res = await fetch(`${bot.url}${path}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const newTenant = () => randomUUID();
const connectors = (tid: string) => `/api/v1/tenants/${tid}/connectors`;
const daysAgo = (clock: TestClock, days: number) =>
  new Date(clock.now().getTime() - days * DAY_MS).toISOString();

function expectError(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({ status, code });
  expect(typeof answer.body.error.message).toBe('string');
}

describe('management API without API_TOKEN', () => {
  test('every /api/v1 path answers 404 ApiDisabled, whatever the method or token', async () => {
    const bot = await startTestBot();
    try {
      for (const [path, method] of [
        [connectors(newTenant()), 'GET'],
        [connectors(newTenant()), 'POST'],
        ['/api/v1/scan', 'POST'],
        ['/api/v1', 'GET'],
        ['/api/v1/anything/else', 'DELETE'],
      ]) {
        const answer = await call(bot, path, { method, authorization: 'Bearer some-guess-at-a-token' });
        expect(answer.status).toBe(404);
        expect(answer.body).toEqual({
          error: { code: 'ApiDisabled', message: 'The management API is off: set API_TOKEN to enable it.' },
        });
      }
      expect(JSON.stringify(bot.logs)).not.toContain('some-guess-at-a-token');
    } finally {
      await bot.stop();
      removeTempDir(bot.dataDir);
    }
  });
});

describe('management API with API_TOKEN', () => {
  let bot: TestBot;
  let clock: TestClock;

  beforeAll(async () => {
    clock = new TestClock();
    bot = await startTestBot({ env: { API_TOKEN: TOKEN }, clock });
  });
  afterAll(async () => {
    await bot.stop();
    removeTempDir(bot.dataDir);
  });

  describe('authentication', () => {
    test.each([
      ['no Authorization header', null],
      ['a wrong token', 'Bearer not-the-right-token-at-all'],
      ['a token one character short', `Bearer ${TOKEN.slice(0, -1)}`],
      ['the right token under another scheme', `Basic ${TOKEN}`],
      ['a Bearer header without a token', 'Bearer '],
    ])('%s is 401 with a Bearer challenge, and the token is not logged', async (_name, authorization) => {
      const answer = await call(bot, connectors(newTenant()), { authorization });
      expectError(answer, 401, 'Unauthorized');
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer /);
      const logged = JSON.stringify(bot.logs);
      expect(logged).not.toContain(TOKEN.slice(0, -1));
      expect(logged).not.toContain('not-the-right-token');
    });

    test('the scheme is case-insensitive', async () => {
      const answer = await call(bot, connectors(newTenant()), { authorization: `bearer ${TOKEN}` });
      expect(answer.status).toBe(200);
    });

    test('an unauthenticated request is refused before its body is looked at', async () => {
      const answer = await call(bot, connectors(newTenant()), {
        authorization: null,
        raw: '{',
        contentType: 'text/plain',
      });
      expectError(answer, 401, 'Unauthorized');
    });
  });

  describe('import', () => {
    test('one connector: 201, stored with its times, no creator, audited as imported by the api', async () => {
      const tid = newTenant();
      const lastTransferAt = daysAgo(clock, 10);
      const created = await call(bot, connectors(tid), {
        body: { id: 'legacy-42', type: 'office365', displayName: 'Contoso tenant', lastTransferAt },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ results: [{ id: 'legacy-42', created: true }] });

      const got = await call(bot, `${connectors(tid)}/legacy-42`);
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({
        id: 'legacy-42',
        tenantId: tid,
        type: 'office365',
        displayName: 'Contoso tenant',
        status: 'authorized',
        lastTransferAt,
        createdAt: lastTransferAt,
        expiresAt: new Date(Date.parse(lastTransferAt) + 90 * DAY_MS).toISOString(),
        daysUntilExpiry: 80,
      });
      expect(got.body.createdBy).toBeUndefined();

      const audit = await call(bot, `/api/v1/tenants/${tid}/audit`);
      expect(audit.body.items).toEqual([
        expect.objectContaining({ action: 'connector.imported', actor: 'api', connectorId: 'legacy-42' }),
      ]);
    });

    test('a list: every item created; ids made up when not given', async () => {
      const tid = newTenant();
      const answer = await call(bot, connectors(tid), {
        body: [
          { id: 'a', type: 'box', displayName: 'Box', status: 'awaiting-consent' },
          { type: 'dropbox', displayName: 'Dropbox', authorizedAt: daysAgo(clock, 3) },
          {
            id: 'c',
            type: 'amazon-s3',
            displayName: 'S3',
            status: 'deauthorized',
            createdAt: daysAgo(clock, 200),
          },
        ],
      });
      expect(answer.status).toBe(201);
      const results = answer.body.results as { id: string; created: boolean }[];
      expect(results.map((r) => r.created)).toEqual([true, true, true]);
      expect(results[0].id).toBe('a');
      expect(results[1].id).toMatch(/^[0-9a-f-]{36}$/);
      const listed = await call(bot, connectors(tid));
      expect(
        listed.body.items.map((c: { displayName: string; status: string }) => [c.displayName, c.status]),
      ).toEqual([
        ['Box', 'awaiting-consent'],
        ['Dropbox', 'authorized'],
        ['S3', 'deauthorized'],
      ]);
    });

    test('is idempotent on the caller-given id: a repeat changes nothing and answers 200', async () => {
      const tid = newTenant();
      const first = await call(bot, connectors(tid), {
        body: [{ id: 'same', type: 'egnyte', displayName: 'Egnyte', lastTransferAt: daysAgo(clock, 5) }],
      });
      expect(first.status).toBe(201);
      const before = (await call(bot, `${connectors(tid)}/same`)).body;

      const again = await call(bot, connectors(tid), {
        body: [{ id: 'same', type: 'box', displayName: 'Something else', lastTransferAt: daysAgo(clock, 1) }],
      });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ results: [{ id: 'same', created: false }] });
      expect((await call(bot, `${connectors(tid)}/same`)).body).toEqual(before);

      const mixed = await call(bot, connectors(tid), {
        body: [
          { id: 'same', type: 'egnyte', displayName: 'Egnyte' },
          { id: 'new', type: 'egnyte', displayName: 'Egnyte 2' },
        ],
      });
      expect(mixed.status).toBe(201);
      expect(mixed.body.results).toEqual([
        { id: 'same', created: false },
        { id: 'new', created: true },
      ]);
      const audit = await call(bot, `/api/v1/tenants/${tid}/audit`);
      expect(
        audit.body.items.filter((e: { action: string }) => e.action === 'connector.imported'),
      ).toHaveLength(2);
    });

    test('without ids, a request retried after a storage failure part-way creates each connector once', async () => {
      const tid = newTenant();
      const items = ['A', 'B', 'C', 'D'].map((n) => ({ type: 'box', displayName: `Import ${n}` }));
      const store = bot.store.connectors;
      const create = store.create;
      let creates = 0;
      store.create = async (connector) => {
        if (++creates === 3) throw new StoreUnavailableError(new Error('SQLITE_BUSY (injected)'));
        return create.call(store, connector);
      };
      try {
        expect((await call(bot, connectors(tid), { body: items })).status).toBe(503);
      } finally {
        store.create = create;
      }
      const retry = await call(bot, connectors(tid), { body: items });
      expect(retry.status).toBe(201);
      expect(retry.body.results.map((r: { created: boolean }) => r.created)).toEqual([
        false,
        false,
        true,
        true,
      ]);
      const stored = (await bot.store.connectors.list(tid, { limit: 50 })).items.map((c) => c.displayName);
      expect(stored.sort()).toEqual(['Import A', 'Import B', 'Import C', 'Import D']);
      // The same again changes nothing.
      const again = await call(bot, connectors(tid), { body: items });
      expect(again.status).toBe(200);
      expect(again.body.results).toEqual(retry.body.results.map((r: object) => ({ ...r, created: false })));
    });

    test('two identical items without ids cannot be told apart: 422 naming both', async () => {
      const tid = newTenant();
      const item = { type: 'box', displayName: 'Twin' };
      const answer = await call(bot, connectors(tid), { body: [item, { ...item }] });
      expectError(answer, 422, 'ValidationFailed');
      expect(answer.body.error.message).toContain('/1 repeats /0 exactly: give each an id to import both');
    });

    test('1,000 items are accepted, 1,001 are refused with 422', async () => {
      const tid = newTenant();
      const item = (i: number) => ({ id: `bulk-${i}`, type: 'box', displayName: `Box ${i}` });
      const tooMany = await call(bot, connectors(tid), {
        body: Array.from({ length: 1001 }, (_, i) => item(i)),
      });
      expectError(tooMany, 422, 'ValidationFailed');
      expect(tooMany.body.error.message).toContain('1000');
      expect((await call(bot, connectors(tid))).body.items).toEqual([]);

      const enough = await call(bot, connectors(tid), {
        body: Array.from({ length: 1000 }, (_, i) => item(i)),
      });
      expect(enough.status).toBe(201);
      expect(enough.body.results).toHaveLength(1000);
    });

    test('schema errors are 422 naming each field, and nothing of the list is written', async () => {
      const tid = newTenant();
      const answer = await call(bot, connectors(tid), {
        body: [
          { id: 'fine', type: 'box', displayName: 'Fine' },
          { type: 'no-such-type', displayName: 'x'.repeat(81), createdBy: 'someone' },
          { id: 'bad id!', displayName: 'Missing type', lastTransferAt: 'yesterday' },
        ],
      });
      expectError(answer, 422, 'ValidationFailed');
      const message: string = answer.body.error.message;
      expect(message).toContain('/1/type');
      expect(message).toContain('/1/displayName');
      expect(message).toContain('"createdBy"');
      expect(message).toContain('/2/id');
      expect(message).toContain("required property 'type'");
      expect(message).toContain('/2/lastTransferAt');
      expect((await call(bot, connectors(tid))).body.items).toEqual([]);
    });

    test('times in the future or before creation are 422; a single object has paths from its root', async () => {
      const tid = newTenant();
      const future = await call(bot, connectors(tid), {
        body: {
          type: 'box',
          displayName: 'Box',
          lastTransferAt: new Date(clock.now().getTime() + DAY_MS).toISOString(),
        },
      });
      expectError(future, 422, 'ValidationFailed');
      expect(future.body.error.message).toContain('/lastTransferAt must not be in the future');

      const early = await call(bot, connectors(tid), {
        body: [
          {
            type: 'box',
            displayName: 'Box',
            createdAt: daysAgo(clock, 5),
            lastTransferAt: daysAgo(clock, 6),
          },
        ],
      });
      expectError(early, 422, 'ValidationFailed');
      expect(early.body.error.message).toContain('/0/lastTransferAt must not be before createdAt');

      const twice = await call(bot, connectors(tid), {
        body: [
          { id: 'dup', type: 'box', displayName: 'One' },
          { id: 'dup', type: 'box', displayName: 'Two' },
        ],
      });
      expectError(twice, 422, 'ValidationFailed');
      expect(twice.body.error.message).toContain('/1/id repeats the id of /0');
      expect((await call(bot, connectors(tid))).body.items).toEqual([]);
    });

    test('an empty list is 422, no body is 400', async () => {
      const tid = newTenant();
      expectError(await call(bot, connectors(tid), { body: [] }), 422, 'ValidationFailed');
      expectError(await call(bot, connectors(tid), { method: 'POST' }), 400, 'MissingBody');
    });
  });

  describe('request bodies', () => {
    test('malformed JSON is 400, with a log line at the default level', async () => {
      const logged = bot.logs.length;
      const answer = await call(bot, connectors(newTenant()), {
        raw: '{"type": "box",',
        contentType: 'application/json',
      });
      expectError(answer, 400, 'MalformedJson');
      expect(bot.logs.slice(logged)).toContainEqual(
        expect.objectContaining({
          level: 'info',
          msg: 'request body refused',
          status: 400,
          code: 'MalformedJson',
        }),
      );
    });

    test('a refusal inside a route (422) leaves a log line at the default level', async () => {
      const logged = bot.logs.length;
      expectError(await call(bot, connectors(newTenant()), { body: [] }), 422, 'ValidationFailed');
      expect(bot.logs.slice(logged)).toContainEqual(
        expect.objectContaining({
          level: 'info',
          msg: 'api: request refused',
          status: 422,
          code: 'ValidationFailed',
        }),
      );
    });

    test('another content type is 415', async () => {
      for (const contentType of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
      ]) {
        const answer = await call(bot, connectors(newTenant()), {
          raw: JSON.stringify({ type: 'box', displayName: 'Box' }),
          contentType,
        });
        expectError(answer, 415, 'UnsupportedMediaType');
        expect(bot.logs[bot.logs.length - 1]).toMatchObject({ msg: 'request body refused', status: 415 });
      }
      const utf8 = await call(bot, connectors(newTenant()), {
        raw: JSON.stringify({ type: 'box', displayName: 'Box' }),
        contentType: 'application/json; charset=UTF-8',
      });
      expect(utf8.status).toBe(201);
    });

    test('a body over 1 MiB is 413 with a JSON error; the API takes more than /api/messages does', async () => {
      const tid = newTenant();
      const huge = JSON.stringify([{ type: 'box', displayName: 'Box', pad: ' '.repeat(1024 * 1024) }]);
      const tooBig = await call(bot, connectors(tid), { raw: huge, contentType: 'application/json' });
      expectError(tooBig, 413, 'PayloadTooLarge');

      // 300 KiB: above the 256 KiB activity limit, well within the API's.
      const padded = `{"type":"box","displayName":"Padded"${' '.repeat(300 * 1024)}}`;
      expect(
        (await call(bot, connectors(tid), { raw: padded, contentType: 'application/json' })).status,
      ).toBe(201);
      const activity = await fetch(`${bot.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: padded,
      });
      expect(activity.status).toBe(413);
    });
  });

  describe('paths', () => {
    test('a tenant id that is not a GUID is 400', async () => {
      expectError(await call(bot, connectors('contoso')), 400, 'InvalidTenantId');
      expectError(await call(bot, '/api/v1/tenants/contoso/audit'), 400, 'InvalidTenantId');
    });

    test('an unknown connector is 404; an unknown route is 404 JSON', async () => {
      expectError(await call(bot, `${connectors(newTenant())}/nope`), 404, 'NotFound');
      expectError(await call(bot, '/api/v1/tenants'), 404, 'NotFound');
      expectError(await call(bot, '/api/v1/scan', { method: 'GET' }), 404, 'NotFound');
      expectError(await call(bot, `${connectors(newTenant())}/x`, { method: 'DELETE' }), 404, 'NotFound');
    });

    test('the tenant id is matched whatever its case', async () => {
      const tid = newTenant();
      await call(bot, connectors(tid.toUpperCase()), {
        body: { id: 'upper', type: 'box', displayName: 'Box' },
      });
      expect((await call(bot, `${connectors(tid)}/upper`)).status).toBe(200);
    });
  });

  describe('listing', () => {
    test('pages by limit, following next to the end', async () => {
      const tid = newTenant();
      const names = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'];
      await call(bot, connectors(tid), {
        body: names.map((displayName) => ({ type: 'box', displayName })),
      });
      const seen: string[] = [];
      let next: string | null = null;
      let pages = 0;
      do {
        const query: string = next ? `?limit=2&cursor=${encodeURIComponent(next)}` : '?limit=2';
        const page = await call(bot, `${connectors(tid)}${query}`);
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((c: { displayName: string }) => c.displayName));
        next = page.body.next;
        pages++;
      } while (next && pages < 10);
      expect(seen).toEqual(names);
      expect(pages).toBe(3);
    });

    test('a bad limit or cursor is 400', async () => {
      const tid = newTenant();
      expectError(await call(bot, `${connectors(tid)}?limit=0`), 400, 'InvalidQuery');
      expectError(await call(bot, `${connectors(tid)}?limit=abc`), 400, 'InvalidQuery');
      expectError(
        await call(bot, `${connectors(tid)}?cursor=${encodeURIComponent('not a cursor!')}`),
        400,
        'InvalidQuery',
      );
    });
  });

  describe('transfers', () => {
    async function importOne(tid: string, fields: Record<string, unknown>): Promise<string> {
      const answer = await call(bot, connectors(tid), {
        body: { type: 'office365', displayName: 'Office', ...fields },
      });
      expect(answer.status).toBe(201);
      return answer.body.results[0].id;
    }

    test('without a time records one now and restarts the 90-day clock', async () => {
      const tid = newTenant();
      const id = await importOne(tid, { lastTransferAt: daysAgo(clock, 60) });
      const before = (await call(bot, `${connectors(tid)}/${id}`)).body;
      expect(before.daysUntilExpiry).toBe(30);

      const answer = await call(bot, `${connectors(tid)}/${id}/transfers`, { method: 'POST' });
      expect(answer.status).toBe(200);
      const now = clock.now();
      expect(answer.body).toMatchObject({
        id,
        lastTransferAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 90 * DAY_MS).toISOString(),
        daysUntilExpiry: 90,
      });
      expect(answer.body.expiresAt).not.toBe(before.expiresAt);

      const withEmptyObject = await call(bot, `${connectors(tid)}/${id}/transfers`, { body: {} });
      expect(withEmptyObject.status).toBe(200);
    });

    test('with a past time after creation, records that time', async () => {
      const tid = newTenant();
      const id = await importOne(tid, { createdAt: daysAgo(clock, 50), lastTransferAt: daysAgo(clock, 40) });
      const at = daysAgo(clock, 2);
      const answer = await call(bot, `${connectors(tid)}/${id}/transfers`, { body: { at } });
      expect(answer.status).toBe(200);
      expect(answer.body.lastTransferAt).toBe(at);
      expect(answer.body.daysUntilExpiry).toBe(88);
    });

    test('a transfer retried with the same time is audited once; a first attempt whose audit failed is audited on the retry', async () => {
      const tid = newTenant();
      const id = await importOne(tid, { createdAt: daysAgo(clock, 50), lastTransferAt: daysAgo(clock, 40) });
      const path = `${connectors(tid)}/${id}/transfers`;
      const transfersAudited = async () =>
        (await call(bot, `/api/v1/tenants/${tid}/audit?connectorId=${id}`)).body.items
          .filter((e: { action: string }) => e.action === 'transfer.recorded')
          .map((e: { detail: { at: string } }) => e.detail.at);

      const at = daysAgo(clock, 2);
      expect((await call(bot, path, { body: { at } })).status).toBe(200);
      const retried = await call(bot, path, { body: { at } });
      expect(retried.status).toBe(200);
      expect(retried.body.lastTransferAt).toBe(at);
      expect(await transfersAudited()).toEqual([at]);

      // An older transfer reported late is a transfer of its own: audited, the clock unmoved.
      const older = daysAgo(clock, 5);
      expect((await call(bot, path, { body: { at: older } })).body.lastTransferAt).toBe(at);
      expect(await transfersAudited()).toEqual([older, at]);

      // The clock moves but the audit write fails: the caller gets a 503 and retries.
      const later = daysAgo(clock, 1);
      const audit = bot.store.audit;
      const append = audit.append;
      audit.append = async () => {
        throw new StoreUnavailableError(new Error('SQLITE_BUSY (injected)'));
      };
      try {
        expect((await call(bot, path, { body: { at: later } })).status).toBe(503);
      } finally {
        audit.append = append;
      }
      expect((await call(bot, path, { body: { at: later } })).status).toBe(200);
      expect(await transfersAudited()).toEqual([later, older, at]);
    });

    test('in the future or before creation is 422; a bad body is 422', async () => {
      const tid = newTenant();
      const id = await importOne(tid, { createdAt: daysAgo(clock, 10) });
      const path = `${connectors(tid)}/${id}/transfers`;
      const future = await call(bot, path, {
        body: { at: new Date(clock.now().getTime() + DAY_MS).toISOString() },
      });
      expectError(future, 422, 'TRANSFER_IN_FUTURE');
      const early = await call(bot, path, { body: { at: daysAgo(clock, 11) } });
      expectError(early, 422, 'TRANSFER_BEFORE_CREATION');
      const bad = await call(bot, path, { body: { at: 'now', extra: 1 } });
      expectError(bad, 422, 'ValidationFailed');
      expect(bad.body.error.message).toContain('/at');
      expect(bad.body.error.message).toContain('"extra"');
    });

    test('a connector past 90 days lists as deauthorized, audited, and refuses transfers with 409', async () => {
      const tid = newTenant();
      const id = await importOne(tid, { id: 'stale', lastTransferAt: daysAgo(clock, 91) });
      const listed = await call(bot, connectors(tid));
      expect(listed.body.items).toEqual([
        expect.objectContaining({ id, status: 'deauthorized', daysUntilExpiry: 0 }),
      ]);
      const audit = await call(bot, `/api/v1/tenants/${tid}/audit?connectorId=${id}`);
      expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('connector.deauthorized');

      const refused = await call(bot, `${connectors(tid)}/${id}/transfers`, { method: 'POST' });
      expectError(refused, 409, 'CONNECTOR_DEAUTHORIZED');
      expect((await call(bot, `${connectors(tid)}/${id}`)).body.lastTransferAt).toBe(daysAgo(clock, 91));
    });

    test('an imported deauthorized connector refuses transfers until reauthorized', async () => {
      const tid = newTenant();
      const id = await importOne(tid, { status: 'deauthorized', lastTransferAt: daysAgo(clock, 5) });
      expectError(
        await call(bot, `${connectors(tid)}/${id}/transfers`, { method: 'POST' }),
        409,
        'CONNECTOR_DEAUTHORIZED',
      );
    });

    test('after the clock moves past expiry, loading deauthorizes', async () => {
      const tid = newTenant();
      const id = await importOne(tid, { lastTransferAt: daysAgo(clock, 80) });
      const saved = clock.now();
      try {
        clock.advanceDays(11);
        const got = await call(bot, `${connectors(tid)}/${id}`);
        expect(got.body.status).toBe('deauthorized');
      } finally {
        clock.set(saved);
      }
    });
  });

  describe('audit', () => {
    test('lists imports and transfers by the api, newest first, filtered by connector and limited', async () => {
      const tid = newTenant();
      await call(bot, connectors(tid), {
        body: [
          { id: 'one', type: 'box', displayName: 'One', lastTransferAt: daysAgo(clock, 3) },
          { id: 'two', type: 'box', displayName: 'Two' },
        ],
      });
      await call(bot, `${connectors(tid)}/one/transfers`, { method: 'POST' });
      const all = await call(bot, `/api/v1/tenants/${tid}/audit`);
      expect(all.status).toBe(200);
      expect(
        all.body.items.map((e: { action: string; connectorId: string }) => [e.action, e.connectorId]),
      ).toEqual([
        ['transfer.recorded', 'one'],
        ['connector.imported', 'two'],
        ['connector.imported', 'one'],
      ]);
      expect(all.body.items.every((e: { actor: string }) => e.actor === 'api')).toBe(true);

      const forOne = await call(bot, `/api/v1/tenants/${tid}/audit?connectorId=one&limit=1`);
      expect(forOne.body.items).toEqual([
        expect.objectContaining({ action: 'transfer.recorded', connectorId: 'one' }),
      ]);
    });
  });

  describe('two tenants', () => {
    test("tenant B cannot list, get, transfer to or audit tenant A's connector", async () => {
      const a = newTenant();
      const b = newTenant();
      await call(bot, connectors(a), { body: { id: 'shared-name', type: 'box', displayName: 'A box' } });

      expect((await call(bot, connectors(b))).body.items).toEqual([]);
      expectError(await call(bot, `${connectors(b)}/shared-name`), 404, 'NotFound');
      expectError(
        await call(bot, `${connectors(b)}/shared-name/transfers`, { method: 'POST' }),
        404,
        'NotFound',
      );
      expect((await call(bot, `/api/v1/tenants/${b}/audit?connectorId=shared-name`)).body.items).toEqual([]);
      expect((await call(bot, `/api/v1/tenants/${b}/audit`)).body.items).toEqual([]);

      // The same id in B is B's own connector; A's stays as it was.
      const inB = await call(bot, connectors(b), {
        body: { id: 'shared-name', type: 'dropbox', displayName: 'B dropbox' },
      });
      expect(inB.body.results).toEqual([{ id: 'shared-name', created: true }]);
      expect((await call(bot, `${connectors(a)}/shared-name`)).body).toMatchObject({
        type: 'box',
        displayName: 'A box',
      });
      expect((await call(bot, `${connectors(b)}/shared-name`)).body).toMatchObject({
        type: 'dropbox',
        tenantId: b,
      });
      expect((await call(bot, `/api/v1/tenants/${a}/audit`)).body.items).toHaveLength(1);
    });
  });
});

describe('management API failures', () => {
  test('an unexpected error is 500 InternalError and logged, never an escaped exception', async () => {
    const bot = await startTestBot({ env: { API_TOKEN: TOKEN } });
    try {
      await bot.store.close();
      const answer = await call(bot, connectors(newTenant()));
      expectError(answer, 500, 'InternalError');
      expect(bot.logs.some((l) => l.msg === 'api: request failed' && l.level === 'error')).toBe(true);
    } finally {
      await bot.stop().catch(() => undefined);
      removeTempDir(bot.dataDir);
    }
  });
});
