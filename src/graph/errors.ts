/** What went wrong talking to Microsoft Graph, in terms a feature can act on. */
export type GraphErrorCode =
  /** 403: the app lacks an application permission (named in `permission`) or its admin consent. */
  | 'GRAPH_FORBIDDEN'
  /** 404: the object does not exist (or, for /users/{id}/drive, OneDrive is not provisioned). */
  | 'GRAPH_NOT_FOUND'
  /** 429 after every retry. `retryAfterMs` says when Graph would take the call again. */
  | 'GRAPH_THROTTLED'
  /** 5xx after every retry, a timeout, or the host could not be reached. */
  | 'GRAPH_UNAVAILABLE'
  /** No token: the sign-in service refused the client id/secret, or Graph refused the token. */
  | 'GRAPH_AUTH_FAILED'
  /** GRAPH_CLIENT_ID / GRAPH_CLIENT_SECRET are not set. */
  | 'GRAPH_NOT_CONFIGURED'
  /** The call itself is not acceptable: a tenant id that is neither a GUID nor a domain, a
   *  path that is not a Graph path, a nextLink to another host. Nothing was sent. */
  | 'GRAPH_INVALID_REQUEST'
  /** Any other refusal (400, 409, ...). */
  | 'GRAPH_ERROR';

export interface GraphErrorDetails {
  status?: number;
  permission?: string;
  /** Graph's own error code, e.g. Authorization_RequestDenied, or the sign-in error (invalid_client). */
  graphCode?: string;
  requestId?: string;
  /** For GRAPH_THROTTLED: how long Graph asked to wait. */
  retryAfterMs?: number;
  method?: string;
  /** The path called, without host, version or query. */
  path?: string;
  /**
   * True when the call failed before any request reached Graph (no token could be had): a write
   * that failed so cannot have been made.
   */
  notSent?: boolean;
}

/**
 * An error from the Graph access layer. `message` is a sentence meant for an admin (it never holds
 * a secret or a token); features show it as is and log `code`, never a stack trace.
 */
export class GraphError extends Error {
  readonly status?: number;
  readonly permission?: string;
  readonly graphCode?: string;
  readonly requestId?: string;
  readonly retryAfterMs?: number;
  readonly method?: string;
  readonly path?: string;
  readonly notSent?: boolean;

  constructor(
    readonly code: GraphErrorCode,
    message: string,
    details: GraphErrorDetails = {},
  ) {
    super(message);
    this.name = 'GraphError';
    this.status = details.status;
    this.permission = details.permission;
    this.graphCode = details.graphCode;
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
    this.method = details.method;
    this.path = details.path;
    this.notSent = details.notSent;
  }

  /** The same error, marked as failing before any request reached Graph. */
  beforeSending(): GraphError {
    return new GraphError(this.code, this.message, {
      status: this.status,
      permission: this.permission,
      graphCode: this.graphCode,
      requestId: this.requestId,
      retryAfterMs: this.retryAfterMs,
      method: this.method,
      path: this.path,
      notSent: true,
    });
  }

  /** Fields for a structured log line. */
  toLogFields(): Record<string, unknown> {
    return {
      code: this.code,
      status: this.status,
      permission: this.permission,
      graphCode: this.graphCode,
      requestId: this.requestId,
      method: this.method,
      path: this.path,
    };
  }
}

export function isGraphError(value: unknown, code?: GraphErrorCode): value is GraphError {
  return value instanceof GraphError && (code === undefined || value.code === code);
}
