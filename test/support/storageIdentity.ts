import type { TokenCredential } from '@azure/identity';
import { createAzureCredential } from '../../src/azure/identity';
import { startAzurite, type AzuriteInstance } from './azurite';
import { startFakeMicrosoftCloud, type FakeMicrosoftCloud, type FakeTenant } from './fakeMicrosoftCloud';
import { testTls } from './tls';

/** Storage's token audience, which the fake sign-in service must know to issue tokens for it. */
export const STORAGE_RESOURCE = 'https://storage.azure.com';

/**
 * Azurite checking bearer tokens over the test CA, beside the fake Microsoft cloud issuing Storage
 * tokens for one tenant: the Entra-identity path of the Azure store, on this machine.
 */
export async function startAzuriteWithIdentity(): Promise<{
  azurite: AzuriteInstance;
  cloud: FakeMicrosoftCloud;
  tenant: FakeTenant;
}> {
  const [azurite, cloud] = await Promise.all([
    startAzurite({ services: ['blob', 'table'], oauth: testTls() }),
    startFakeMicrosoftCloud(),
  ]);
  cloud.login.resources.add(STORAGE_RESOURCE);
  return { azurite, cloud, tenant: cloud.addTenant() };
}

/** The fake cloud's service principal in `tenant`, signed in as AZURE_TENANT_ID/CLIENT_ID/CLIENT_SECRET make the bot. */
export function servicePrincipalCredential(
  cloud: FakeMicrosoftCloud,
  tenant: FakeTenant,
): Promise<TokenCredential> {
  return createAzureCredential(
    {
      tenantId: tenant.id,
      clientId: cloud.clientId,
      clientSecret: cloud.clientSecret,
      authorityHost: cloud.authorityHost,
    },
    { ca: testTls().ca },
  );
}
