import type { TokenCredential } from '@azure/identity';
import type { Config } from '../config/config';
import type { Store } from '../connectors/ports';
import type { Logger } from '../util/logger';
import { createAzureCredential, describeIdentity, type AzureTransport } from './identity';

/** A start-up failure as the one line the operator reads: `<kind> error: <SETTING>: <what>`. */
export class StartupError extends Error {
  constructor(line: string) {
    super(line);
    this.name = 'StartupError';
  }
}

/** Azure SDK messages run over several lines (RequestId, Time); a start-up error is one line. */
function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split(/\r?\n/)[0];
}

/**
 * The Azure side of start-up: one identity for Storage and Key Vault, made only when one of them
 * is configured, and every Azure SDK loaded only then (start-up time and memory of a local bot).
 */
export class AzureStartup {
  private credential?: Promise<TokenCredential>;

  constructor(
    private readonly config: Config,
    private readonly transport: AzureTransport = {},
  ) {}

  private identity(): Promise<TokenCredential> {
    this.credential ??= createAzureCredential(
      { ...this.config.azureIdentity, authorityHost: this.config.authorityHost },
      this.transport,
    );
    return this.credential;
  }

  /** SECRETS_KEY from Key Vault when SECRETS_KEY_VAULT_URL is set; undefined otherwise. */
  async secretsKey(): Promise<Buffer | undefined> {
    const vault = this.config.secretsKeyVault;
    if (!vault) return undefined;
    const { readSecretsKeyFromVault } = await import('./keyVault');
    try {
      return await readSecretsKeyFromVault(vault, await this.identity(), this.transport);
    } catch (err) {
      throw new StartupError(`Key Vault error: ${firstLine(err)}`);
    }
  }

  /** The Azure store (connection string or managed identity); undefined when neither is set. */
  async store(logger: Logger): Promise<Store | undefined> {
    const { azureStorageConnectionString: connectionString, azureStorageUrls: urls } = this.config;
    if (!connectionString && !urls) return undefined;
    const [{ createAzureStore }, { accountOf }, { StorageAccessDeniedError }] = await Promise.all([
      import('../store/azure'),
      import('../store/azure/clients'),
      import('../store/azure/access'),
    ]);
    if (connectionString) {
      try {
        return await createAzureStore(connectionString, logger, { transport: this.transport });
      } catch (err) {
        throw new StartupError(
          `Storage error: AZURE_STORAGE_CONNECTION_STRING: cannot open the Azure store in account ${accountOf(connectionString)}: ${firstLine(err)}`,
        );
      }
    }
    const account = { blobUrl: urls!.blob, tableUrl: urls!.table, credential: await this.identity() };
    try {
      return await createAzureStore(account, logger, { transport: this.transport });
    } catch (err) {
      if (err instanceof StorageAccessDeniedError)
        throw new StartupError(`Storage error: ${err.setting}: ${firstLine(err)}`);
      throw new StartupError(
        `Storage error: AZURE_STORAGE_TABLE_URL, AZURE_STORAGE_BLOB_URL: cannot open the Azure store in account ${accountOf(account)} as ${describeIdentity(this.config.azureIdentity)}: ${firstLine(err)}`,
      );
    }
  }
}
