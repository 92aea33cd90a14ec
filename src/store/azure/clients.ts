import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { StoragePipelineOptions } from '@azure/storage-blob';
import { transportOptions, type AzureTransport } from '../../azure/identity';

/**
 * A storage account reached with an Entra token (AZURE_STORAGE_BLOB_URL, AZURE_STORAGE_TABLE_URL)
 * instead of a connection string: the service URLs of the account and the identity's credential.
 */
export interface TokenAccount {
  blobUrl: string;
  tableUrl: string;
  credential: TokenCredential;
}

/** A connection string (local and legacy use) or a token account. */
export type StorageAccount = string | TokenAccount;

/** One try of a request may take this long before it counts as a network failure. */
export const TRY_TIMEOUT_MS = 5_000;

/** Parses "Key=value;..." connection strings (values may contain "="). */
function settings(connectionString: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) map.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  return map;
}

/** The storage account of a connection string, for logs: never the key. */
export function accountName(connectionString: string): string {
  const s = settings(connectionString);
  if (s.get('usedevelopmentstorage')?.toLowerCase() === 'true') return 'devstoreaccount1';
  const named = s.get('accountname');
  if (named) return named;
  for (const key of ['tableendpoint', 'blobendpoint']) {
    const endpoint = s.get(key);
    if (!endpoint) continue;
    try {
      const url = new URL(endpoint);
      // Path-style endpoints (emulators) name the account in the path, others in the host.
      const inPath = url.pathname.split('/').filter(Boolean)[0];
      return inPath ?? url.hostname.split('.')[0];
    } catch {
      // Not a URL: try the next endpoint.
    }
  }
  return 'unknown';
}

/** The account a service URL names: in the path for emulators (path-style), else the host's first label. */
export function accountOfUrl(serviceUrl: string): string {
  try {
    const url = new URL(serviceUrl);
    const inPath = url.pathname.split('/').filter(Boolean)[0];
    return /^[\d.]+$|^\[|^localhost$/.test(url.hostname) && inPath ? inPath : url.hostname.split('.')[0];
  } catch {
    return 'unknown';
  }
}

/** The account of either kind, for logs and /healthz: never a key. */
export function accountOf(account: StorageAccount): string {
  return typeof account === 'string' ? accountName(account) : accountOfUrl(account.tableUrl);
}

/** Plain http is allowed only where the connection string asks for it (emulators, tests). */
export function allowsHttp(connectionString: string): boolean {
  const s = settings(connectionString);
  return (
    s.get('usedevelopmentstorage')?.toLowerCase() === 'true' ||
    s.get('defaultendpointsprotocol')?.toLowerCase() === 'http' ||
    ['tableendpoint', 'blobendpoint'].some((k) => s.get(k)?.toLowerCase().startsWith('http://'))
  );
}

/** Few, quick retries and a per-try timeout, so an unreachable account fails a turn in seconds. */
export function tableOptions(
  connectionString: string | undefined,
  transport: AzureTransport = {},
): TableServiceClientOptions {
  return {
    ...transportOptions(transport),
    allowInsecureConnection: connectionString !== undefined && allowsHttp(connectionString),
    retryOptions: { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 },
    additionalPolicies: [
      {
        position: 'perRetry',
        policy: {
          name: 'concierge-try-timeout',
          // Not request.timeout: the HTTP client leaves that timer running after a refused
          // connection, which holds the process open for its whole duration.
          async sendRequest(request, next) {
            const outer = request.abortSignal;
            const controller = new AbortController();
            const abort = () => controller.abort();
            if (outer?.aborted) abort();
            outer?.addEventListener('abort', abort);
            const timer = setTimeout(
              () => controller.abort(new Error('Azure Table request timed out')),
              TRY_TIMEOUT_MS,
            );
            request.abortSignal = controller.signal;
            try {
              return await next(request);
            } finally {
              clearTimeout(timer);
              outer?.removeEventListener('abort', abort);
              request.abortSignal = outer;
            }
          },
        },
      },
    ],
  };
}

export function blobOptions(transport: AzureTransport = {}): StoragePipelineOptions {
  return {
    // Not declared by StoragePipelineOptions, but handed on to the core pipeline like the rest.
    ...transportOptions(transport),
    retryOptions: {
      maxTries: 3,
      tryTimeoutInMs: TRY_TIMEOUT_MS,
      retryDelayInMs: 200,
      maxRetryDelayInMs: 2_000,
    },
  };
}

export function tableClient(
  account: StorageAccount,
  name: string,
  transport: AzureTransport = {},
): TableClient {
  return typeof account === 'string'
    ? TableClient.fromConnectionString(account, name, tableOptions(account, transport))
    : new TableClient(account.tableUrl, name, account.credential, tableOptions(undefined, transport));
}
