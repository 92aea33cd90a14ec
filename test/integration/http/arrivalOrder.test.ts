import { Application, type TurnState } from '@microsoft/teams-ai';
import { MemoryStorage, type TurnContext } from 'botbuilder';
import * as net from 'node:net';
import type { Server } from 'restify';
import { ConciergeAdapter } from '../../../src/bot/conciergeAdapter';
import { createServer } from '../../../src/http/server';
import { createSqliteStore } from '../../../src/store/sqlite';
import { createLogger } from '../../../src/util/logger';
import { makeUser, message, personalChat } from '../../harness/activities';
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
    app.activity('message', async (context: TurnContext) => {
      const text = String(context.activity.text);
      started.push(text);
      during.get(text)?.();
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

  it('starts a request before one that arrived after it on a connection the server had just read', async () => {
    const user = makeUser();
    const chat = personalChat(TENANT, user);
    const say = (text: string) => rawPost(port, message('http://127.0.0.1:9/', chat, user, text));
    const [a, b, x] = await Promise.all([connect(port), connect(port), connect(port)]);
    const answered = async (total: number) => {
      const deadline = Date.now() + 5000;
      while (a.answers() + b.answers() + x.answers() < total && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 5));
    };
    // Each connection once, so that the server holds all three before the timed requests.
    for (const [c, text] of [
      [a, 'a0'],
      [b, 'b0'],
      [x, 'x0'],
    ] as const)
      c.socket.write(say(text));
    await answered(3);
    started.length = 0;
    // While b's turn runs, x asks first and a (answered a moment ago) asks again after it.
    during.set('b1', () => {
      x.socket.write(say('x1'));
      a.socket.write(say('a2'));
    });
    // Both reach the server before it next polls: one read of both connections.
    a.socket.write(say('a1'));
    b.socket.write(say('b1'));
    await answered(7);
    const answers = [a, b, x].map((c) => c.answers());
    for (const c of [a, b, x]) c.socket.destroy();
    expect(answers).toEqual([3, 2, 2]);
    // Linux hands the poll a's connection (served in the last read) before x's: started from
    // that read, a2 would overtake x1.
    expect(started).toEqual(['a1', 'b1', 'x1', 'a2']);
  });
});
