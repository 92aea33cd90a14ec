/**
 * `npm run migrate-store` into an account reached with an Entra identity (AZURE_STORAGE_BLOB_URL +
 * AZURE_STORAGE_TABLE_URL), as one deployed by infra/azure.bicep (shared keys off) must be: Azurite
 * over HTTPS with `--oauth basic`, tokens from the fake sign-in service through the service
 * principal settings the bot reads, the compiled tool run as a child process.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { servicePrincipalCredential, startAzuriteWithIdentity } from '../../support/storageIdentity';
import { openConsentRequest } from '../../../src/connectors/consentRequest';
import { createAzureStore } from '../../../src/store/azure';
import { createSqliteStore } from '../../../src/store/sqlite';
import { makeTempDir, removeTempDir } from '../../harness/testBot';
import { freshPrefix, type AzuriteInstance } from '../../support/azurite';
import { connectorRecord } from '../../support/connectorFixtures';
import { type FakeMicrosoftCloud, type FakeTenant } from '../../support/fakeMicrosoftCloud';
import { testTls, writeCaBundle } from '../../support/tls';

const ROOT = path.join(__dirname, '..', '..', '..');
const T1 = 'tenant-one';

let azurite: AzuriteInstance;
let cloud: FakeMicrosoftCloud;
let tenant: FakeTenant;
let dir: string;
let dataDir: string;
let caBundle: string;

beforeAll(async () => {
  ({ azurite, cloud, tenant } = await startAzuriteWithIdentity());
  dir = makeTempDir('migrate-identity-');
  caBundle = writeCaBundle(dir);
  dataDir = path.join(dir, 'data');
  const sqlite = createSqliteStore(dataDir);
  const connector = await sqlite.connectors.create(
    connectorRecord({ tenantId: T1, displayName: 'Waiting', status: 'awaiting-consent' }),
  );
  await sqlite.consentRequests.create(
    openConsentRequest(
      {
        id: 'cr-1',
        tenantId: T1,
        connectorId: connector.id,
        connectorName: connector.displayName,
        requester: { id: 'user-1', name: 'Rita Requester' },
        reviewers: [{ id: 'admin-1', name: 'Adele Admin', via: 'named' }],
        roles: [],
      },
      new Date('2026-03-01T10:00:00.000Z'),
      30,
    ),
  );
  await sqlite.close();
}, 30_000);
afterAll(async () => {
  await azurite?.stop();
  await cloud?.stop();
  if (dir) removeTempDir(dir);
});

/** Runs the compiled tool as `npm run migrate-store` does, with only the given environment. */
function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'dist', 'src', 'tools', 'migrateStore.js'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const identityEnv = (): Record<string, string> => ({
  AZURE_STORAGE_BLOB_URL: azurite.blobEndpoint,
  AZURE_STORAGE_TABLE_URL: azurite.tableEndpoint!,
  AZURE_TENANT_ID: tenant.id,
  AZURE_CLIENT_ID: cloud.clientId,
  AZURE_CLIENT_SECRET: cloud.clientSecret,
  AZURE_AUTHORITY_HOST: cloud.authorityHost,
  // The child trusts the test CA of Azurite and of the sign-in service.
  NODE_EXTRA_CA_CERTS: caBundle,
});

test('copies into an account reached with the Azure identity instead of a connection string', async () => {
  const prefix = freshPrefix('i');
  const run = await runCli(
    ['--from', `sqlite:${dataDir}`, '--to', 'azure', '--prefix', prefix],
    identityEnv(),
  );
  expect(run.stderr).not.toContain('migrate-store:');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(
    `to Azure Storage account devstoreaccount1 as service principal ${cloud.clientId} of tenant ${tenant.id}:`,
  );
  expect(run.stdout).toMatch(/^connectors\s+1\s+1\s+1\s+0$/m);
  expect(run.stdout).toMatch(/^consent requests\s+1\s+1\s+1\s+0$/m);
  expect(run.stdout).toContain('Every count matches.');
  expect(run.stdout + run.stderr).not.toContain(cloud.clientSecret);
  // Storage tokens were issued to the service principal the environment named.
  expect(
    cloud.login.issued.some(
      (c) => c.scope?.includes('https://storage.azure.com/.default') && c.clientId === cloud.clientId,
    ),
  ).toBe(true);

  const transport = { ca: testTls().ca };
  const credential = await servicePrincipalCredential(cloud, tenant);
  const azure = await createAzureStore(
    { blobUrl: azurite.blobEndpoint, tableUrl: azurite.tableEndpoint!, credential },
    undefined,
    { prefix, transport },
  );
  expect(await azure.consentRequests.get(T1, 'cr-1')).toMatchObject({ state: 'open', version: 1 });
}, 60_000);

test('an identity Storage refuses stops the copy with one line saying why', async () => {
  cloud.login.claims = { iss: `https://sts.example.invalid/${tenant.id}/` };
  let run;
  try {
    run = await runCli(
      ['--from', `sqlite:${dataDir}`, '--to', 'azure', '--prefix', freshPrefix('i')],
      identityEnv(),
    );
  } finally {
    cloud.login.claims = {};
  }
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(
    /^migrate-store: cannot open the Azure store in account devstoreaccount1 as service principal .*: .* did not accept the identity's token \(403 AuthenticationFailed\): the token is for another tenant or cloud than the storage account's \(check AZURE_TENANT_ID and CLOUD\)\n$/,
  );
}, 60_000);
