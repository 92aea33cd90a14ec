import type { CloudName } from '../config/config';

/** The Bot Framework endpoints of one cloud, named as ConfigurationBotFrameworkAuthentication reads them. */
export interface BotFrameworkEndpoints {
  /** Empty for the public cloud; the value botbuilder recognises picks its US Government constants. */
  ChannelService: string;
  ToBotFromChannelTokenIssuer: string;
  ToChannelFromBotLoginUrl: string;
  ToChannelFromBotOAuthScope: string;
  OAuthUrl: string;
  CallerId: string;
}

/**
 * The clouds whose Bot Framework botbuilder knows (AuthenticationConstants, GovernmentConstants in
 * botframework-connector; a unit test holds these to them). Written out rather than imported so
 * that reading them does not load the connector's auth modules at start-up. Teams in GCC High and
 * DoD reaches bots through the Azure Government Bot Framework; 21Vianet's has no constants in
 * botbuilder, so CLOUD=china is refused with bot credentials (src/config/config.ts).
 */
export const BOT_FRAMEWORK_ENDPOINTS: Record<Exclude<CloudName, 'china'>, BotFrameworkEndpoints> = {
  global: {
    ChannelService: '',
    ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
    ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
    ToChannelFromBotOAuthScope: 'https://api.botframework.com',
    OAuthUrl: 'https://api.botframework.com',
    CallerId: 'urn:botframework:azure',
  },
  usgovhigh: {
    ChannelService: 'https://botframework.azure.us',
    ToBotFromChannelTokenIssuer: 'https://api.botframework.us',
    ToChannelFromBotLoginUrl: 'https://login.microsoftonline.us/MicrosoftServices.onmicrosoft.us',
    ToChannelFromBotOAuthScope: 'https://api.botframework.us',
    OAuthUrl: 'https://api.botframework.azure.us',
    CallerId: 'urn:botframework:azureusgov',
  },
  dod: {
    ChannelService: 'https://botframework.azure.us',
    ToBotFromChannelTokenIssuer: 'https://api.botframework.us',
    ToChannelFromBotLoginUrl: 'https://login.microsoftonline.us/MicrosoftServices.onmicrosoft.us',
    ToChannelFromBotOAuthScope: 'https://api.botframework.us',
    OAuthUrl: 'https://api.botframework.azure.us',
    CallerId: 'urn:botframework:azureusgov',
  },
};
