import { GraphError } from '../../../src/graph/errors';
import type {
  GraphBatchRequest,
  GraphBatchResponse,
  GraphGateway,
  GraphList,
  GraphPage,
  GraphPagingOptions,
} from '../../../src/graph/graphGateway';
import { DEFAULT_LIST_MAX_ITEMS } from '../../../src/graph/graphGateway';

/** Answers a path (relative, with its query) or throws a GraphError. */
export type Route = (path: string) => unknown;

/** A Graph error as the gateway raises it. */
export function graphError(
  code: GraphError['code'],
  message: string = code,
  permission?: string,
): GraphError {
  return new GraphError(code, message, { permission, status: code === 'GRAPH_NOT_FOUND' ? 404 : undefined });
}

/**
 * A GraphGateway answering from hand-written routes: the first route whose pattern matches the
 * path (without the query) answers. Records every path asked for.
 */
export class ScriptedGateway implements GraphGateway {
  readonly calls: string[] = [];
  configured = true;

  constructor(private readonly routes: Array<[RegExp, Route]> = []) {}

  on(pattern: RegExp, route: Route): this {
    this.routes.unshift([pattern, route]);
    return this;
  }

  missingSettings(): string[] {
    return this.configured ? [] : ['GRAPH_CLIENT_ID', 'GRAPH_CLIENT_SECRET'];
  }

  async get<T>(_tenantId: string, path: string): Promise<T> {
    this.calls.push(path);
    if (!this.configured) throw new GraphError('GRAPH_NOT_CONFIGURED', 'Microsoft Graph is not configured');
    const bare = path.split('?')[0];
    const route = this.routes.find(([pattern]) => pattern.test(bare));
    if (!route) throw new GraphError('GRAPH_ERROR', `no scripted route for ${path}`);
    return (await route[1](path)) as T;
  }

  async *getAllPages<T>(
    tenantId: string,
    path: string,
    options: GraphPagingOptions<T> = {},
  ): AsyncIterable<T[]> {
    const max = options.maxItems ?? Number.POSITIVE_INFINITY;
    let seen = 0;
    for (let next: string | undefined = path; next !== undefined && seen < max;) {
      const page: GraphPage<T> = await this.get<GraphPage<T>>(tenantId, next);
      const items = page.value.slice(0, max - seen);
      seen += items.length;
      next = page['@odata.nextLink'];
      if (seen >= max && (items.length < page.value.length || next !== undefined)) options.onTruncated?.();
      if (items.length) yield items;
    }
  }

  /** As the real gateway: `truncated` when maxItems (default 10,000) cut the collection short. */
  async list<T>(tenantId: string, path: string, options: GraphPagingOptions<T> = {}): Promise<GraphList<T>> {
    const all: GraphList<T> = [];
    for await (const page of this.getAllPages<T>(tenantId, path, {
      ...options,
      maxItems: options.maxItems ?? DEFAULT_LIST_MAX_ITEMS,
      onTruncated: () => (all.truncated = true),
    }))
      all.push(...page);
    return all;
  }

  async post<T>(): Promise<T> {
    throw new GraphError('GRAPH_ERROR', 'post is not scripted');
  }

  async delete(): Promise<void> {
    throw new GraphError('GRAPH_ERROR', 'delete is not scripted');
  }

  /** Each request answered by its route; a GraphError becomes that request's status. */
  async batch(
    tenantId: string,
    requests: readonly GraphBatchRequest[],
  ): Promise<Map<string, GraphBatchResponse>> {
    const answers = new Map<string, GraphBatchResponse>();
    for (const req of requests) {
      try {
        answers.set(req.id, { id: req.id, status: 200, body: await this.get(tenantId, req.url) });
      } catch (err) {
        if (!(err instanceof GraphError)) throw err;
        const status =
          err.code === 'GRAPH_NOT_FOUND'
            ? 404
            : err.code === 'GRAPH_FORBIDDEN'
              ? 403
              : err.code === 'GRAPH_THROTTLED'
                ? 429
                : 500;
        answers.set(req.id, {
          id: req.id,
          status,
          body: { error: { code: err.code, message: err.message } },
        });
      }
    }
    return answers;
  }
}

/** A collection answer; `next` becomes the @odata.nextLink. */
export function page<T>(value: T[], next?: string): GraphPage<T> {
  return next ? { value, '@odata.nextLink': next } : { value };
}
