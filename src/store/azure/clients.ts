import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import type { StoragePipelineOptions } from '@azure/storage-blob';

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
export function tableOptions(connectionString: string): TableServiceClientOptions {
  return {
    allowInsecureConnection: allowsHttp(connectionString),
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

export function blobOptions(): StoragePipelineOptions {
  return {
    retryOptions: {
      maxTries: 3,
      tryTimeoutInMs: TRY_TIMEOUT_MS,
      retryDelayInMs: 200,
      maxRetryDelayInMs: 2_000,
    },
  };
}

export function tableClient(connectionString: string, name: string): TableClient {
  return TableClient.fromConnectionString(connectionString, name, tableOptions(connectionString));
}
