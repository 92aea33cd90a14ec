import { CLOUD_HOSTS, type CloudName } from '../config/config';
import { validateCredentials, type KeyConnectorTypeId } from '../connectors/credentials';

/** What a key check found. */
export interface KeyVerificationResult {
  /** True only when the service accepted the keys. */
  verified: boolean;
  /** Short human text: what was checked and the outcome, never a secret. */
  detail: string;
}

/** Checks typed keys against the service they belong to. */
export interface KeyVerifier {
  /** Resolves for every expected failure (wrong key, unreachable, timeout); never rejects with a secret. */
  verify(
    type: KeyConnectorTypeId,
    values: Record<string, string>,
    cloud: CloudName,
  ): Promise<KeyVerificationResult>;
}

/** Default limit for the whole check, connection included. */
export const DEFAULT_VERIFY_TIMEOUT_MS = 10_000;

const SERVICE_NAMES: Record<Exclude<KeyConnectorTypeId, 'azure-blob'>, string> = {
  'amazon-s3': 'Amazon S3',
  'google-cloud-storage': 'Google Cloud Storage',
};

/** The public blob endpoint of a storage account in a Microsoft cloud. */
export function defaultBlobEndpoint(accountName: string, cloud: CloudName): string {
  return `https://${accountName}.${CLOUD_HOSTS[cloud].blobSuffix}`;
}

interface ServiceError {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/** A code that is safe to show: an identifier, never free text that might quote a request. */
function safeCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(value) ? value : undefined;
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * What the person sees when no storage account answered. One text for a name that does not
 * resolve, a refused or reset connection, a timeout, a certificate problem, a 404 and a server
 * that is not Azure Storage: telling them apart would turn the wizard into a probe of the
 * bot's network.
 */
function noStorageAnswered(account: string, host: string): string {
  return `No storage account '${account}' answered at ${host}, so the key was not checked: check the account name, the cloud and the endpoint, then try again.`;
}

function describeFailure(err: unknown, account: string, endpoint: string): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ServiceError;
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  // Only an answer carrying Azure Storage's error code (x-ms-error-code) is Azure Storage's own;
  // PARSE_ERROR says the body was not Azure's XML (a proxy's page, say).
  const code = e.code === 'PARSE_ERROR' ? undefined : safeCode(e.code);
  const host = hostOf(endpoint);
  if (status === undefined || code === undefined || status === 404) return noStorageAnswered(account, host);

  if (status === 403) {
    // Azure answers a bad signature with AuthenticationFailed; the Azurite emulator with AuthorizationFailure,
    // but with the same "failed to authenticate" message.
    const message = typeof e.message === 'string' ? e.message : '';
    if (code === 'AuthenticationFailed' || message.startsWith('Server failed to authenticate the request')) {
      return `The storage account rejected the key (${code}): check the key and that it belongs to '${account}'.`;
    }
    if (code === 'KeyBasedAuthenticationNotPermitted') {
      return `Storage account '${account}' does not allow access keys (KeyBasedAuthenticationNotPermitted): turn on "Allow storage account key access" or use another account.`;
    }
    if (code === 'AuthorizationFailure') {
      return `Storage account '${account}' refused the request (AuthorizationFailure): its firewall or network rules probably block this bot.`;
    }
    return `Storage account '${account}' refused the request (${code}).`;
  }
  return `Could not check the key of '${account}' at ${host} (${code}).`;
}

/** Checks Azure Blob keys by listing containers; the other key types are format-checked only. */
export class ServiceKeyVerifier implements KeyVerifier {
  private readonly timeoutMs: number;

  /** @param options.timeoutMs limit for the whole check; tests shorten it. */
  constructor(options: { timeoutMs?: number } = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS;
  }

  async verify(
    type: KeyConnectorTypeId,
    values: Record<string, string>,
    cloud: CloudName,
  ): Promise<KeyVerificationResult> {
    // The caller validated already; checking again keeps a malformed account name out of the endpoint's host.
    const checked = validateCredentials(type, values);
    const invalid = Object.keys(checked.errors);
    if (invalid.length > 0) {
      return {
        verified: false,
        detail: `Not tested: ${invalid.join(', ')} ${invalid.length === 1 ? 'does' : 'do'} not have the expected format.`,
      };
    }
    if (type === 'azure-blob') return this.verifyAzureBlob(checked.values, cloud);
    return {
      verified: false,
      detail: `Format checked; the keys were not tested against ${SERVICE_NAMES[type]} (unverified).`,
    };
  }

  private async verifyAzureBlob(
    values: Record<string, string>,
    cloud: CloudName,
  ): Promise<KeyVerificationResult> {
    const { accountName, accountKey } = values;
    const endpoint = values.blobEndpoint
      ? values.blobEndpoint.replace(/\/+$/, '')
      : defaultBlobEndpoint(accountName, cloud);
    // Loaded by the first Azure Blob key check, not at start-up: most bots never run one, and
    // the SDK is one of the larger imports. Outside the time limit, which is the service's.
    const { BlobServiceClient, StorageSharedKeyCredential } = await import('@azure/storage-blob');
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    try {
      const client = new BlobServiceClient(
        endpoint,
        new StorageSharedKeyCredential(accountName, accountKey),
        {
          // A rejected key is final, and a retry of an unreachable host only spends the time limit.
          retryOptions: { maxTries: 1 },
          // One request: a pooled connection would only outlive the check.
          keepAliveOptions: { enable: false },
        },
      );
      const page = await client
        .listContainers({ abortSignal: abort.signal })
        .byPage({ maxPageSize: 5 })
        .next();
      const found = page.done ? 0 : (page.value.containerItems?.length ?? 0);
      return {
        verified: true,
        detail: `Listed containers of storage account '${accountName}' (${found} found on the first page).`,
      };
    } catch (err) {
      return { verified: false, detail: describeFailure(err, accountName, endpoint) };
    } finally {
      clearTimeout(timer);
    }
  }
}
