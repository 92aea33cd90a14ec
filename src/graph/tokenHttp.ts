import type { INetworkModule, NetworkRequestOptions } from '@azure/msal-node';
import * as https from 'node:https';
import type { Clock } from '../util/clock';
import { parseRetryAfter } from './middleware';

/** What MSAL expects back from its network module. */
interface NetworkResponse<T> {
  headers: Record<string, string>;
  body: T;
  status: number;
}

/**
 * MSAL's network module for one tenant's sign-in requests. MSAL's own HttpClient sets no timeout
 * on POSTs (the token request), so a sign-in host that accepts a connection and never answers
 * would hold the request for ever: this one gives up after `timeoutMs`. It also keeps the
 * Retry-After of the last refused answer, which MSAL's ServerError does not carry.
 */
export class TokenHttpClient implements INetworkModule {
  /** Milliseconds the last 429/5xx answer asked to wait, when it said. */
  lastRetryAfterMs?: number;
  private readonly agent: https.Agent;

  constructor(
    agentOptions: https.AgentOptions,
    private readonly timeoutMs: number,
    private readonly clock: Clock,
  ) {
    this.agent = new https.Agent(agentOptions);
  }

  sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, Math.min(timeout ?? this.timeoutMs, this.timeoutMs));
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options, this.timeoutMs);
  }

  private send<T>(
    method: 'GET' | 'POST',
    url: string,
    options: NetworkRequestOptions | undefined,
    timeoutMs: number,
  ): Promise<NetworkResponse<T>> {
    const body = options?.body ?? '';
    const headers: Record<string, string> = { ...(options?.headers ?? {}) };
    if (method === 'POST') headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const flat: Record<string, string> = {};
          for (const [key, value] of Object.entries(res.headers)) {
            if (value !== undefined) flat[key] = Array.isArray(value) ? value.join(', ') : value;
          }
          if (status === 429 || status >= 500) {
            this.lastRetryAfterMs = parseRetryAfter(flat['retry-after'], this.clock.now());
          }
          resolve({
            headers: flat,
            body: parseBody(status, Buffer.concat(chunks).toString('utf8')) as T,
            status,
          });
        });
      });
      req.setTimeout(timeoutMs, () =>
        req.destroy(new Error(`ETIMEDOUT: no answer within ${Math.round(timeoutMs / 1000)} s`)),
      );
      req.on('error', reject);
      req.end(method === 'POST' ? body : undefined);
    });
  }
}

/** The answer as JSON; a body that is not JSON becomes an error MSAL reports (as its own client does). */
function parseBody(status: number, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const error = status >= 500 ? 'server_error' : status >= 400 ? 'client_error' : 'unknown_error';
    return {
      error,
      error_description: `The sign-in service answered ${status} with a body that is not JSON.`,
    };
  }
}
