import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { CloudName } from '../config/config';
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

const BLOB_HOST_SUFFIX: Record<CloudName, string> = {
  global: 'blob.core.windows.net',
  usgovhigh: 'blob.core.usgovcloudapi.net',
  dod: 'blob.core.usgovcloudapi.net',
  china: 'blob.core.chinacloudapi.cn',
};

const SERVICE_NAMES: Record<Exclude<KeyConnectorTypeId, 'azure-blob'>, string> = {
  'amazon-s3': 'Amazon S3',
  'google-cloud-storage': 'Google Cloud Storage',
};

const UNREACHABLE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
]);

/** The public blob endpoint of a storage account in a Microsoft cloud. */
export function defaultBlobEndpoint(accountName: string, cloud: CloudName): string {
  return `https://${accountName}.${BLOB_HOST_SUFFIX[cloud]}`;
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

function describeFailure(
  err: unknown,
  account: string,
  endpoint: string,
  timeoutMs: number | undefined,
): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ServiceError;
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  // PARSE_ERROR only says the body was not Azure's XML (a proxy's page, say); the status says more.
  const code = e.code === 'PARSE_ERROR' && status !== undefined ? undefined : safeCode(e.code);
  const host = hostOf(endpoint);

  if (timeoutMs !== undefined) {
    return `No answer from the blob endpoint ${host} within ${timeoutMs / 1000} s, so the key of '${account}' was not checked: try again, or check the endpoint and this bot's network access.`;
  }
  if (status === 403) {
    // Azure answers a bad signature with AuthenticationFailed; the Azurite emulator with AuthorizationFailure,
    // but with the same "failed to authenticate" message.
    const message = typeof e.message === 'string' ? e.message : '';
    if (code === 'AuthenticationFailed' || message.startsWith('Server failed to authenticate the request')) {
      return `The storage account rejected the key (${code ?? 'AuthenticationFailed'}): check the key and that it belongs to '${account}'.`;
    }
    if (code === 'KeyBasedAuthenticationNotPermitted') {
      return `Storage account '${account}' does not allow access keys (KeyBasedAuthenticationNotPermitted): turn on "Allow storage account key access" or use another account.`;
    }
    if (code === 'AuthorizationFailure') {
      return `Storage account '${account}' refused the request (AuthorizationFailure): its firewall or network rules probably block this bot.`;
    }
    return `Storage account '${account}' refused the request (${code ?? 'HTTP 403'}).`;
  }
  if (status === 404 || (code !== undefined && UNREACHABLE_CODES.has(code))) {
    const why = status === 404 ? `${code ?? 'HTTP 404'}: no storage account '${account}' there` : code;
    return `Could not reach the blob endpoint ${host} (${why}): check the account name, the cloud and the endpoint.`;
  }
  if (code !== undefined && /CERT|TLS|SSL/i.test(code)) {
    return `The blob endpoint ${host} presented a certificate this bot does not trust (${code}).`;
  }
  const what = code ?? (status !== undefined ? `HTTP ${status}` : 'unexpected error');
  return `Could not check the key of '${account}' at ${host} (${what}).`;
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
      const timeoutMs = abort.signal.aborted ? this.timeoutMs : undefined;
      return { verified: false, detail: describeFailure(err, accountName, endpoint, timeoutMs) };
    } finally {
      clearTimeout(timer);
    }
  }
}
