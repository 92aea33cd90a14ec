import { randomBytes } from 'node:crypto';
import { freePort, spawnBot, waitForHealth } from '../harness/childBot';
import { makeTempDir } from '../harness/testBot';
import { startAzurite } from '../support/azurite';
import { startFakeKeyVault } from '../support/fakeKeyVault';
import { startFakeMicrosoftCloud } from '../support/fakeMicrosoftCloud';
import { testTls, writeCaBundle } from '../support/tls';
test('debug', async () => {
  const azurite = await startAzurite({ services: ['blob', 'table'], oauth: testTls() });
  const cloud = await startFakeMicrosoftCloud();
  cloud.login.resources.add('https://storage.azure.com');
  const tenant = cloud.addTenant();
  const vault = await startFakeKeyVault(cloud, tenant.id);
  vault.secrets.set('k', randomBytes(32).toString('base64'));
  const bot = spawnBot({
    PORT: String(await freePort()), DATA_DIR: makeTempDir(), LOG_LEVEL: 'debug',
    AZURE_STORAGE_BLOB_URL: azurite.blobEndpoint, AZURE_STORAGE_TABLE_URL: azurite.tableEndpoint!,
    AZURE_TENANT_ID: tenant.id, AZURE_CLIENT_ID: cloud.clientId, AZURE_CLIENT_SECRET: cloud.clientSecret,
    AZURE_AUTHORITY_HOST: cloud.authorityHost, SECRETS_KEY_VAULT_URL: vault.url, SECRETS_KEY_SECRET_NAME: 'k',
    NODE_EXTRA_CA_CERTS: writeCaBundle(makeTempDir()),
  });
  const t0 = Date.now(); await waitForHealth(bot, 30000); console.log('health after', Date.now() - t0);
  console.log(bot.stdout, cloud.login.calls.map((c) => [c.at.toISOString(), c.scope, c.status]), vault.requests.map((r) => r.status), cloud.requests.map((r) => [r.at.toISOString(), r.path]));
  await bot.stop(); await azurite.stop(); await cloud.stop(); await vault.stop();
}, 60000);
