/**
 * The Azure Storage account `npm run migrate-store` writes into, from the environment only: either
 * AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_BLOB_URL + AZURE_STORAGE_TABLE_URL reached with
 * the credential the bot itself uses at start-up (the service principal of AZURE_TENANT_ID +
 * AZURE_CLIENT_ID + AZURE_CLIENT_SECRET, else DefaultAzureCredential: a managed identity, or on an
 * admin's machine the Azure CLI's or Azure PowerShell's sign-in). The second is the only way into
 * an account deployed by infra/azure.bicep, which turns shared keys off.
 */
import { azureAuthorityHost, ConfigError, storageAccess, type StorageAccess } from '../config/config';
import { createAzureCredential, describeIdentity } from '../azure/identity';
import { accountOf, type StorageAccount } from '../store/azure/clients';

/** The account, its name for the summary, and how it is reached (never a key). */
export interface MigrateAccount {
  account: StorageAccount;
  name: string;
  /** "with AZURE_STORAGE_CONNECTION_STRING" or "as <identity>". */
  via: string;
}

/** Why the environment names no account, or names it twice: one line, as the tool prints it. */
export class MigrateAccountError extends Error {}

const VARIABLES = 'AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_BLOB_URL and AZURE_STORAGE_TABLE_URL';

/** Reads the account from `env` as the bot does; throws {@link MigrateAccountError}. */
export async function migrateAccount(env: NodeJS.ProcessEnv): Promise<MigrateAccount> {
  const urlsGiven = ['AZURE_STORAGE_BLOB_URL', 'AZURE_STORAGE_TABLE_URL'].some((name) => env[name]?.trim());
  const connectionGiven = !!env.AZURE_STORAGE_CONNECTION_STRING?.trim();
  if (!urlsGiven && !connectionGiven)
    throw new MigrateAccountError(`--to azure reads ${VARIABLES} (with the Azure identity); none is set`);
  if (urlsGiven && connectionGiven)
    throw new MigrateAccountError(
      'set either AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_BLOB_URL and AZURE_STORAGE_TABLE_URL, not both: they could name two different accounts',
    );
  let access;
  let authorityHost;
  try {
    access = storageAccess(env);
    authorityHost = urlsGiven ? azureAuthorityHost(env) : '';
  } catch (err) {
    if (err instanceof ConfigError) throw new MigrateAccountError(err.message);
    throw err;
  }
  const connectionString = access.azureStorageConnectionString;
  if (connectionString !== undefined)
    return {
      account: connectionString,
      name: accountOf(connectionString),
      via: 'with AZURE_STORAGE_CONNECTION_STRING',
    };
  // storageAccess refuses one URL without the other, so both are here.
  const urls = access.azureStorageUrls!;
  const credential = await createAzureCredential({ ...access.azureIdentity, authorityHost });
  const account = { blobUrl: urls.blob, tableUrl: urls.table, credential };
  return { account, name: accountOf(account), via: `as ${describeCredential(access.azureIdentity)}` };
}

/** Which credential signs in, for the tool's lines: never the secret. */
function describeCredential(identity: StorageAccess['azureIdentity']): string {
  if (identity.clientSecret !== undefined) return describeIdentity(identity);
  // DefaultAzureCredential: in Azure the managed identity; on an admin's machine, their sign-in.
  const managed =
    identity.clientId !== undefined ? `managed identity ${identity.clientId}` : 'managed identity';
  return `the default Azure credential (environment, ${managed}, or Azure CLI / PowerShell sign-in)`;
}
