import { Application, type TurnState } from '@microsoft/teams-ai';
import { ConciergeAdapter } from '../../src/bot/conciergeAdapter';
import { MemoryStorage, CardFactory, MessageFactory } from 'botbuilder';
import type { AddressInfo } from 'node:net';
import type { Server } from 'restify';
import { createServer } from '../../src/http/server';
import { createSqliteStore } from '../../src/store/sqlite';
import { createLogger } from '../../src/util/logger';
import { makeUser, personalChat } from './activities';
import { cardOf, inputValues } from './cards';
import { ConnectorStandIn } from './connectorStandIn';
import { makeTempDir, removeTempDir } from './testBot';
import { TeamsClient } from './teamsClient';

const TENANT = '33333333-3333-4333-8333-333333333333';

const FORM = {
  type: 'AdaptiveCard',
  version: '1.5',
  body: [
    { type: 'Input.Text', id: 'name', label: 'Name', value: 'default name' },
    { type: 'Input.Toggle', id: 'agree', title: 'Agree', label: 'Agree', valueOn: 'yes', valueOff: 'no' },
  ],
  actions: [
    { type: 'Action.Submit', title: 'Save', data: { verb: 'save', step: 2 } },
    { type: 'Action.Execute', title: 'Refresh', verb: 'refresh', data: { step: 3 } },
    { type: 'Action.OpenUrl', title: 'Docs', url: 'https://example.com/' },
  ],
};

describe('test harness', () => {
  const standIn = new ConnectorStandIn();
  let server: Server;
  let url: string;
  let dataDir: string;
  let store: ReturnType<typeof createSqliteStore>;

  beforeAll(async () => {
    await standIn.start();
    dataDir = makeTempDir();
    store = createSqliteStore(dataDir);
    // A small app of its own, so the harness is tested apart from the bot's features.
    const adapter = new ConciergeAdapter({});
    const app = new Application<TurnState>({ adapter, storage: new MemoryStorage() });
    app.message('form', async (context) => {
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(FORM)));
    });
    app.adaptiveCards.actionSubmit('save', async (context, _state, data) => {
      await context.sendActivity(`saved ${JSON.stringify(data)} reply-to ${context.activity.replyToId}`);
    });
    app.adaptiveCards.actionExecute('refresh', async (_context, _state, data) => {
      return {
        type: 'AdaptiveCard',
        version: '1.5',
        body: [{ type: 'TextBlock', text: `refreshed ${JSON.stringify(data)}` }],
      };
    });
    const logger = createLogger('error', () => undefined);
    server = createServer({ bot: { adapter, app }, store, logger, version: 'test', anonymous: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    await standIn.stop();
    removeTempDir(dataDir);
  });

  beforeEach(() => standIn.reset());

  test('the stand-in records what the bot sends and gives each sent activity an id', async () => {
    const user = makeUser();
    const client = new TeamsClient(url, standIn, user, personalChat(TENANT, user));
    const turn = await client.say('form');
    expect(turn.status).toBe(200);
    expect(turn.replies).toHaveLength(1);
    expect(turn.replies[0].id).toMatch(/^activity-/);
    expect(standIn.callsTo('replyToActivity', client.conversation.id)).toHaveLength(1);
  });

  test('Action.Submit posts the data merged with the input values, replying to the card', async () => {
    const user = makeUser();
    const client = new TeamsClient(url, standIn, user, personalChat(TENANT, user));
    const form = await client.say('form');
    const card = cardOf(form.replies[0]);
    expect(inputValues(card)).toEqual({ name: 'default name', agree: 'no' });
    const saved = await client.click(card, 'Save', { agree: 'yes' }, String(form.replies[0].id));
    expect(saved.replies[0].text).toBe(
      `saved {"name":"default name","agree":"yes","verb":"save","step":2} reply-to ${form.replies[0].id}`,
    );
  });

  test('Action.Execute sends an adaptiveCard/action invoke and returns the invoke response', async () => {
    const user = makeUser();
    const client = new TeamsClient(url, standIn, user, personalChat(TENANT, user));
    const form = await client.say('form');
    const refreshed = await client.click(cardOf(form.replies[0]), 'Refresh', { name: 'typed' });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: { body: [{ text: 'refreshed {"name":"typed","agree":"no","step":3}' }] },
    });
  });

  test('a card action that is not a message (OpenUrl) cannot be clicked as one', async () => {
    const user = makeUser();
    const client = new TeamsClient(url, standIn, user, personalChat(TENANT, user));
    const form = await client.say('form');
    await expect(client.click(cardOf(form.replies[0]), 'Docs')).rejects.toThrow(
      'cannot click a Action.OpenUrl',
    );
    await expect(client.click(cardOf(form.replies[0]), 'Nope')).rejects.toThrow('no action "Nope"');
  });

  test('programmed answers: 429 with Retry-After, 403, 404, a delay, then the default again', async () => {
    standIn.program('sendToConversation', { status: 429, headers: { 'Retry-After': '2' } });
    standIn.program('sendToConversation', { status: 403, body: { error: { code: 'Forbidden' } } });
    standIn.program('sendToConversation', { status: 404 }, { match: (c) => c.conversationId === 'gone' });
    standIn.program('sendToConversation', { status: 200, body: { id: 'slow' }, delayMs: 150 });
    const post = (conversationId: string) =>
      fetch(`${standIn.url}v3/conversations/${encodeURIComponent(conversationId)}/activities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', text: 'hi' }),
      });
    const limited = await post('a');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect((await post('a')).status).toBe(403);
    expect((await post('gone')).status).toBe(404);
    const started = Date.now();
    const slow = await post('a');
    expect(await slow.json()).toEqual({ id: 'slow' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect((await post('a')).status).toBe(200);
    expect(standIn.callsTo('sendToConversation').map((c) => c.status)).toEqual([429, 403, 404, 200, 200]);
  });

  test('create conversation and member lookups answer as the Bot Connector does', async () => {
    const admin = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
    standIn.addMember({
      id: admin.id,
      name: admin.name,
      aadObjectId: admin.aadObjectId,
      userPrincipalName: admin.upn,
    });
    const created = await fetch(`${standIn.url}v3/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ members: [{ id: admin.aadObjectId }], tenantId: TENANT, isGroup: false }),
    });
    expect(created.status).toBe(201);
    expect((await created.json()).id).toContain(admin.aadObjectId);
    const member = await fetch(`${standIn.url}v3/conversations/x/members/${admin.aadObjectId}`);
    expect((await member.json()).userPrincipalName).toBe(admin.upn);
    expect((await fetch(`${standIn.url}v3/conversations/x/members/nobody`)).status).toBe(404);
    expect(standIn.callsTo('createConversation')[0].body).toMatchObject({ tenantId: TENANT });
  });
});

describe('Bot Connector stand-in on its own', () => {
  const send = (standIn: ConnectorStandIn, body: string) =>
    fetch(`${standIn.url}v3/conversations/c%3A1/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });

  test('keeps calls by default, each body parsed as sent (an unparsable one as its text)', async () => {
    const standIn = new ConnectorStandIn();
    await standIn.start();
    try {
      const activity = { type: 'message', text: 'grüße ✓ '.repeat(5000) };
      expect((await send(standIn, JSON.stringify(activity))).status).toBe(200);
      expect((await send(standIn, '{not json')).status).toBe(200);
      expect(standIn.calls.map((c) => [c.route, c.conversationId])).toEqual([
        ['sendToConversation', 'c:1'],
        ['sendToConversation', 'c:1'],
      ]);
      expect(standIn.calls[0].body).toEqual(activity);
      expect(standIn.calls[0].body).toBe(standIn.calls[0].body);
      expect(standIn.calls[1].body).toEqual({ unparsable: '{not json' });
      expect(standIn.posted('c:1')).toEqual([activity, { unparsable: '{not json' }]);
    } finally {
      await standIn.stop();
    }
  });

  test('with keepCalls off it answers as usual and shows each call to the rules, keeping none', async () => {
    const standIn = new ConnectorStandIn({ keepCalls: false });
    await standIn.start();
    try {
      const seen: unknown[] = [];
      standIn.program(
        'sendToConversation',
        (call) => {
          seen.push([call.route, call.conversationId, call.body]);
          return undefined;
        },
        { times: Infinity },
      );
      const answer = await send(standIn, JSON.stringify({ type: 'message', text: 'hi' }));
      expect(answer.status).toBe(200);
      expect((await answer.json()) as { id?: string }).toEqual({ id: expect.stringMatching(/^activity-/) });
      expect(seen).toEqual([['sendToConversation', 'c:1', { type: 'message', text: 'hi' }]]);
      expect(standIn.calls).toEqual([]);
    } finally {
      await standIn.stop();
    }
  });
});
