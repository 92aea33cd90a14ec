import { ConfigError, loadConfig } from '../../src/config/config';

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
});

describe('Azure identity and Key Vault settings', () => {
  const KEY = Buffer.alloc(32, 7).toString('base64');
  const URLS = {
    AZURE_STORAGE_BLOB_URL: 'https://contoso.blob.core.windows.net/',
    AZURE_STORAGE_TABLE_URL: 'https://contoso.table.core.windows.net',
  };
  const TENANT = '2b1f2b1f-0000-4000-8000-000000000001';
  const CLIENT = '2b1f2b1f-0000-4000-8000-000000000002';

  test('the two storage URLs select the token path, without trailing slashes', () => {
    const config = loadConfig({ ...URLS, SECRETS_KEY: KEY });
    expect(config.azureStorageUrls).toEqual({
      blob: 'https://contoso.blob.core.windows.net',
      table: 'https://contoso.table.core.windows.net',
    });
    expect(config.azureStorageConnectionString).toBeUndefined();
    expect(config.azureIdentity).toEqual({
      tenantId: undefined,
      clientId: undefined,
      clientSecret: undefined,
    });
    expect(loadConfig({}).azureStorageUrls).toBeUndefined();
  });

  test('each bad or missing storage setting is named', () => {
    expect(errorOf({ AZURE_STORAGE_BLOB_URL: URLS.AZURE_STORAGE_BLOB_URL, SECRETS_KEY: KEY }).message).toBe(
      'AZURE_STORAGE_TABLE_URL: required with AZURE_STORAGE_BLOB_URL',
    );
    expect(errorOf({ AZURE_STORAGE_TABLE_URL: URLS.AZURE_STORAGE_TABLE_URL, SECRETS_KEY: KEY }).message).toBe(
      'AZURE_STORAGE_BLOB_URL: required with AZURE_STORAGE_TABLE_URL',
    );
    // A bearer token is never sent over plain http.
    expect(
      errorOf({
        ...URLS,
        AZURE_STORAGE_TABLE_URL: 'http://127.0.0.1:10002/devstoreaccount1',
        SECRETS_KEY: KEY,
      }).variable,
    ).toBe('AZURE_STORAGE_TABLE_URL');
    expect(errorOf({ ...URLS, AZURE_STORAGE_BLOB_URL: 'not a url', SECRETS_KEY: KEY }).variable).toBe(
      'AZURE_STORAGE_BLOB_URL',
    );
    expect(
      errorOf({ ...URLS, AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', SECRETS_KEY: KEY })
        .message,
    ).toMatch(/^AZURE_STORAGE_CONNECTION_STRING: set either it or AZURE_STORAGE_BLOB_URL/);
    expect(errorOf({ ...URLS }).message).toMatch(/^SECRETS_KEY: required with AZURE_STORAGE_BLOB_URL/);
  });

  test('a client secret needs its tenant and client; a client id alone is a user-assigned identity', () => {
    expect(errorOf({ AZURE_CLIENT_SECRET: 's', AZURE_CLIENT_ID: CLIENT }).message).toBe(
      'AZURE_TENANT_ID: required with AZURE_CLIENT_SECRET',
    );
    expect(errorOf({ AZURE_CLIENT_SECRET: 's', AZURE_TENANT_ID: TENANT }).message).toBe(
      'AZURE_CLIENT_ID: required with AZURE_CLIENT_SECRET',
    );
    expect(errorOf({ AZURE_CLIENT_ID: 'not-a-guid' }).variable).toBe('AZURE_CLIENT_ID');
    expect(errorOf({ AZURE_TENANT_ID: 'contoso' }).variable).toBe('AZURE_TENANT_ID');
    expect(loadConfig({ AZURE_CLIENT_ID: CLIENT }).azureIdentity).toEqual({
      tenantId: undefined,
      clientId: CLIENT,
      clientSecret: undefined,
    });
  });

  test('the Key Vault URL and secret name come together and replace SECRETS_KEY', () => {
    const vault = {
      SECRETS_KEY_VAULT_URL: 'https://contoso-kv.vault.azure.net/',
      SECRETS_KEY_SECRET_NAME: 'secrets-key',
    };
    const config = loadConfig({ ...URLS, ...vault });
    expect(config.secretsKeyVault).toEqual({
      url: 'https://contoso-kv.vault.azure.net',
      secretName: 'secrets-key',
    });
    expect(config.secretsKey).toBeUndefined();
    expect(errorOf({ SECRETS_KEY_VAULT_URL: vault.SECRETS_KEY_VAULT_URL }).message).toBe(
      'SECRETS_KEY_SECRET_NAME: required with SECRETS_KEY_VAULT_URL',
    );
    expect(errorOf({ SECRETS_KEY_SECRET_NAME: 'secrets-key' }).message).toBe(
      'SECRETS_KEY_VAULT_URL: required with SECRETS_KEY_SECRET_NAME',
    );
    expect(errorOf({ ...vault, SECRETS_KEY_SECRET_NAME: 'secrets_key!' }).variable).toBe(
      'SECRETS_KEY_SECRET_NAME',
    );
    expect(errorOf({ ...vault, SECRETS_KEY_VAULT_URL: 'http://contoso-kv.vault.azure.net' }).variable).toBe(
      'SECRETS_KEY_VAULT_URL',
    );
    expect(errorOf({ ...vault, SECRETS_KEY: KEY }).message).toBe(
      'SECRETS_KEY: set either it or SECRETS_KEY_VAULT_URL, not both',
    );
  });
});
