import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compose } from '../../src/compose';
import { loadConfig, type Config } from '../../src/config/config';
import type { Store } from '../../src/connectors/ports';
import { createSqliteStore } from '../../src/store/sqlite';
import type { Clock } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { SecretBox } from '../../src/secrets/secretBox';
import { loadSecretsKey } from '../../src/secrets/secretsKey';
import { ServiceKeyVerifier } from '../../src/verification/keyVerifier';
import type { ExpiryScanner } from '../../src/notify/expiryScanner';
import type { Timing } from '../../src/notify/rateLimiter';
import { MsGraphGateway } from '../../src/graph/graphGateway';
import { createGraphGateway } from '../../src/graph/createGraphGateway';
import { httpsJson } from '../../src/api/openIdKeys';
import type { FakeMicrosoftCloud } from '../support/fakeMicrosoftCloud';
import { openChat, type Chat, type ChatKind, type DirectoryPerson } from './chat';
import { ConnectorStandIn } from './connectorStandIn';
import type { TeamsConversation, TeamsUser } from './activities';

/** A clock tests move by hand. */
export class TestClock implements Clock {
  constructor(private current = new Date('2026-03-02T09:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date): void {
    this.current = new Date(at);
  }
  advanceDays(days: number): void {
    this.current = new Date(this.current.getTime() + days * 24 * 60 * 60 * 1000);
  }
}

export interface TestBotOptions {
  env?: Record<string, string>;
  /** Reuse a data dir (to test restarts); a fresh temporary one otherwise. */
  dataDir?: string;
  clock?: TestClock;
  /** Waiting for proactive sends (Retry-After, backoff, rate limits); real time by default. */
  timing?: Timing;
  /** How long a turn waits for a deauthorization notice it caused; the bot's default otherwise. */
  announceBudgetMs?: number;
  /** A local HTTPS fake of the token endpoint and Graph: the bot's Graph settings point at it. */
  cloud?: FakeMicrosoftCloud;
}

/** The real bot on the real restify server, on a free loopback port, with its log lines kept. */
export interface TestBot {
  url: string;
  config: Config;
  store: Store;
  clock: TestClock;
  dataDir: string;
  logs: Record<string, unknown>[];
  /** The bot's expiry scanner, to run a scan without waiting for the cron. */
  scanner: ExpiryScanner;
  stop(): Promise<void>;
}

/** A fresh temporary folder, removed by `removeTempDir`. */
export function makeTempDir(prefix = 'concierge-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export async function startTestBot(options: TestBotOptions = {}): Promise<TestBot> {
  const dataDir = options.dataDir ?? makeTempDir();
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'debug',
    ...(options.cloud?.env() ?? {}),
    ...(options.env ?? {}),
  });
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger(config.logLevel, (line) => logs.push(JSON.parse(line)));
  const store = createSqliteStore(config.dataDir);
  const clock = options.clock ?? new TestClock();
  const secretBox = new SecretBox(loadSecretsKey(config.secretsKey, config.dataDir));
  const graph = options.cloud
    ? new MsGraphGateway({ ...options.cloud.gatewayOptions(), logger, sleep: async () => undefined })
    : createGraphGateway(config, logger);
  const { server, scanner } = compose({
    graph,
    timing: options.timing,
    announceBudgetMs: options.announceBudgetMs,
    config,
    store,
    logger,
    clock,
    secretBox,
    keyVerifier: new ServiceKeyVerifier({ timeoutMs: 5000 }),
    version: 'test',
    // The fake cloud's authority host serves tenants' OpenID keys under the test CA.
    fetchJson: options.cloud ? httpsJson({ ca: options.cloud.ca }) : undefined,
  });
  // Longer than fetch's own keep-alive (4 s), so the client always drops an idle connection first:
  // on a loaded machine a request could otherwise go out on a socket the server is just closing.
  server.server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    store,
    clock,
    dataDir,
    logs,
    scanner,
    async stop() {
      server.server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

/** The bot and its Bot Connector stand-in, with the chat driver bound to them. */
export interface Harness {
  standIn: ConnectorStandIn;
  bot: TestBot;
  /**
   * `user` in a conversation: their 1:1 chat, a new group chat or a new channel of `tenant`, or
   * a given conversation (whose tenant it names itself).
   */
  chat(
    user: TeamsUser | DirectoryPerson,
    kind: ChatKind | TeamsConversation,
    tenant?: string | { id: string },
  ): Chat;
  stop(keepData?: boolean): Promise<void>;
}

/** A stand-in and a bot, started together; `stop` ends both and removes the data dir. */
export async function startHarness(options: TestBotOptions = {}): Promise<Harness> {
  const standIn = new ConnectorStandIn();
  await standIn.start();
  let bot: TestBot;
  try {
    bot = await startTestBot(options);
  } catch (err) {
    await standIn.stop();
    throw err;
  }
  return {
    standIn,
    bot,
    chat: (user, kind, tenant) => openChat(bot.url, standIn, user, kind, tenant),
    async stop(keepData = false) {
      await bot.stop();
      await standIn.stop();
      if (!keepData && !options.dataDir) removeTempDir(bot.dataDir);
    },
  };
}
