import { Application, type TurnState } from '@microsoft/teams-ai';
import { MemoryStorage, type TurnContext } from 'botbuilder';
import * as net from 'node:net';
import type { Server } from 'restify';
import { ConciergeAdapter } from '../../../src/bot/conciergeAdapter';
import { ArrivalOrder } from '../../../src/http/arrivalOrder';
import { createServer } from '../../../src/http/server';
import { createSqliteStore } from '../../../src/store/sqlite';
import { createLogger } from '../../../src/util/logger';
import { makeUser, message, personalChat } from '../../harness/activities';
import { makeTempDir, removeTempDir } from '../../harness/testBot';

/** A Defer whose calls wait until the test runs them, one at a time. */
function manualDefer() {
  const due: (() => void)[] = [];
  return {
    defer: (run: () => void) => void due.push(run),
    get due() {
      return due.length;
    },
    runOne() {
      due.shift()!();
    },
  };
}

describe('ArrivalOrder', () => {
  it('starts one job per deferred run, in the order they were queued, each after the ones queued before it', async () => {
    const clock = manualDefer();
    const order = new ArrivalOrder(clock.defer);
    const started: string[] = [];
    const job = (name: string) => () => {
      started.push(name);
      return Promise.resolve(name);
    };
    const a = order.run(job('a'));
    const b = order.run(job('b'));
    expect(started).toEqual([]);
    expect(clock.due).toBe(1);
    clock.runOne();
    expect(started).toEqual(['a']);
    // Queued while b waits: behind b.
    const c = order.run(job('c'));
    expect(clock.due).toBe(1);
    clock.runOne();
    clock.runOne();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(clock.due).toBe(0);
    expect(order.queued).toBe(0);
    expect(await Promise.all([a, b, c])).toEqual(['a', 'b', 'c']);
  });

  it('settles as each job does, and a job that fails or throws does not hold up the next', async () => {
    const clock = manualDefer();
    const order = new ArrivalOrder(clock.defer);
    const rejected = order.run(() => Promise.reject(new Error('refused')));
    const thrown = order.run((): Promise<string> => {
      throw new Error('thrown');
    });
    const fine = order.run(() => Promise.resolve('fine'));
    while (clock.due > 0) clock.runOne();
    await expect(rejected).rejects.toThrow('refused');
    await expect(thrown).rejects.toThrow('thrown');
    await expect(fine).resolves.toBe('fine');
  });

  it('starts a job on the next turn of the event loop without waiting for others', async () => {
    const order = new ArrivalOrder(setImmediate);
    expect(await order.run(() => Promise.resolve(1))).toBe(1);
    expect(await order.run(() => Promise.resolve(2))).toBe(2);
  });
});

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

describe('POST /api/messages under load', () => {
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
    const app = new Application<TurnState>({ adapter, storage: new MemoryStorage(), startTypingTimer: false });
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

  it('starts a request that arrived first before one that arrived later on a connection served just before', async () => {
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
    for (const [c, text] of [[a, 'a0'], [b, 'b0'], [x, 'x0']] as const) c.socket.write(say(text));
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
    for (const c of [a, b, x]) c.socket.destroy();
    // Linux hands the poll a's connection (served in the last read) before x's: started from
    // that read, a2 would overtake x1.
    expect(started).toEqual(['a1', 'b1', 'x1', 'a2']);
  });
});
