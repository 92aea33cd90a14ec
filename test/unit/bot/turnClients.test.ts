import { Application, type TurnState } from '@microsoft/teams-ai';
import { MemoryStorage, type TurnContext } from 'botbuilder';
import type { AddressInfo } from 'node:net';
import type { Server } from 'restify';
import { ConciergeAdapter } from '../../../src/bot/conciergeAdapter';
import { createServer } from '../../../src/http/server';
import { pacedReplies } from '../../../src/notify/connectorPacing';
import { RateLimiter, realTiming } from '../../../src/notify/rateLimiter';
import { createSqliteStore } from '../../../src/store/sqlite';
import { createLogger } from '../../../src/util/logger';
import { makeUser, personalChat } from '../../harness/activities';
import { ConnectorStandIn } from '../../harness/connectorStandIn';
import { TeamsClient } from '../../harness/teamsClient';
import { makeTempDir, removeTempDir } from '../../harness/testBot';

const TENANT = '44444444-4444-4444-8444-444444444444';

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
    const pipeline = (
      seen[0].connector as {
        client: { pipeline: { getOrderedPolicies(): { name: string }[] } };
      }
    ).client.pipeline;
    const names = pipeline.getOrderedPolicies().map((policy) => policy.name);
    expect(names.filter((name) => name === 'conciergePacedReplies')).toHaveLength(1);
    expect(names).not.toContain('defaultRetryPolicy');
    booked.mockRestore();
  });

  test('a proactive turn gets a connector client of its own, which its send may rewire', async () => {
    seen.length = 0;
    const user = makeUser('Cem');
    const chat = new TeamsClient(url, standIn, user, personalChat(TENANT, user));
    await chat.say('hello');
    let proactive: unknown;
    await adapter.continueConversationAsync(
      '',
      {
        channelId: 'msteams',
        serviceUrl: standIn.url,
        conversation: { id: chat.conversation.id, isGroup: false, conversationType: 'personal', name: '' },
      },
      async (context) => {
        proactive = clientsOf(context).connector;
      },
    );
    expect(proactive).toBeDefined();
    expect(proactive).not.toBe(seen[0].connector);
  });
});
