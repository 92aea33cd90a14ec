import { startAzuriteWithIdentity } from '../../support/storageIdentity';
import { randomBytes } from 'node:crypto';
import { freePort, spawnBot, waitForHealth, type ChildBot } from '../../harness/childBot';
import { SecretBox } from '../../../src/secrets/secretBox';
import { createAzureStore } from '../../../src/store/azure';
import { makeTempDir, removeTempDir } from '../../harness/testBot';
import { startAzurite, type AzuriteInstance } from '../../support/azurite';
import { type FakeMicrosoftCloud, type FakeTenant } from '../../support/fakeMicrosoftCloud';
import { writeCaBundle } from '../../support/tls';

describe('npm start with AZURE_STORAGE_CONNECTION_STRING', () => {
  let azurite: AzuriteInstance;
  let bot: ChildBot | undefined;
  let dataDir: string;

  beforeAll(async () => {
    azurite = await startAzurite({ services: ['blob', 'table'] });
  });
  afterAll(async () => {
    await azurite?.stop();
  });
  beforeEach(() => {
    dataDir = makeTempDir();
  });
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
    removeTempDir(dataDir);
  });

  test('starts on the Azure store and prints one JSON line naming the account, not the key', async () => {
    const port = await freePort();
    bot = spawnBot({
      PORT: String(port),
      DATA_DIR: dataDir,
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      SECRETS_KEY: Buffer.alloc(32, 3).toString('base64'),
    });
    const health = await waitForHealth(bot);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', storage: 'azure' });
    expect(bot.stdout).toHaveLength(1);
    expect(JSON.parse(bot.stdout[0])).toMatchObject({ level: 'info', store: 'azure:devstoreaccount1' });
    expect(bot.stdout[0]).not.toContain(azurite.accountKey);
    expect(bot.stderr).toEqual([]);
    expect(await bot.stop()).toBe(0);
  });

  test('refuses a SECRETS_KEY that does not open the sealed connector keys in the account', async () => {
    // The key the other tests start with, so that the sealed value left in the account is theirs too.
    const key = Buffer.alloc(32, 3);
    // The bot's own prefix: the start-up check reads the store the bot opens.
    const store = await createAzureStore(azurite.connectionString);
    await store.secrets.put('tenant-1', 'c-1', new SecretBox(key).seal({ accountKey: 'k' }, 'tenant-1/c-1'));
    const env = {
      DATA_DIR: dataDir,
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    };
    bot = spawnBot({
      ...env,
      PORT: String(await freePort()),
      SECRETS_KEY: randomBytes(32).toString('base64'),
    });
    expect(await bot.exited).toBe(1);
    expect(bot.stderr).toHaveLength(1);
    expect(bot.stderr[0]).toMatch(/^Configuration error: SECRETS_KEY: does not open the stored secrets /);

    bot = spawnBot({ ...env, PORT: String(await freePort()), SECRETS_KEY: key.toString('base64') });
    expect((await waitForHealth(bot)).status).toBe(200);
    expect(bot.stderr).toEqual([]);
    expect(await bot.stop()).toBe(0);
  });

  test('stops with exit 1 and one line when the account cannot be reached', async () => {
    const closed = await freePort();
    bot = spawnBot({
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      SECRETS_KEY: Buffer.alloc(32, 3).toString('base64'),
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString
        .replace(/BlobEndpoint=http:\/\/127\.0\.0\.1:\d+/, `BlobEndpoint=http://127.0.0.1:${closed}`)
        .replace(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+/, `TableEndpoint=http://127.0.0.1:${closed}`),
    });
    expect(await bot.exited).toBe(1);
    expect(bot.stdout).toEqual([]);
    expect(bot.stderr).toHaveLength(1);
    expect(bot.stderr[0]).toMatch(
      /^Storage error: AZURE_STORAGE_CONNECTION_STRING: cannot open the Azure store in account devstoreaccount1: storage is unavailable: /,
    );
    expect(bot.stderr[0]).not.toContain(azurite.accountKey);
  });
});

describe('npm start with AZURE_STORAGE_BLOB_URL and AZURE_STORAGE_TABLE_URL (Entra identity)', () => {
  let azurite: AzuriteInstance;
  let cloud: FakeMicrosoftCloud;
  let tenant: FakeTenant;
  let bot: ChildBot | undefined;
  let dataDir: string;
  let caBundle: string;

  beforeAll(async () => {
    ({ azurite, cloud, tenant } = await startAzuriteWithIdentity());
  });
  afterAll(async () => {
    await azurite?.stop();
    await cloud?.stop();
  });
  beforeEach(() => {
    dataDir = makeTempDir();
    caBundle = writeCaBundle(dataDir);
  });
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
    removeTempDir(dataDir);
  });

  const identityEnv = async (): Promise<Record<string, string>> => ({
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    AZURE_STORAGE_BLOB_URL: azurite.blobEndpoint,
    AZURE_STORAGE_TABLE_URL: azurite.tableEndpoint!,
    AZURE_TENANT_ID: tenant.id,
    AZURE_CLIENT_ID: cloud.clientId,
    AZURE_CLIENT_SECRET: cloud.clientSecret,
    AZURE_AUTHORITY_HOST: cloud.authorityHost,
    NODE_EXTRA_CA_CERTS: caBundle,
  });

  test('stops with exit 1 and one line saying why when Storage refuses the identity (403)', async () => {
    // Tokens Storage does not accept (issued for another cloud): Azurite answers 403.
    cloud.login.claims = { iss: `https://sts.example.invalid/${tenant.id}/` };
    try {
      bot = spawnBot({ ...(await identityEnv()), SECRETS_KEY: Buffer.alloc(32, 3).toString('base64') });
      expect(await bot.exited).toBe(1);
    } finally {
      cloud.login.claims = {};
    }
    expect(bot.stdout).toEqual([]);
    expect(bot.stderr).toHaveLength(1);
    expect(bot.stderr[0]).toMatch(
      /^Storage error: AZURE_STORAGE_(TABLE|BLOB)_URL: .* did not accept the identity's token \(403 AuthenticationFailed\): the token is for another tenant or cloud than the storage account's \(check AZURE_TENANT_ID and CLOUD\)$/,
    );
    expect(bot.stderr[0]).not.toContain(cloud.clientSecret);
  }, 60_000);

  test('stops with exit 1 and one line when the Key Vault cannot be reached', async () => {
    const closed = await freePort();
    bot = spawnBot({
      ...(await identityEnv()),
      SECRETS_KEY_VAULT_URL: `https://127.0.0.1:${closed}`,
      SECRETS_KEY_SECRET_NAME: 'concierge-secrets-key',
    });
    expect(await bot.exited).toBe(1);
    expect(bot.stdout).toEqual([]);
    expect(bot.stderr).toHaveLength(1);
    expect(bot.stderr[0]).toMatch(
      new RegExp(
        `^Key Vault error: SECRETS_KEY_VAULT_URL: cannot read secret "concierge-secrets-key" in https://127\\.0\\.0\\.1:${closed}: .*ECONNREFUSED`,
      ),
    );
  }, 60_000);
});
