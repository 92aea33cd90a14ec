import { Cron } from 'croner';
import type { Server } from 'restify';
import { AdminGroupMembership } from './bot/adminGroup';
import { TeamsUserIds } from './bot/teamsUserIds';
import type { ConciergeAdapter } from './bot/conciergeAdapter';
import { createAdapter, createBot, type Bot } from './bot/createBot';
import { consentReminderCards } from './bot/features/consent/consentHandover';
import { consentCheckBeforeReminder } from './bot/features/consent/consentFeature';
import { connectorApp, type Config } from './config/config';
import { createConnectorServices, type ConnectorServices } from './connectors/services';
import { GraphConsentReader } from './diagnostics/consentReader';
import type { GraphGateway } from './graph/graphGateway';
import { createServer } from './http/server';
import type { FetchJson } from './api/openIdKeys';
import { ExpiryScanner, scanConcurrency } from './notify/expiryScanner';
import { managerIds } from './bot/features/liveCards/cardViewers';
import { adapterTransport, TeamsMessenger, type Messenger } from './notify/messenger';
import { ProactiveSender } from './notify/proactiveSender';
import { RateLimiter, TEAMS_CONVERSATION_LIMITS, realTiming, type Timing } from './notify/rateLimiter';
import type { SecretBox } from './secrets/secretBox';
import type { Store } from './connectors/ports';
import { instrumentStore } from './telemetry/instrumentStore';
import { Telemetry } from './telemetry/telemetry';
import type { Clock } from './util/clock';
import { unrefLater } from './util/later';
import type { Logger } from './util/logger';
import type { KeyVerifier } from './verification/keyVerifier';

/** What start-up has opened and checked before anything is composed (index.ts; tests hand in their own). */
export interface Foundation {
  config: Config;
  store: Store;
  logger: Logger;
  clock: Clock;
  secretBox: SecretBox;
  keyVerifier: KeyVerifier;
  graph: GraphGateway;
  version: string;
  /** Waiting and monotonic time for proactive sends; tests pass a fast one. */
  timing?: Timing;
  /** How long a turn waits for a deauthorization notice it caused (ANNOUNCE_BUDGET_MS by default). */
  announceBudgetMs?: number;
  /** Spans and metrics; built over the registered (by default no-op) providers when not given. */
  telemetry?: Telemetry;
  /** How the API reads tenants' OpenID keys; node's https client by default. */
  fetchJson?: FetchJson;
}

/** The running application: each part built once, here. */
export interface Composition {
  services: ConnectorServices;
  messenger: Messenger;
  scanner: ExpiryScanner;
  bot: Bot;
  server: Server;
  /** Starts the expiry scan on SCAN_CRON; the caller stops it on shutdown. */
  schedule(): Cron;
}

/** The outbound path: the adapter, and the sender and messenger that share its rate limits. */
interface Outbound {
  adapter: ConciergeAdapter;
  botAppId: string;
  sender: ProactiveSender;
  messenger: Messenger;
}

function createOutbound(config: Config, telemetry: Telemetry, logger: Logger, timing: Timing): Outbound {
  // Every Bot Connector attempt (notices, replies and their retries) is booked here as it leaves,
  // evenly spaced at 95% of NOTIFY_RPS: an attempt reaches Teams a little after it leaves, and
  // with even spacing a delay of up to about 50 ms still cannot put more than NOTIFY_RPS
  // attempts into any second Teams counts.
  const limiter = new RateLimiter(
    config.notifyRps,
    timing,
    TEAMS_CONVERSATION_LIMITS,
    1_000 / (config.notifyRps * 0.95),
    unrefLater,
  );
  const adapter = createAdapter(config, telemetry, logger, { limiter, timing });
  // The one place the bot's app id is read for outbound messages (empty in anonymous mode).
  const botAppId = config.bot.appId ?? '';
  const sender = new ProactiveSender(adapterTransport(adapter, botAppId), limiter, logger, {
    timing,
    telemetry,
  });
  const messenger = new TeamsMessenger(adapter, botAppId, sender, logger);
  return { adapter, botAppId, sender, messenger };
}

/** What the expiry scanner is built from, all made earlier by compose(). */
interface ScannerParts extends Foundation {
  telemetry: Telemetry;
  services: ConnectorServices;
  sender: ProactiveSender;
  messenger: Messenger;
  adminGroup: AdminGroupMembership;
  teamsUserIds: TeamsUserIds;
}

function createScanner(parts: ScannerParts): ExpiryScanner {
  const { config, store, clock, logger, telemetry, services, sender, messenger, adminGroup, teamsUserIds } =
    parts;
  return new ExpiryScanner({
    config,
    store,
    clock,
    logger,
    telemetry,
    leaseMs: config.noticeLeaseSeconds * 1000,
    timing: parts.timing,
    announceBudgetMs: parts.announceBudgetMs,
    concurrency: scanConcurrency(config.notifyRps),
    lifecycle: services.lifecycle,
    sender,
    consentReminders: {
      ...consentReminderCards({ config, graph: parts.graph, messenger, store, logger, teamsUserIds }),
      verifiedFirst: consentCheckBeforeReminder({
        consent: services.consent,
        lifecycle: services.lifecycle,
        store,
        logger,
        messenger,
        clock,
        config,
        teamsUserIds,
      }),
    },
    managerIds: (tenantId, connectors) => managerIds({ adminGroup, teamsUserIds }, tenantId, connectors),
  });
}

/** Starts the expiry scan on SCAN_CRON. */
function scanSchedule(config: Config, store: Store, scanner: ExpiryScanner, logger: Logger): Cron {
  // protect: a scan still running when the next is due is not started twice.
  return new Cron(
    config.scanCron,
    { protect: true, catch: (err) => logger.error('expiry scan failed', { error: err }) },
    async () => {
      // With replicas on one Azure store, the blob lease picks the one that scans; the ledger
      // would keep an overlap harmless, the lease saves the duplicate work.
      if (store.scanLeadership) await store.scanLeadership.runExclusive(() => scanner.scan());
      else await scanner.scan();
    },
  );
}

/**
 * The composition root: config → store → domain services → sender and messenger → bot, server
 * and scan schedule. Nothing else builds a service, so every adapter (chat, API, scheduler)
 * shares the same rules and the same rate limits.
 */
export function compose(foundation: Foundation): Composition {
  const { config, logger, clock, graph } = foundation;
  const telemetry = foundation.telemetry ?? Telemetry.fromGlobals();
  // With tracing on, every store call becomes a span of the turn, request or scan that makes it.
  const store = instrumentStore(foundation.store, telemetry);
  const adminGroup = new AdminGroupMembership(config.adminGroupId, graph, clock, logger);
  // One directory for chat and scanner: a person seen in any turn is refreshed for in notices too.
  const teamsUserIds = new TeamsUserIds(store.conversations, clock);
  const services = createConnectorServices({
    store,
    clock,
    inactivityDays: config.inactivityDays,
    adminGroup,
    consentReader: new GraphConsentReader(graph, connectorApp(config), logger),
  });
  const { adapter, botAppId, sender, messenger } = createOutbound(
    config,
    telemetry,
    logger,
    foundation.timing ?? realTiming,
  );

  // What the scanner and the bot both use, built once so they share caches and limits.
  const shared = { ...foundation, store, telemetry, services, messenger, adminGroup, teamsUserIds };
  const scanner = createScanner({ ...shared, sender });
  // Every deauthorization, whoever noticed it, reaches the tenant's notice targets once.
  services.lifecycle.onDeauthorized(scanner);

  const bot = createBot({ ...shared, adapter, botAppId });
  const server = createServer({
    bot,
    // Health checks ask the store itself, outside any span.
    store: foundation.store,
    logger,
    version: foundation.version,
    anonymous: config.anonymous,
    api: {
      config,
      connectors: services.connectors,
      imports: services.imports,
      audit: store.audit,
      clock,
      logger,
      scanner,
      fetchJson: foundation.fetchJson,
    },
  });
  const schedule = () => scanSchedule(config, store, scanner, logger);
  return { services, messenger, scanner, bot, server, schedule };
}
