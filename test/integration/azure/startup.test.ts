/**
 * The Azure side of start-up with the real SDKs over HTTPS loopback: the secrets key read from a
 * Key Vault stand-in (401 challenge, then a bearer token from the fake sign-in service through
 * ClientSecretCredential), and the one line each failure stops start-up with.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { AzureStartup, StartupError } from '../../../src/azure/startup';
import { loadConfig } from '../../../src/config/config';
import { createLogger } from '../../../src/util/logger';
import { startAzurite, type AzuriteInstance } from '../../support/azurite';
import { startFakeKeyVault, type FakeKeyVault } from '../../support/fakeKeyVault';
import {
  startFakeMicrosoftCloud,
  type FakeMicrosoftCloud,
  type FakeTenant,
} from '../../support/fakeMicrosoftCloud';
import { testTls } from '../../support/tls';

const SECRET = 'concierge-secrets-key';
const transport = { ca: testTls().ca };
const logger = createLogger('error');

let cloud: FakeMicrosoftCloud;
let tenant: FakeTenant;
let vault: FakeKeyVault;

beforeAll(async () => {
  cloud = await startFakeMicrosoftCloud();
  cloud.login.resources.add('https://storage.azure.com');
  tenant = cloud.addTenant();
  vault = await startFakeKeyVault(cloud, tenant.id);
});
afterAll(async () => {
  await vault?.stop();
  await cloud?.stop();
});
beforeEach(() => {
  vault.secrets.clear();
  vault.readers = undefined;
  vault.requests.length = 0;
  cloud.login.claims = {};
});

function identityEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AZURE_TENANT_ID: tenant.id,
    AZURE_CLIENT_ID: cloud.clientId,
    AZURE_CLIENT_SECRET: cloud.clientSecret,
    AZURE_AUTHORITY_HOST: cloud.authorityHost,
    SECRETS_KEY_VAULT_URL: vault.url,
    SECRETS_KEY_SECRET_NAME: SECRET,
    ...overrides,
  };
}

async function startupLine(run: () => Promise<unknown>): Promise<string> {
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StartupError);
  const line = (err as Error).message;
  expect(line).not.toContain('\n');
  return line;
}

describe('SECRETS_KEY from Key Vault', () => {
  test('is read once with a token the vault asked for in its challenge', async () => {
    const key = randomBytes(32);
    vault.secrets.set(SECRET, key.toString('base64'));
    const startup = new AzureStartup(loadConfig(identityEnv()), transport);
    expect((await startup.secretsKey())?.equals(key)).toBe(true);
    // First unauthenticated (the challenge), then with the bearer token.
    expect(vault.requests.map((r) => [r.status, r.authorization === undefined])).toEqual([
      [401, true],
      [200, false],
    ]);
    const vaultTokens = cloud.login.issued.filter((c) =>
      c.scope?.includes('https://vault.azure.net/.default'),
    );
    expect(vaultTokens.length).toBeGreaterThanOrEqual(1);
    expect(vaultTokens.every((c) => c.tenant === tenant.id && c.clientId === cloud.clientId)).toBe(true);
  });

  test('nothing is read, and no SDK asked, without SECRETS_KEY_VAULT_URL', async () => {
    const startup = new AzureStartup(loadConfig({}), transport);
    expect(await startup.secretsKey()).toBeUndefined();
    expect(await startup.store(logger)).toBeUndefined();
    expect(vault.requests).toEqual([]);
  });

  test('a missing secret stops start-up naming it', async () => {
    const startup = new AzureStartup(loadConfig(identityEnv()), transport);
    expect(await startupLine(() => startup.secretsKey())).toBe(
      `Key Vault error: SECRETS_KEY_SECRET_NAME: secret "${SECRET}" in ${vault.url} does not exist (404 SecretNotFound)`,
    );
  });

  test('a secret the identity may not read stops start-up naming the role', async () => {
    vault.secrets.set(SECRET, randomBytes(32).toString('base64'));
    vault.readers = new Set(['someone-else']);
    const startup = new AzureStartup(loadConfig(identityEnv()), transport);
    expect(await startupLine(() => startup.secretsKey())).toBe(
      `Key Vault error: SECRETS_KEY_SECRET_NAME: the identity may not read secret "${SECRET}" in ${vault.url} (403 Forbidden, ForbiddenByRbac): it needs the role "Key Vault Secrets User"`,
    );
  });

  test('a vault on access policies is told apart from a missing role', async () => {
    vault.secrets.set(SECRET, randomBytes(32).toString('base64'));
    vault.readers = new Set(['someone-else']);
    vault.permissionModel = 'policy';
    try {
      const startup = new AzureStartup(loadConfig(identityEnv()), transport);
      expect(await startupLine(() => startup.secretsKey())).toBe(
        `Key Vault error: SECRETS_KEY_SECRET_NAME: the identity may not read secret "${SECRET}" in ${vault.url} (403 Forbidden, ForbiddenByPolicy): the vault uses access policies, so give the identity the secret permission Get in one, or switch the vault to Azure RBAC and assign the role "Key Vault Secrets User"`,
      );
    } finally {
      vault.permissionModel = undefined;
    }
  });

  test('the vault’s firewall is named as the firewall, not as a missing role', async () => {
    vault.secrets.set(SECRET, randomBytes(32).toString('base64'));
    vault.firewalled = true;
    try {
      const startup = new AzureStartup(loadConfig(identityEnv()), transport);
      const line = await startupLine(() => startup.secretsKey());
      expect(line).toBe(
        `Key Vault error: SECRETS_KEY_VAULT_URL: the vault's firewall refused this bot reading secret "${SECRET}" in ${vault.url} (403 Forbidden, ForbiddenByFirewall): allow its address or virtual network under the vault's Networking settings`,
      );
      expect(line).not.toContain('Key Vault Secrets User');
    } finally {
      vault.firewalled = false;
    }
  });

  test('a secret that is not a 32-byte key stops start-up', async () => {
    vault.secrets.set(SECRET, 'not-a-key');
    const startup = new AzureStartup(loadConfig(identityEnv()), transport);
    expect(await startupLine(() => startup.secretsKey())).toBe(
      `Key Vault error: SECRETS_KEY_SECRET_NAME: secret "${SECRET}" in ${vault.url} is not 32 bytes encoded as base64 (44 characters)`,
    );
  });

  test('an identity that cannot sign in stops start-up naming the vault', async () => {
    vault.secrets.set(SECRET, randomBytes(32).toString('base64'));
    const startup = new AzureStartup(loadConfig(identityEnv({ AZURE_CLIENT_SECRET: 'wrong' })), transport);
    expect(await startupLine(() => startup.secretsKey())).toMatch(
      new RegExp(
        `^Key Vault error: SECRETS_KEY_VAULT_URL: cannot get a token for ${vault.url}: .*AADSTS7000215`,
      ),
    );
  });

  test('an unreachable vault stops start-up naming it', async () => {
    // A port that accepts nothing: bound, then closed.
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const url = `https://127.0.0.1:${port}`;
    const startup = new AzureStartup(loadConfig(identityEnv({ SECRETS_KEY_VAULT_URL: url })), transport);
    expect(await startupLine(() => startup.secretsKey())).toMatch(
      new RegExp(
        `^Key Vault error: SECRETS_KEY_VAULT_URL: cannot read secret "${SECRET}" in ${url}: .*ECONNREFUSED`,
      ),
    );
  }, 30_000);
});

describe('Storage refusing the identity', () => {
  let azurite: AzuriteInstance;
  beforeAll(async () => {
    azurite = await startAzurite({ services: ['blob', 'table'], oauth: testTls() });
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  test('stops start-up with one line saying Storage did not accept the token', async () => {
    // Tokens Storage refuses (issued for another cloud): Azurite answers 403.
    cloud.login.claims = { iss: `https://sts.example.invalid/${tenant.id}/` };
    const config = loadConfig(
      identityEnv({
        AZURE_STORAGE_BLOB_URL: azurite.blobEndpoint,
        AZURE_STORAGE_TABLE_URL: azurite.tableEndpoint!,
      }),
    );
    const line = await startupLine(() => new AzureStartup(config, transport).store(logger));
    expect(line).toMatch(
      /^Storage error: AZURE_STORAGE_(TABLE|BLOB)_URL: (Table|Blob) storage at https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1 did not accept the identity's token \(403 AuthenticationFailed\): the token is for another tenant or cloud than the storage account's \(check AZURE_TENANT_ID and CLOUD\)$/,
    );
  }, 30_000);

  test('an identity that cannot sign in stops start-up naming it and the sign-in error', async () => {
    const config = loadConfig(
      identityEnv({
        AZURE_STORAGE_BLOB_URL: azurite.blobEndpoint,
        AZURE_STORAGE_TABLE_URL: azurite.tableEndpoint!,
        AZURE_CLIENT_SECRET: 'wrong',
      }),
    );
    const line = await startupLine(() => new AzureStartup(config, transport).store(logger));
    expect(line).toMatch(
      new RegExp(
        `^Storage error: AZURE_STORAGE_TABLE_URL, AZURE_STORAGE_BLOB_URL: cannot open the Azure store in account devstoreaccount1 as service principal ${cloud.clientId} of tenant ${tenant.id}: .*AADSTS7000215`,
      ),
    );
    expect(line).not.toContain('storage is unavailable');
  }, 30_000);

  test('opens the store when Storage accepts the token', async () => {
    const config = loadConfig(
      identityEnv({
        AZURE_STORAGE_BLOB_URL: azurite.blobEndpoint,
        AZURE_STORAGE_TABLE_URL: azurite.tableEndpoint!,
      }),
    );
    const store = await new AzureStartup(config, transport).store(logger);
    expect(store?.kind).toBe('azure');
    expect(store?.location).toBe('devstoreaccount1');
    await expect(store!.ping()).resolves.toBeUndefined();
  }, 30_000);
});
