import { Application, type TurnState } from '@microsoft/teams-ai';
import type { ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { Config } from '../config/config';
import { ConciergeAdapter } from './conciergeAdapter';
import { ConversationTurns } from './conversationTurns';
import { CommandRouter } from './commandRouter';
import { AdminGroupMembership } from './adminGroup';
import { registerConversationTracking } from './conversationTracking';
import type { BotDeps } from './deps';
import { registerHelp } from './features/help/helpFeature';
import { registerMessageRouting } from './messageRouting';
import { registerWizard } from './features/wizard/wizardFeature';
import { registerConnectors } from './features/connectors/connectorsFeature';
import { ConnectorLifecycle } from '../connectors/lifecycle';
import { createFlows } from '../dialogs/flows';
import { registerNotifications } from './features/notices/noticesFeature';
import { ConsentHandover, consentReminderCards } from './features/consent/consentHandover';
import { registerConsent, verifyConsent } from './features/consent/consentFeature';
import { registerRoles } from './features/roles/rolesFeature';
import { AdapterTransport } from './proactiveTransport';
import { ExpiryScanner } from '../notify/expiryScanner';
import { ProactiveSender } from '../notify/proactiveSender';
import { RateLimiter, realTiming } from '../notify/rateLimiter';
import { createTurnErrorHandler } from './turnErrors';
import { registerDiagnostics } from './features/diagnostics/diagnosticsFeature';
import { registerActivityEvidence } from './features/connectors/activityEvidence';
import { registerRevocationCheck } from './features/connectors/revocationFeature';
import { Telemetry } from '../telemetry/telemetry';
import { instrumentStore } from '../telemetry/instrumentStore';
import { TurnTelemetryMiddleware } from './turnTelemetry';
import { registerUnknownVerbs } from './universalActions';
import { registerLiveCards } from './features/liveCards';
import { managerIds } from './features/liveCards/cardViewers';

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
  registerHelp(app, router, deps);
  const lifecycle = new ConnectorLifecycle(deps.store, deps.clock, deps.config.inactivityDays);
  const handover = new ConsentHandover({
    ...deps,
    adapter,
    lifecycle,
    verifyConsent: (connector, actor) => verifyConsent({ ...deps, adapter, lifecycle }, connector, actor),
  });
  registerWizard(app, router, { ...deps, lifecycle, flows: createFlows({ ...deps, handover }) });
  registerConsent(app, { ...deps, adapter, lifecycle });
  registerConnectors(app, router, {
    ...deps,
    lifecycle,
    verifyConsent: (connector, actor) => verifyConsent({ ...deps, adapter, lifecycle }, connector, actor),
  });
  registerRevocationCheck(app, { ...deps, lifecycle });
  registerNotifications(app, router, { ...deps, lifecycle });
  registerActivityEvidence(app, { ...deps, lifecycle });
  registerRoles(app, router, { ...deps, adapter, globalAdmins: handover });
  registerDiagnostics(app, router, { ...deps, lifecycle, adapter });
  registerLiveCards(app, deps);
  // Last: they answer whatever no feature claimed.
  registerMessageRouting(app, router, deps);
  registerUnknownVerbs(app, deps.logger);
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
    managerIds: (tenantId, connectors) => managerIds(deps, tenantId, connectors),
  });
  // Every deauthorization, whoever noticed it, reaches the tenant's notice targets once.
  lifecycle.onDeauthorized(scanner);
  return { adapter, app, lifecycle, scanner };
}
