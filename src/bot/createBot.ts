import { Application, TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import type { ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { Config } from '../config/config';
import { CommandRouter } from './commandRouter';
import { registerConversationTracking } from './conversationTracking';
import type { BotDeps } from './deps';
import { registerHelp } from './helpFeature';
import { registerMessageRouting } from './messageRouting';
import { createTurnErrorHandler } from './turnErrors';

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
    settings.ToBotFromChannelOpenIdMetadataUrl = config.bot.openIdMetadataUrl;
    settings.ToBotFromEmulatorOpenIdMetadataUrl = config.bot.openIdMetadataUrl;
  }
  return settings;
}

/** The bot: a teams-ai Application over a TeamsAdapter, with every feature registered. */
export interface Bot {
  adapter: TeamsAdapter;
  app: Application<TurnState>;
}

export function createBot(deps: BotDeps): Bot {
  const adapter = new TeamsAdapter(adapterSettings(deps.config));
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
  // Last: it answers whatever no feature claimed.
  registerMessageRouting(app, router, deps);
  return { adapter, app };
}
