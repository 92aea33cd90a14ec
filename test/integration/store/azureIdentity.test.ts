import { servicePrincipalCredential, startAzuriteWithIdentity } from '../../support/storageIdentity';
/**
 * The Azure store on an Entra identity instead of a connection string: Azurite over HTTPS with
 * `--oauth basic` (it checks each bearer token's audience, issuer and lifetime), tokens from the
 * fake sign-in service through @azure/identity's ClientSecretCredential and AZURE_AUTHORITY_HOST.
 */
import { createAzureStore } from '../../../src/store/azure';
import { StorageAccessDeniedError } from '../../../src/store/azure/access';
import type { TokenAccount } from '../../../src/store/azure/clients';
import { freshPrefix, type AzuriteInstance } from '../../support/azurite';
import { aConnector } from '../../support/builders';
import { type FakeMicrosoftCloud, type FakeTenant } from '../../support/fakeMicrosoftCloud';
import { testTls } from '../../support/tls';
import { describeStoreContract } from './storeContract';

const STORAGE = 'https://storage.azure.com';

let azurite: AzuriteInstance;
let cloud: FakeMicrosoftCloud;
let tenant: FakeTenant;
let account: TokenAccount;
const transport = { ca: testTls().ca };

beforeAll(async () => {
  ({ azurite, cloud, tenant } = await startAzuriteWithIdentity());
  const credential = await servicePrincipalCredential(cloud, tenant);
  account = { blobUrl: azurite.blobEndpoint, tableUrl: azurite.tableEndpoint!, credential };
}, 30_000);
afterAll(async () => {
  await azurite?.stop();
  await cloud?.stop();
});

describeStoreContract('azure', async () => {
  const store = await createAzureStore(account, undefined, { prefix: freshPrefix(), transport });
  return { store, cleanup: () => store.close() };
});

describe('azure store with an Entra identity', () => {
  beforeEach(() => {
    cloud.login.claims = {};
  });

  it('gets Storage tokens from AZURE_AUTHORITY_HOST without instance discovery and names the account', async () => {
    cloud.reset();
    // A credential of its own: the shared one has its token cached.
    const credential = await servicePrincipalCredential(cloud, tenant);
    const store = await createAzureStore({ ...account, credential }, undefined, {
      prefix: freshPrefix(),
      transport,
    });
    expect(store.location).toBe('devstoreaccount1');
    await store.connectors.create(aConnector('tenant-1').withId('c-1').build());
    await store.state.write({ 'some/key': { n: 1 } });
    expect(await store.connectors.get('tenant-1', 'c-1')).toMatchObject({ id: 'c-1' });
    expect((await store.state.read(['some/key']))['some/key']).toMatchObject({ n: 1 });

    const issued = cloud.login.issued.filter((c) => c.scope?.includes(`${STORAGE}/.default`));
    expect(issued.length).toBeGreaterThanOrEqual(1);
    expect(issued.every((c) => c.tenant === tenant.id && c.clientId === cloud.clientId)).toBe(true);
    // Only this fake was asked: its OpenID document and tokens, nothing from login.microsoftonline.com.
    expect(cloud.requests.every((r) => r.host === cloud.host)).toBe(true);
    expect(cloud.requests.some((r) => r.path.includes('discovery/instance'))).toBe(false);
  });

  it('holds the scan lease with the same identity', async () => {
    const prefix = freshPrefix();
    const [a, b] = await Promise.all([
      createAzureStore(account, undefined, { prefix, transport }),
      createAzureStore(account, undefined, { prefix, transport }),
    ]);
    let releaseA!: () => void;
    const holding = a.scanLeadership!.runExclusive(
      () => new Promise<string>((r) => (releaseA = () => r('a'))),
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(await b.scanLeadership!.runExclusive(async () => 'b')).toBeUndefined();
    releaseA();
    expect(await holding).toBe('a');
    expect(await b.scanLeadership!.runExclusive(async () => 'b')).toBe('b');
  });

  it('refuses to start with StorageAccessDeniedError saying Storage did not accept the token (403 AuthenticationFailed)', async () => {
    // A token Storage does not accept (issued for another cloud): Azurite answers 403.
    const refused = await servicePrincipalCredential(cloud, tenant);
    cloud.login.claims = { iss: `https://sts.example.invalid/${tenant.id}/` };
    const error = await createAzureStore({ ...account, credential: refused }, undefined, {
      prefix: freshPrefix(),
      transport,
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StorageAccessDeniedError);
    const denied = error as StorageAccessDeniedError;
    expect(denied.message).toMatch(
      /did not accept the identity's token \(403 AuthenticationFailed\): the token is for another tenant or cloud than the storage account's/,
    );
    expect(denied.message).not.toContain('\n');
  });
});
