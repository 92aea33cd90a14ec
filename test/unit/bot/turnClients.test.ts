import { Application, type TurnState } from '@microsoft/teams-ai';
import { MemoryStorage, type TurnContext } from 'botbuilder';
import type { AddressInfo } from 'node:net';
import type { Server } from 'restify';
import { ConciergeAdapter } from '../../../src/bot/conciergeAdapter';
import { createServer } from '../../../src/http/server';
import { pacedReplies } from '../../../src/notify/connectorPacing';
import { adapterTransport } from '../../../src/notify/messenger';
import { RateLimiter, realTiming } from '../../../src/notify/rateLimiter';
import { createSqliteStore } from '../../../src/store/sqlite';
import { httpStatusOf } from '../../../src/util/httpStatus';
import { createLogger } from '../../../src/util/logger';
import { makeUser, personalChat } from '../../harness/activities';
import { ConnectorStandIn } from '../../harness/connectorStandIn';
import { TeamsClient } from '../../harness/teamsClient';
import { makeTempDir, removeTempDir } from '../../harness/testBot';

const TENANT = '44444444-4444-4444-8444-444444444444';

/** The policies of a connector client's pipeline, which botbuilder's compat client keeps private. */
function policyNames(connector: unknown): string[] {
  const { pipeline } = (connector as { client: { pipeline: { getOrderedPolicies(): { name: string }[] } } })
    .client;
  return pipeline.getOrderedPolicies().map((policy) => policy.name);
}

describe('connector clients of incoming and proactive turns', () => {
  const standIn = new ConnectorStandIn();
  const adapter = new ConciergeAdapter({});
  const limiter = new RateLimiter(30);
  const logger = createLogger('error', () => undefined);
  adapter.use(pacedReplies(limiter, logger, { timing: realTiming }));
  const seen: { connector: unknown; userToken: unknown }[] = [];
  const clientsOf = (context: TurnContext) => ({
    connector: context.turnState.get(adapter.ConnectorClientKey) as unknown,
    userToken: context.turnState.get(adapter.UserTokenClientKey) as unknown,
  });
  let server: Server;
  let url: string;
  let dataDir: string;
  let store: ReturnType<typeof createSqliteStore>;

  beforeAll(async () => {
    await standIn.start();
    dataDir = makeTempDir();
    store = createSqliteStore(dataDir);
    const app = new Application<TurnState>({ adapter, storage: new MemoryStorage() });
    app.message('hello', async (context) => {
      seen.push(clientsOf(context));
      await context.sendActivity('hello back');
    });
    server = createServer({
      bot: { adapter, app },
      store,
      logger,
      version: 'test',
      anonymous: true,
    });
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

  test('turns from one service URL share one connector client and one user-token client', async () => {
    seen.length = 0;
    const [ann, ben] = [makeUser('Ann'), makeUser('Ben')];
    const chats = [
      new TeamsClient(url, standIn, ann, personalChat(TENANT, ann)),
      new TeamsClient(url, standIn, ben, personalChat(TENANT, ben)),
    ];
    for (const chat of [...chats, ...chats]) expect((await chat.say('hello')).replies).toHaveLength(1);
    expect(seen).toHaveLength(4);
    expect(seen[0].connector).toBeDefined();
    expect(seen[0].userToken).toBeDefined();
    for (const clients of seen) {
      expect(clients.connector).toBe(seen[0].connector);
      expect(clients.userToken).toBe(seen[0].userToken);
    }
    // Each reply still went to its own conversation.
    for (const chat of chats)
      expect(
        standIn.callsTo('replyToActivity', chat.conversation.id).filter((c) => c.status < 300),
      ).toHaveLength(2);
  });

  test('the shared pipeline paces once and books each reply by the conversation it goes to', async () => {
    seen.length = 0;
    const booked = jest.spyOn(limiter, 'record');
    const [dee, eli] = [makeUser('Dee'), makeUser('Eli')];
    const chats = [
      new TeamsClient(url, standIn, dee, personalChat(TENANT, dee)),
      new TeamsClient(url, standIn, eli, personalChat(TENANT, eli)),
    ];
    for (const chat of [...chats, ...chats]) await chat.say('hello');
    expect(booked.mock.calls.map(([conversationId]) => conversationId)).toEqual(
      [...chats, ...chats].map((chat) => chat.conversation.id),
    );
    const names = policyNames(seen[0].connector);
    expect(names.filter((name) => name === 'conciergePacedReplies')).toHaveLength(1);
    expect(names).not.toContain('defaultRetryPolicy');
    booked.mockRestore();
  });

  test('the shared pipeline has no form-data policy, whose FormData check loads the fetch implementation', async () => {
    seen.length = 0;
    const fay = makeUser('Fay');
    const chat = new TeamsClient(url, standIn, fay, personalChat(TENANT, fay));
    expect((await chat.say('hello')).replies).toHaveLength(1);
    const names = policyNames(seen[0].connector);
    expect(names).not.toContain('formDataPolicy');
    // The reply still went through the pipeline's signing and pacing.
    expect(names).toContain('ServiceClientContext_Credentials_SignRequest');
    expect(names).toContain('conciergePacedReplies');
  });

  test('a client made to create a conversation has no form-data policy either', async () => {
    const before = standIn.calls.filter((c) => c.route === 'createConversation').length;
    let names: string[] = [];
    await adapter.createConversationAsync(
      '',
      'msteams',
      standIn.url,
      '',
      {
        isGroup: false,
        members: [{ id: '29:someone', name: 'Someone' }],
        tenantId: TENANT,
        bot: { id: 'bot', name: 'Bot' },
      } as never,
      async (context) => {
        names = policyNames(clientsOf(context).connector);
        await context.sendActivity('hello in a new chat');
      },
    );
    expect(standIn.calls.filter((c) => c.route === 'createConversation').length).toBe(before + 1);
    expect(names).not.toContain('formDataPolicy');
    expect(names).toContain('ServiceClientContext_Credentials_SignRequest');
  });

  const proactiveTo = (conversationId: string) => ({
    channelId: 'msteams',
    serviceUrl: standIn.url,
    conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
  });

  test('proactive turns share one connector client', async () => {
    const clients: unknown[] = [];
    for (const name of ['Cem', 'Dan']) {
      const user = makeUser(name);
      const chat = new TeamsClient(url, standIn, user, personalChat(TENANT, user));
      await adapter.continueConversationAsync('', proactiveTo(chat.conversation.id), async (context) => {
        clients.push(clientsOf(context).connector);
      });
    }
    expect(clients[0]).toBeDefined();
    expect(clients[1]).toBe(clients[0]);
  });

  test('each proactive send awaits its own departure once and its 429 is not retried by the client', async () => {
    const transport = adapterTransport(adapter, '');
    const booked = jest.spyOn(limiter, 'record');
    const [fay, gus] = [makeUser('Fay'), makeUser('Gus')];
    const chats = [fay, gus].map((user) => new TeamsClient(url, standIn, user, personalChat(TENANT, user)));
    const [refused, accepted] = chats.map((chat) => chat.conversation.id);
    standIn.program(
      'sendToConversation',
      () => ({ status: 429, headers: { 'Retry-After': '1' }, body: { error: { code: 'Throttled' } } }),
      { match: (call) => call.conversationId === refused },
    );
    const departed: string[] = [];
    const sends = [refused, accepted].map((id) =>
      transport
        .send(proactiveTo(id), { type: 'message', text: `to ${id}` }, async () => {
          departed.push(id);
        })
        .then(
          () => 'sent',
          (err: unknown) => httpStatusOf(err),
        ),
    );
    expect(await Promise.all(sends)).toEqual([429, 'sent']);
    expect(departed.sort()).toEqual([refused, accepted].sort());
    // The 429 went back to the sender (which retries through its limiter), not round the client's retry.
    expect(standIn.callsTo('sendToConversation', refused)).toHaveLength(1);
    expect(standIn.callsTo('sendToConversation', accepted)).toHaveLength(1);
    // Booked by the sender at departure, not a second time by the reply pacing.
    expect(booked).not.toHaveBeenCalled();
    booked.mockRestore();
    let shared: unknown;
    await adapter.continueConversationAsync('', proactiveTo(accepted), async (context) => {
      shared = clientsOf(context).connector;
    });
    const names = policyNames(shared);
    expect(names.filter((name) => name === 'conciergeDeparture')).toHaveLength(1);
    expect(names).not.toContain('defaultRetryPolicy');
  });
});
