import { Application, type TurnState } from '@microsoft/teams-ai';
import type { ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { Config } from '../config/config';
import { ConciergeAdapter } from './conciergeAdapter';
import { ConversationTurns } from './conversationTurns';
import { CommandRouter } from './commandRouter';
import { AdminGroupMembership } from './adminGroup';
import { registerConversationTracking } from './conversationTracking';
import type { BotDeps } from './deps';
import { helpFeature, registerInstallEvents } from './features/help/helpFeature';
import { registerMessageRouting, runCommandVerb } from './messageRouting';
import { wizardFeature } from './features/wizard/wizardFeature';
import { connectorsFeature } from './features/connectors/connectorsFeature';
import { ConnectorLifecycle } from '../connectors/lifecycle';
import type { Connector } from '../connectors/connector';
import { createFlows } from '../dialogs/flows';
import { noticesFeature } from './features/notices/noticesFeature';
import { ConsentHandover, consentReminderCards } from './features/consent/consentHandover';
import { consentFeature, registerPeopleSearch, verifyConsent } from './features/consent/consentFeature';
import { rolesFeature } from './features/roles/rolesFeature';
import { AdapterTransport } from './proactiveTransport';
import { ExpiryScanner } from '../notify/expiryScanner';
import { ProactiveSender } from '../notify/proactiveSender';
import { RateLimiter, realTiming } from '../notify/rateLimiter';
import { createTurnErrorHandler } from './turnErrors';
import { diagnosticsFeature } from './features/diagnostics/diagnosticsFeature';
import { Telemetry } from '../telemetry/telemetry';
import { instrumentStore } from '../telemetry/instrumentStore';
import { TurnTelemetryMiddleware } from './turnTelemetry';
import { registerCardVerbs } from './cardVerbs';
import type { FeatureTables } from './chatCommands';
import type { CommandName } from './commandCatalog';

/** The Bot Framework settings of the adapter; empty in anonymous local mode. */
export function adapterSettings(config: Config): ConfigurationBotFrameworkAuthenticationOptions {
  if (config.anonymous) return {};
  const settings: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.appTenantId,
  };
  if (config.bot.openIdMetadataUrl) {
    // Setting any one of these makes botbuilder drop all its public-cloud defaults, so the
    // others are given explicitly: without them every real Teams token would be refused.
    Object.assign(settings, {
      ToBotFromChannelOpenIdMetadataUrl: config.bot.openIdMetadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: config.bot.openIdMetadataUrl,
      ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
      ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
      ToChannelFromBotOAuthScope: 'https://api.botframework.com',
      OAuthUrl: 'https://api.botframework.com',
      CallerId: 'urn:botframework:azure',
    });
  }
  return settings;
}

/** The bot: a teams-ai Application over a TeamsAdapter, with every feature registered. */
export interface Bot {
  adapter: ConciergeAdapter;
  app: Application<TurnState>;
  lifecycle: ConnectorLifecycle;
  scanner: ExpiryScanner;
  /** The commands of every feature's table, each registered with the router. */
  commands: readonly CommandName[];
  /** The card verbs of every feature, each registered with the application. */
  cardVerbs: readonly string[];
}

export function createBot(botDeps: BotDeps): Bot {
  const telemetry = botDeps.telemetry ?? Telemetry.fromGlobals();
  const deps: BotDeps = {
    ...botDeps,
    telemetry,
    // Every feature's store calls become spans of the turn or scan that makes them.
    store: instrumentStore(botDeps.store, telemetry),
    adminGroup: new AdminGroupMembership(
      botDeps.config.adminGroupId,
      botDeps.graph,
      botDeps.clock,
      botDeps.logger,
    ),
  };
  const adapter = new ConciergeAdapter(adapterSettings(deps.config));
  adapter.use(new TurnTelemetryMiddleware(telemetry));
  adapter.use(new ConversationTurns(deps.logger));
  const app = new Application<TurnState>({
    adapter,
    botAppId: deps.config.bot.appId ?? '',
    storage: deps.store.state,
    removeRecipientMention: true,
    // teams-ai keeps one typing timer per Application, which concurrent turns would share;
    // features that run long send their own typing indicator instead.
    startTypingTimer: false,
    longRunningMessages: false,
  });
  app.error(createTurnErrorHandler(deps.logger));

  const router = new CommandRouter();
  registerConversationTracking(app, deps);
  registerInstallEvents(app, deps);
  const lifecycle = new ConnectorLifecycle(deps.store, deps.clock, deps.config.inactivityDays);
  const consentDeps = { ...deps, adapter, lifecycle };
  const checkConsent = (connector: Connector, actor: { id: string; name?: string }) =>
    verifyConsent(consentDeps, connector, actor);
  const handover = new ConsentHandover({ ...consentDeps, verifyConsent: checkConsent });
  const features: FeatureTables[] = [
    helpFeature(deps, router),
    wizardFeature({ ...deps, lifecycle, flows: createFlows({ ...deps, handover }) }, router),
    consentFeature(consentDeps),
    connectorsFeature({ ...deps, lifecycle, verifyConsent: checkConsent }),
    noticesFeature({ ...deps, lifecycle }, router),
    rolesFeature({ ...deps, adapter, globalAdmins: handover }),
    diagnosticsFeature({ ...deps, lifecycle, adapter }),
  ];
  const commands = features.flatMap((feature) => feature.commands);
  const cardVerbs = [...features.flatMap((feature) => feature.verbs), runCommandVerb(router, deps)];
  router.registerAll(commands);
  registerCardVerbs(app, cardVerbs, deps.logger);
  registerPeopleSearch(app, consentDeps);
  // Last: it answers whatever no feature claimed.
  registerMessageRouting(app, router, deps);
  const timing = deps.timing ?? realTiming;
  const sender = new ProactiveSender(
    new AdapterTransport(adapter, deps.config.bot.appId ?? ''),
    // Booked at 90% of NOTIFY_RPS: botbuilder's connector client retries a 429 once on its own,
    // outside this limiter, and an event-loop pause can release several booked sends together.
    new RateLimiter(deps.config.notifyRps * 0.9, timing),
    deps.logger,
    { timing, telemetry },
  );
  const scanner = new ExpiryScanner({
    ...deps,
    leaseMs: deps.config.noticeLeaseSeconds * 1000,
    lifecycle,
    sender,
    consentReminders: consentReminderCards(deps),
  });
  // Every deauthorization, whoever noticed it, reaches the tenant's notice targets once.
  lifecycle.onDeauthorized(scanner);
  return {
    adapter,
    app,
    lifecycle,
    scanner,
    commands: commands.map((command) => command.name),
    cardVerbs: cardVerbs.map((verb) => verb.verb),
  };
}
