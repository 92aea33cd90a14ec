import { Application, type TurnState } from '@microsoft/teams-ai';
import type { ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { Config } from '../config/config';
import type { Connector } from '../connectors/connector';
import type { ActorRef } from '../connectors/lifecycle';
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
export function createBot(deps: BotDeps & { adapter: ConciergeAdapter; botAppId: string }): Bot {
  const { adapter, services } = deps;
  const app = new Application<TurnState>({
    adapter,
    botAppId: deps.botAppId,
    storage: deps.store.state,
    removeRecipientMention: true,
    // teams-ai keeps one typing timer per Application, which concurrent turns would share;
    // features that run long send their own typing indicator instead.
    startTypingTimer: false,
    longRunningMessages: false,
  });
  app.error(createTurnErrorHandler(deps.logger));

  const router = new CommandRouter();
  const { lifecycle, connectors, consent } = services;
  const verify = (connector: Connector, actor: ActorRef) =>
    verifyConsent({ ...deps, consent }, connector, actor);
  registerConversationTracking(app, deps);
  registerHelp(app, router, deps);
  const handover = new ConsentHandover({ ...deps, lifecycle, verifyConsent: verify });
  registerWizard(app, router, { ...deps, connectors, lifecycle, flows: createFlows({ ...deps, handover }) });
  registerConsent(app, { ...deps, connectors, consent });
  registerConnectors(app, router, { ...deps, connectors, verifyConsent: verify });
  registerRevocationCheck(app, { ...deps, connectors });
  registerNotifications(app, router, { ...deps, connectors, lifecycle });
  registerActivityEvidence(app, { ...deps, connectors });
  registerRoles(app, router, { ...deps, globalAdmins: handover });
  registerDiagnostics(app, router, { ...deps, connectors });
  // Last: it answers whatever no feature claimed.
  registerMessageRouting(app, router, deps);
  return { adapter, app };
}
