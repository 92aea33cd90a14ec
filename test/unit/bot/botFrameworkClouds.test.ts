import { AuthenticationConstants, GovernmentConstants } from 'botframework-connector';
import { CallerIdConstants } from 'botbuilder';
import { BOT_FRAMEWORK_ENDPOINTS } from '../../../src/bot/botFrameworkClouds';
import { adapterSettings } from '../../../src/bot/createBot';
import { loadConfig } from '../../../src/config/config';

const BOT = { MicrosoftAppId: '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b', MicrosoftAppPassword: 'secret' };

describe('the Bot Framework endpoints per cloud', () => {
  test('are botbuilder’s own constants, written out', () => {
    expect(BOT_FRAMEWORK_ENDPOINTS.global).toEqual({
      ChannelService: '',
      ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
      ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
      ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
      OAuthUrl: AuthenticationConstants.OAuthUrl,
      CallerId: CallerIdConstants.PublicAzureChannel,
    });
    const government = {
      ChannelService: GovernmentConstants.ChannelService,
      ToBotFromChannelTokenIssuer: GovernmentConstants.ToBotFromChannelTokenIssuer,
      ToChannelFromBotLoginUrl: GovernmentConstants.ToChannelFromBotLoginUrl,
      ToChannelFromBotOAuthScope: GovernmentConstants.ToChannelFromBotOAuthScope,
      OAuthUrl: GovernmentConstants.OAuthUrl,
      CallerId: CallerIdConstants.USGovChannel,
    };
    expect(BOT_FRAMEWORK_ENDPOINTS.usgovhigh).toEqual(government);
    expect(BOT_FRAMEWORK_ENDPOINTS.dod).toEqual(government);
  });

  test('the public cloud leaves botbuilder its defaults; GCC High and DoD name the Government channel service', () => {
    expect(adapterSettings(loadConfig(BOT)).ChannelService).toBeUndefined();
    for (const cloud of ['usgovhigh', 'dod']) {
      const settings = adapterSettings(loadConfig({ ...BOT, CLOUD: cloud }));
      expect(settings.ChannelService).toBe(GovernmentConstants.ChannelService);
      expect(settings.ToBotFromChannelTokenIssuer).toBeUndefined();
    }
  });

  test('a bot configured for 21Vianet some other way than loadConfig gets an error, never an adapter without auth', () => {
    const anonymous = loadConfig({ CLOUD: 'china' });
    expect(adapterSettings(anonymous)).toEqual({});
    const forced = { ...loadConfig(BOT), cloud: 'china' as const };
    expect(() => adapterSettings(forced)).toThrow('CLOUD=china has no Bot Framework endpoints in botbuilder');
  });

  test('an OpenID metadata override keeps the rest of the cloud’s endpoints', () => {
    const metadata = 'https://login.example.us/v1/.well-known/openidconfiguration';
    const settings = adapterSettings(
      loadConfig({ ...BOT, CLOUD: 'usgovhigh', BOT_OPENID_METADATA_URL: metadata }),
    );
    expect(settings).toMatchObject({
      ToBotFromChannelOpenIdMetadataUrl: metadata,
      ToBotFromChannelTokenIssuer: 'https://api.botframework.us',
      ToChannelFromBotOAuthScope: 'https://api.botframework.us',
      CallerId: 'urn:botframework:azureusgov',
    });
  });
});
