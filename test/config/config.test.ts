import { ConfigError, configWarnings, loadConfig } from '../../src/config/config';

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  test('defaults follow DESIGN.md', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3978);
    expect(config.host).toBe('127.0.0.1');
    expect(config.anonymous).toBe(true);
    expect(config.cloud).toBe('global');
    expect(config.authorityHost).toBe('https://login.microsoftonline.com');
    expect(config.graphEndpoint).toBe('https://graph.microsoft.com');
    expect(config.adminConsentLink).toBe('https://aka.ms/office365moverauth');
    expect(config.inactivityDays).toBe(90);
    expect(config.expiryNoticeDays).toEqual([30, 14, 7, 1]);
    expect(config.scanCron).toBe('0 * * * *');
    expect(config.notifyRps).toBe(30);
    expect(config.noticeLeaseSeconds).toBe(600);
    expect(config.consentReminderHours).toEqual([24, 72]);
    expect(config.apiToken).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.dataDir.endsWith('data')).toBe(true);
  });

  test('the cloud picks the login and Graph hosts, and overrides win', () => {
    expect(loadConfig({ CLOUD: 'usgovhigh' }).graphEndpoint).toBe('https://graph.microsoft.us');
    expect(loadConfig({ CLOUD: 'dod' }).graphEndpoint).toBe('https://dod-graph.microsoft.us');
    expect(loadConfig({ CLOUD: 'china' }).authorityHost).toBe('https://login.chinacloudapi.cn');
    const overridden = loadConfig({
      GRAPH_ENDPOINT: 'https://127.0.0.1:8443/',
      AZURE_AUTHORITY_HOST: 'https://127.0.0.1:8444',
    });
    expect(overridden.graphEndpoint).toBe('https://127.0.0.1:8443');
    expect(overridden.authorityHost).toBe('https://127.0.0.1:8444');
  });

  test('Graph and connector app ids fall back to the bot credentials', () => {
    const appId = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
    const config = loadConfig({ MicrosoftAppId: appId, MicrosoftAppPassword: 'secret' });
    expect(config.anonymous).toBe(false);
    expect(config.graph).toEqual({ clientId: appId, clientSecret: 'secret' });
    expect(config.connectorAppId).toBe(appId);
  });

  test('notice days are sorted largest first', () => {
    expect(loadConfig({ EXPIRY_NOTICE_DAYS: '1, 7,30' }).expiryNoticeDays).toEqual([30, 7, 1]);
  });

  test.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ CLOUD: 'germany' }, 'CLOUD'],
    [{ EXPIRY_NOTICE_DAYS: '30,fourteen' }, 'EXPIRY_NOTICE_DAYS'],
    [{ EXPIRY_NOTICE_DAYS: '30,30' }, 'EXPIRY_NOTICE_DAYS'],
    [{ EXPIRY_NOTICE_DAYS: '120' }, 'EXPIRY_NOTICE_DAYS'],
    [{ HOST: '0.0.0.0' }, 'HOST'],
    [{ HOST: '10.0.0.5' }, 'HOST'],
    [{ MicrosoftAppId: 'not-a-guid' }, 'MicrosoftAppId'],
    [{ MicrosoftAppId: '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b' }, 'MicrosoftAppPassword'],
    [{ MicrosoftAppType: 'Sometimes' }, 'MicrosoftAppType'],
    [{ INACTIVITY_DAYS: '-3' }, 'INACTIVITY_DAYS'],
    [{ SCAN_CRON: 'every hour' }, 'SCAN_CRON'],
    [{ API_TOKEN: 'short' }, 'API_TOKEN'],
    [{ NOTICE_LEASE_SECONDS: '2' }, 'NOTICE_LEASE_SECONDS'],
    [{ NOTICE_LEASE_SECONDS: 'ten' }, 'NOTICE_LEASE_SECONDS'],
    [{ NOTIFY_RPS: '0' }, 'NOTIFY_RPS'],
    [{ CONSENT_REMINDER_HOURS: '72,24' }, 'CONSENT_REMINDER_HOURS'],
    [{ ADMIN_CONSENT_LINK: 'http://aka.ms/office365moverauth' }, 'ADMIN_CONSENT_LINK'],
    [{ GRAPH_ENDPOINT: 'graph' }, 'GRAPH_ENDPOINT'],
    [{ ADMIN_GROUP_ID: 'admins' }, 'ADMIN_GROUP_ID'],
    [{ SECRETS_KEY: 'dG9vIHNob3J0' }, 'SECRETS_KEY'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ AZURE_STORAGE_CONNECTION_STRING: 'hello' }, 'AZURE_STORAGE_CONNECTION_STRING'],
    [{ AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' }, 'SECRETS_KEY'],
    [{ BOT_OPENID_METADATA_URL: 'http://example.com/openid' }, 'BOT_OPENID_METADATA_URL'],
    [{ CONSENT_REDIRECT_URI: 'http://migrate.contoso.com/done' }, 'CONSENT_REDIRECT_URI'],
    [{ CONSENT_REDIRECT_URI: 'migrate.contoso.com/done' }, 'CONSENT_REDIRECT_URI'],
    [{ CONSENT_REDIRECT_URI: 'https://migrate.contoso.com/done#top' }, 'CONSENT_REDIRECT_URI'],
  ])('%j is refused, naming %s', (env, variable) => {
    const error = errorOf(env as Record<string, string>);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
  });

  test('a non-loopback HOST is allowed with Bot Framework credentials', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      MicrosoftAppId: '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b',
      MicrosoftAppPassword: 'secret',
    });
    expect(config.host).toBe('0.0.0.0');
  });

  test('a 32-byte base64 SECRETS_KEY is accepted', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ SECRETS_KEY: key }).secretsKey?.length).toBe(32);
  });

  test('CONSENT_REDIRECT_URI is unset by default and kept exactly as registered when set', () => {
    expect(loadConfig({}).consentRedirectUri).toBeUndefined();
    const redirect = 'https://migrate.contoso.com/consent/done/';
    expect(loadConfig({ CONSENT_REDIRECT_URI: redirect }).consentRedirectUri).toBe(redirect);
  });

  describe('CONNECTOR_APP_ID warning', () => {
    const BOT = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
    const GRAPH = '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d';
    const CONNECTOR = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';
    const warningsOf = (env: Record<string, string>) => configWarnings(loadConfig(env), env);

    test.each([
      ['unset, with bot credentials', { MicrosoftAppId: BOT, MicrosoftAppPassword: 's' }, 'is not set'],
      [
        'unset, with Graph credentials only',
        { GRAPH_CLIENT_ID: GRAPH, GRAPH_CLIENT_SECRET: 's' },
        'is not set',
      ],
      [
        "equal to the bot's app id",
        { MicrosoftAppId: BOT, MicrosoftAppPassword: 's', CONNECTOR_APP_ID: BOT.toUpperCase() },
        "equals the bot's own app id",
      ],
      [
        "equal to the Graph app's id",
        { GRAPH_CLIENT_ID: GRAPH, GRAPH_CLIENT_SECRET: 's', CONNECTOR_APP_ID: GRAPH },
        "equals the bot's own app id",
      ],
    ])('%s: one warning naming the variable and what it breaks', (_case, env, why) => {
      const warnings = warningsOf(env);
      expect(warnings).toHaveLength(1);
      expect(warnings[0].variable).toBe('CONNECTOR_APP_ID');
      expect(warnings[0].message).toContain(why);
      expect(warnings[0].message).toContain('consent check');
      expect(warnings[0].message).toContain('look at the bot');
    });

    test('no warning for a distinct connector app, nor without credentials', () => {
      expect(
        warningsOf({ MicrosoftAppId: BOT, MicrosoftAppPassword: 's', CONNECTOR_APP_ID: CONNECTOR }),
      ).toEqual([]);
      expect(warningsOf({})).toEqual([]);
      expect(warningsOf({ CONNECTOR_APP_ID: CONNECTOR })).toEqual([]);
    });
  });
});
