// The module itself, not the package index: the index also loads teams-ai's AI half (OpenAI
// client, GPT tokenizer and its tables), which this bot never uses.
import { Application } from '@microsoft/teams-ai/lib/Application';
import type { TurnState } from '@microsoft/teams-ai';
import type { ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { Config } from '../config/config';
import { ConciergeAdapter } from './conciergeAdapter';
import { ConversationTurns } from './conversationTurns';
import { CommandRouter } from './commandRouter';
import { registerConversationTracking } from './conversationTracking';
import { registerTeamsUserIdLearning } from './teamsUserIds';
import type { BotDeps } from './deps';
import { helpFeature, registerInstallEvents } from './features/help/helpFeature';
import { registerMessageRouting, runCommandVerb } from './messageRouting';
import { wizardFeature } from './features/wizard/wizardFeature';
import { connectorsFeature } from './features/connectors/connectorsFeature';
import type { Connector } from '../connectors/connector';
import { createFlows } from '../dialogs/flows';
import { noticesFeature } from './features/notices/noticesFeature';
import { ConsentHandover } from './features/consent/consentHandover';
import { consentRequestsFeature } from './features/consent/consentDecisions';
import { consentFeature, registerPeopleSearch, verifyConsent } from './features/consent/consentFeature';
import { rolesFeature } from './features/roles/rolesFeature';
import { createTurnErrorHandler } from './turnErrors';
import { diagnosticsFeature } from './features/diagnostics/diagnosticsFeature';
import type { Telemetry } from '../telemetry/telemetry';
import type { Logger } from '../util/logger';
import { TurnTelemetryMiddleware } from './turnTelemetry';
import { pacedReplies } from '../notify/connectorPacing';
import type { RateLimiter, Timing } from '../notify/rateLimiter';
import { registerCardVerbs } from './cardVerbs';
import { registerUnknownVerbs } from './universalActions';
import { liveCardVerbs } from './features/liveCards';
import type { FeatureTables } from './chatCommands';
import type { CommandName } from './commandCatalog';
import { ConversationTurnState } from './conversationTurnState';
import { BOT_FRAMEWORK_ENDPOINTS } from './botFrameworkClouds';

/** The Bot Framework settings of the adapter, for the configured cloud; empty in anonymous local mode. */
export function adapterSettings(config: Config): ConfigurationBotFrameworkAuthenticationOptions {
  if (config.anonymous) return {};
  // loadConfig refuses this; a Config made elsewhere must not fall back to an adapter without auth.
  if (config.cloud === 'china') throw new Error('CLOUD=china has no Bot Framework endpoints in botbuilder');
  const cloud = BOT_FRAMEWORK_ENDPOINTS[config.cloud];
  const settings: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.appTenantId,
  };
  // botbuilder picks its US Government endpoints from this one value.
  if (cloud.ChannelService !== '') settings.ChannelService = cloud.ChannelService;
  if (config.bot.openIdMetadataUrl) {
    // Setting any one of these makes botbuilder drop all its defaults for the cloud, so the
    // others are given explicitly: without them every real Teams token would be refused.
    const { ChannelService: _channelService, ...endpoints } = cloud;
    Object.assign(settings, {
      ...endpoints,
      ToBotFromChannelOpenIdMetadataUrl: config.bot.openIdMetadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: config.bot.openIdMetadataUrl,
    });
  }
  return settings;
}

/** The bot: a teams-ai Application over a TeamsAdapter, with every feature registered. */
export interface Bot {
  adapter: ConciergeAdapter;
  app: Application<TurnState>;
  /** The commands of every feature's table, each registered with the router. */
  commands: readonly CommandName[];
  /** The card verbs of every feature, each registered with the application. */
  cardVerbs: readonly string[];
}

/**
 * The adapter every turn and every proactive message goes through, with the turn middleware.
 * Its Bot Connector requests are booked in `limiter` (the proactive sender's) as they leave.
 */
export function createAdapter(
  config: Config,
  telemetry: Telemetry,
  logger: Logger,
  pacing: { limiter: RateLimiter; timing: Timing },
): ConciergeAdapter {
  const adapter = new ConciergeAdapter(adapterSettings(config));
  adapter.use(pacedReplies(pacing.limiter, logger, { timing: pacing.timing }));
  adapter.use(new TurnTelemetryMiddleware(telemetry));
  adapter.use(new ConversationTurns(logger));
  return adapter;
}

/**
 * teams-ai's Application without its typing timer. teams-ai 1.7.4 keeps `startTypingTimer: false`
 * in its options but `run()` starts the timer regardless: a turn that took over a second sent a
 * stray "typing" before its reply, and the one timer per Application is shared by concurrent
 * turns (one turn's reply stops another's). Features that run long send their own indicator.
 */
class ConciergeApplication extends Application<TurnState> {
  override startTypingTimer(): void {}
}

/** Registers every feature on an Application over `adapter`; the services come from the composition root. */
export function createBot(deps: BotDeps & { adapter: ConciergeAdapter; botAppId: string }): Bot {
  const { adapter, services } = deps;
  const app = new ConciergeApplication({
    adapter,
    botAppId: deps.botAppId,
    storage: deps.store.state,
    turnStateFactory: () => new ConversationTurnState(),
    removeRecipientMention: true,
    // Also overridden in ConciergeApplication: teams-ai 1.7.4 does not honour it.
    startTypingTimer: false,
    longRunningMessages: false,
  });
  app.error(createTurnErrorHandler(deps.logger));

  const router = new CommandRouter();
  registerConversationTracking(app, deps);
  registerTeamsUserIdLearning(app, deps.teamsUserIds);
  registerInstallEvents(app, deps);
  const { lifecycle, connectors, consent } = services;
  const consentDeps = { ...deps, connectors, consent, lifecycle };
  const checkConsent = (connector: Connector, actor: { id: string; name?: string }) =>
    verifyConsent(consentDeps, connector, actor);
  const handover = new ConsentHandover({ ...deps, lifecycle, verifyConsent: checkConsent });
  const features: FeatureTables[] = [
    helpFeature(deps, router),
    wizardFeature({ ...deps, connectors, lifecycle, flows: createFlows({ ...deps, handover }) }, router),
    consentFeature(consentDeps),
    consentRequestsFeature({
      ...deps,
      connectors,
      lifecycle,
      resolvePerson: (context, tenantId, idOrUpn) => handover.resolvePerson(context, tenantId, idOrUpn),
    }),
    connectorsFeature({ ...deps, connectors, verifyConsent: checkConsent }),
    noticesFeature({ ...deps, connectors, lifecycle }, router),
    rolesFeature({ ...deps, globalAdmins: handover }),
    diagnosticsFeature({ ...deps, connectors }),
  ];
  const commands = features.flatMap((feature) => feature.commands);
  const cardVerbs = [
    ...features.flatMap((feature) => feature.verbs),
    ...liveCardVerbs(deps),
    runCommandVerb(router, deps),
  ];
  router.registerAll(commands);
  registerCardVerbs(app, cardVerbs, deps.logger);
  registerPeopleSearch(app, consentDeps);
  // Last: they answer whatever no feature claimed.
  registerMessageRouting(app, router, deps);
  registerUnknownVerbs(app, deps.logger);
  return {
    adapter,
    app,
    commands: commands.map((command) => command.name),
    cardVerbs: cardVerbs.map((verb) => verb.verb),
  };
}
