import { Application, type TurnState } from '@microsoft/teams-ai';
import { MemoryStorage, type TurnContext } from 'botbuilder';
import * as net from 'node:net';
import type { Server } from 'restify';
import { ConciergeAdapter } from '../../../src/bot/conciergeAdapter';
import { createServer } from '../../../src/http/server';
import { createSqliteStore } from '../../../src/store/sqlite';
import { createLogger } from '../../../src/util/logger';
import { executeInvoke, makeUser, message, personalChat } from '../../harness/activities';
import { makeTempDir, removeTempDir } from '../../harness/testBot';

const TENANT = '44444444-4444-4444-8444-444444444444';

/** An HTTP/1.1 POST of an activity, keep-alive, as raw bytes. */
function rawPost(port: number, activity: Record<string, unknown>): string {
  const body = JSON.stringify(activity);
  return [
    'POST /api/messages HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** A keep-alive connection that counts the responses it got. */
async function connect(port: number): Promise<{ socket: net.Socket; answers: () => number }> {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (received += chunk));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, answers: () => received.split('HTTP/1.1 ').length - 1 };
}

describe('POST /api/messages: the order turns start in', () => {
  let server: Server;
  let port: number;
  let dataDir: string;
  let store: ReturnType<typeof createSqliteStore>;
  const started: string[] = [];
  /** Runs inside the turn whose text it is keyed by, before that turn answers. */
  const during = new Map<string, () => void>();

  beforeAll(async () => {
    dataDir = makeTempDir();
    store = createSqliteStore(dataDir);
    const adapter = new ConciergeAdapter({});
    const app = new Application<TurnState>({
      adapter,
      storage: new MemoryStorage(),
      startTypingTimer: false,
    });
    const turn = (name: string) => {
      started.push(name);
      during.get(name)?.();
    };
    app.activity('message', async (context: TurnContext) => turn(String(context.activity.text)));
    app.adaptiveCards.actionExecute('order', async (_context, _state, data: { name: string }) => {
      turn(data.name);
      return { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: data.name }] };
    });
    const logger = createLogger('error', () => undefined);
    server = createServer({ bot: { adapter, app }, store, logger, version: 'test', anonymous: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    server.server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    removeTempDir(dataDir);
  });

  /** Three keep-alive connections the server has each read once, and a wait for their answers. */
  async function threeConnections() {
    const user = makeUser();
    const chat = personalChat(TENANT, user);
    const click = (name: string) =>
      rawPost(port, executeInvoke('http://127.0.0.1:9/', chat, user, 'order', { name }));
    const say = (text: string) => rawPost(port, message('http://127.0.0.1:9/', chat, user, text));
    const connections = await Promise.all([connect(port), connect(port), connect(port)]);
    const answered = async (total: number) => {
      const deadline = Date.now() + 5000;
      while (connections.reduce((n, c) => n + c.answers(), 0) < total && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 5));
      return connections.map((c) => c.answers());
    };
    // Each connection once, so that the server holds all three before the requests that count.
    connections.forEach((c, i) => c.socket.write(click(`warm-up ${i}`)));
    await answered(3);
    started.length = 0;
    during.clear();
    return { connections, click, say, answered };
  }

  it('starts a card action before one that arrived after it on a connection the server had just read', async () => {
    const { connections, click, answered } = await threeConnections();
    const [a, b, x] = connections;
    // While b's turn runs, x clicks first and a (answered a moment ago) clicks again after it.
    during.set('b1', () => {
      x.socket.write(click('x1'));
      a.socket.write(click('a2'));
    });
    // Both reach the server before it next polls: one read of both connections.
    a.socket.write(click('a1'));
    b.socket.write(click('b1'));
    const answers = await answered(7);
    for (const c of connections) c.socket.destroy();
    expect(answers).toEqual([3, 2, 2]);
    // Linux hands the poll a's connection (served in the last read) before x's: started from
    // that read, a2 would overtake x1.
    expect(started).toEqual(['a1', 'b1', 'x1', 'a2']);
  });

  it('starts a message as soon as it is read, ahead of card actions still waiting to start', async () => {
    const { connections, click, say, answered } = await threeConnections();
    const [a, b, c] = connections;
    // All three in one read: the message's reply would otherwise wait behind both clicks.
    a.socket.write(click('a1'));
    b.socket.write(click('b1'));
    c.socket.write(say('c1'));
    const answers = await answered(6);
    for (const conn of connections) conn.socket.destroy();
    expect(answers).toEqual([2, 2, 2]);
    expect(started).toEqual(['c1', 'a1', 'b1']);
  });
});
