import { configWarnings, loadConfig } from '../../../src/config/config';
import { errorOf } from './configErrorOf';

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
    expect(config.consentReviewerRoles.map((r) => r.name)).toEqual(['Global Administrator']);
    expect(config.consentRequestDays).toBe(30);
    expect(config.apiToken).toBeUndefined();
    expect(config.apiEntraAuth).toBe(false);
    expect(config.roleAssignmentDays).toBe(30);
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

  test('GRAPH_CLIENT_ID naming the bot’s own app (any case) keeps the bot’s password', () => {
    const appId = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
    const config = loadConfig({
      MicrosoftAppId: appId,
      MicrosoftAppPassword: 'secret',
      GRAPH_CLIENT_ID: appId.toUpperCase(),
    });
    expect(config.graph).toEqual({ clientId: appId.toUpperCase(), clientSecret: 'secret' });
    expect(
      errorOf({
        MicrosoftAppId: appId,
        MicrosoftAppPassword: 'secret',
        GRAPH_CLIENT_ID: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
      }).message,
    ).toMatch(/^GRAPH_CLIENT_SECRET: required when GRAPH_CLIENT_ID names another app than MicrosoftAppId/);
  });

  test('an unresolved Key Vault reference is named, and what it would have been is not taken as the value', () => {
    const error = errorOf({ SECRETS_KEY: '@Microsoft.KeyVault(VaultName=kv;SecretName=secrets-key)' });
    expect(error.message).toMatch(/^SECRETS_KEY: is a Key Vault reference App Service did not resolve/);
  });

  test('CLOUD=china is accepted only in anonymous local mode', () => {
    expect(loadConfig({ CLOUD: 'china' }).cloud).toBe('china');
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
    // botbuilder's credential factory would otherwise fail these with an assertion's stack.
    [
      { MicrosoftAppId: '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b', MicrosoftAppType: 'UserAssignedMSI' },
      'MicrosoftAppTenantId',
    ],
    [
      {
        MicrosoftAppId: '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b',
        MicrosoftAppType: 'UserAssignedMSI',
        MicrosoftAppTenantId: '7d3c2b1a-0f9e-4d8c-8b7a-6f5e4d3c2b1a',
        MicrosoftAppPassword: 'secret',
      },
      'MicrosoftAppPassword',
    ],
    [{ MicrosoftAppType: 'UserAssignedMSI' }, 'MicrosoftAppId'],
    // botbuilder asserts a SingleTenant password only once the adapter is built, after storage opened.
    [
      {
        MicrosoftAppId: '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b',
        MicrosoftAppType: 'SingleTenant',
        MicrosoftAppTenantId: '7d3c2b1a-0f9e-4d8c-8b7a-6f5e4d3c2b1a',
      },
      'MicrosoftAppPassword',
    ],
    // App Service passes a Key Vault reference it could not resolve through as text.
    [
      {
        MicrosoftAppId: '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b',
        MicrosoftAppPassword: '@Microsoft.KeyVault(VaultName=contoso-kv;SecretName=bot-password)',
      },
      'MicrosoftAppPassword',
    ],
    [
      { API_TOKEN: '@Microsoft.KeyVault(SecretUri=https://contoso-kv.vault.azure.net/secrets/api-token/)' },
      'API_TOKEN',
    ],
    // Another app than the bot's cannot sign in with the bot's password.
    [
      {
        MicrosoftAppId: '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b',
        MicrosoftAppPassword: 'secret',
        GRAPH_CLIENT_ID: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
      },
      'GRAPH_CLIENT_SECRET',
    ],
    // botbuilder has no Bot Framework endpoints for 21Vianet: a bot signed in elsewhere hears nothing.
    [
      {
        MicrosoftAppId: '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b',
        MicrosoftAppPassword: 'secret',
        CLOUD: 'china',
      },
      'CLOUD',
    ],
    [{ INACTIVITY_DAYS: '-3' }, 'INACTIVITY_DAYS'],
    [{ SCAN_CRON: 'every hour' }, 'SCAN_CRON'],
    [{ API_TOKEN: 'short' }, 'API_TOKEN'],
    [{ NOTICE_LEASE_SECONDS: '2' }, 'NOTICE_LEASE_SECONDS'],
    [{ NOTICE_LEASE_SECONDS: 'ten' }, 'NOTICE_LEASE_SECONDS'],
    [{ NOTIFY_RPS: '0' }, 'NOTIFY_RPS'],
    [{ CONSENT_REMINDER_HOURS: '72,24' }, 'CONSENT_REMINDER_HOURS'],
    // The requester's reminder would come after the request expired: never sent.
    [{ CONSENT_REMINDER_HOURS: '48,72', CONSENT_REQUEST_DAYS: '1' }, 'CONSENT_REMINDER_HOURS'],
    [{ CONSENT_REQUEST_DAYS: '3' }, 'CONSENT_REMINDER_HOURS'],
    [{ NOTIFY_RPS: '0.0001' }, 'NOTIFY_RPS'],
    [{ CONSENT_REVIEWER_ROLES: 'SharePoint Administrator' }, 'CONSENT_REVIEWER_ROLES'],
    [{ CONSENT_REVIEWER_ROLES: 'Application Administrator,Helpdesk' }, 'CONSENT_REVIEWER_ROLES'],
    [{ CONSENT_REQUEST_DAYS: '0' }, 'CONSENT_REQUEST_DAYS'],
    [{ CONSENT_REQUEST_DAYS: 'a month' }, 'CONSENT_REQUEST_DAYS'],
    [{ ADMIN_CONSENT_LINK: 'http://aka.ms/office365moverauth' }, 'ADMIN_CONSENT_LINK'],
    [{ GRAPH_ENDPOINT: 'graph' }, 'GRAPH_ENDPOINT'],
    [{ ADMIN_GROUP_ID: 'admins' }, 'ADMIN_GROUP_ID'],
    [{ SECRETS_KEY: 'dG9vIHNob3J0' }, 'SECRETS_KEY'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ AZURE_STORAGE_CONNECTION_STRING: 'hello' }, 'AZURE_STORAGE_CONNECTION_STRING'],
    [{ AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' }, 'SECRETS_KEY'],
    [{ BOT_OPENID_METADATA_URL: 'http://example.com/openid' }, 'BOT_OPENID_METADATA_URL'],
    [{ ROLE_ASSIGNMENT_DAYS: '0' }, 'ROLE_ASSIGNMENT_DAYS'],
    [{ ROLE_ASSIGNMENT_DAYS: '400' }, 'ROLE_ASSIGNMENT_DAYS'],
    [{ ROLE_ASSIGNMENT_DAYS: 'a month' }, 'ROLE_ASSIGNMENT_DAYS'],
    [{ API_ENTRA_AUTH: 'on' }, 'API_ENTRA_AUTH'],
    [{ API_ENTRA_AUTH: 'maybe' }, 'API_ENTRA_AUTH'],
    [{ CONSENT_REDIRECT_URI: 'http://migrate.contoso.com/done' }, 'CONSENT_REDIRECT_URI'],
    [{ CONSENT_REDIRECT_URI: 'migrate.contoso.com/done' }, 'CONSENT_REDIRECT_URI'],
    [{ CONSENT_REDIRECT_URI: 'https://migrate.contoso.com/done#top' }, 'CONSENT_REDIRECT_URI'],
  ])('%j is refused, naming %s', (env, variable) => {
    const error = errorOf(env as Record<string, string>);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
  });

  test('Entra tokens on the API follow MicrosoftAppId unless API_ENTRA_AUTH=off', () => {
    const bot = { MicrosoftAppId: '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b', MicrosoftAppPassword: 'x' };
    expect(loadConfig(bot).apiEntraAuth).toBe(true);
    expect(loadConfig({ ...bot, API_ENTRA_AUTH: 'off' }).apiEntraAuth).toBe(false);
    expect(loadConfig({ ROLE_ASSIGNMENT_DAYS: '7' }).roleAssignmentDays).toBe(7);
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
      expect(warnings[0].message).toContain('are off, because the bot');
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

describe('BLOB_ENDPOINT_SUFFIXES', () => {
  const credentials = { MicrosoftAppId: '6f9a4b2c-3d1e-4f5a-8b7c-9d0e1f2a3b4c', MicrosoftAppPassword: 'x' };

  test.each([
    ['global', 'blob.core.windows.net'],
    ['usgovhigh', 'blob.core.usgovcloudapi.net'],
    ['dod', 'blob.core.usgovcloudapi.net'],
    ['china', 'blob.core.chinacloudapi.cn'],
  ])('unset, CLOUD=%s allows only %s', (cloud, suffix) => {
    expect(loadConfig({ CLOUD: cloud }).blobEndpoints).toEqual([{ kind: 'suffix', suffix }]);
  });

  test('a list of suffixes replaces the default; a leading dot and upper case are tolerated', () => {
    expect(
      loadConfig({ BLOB_ENDPOINT_SUFFIXES: ' .Blob.Core.Windows.Net , storage.contoso.com' }).blobEndpoints,
    ).toEqual([
      { kind: 'suffix', suffix: 'blob.core.windows.net' },
      { kind: 'suffix', suffix: 'storage.contoso.com' },
    ]);
  });

  test('the storage emulator is allowed by loopback host and exact port in anonymous mode', () => {
    expect(
      loadConfig({ BLOB_ENDPOINT_SUFFIXES: '127.0.0.1:10000,localhost:10000,[::1]:10000' }).blobEndpoints,
    ).toEqual([
      { kind: 'loopback', host: '127.0.0.1', port: '10000' },
      { kind: 'loopback', host: 'localhost', port: '10000' },
      { kind: 'loopback', host: '[::1]', port: '10000' },
    ]);
  });

  test('a loopback entry with Bot Framework credentials is refused: a deployed bot never reaches its own ports', () => {
    const error = errorOf({
      ...credentials,
      BLOB_ENDPOINT_SUFFIXES: 'blob.core.windows.net,127.0.0.1:10000',
    });
    expect(error.variable).toBe('BLOB_ENDPOINT_SUFFIXES');
    expect(error.message).toMatch(/only allowed in anonymous local mode/);
  });

  test.each([
    '127.0.0.1',
    'localhost',
    '10.0.0.5',
    '169.254.169.254',
    '[fd00::1]:443',
    '*.blob.core.windows.net',
    'https://blob.core.windows.net',
    'blob.core.windows.net/path',
    'net',
    'blob.core.windows.net:443',
    '',
  ])('"%s" is refused with a ConfigError naming BLOB_ENDPOINT_SUFFIXES', (entry) => {
    expect(errorOf({ BLOB_ENDPOINT_SUFFIXES: `blob.core.windows.net,${entry}` }).variable).toBe(
      'BLOB_ENDPOINT_SUFFIXES',
    );
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
    // A SAS would be a secret in every start-up error that prints the URL; the bot signs in anyway.
    const sas = errorOf({
      ...URLS,
      AZURE_STORAGE_BLOB_URL: 'https://contoso.blob.core.windows.net/?sv=2024-08-04&sig=c2VjcmV0',
      SECRETS_KEY: KEY,
    });
    expect(sas.variable).toBe('AZURE_STORAGE_BLOB_URL');
    expect(sas.message).not.toContain('c2VjcmV0');
    expect(
      errorOf({
        ...URLS,
        AZURE_STORAGE_TABLE_URL: 'https://user:pw@contoso.table.core.windows.net',
        SECRETS_KEY: KEY,
      }).variable,
    ).toBe('AZURE_STORAGE_TABLE_URL');
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

describe('consent reviewer roles', () => {
  test('Global Administrator always comes first; the named roles follow once each, whatever the case', () => {
    const config = loadConfig({
      CONSENT_REVIEWER_ROLES:
        'cloud application administrator, Privileged Role Administrator,Global Administrator',
      CONSENT_REQUEST_DAYS: '14',
    });
    expect(config.consentReviewerRoles.map((r) => r.name)).toEqual([
      'Global Administrator',
      'Cloud Application Administrator',
      'Privileged Role Administrator',
    ]);
    expect(config.consentRequestDays).toBe(14);
  });
});
