import { Application, type TurnState } from '@microsoft/teams-ai';
import type { ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { Config } from '../config/config';
import { ConciergeAdapter } from './conciergeAdapter';
import { ConversationTurns } from './conversationTurns';
import { CommandRouter } from './commandRouter';
import { registerConversationTracking } from './conversationTracking';
import type { BotDeps } from './deps';
import { registerHelp } from './features/help/helpFeature';
import { registerMessageRouting } from './messageRouting';
import { registerWizard } from './features/wizard/wizardFeature';
import { registerConnectors } from './features/connectors/connectorsFeature';
import { createFlows } from '../dialogs/flows';
import { registerNotifications } from './features/notices/noticesFeature';
import { ConsentHandover } from './features/consent/consentHandover';
import { registerConsent, verifyConsent } from './features/consent/consentFeature';
import { registerRoles } from './features/roles/rolesFeature';
import { createTurnErrorHandler } from './turnErrors';
import { registerDiagnostics } from './features/diagnostics/diagnosticsFeature';
import { registerActivityEvidence } from './features/connectors/activityEvidence';
import { registerRevocationCheck } from './features/connectors/revocationFeature';
import type { Telemetry } from '../telemetry/telemetry';
import type { Logger } from '../util/logger';
import { TurnTelemetryMiddleware } from './turnTelemetry';

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
}

/** The adapter every turn and every proactive message goes through, with the turn middleware. */
export function createAdapter(config: Config, telemetry: Telemetry, logger: Logger): ConciergeAdapter {
  const adapter = new ConciergeAdapter(adapterSettings(config));
  adapter.use(new TurnTelemetryMiddleware(telemetry));
  adapter.use(new ConversationTurns(logger));
  return adapter;
}

/** Registers every feature on an Application over `adapter`; the services come from the composition root. */
export function createBot(deps: BotDeps & { adapter: ConciergeAdapter }): Bot {
  const { adapter, services } = deps;
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
  const lifecycle = services.lifecycle;
  registerConversationTracking(app, deps);
  registerHelp(app, router, deps);
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
  // Last: it answers whatever no feature claimed.
  registerMessageRouting(app, router, deps);
  return { adapter, app };
}
