import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import type { ConsentRequest, ConsentRequestState } from '../../connectors/consentRequest';
import { httpStatusOf } from '../../util/httpStatus';
import { ConcurrencyError, type ConsentRequestStore, type Page } from '../../connectors/ports';
import { guard, unlessMissing } from './errors';
import { escapeKey, packDoc, unpackDoc } from './keys';

const MAX_PAGE = 500;

/** Newest first, as SQLite's ORDER BY created_at DESC, id DESC. */
function newestFirst(a: ConsentRequest, b: ConsentRequest): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * Consent requests: PartitionKey = tenant, RowKey = escaped id, `state` beside the JSON doc so
 * that the scanner's cross-tenant query for open requests reads only those. Updates carry the
 * ETag of the read they come from.
 */
export class AzureConsentRequestStore implements ConsentRequestStore {
  constructor(private readonly table: TableClient) {}

  private entity(request: ConsentRequest) {
    return {
      partitionKey: escapeKey(request.tenantId),
      rowKey: escapeKey(request.id),
      state: request.state,
      connectorId: request.connectorId,
      ...packDoc(request),
    };
  }

  create(request: ConsentRequest): Promise<ConsentRequest> {
    return guard(async () => {
      const stored = { ...request, version: 1 };
      try {
        await this.table.createEntity(this.entity(stored));
      } catch (err) {
        if (httpStatusOf(err) === 409) throw new ConcurrencyError(`consent request ${request.id}`);
        throw err;
      }
      return stored;
    });
  }

  get(tenantId: string, id: string): Promise<ConsentRequest | undefined> {
    return guard(async () => {
      const row = await unlessMissing(this.table.getEntity(escapeKey(tenantId), escapeKey(id)));
      return row ? unpackDoc<ConsentRequest>(row) : undefined;
    });
  }

  update(request: ConsentRequest): Promise<ConsentRequest> {
    return guard(async () => {
      const row = await unlessMissing(
        this.table.getEntity(escapeKey(request.tenantId), escapeKey(request.id)),
      );
      if (!row || unpackDoc<ConsentRequest>(row).version !== request.version) {
        throw new ConcurrencyError(`consent request ${request.id}`);
      }
      const stored = { ...request, version: request.version + 1 };
      try {
        await this.table.updateEntity(this.entity(stored), 'Replace', { etag: row.etag });
      } catch (err) {
        const status = httpStatusOf(err);
        if (status === 412 || status === 404) throw new ConcurrencyError(`consent request ${request.id}`);
        throw err;
      }
      return stored;
    });
  }

  /** A tenant has few requests: its partition (of the asked states) is read and sorted. */
  listByTenant(
    tenantId: string,
    options: { states?: ConsentRequestState[]; connectorId?: string; limit?: number } = {},
  ): Promise<ConsentRequest[]> {
    return guard(async () => {
      if (options.states?.length === 0) return [];
      const limit = Math.min(Math.max(1, options.limit ?? 50), MAX_PAGE);
      const found: ConsentRequest[] = [];
      const filter = odata`PartitionKey eq ${escapeKey(tenantId)}`;
      for await (const row of this.table.listEntities({ queryOptions: { filter } })) {
        const request = unpackDoc<ConsentRequest>(row);
        if (options.states && !options.states.includes(request.state)) continue;
        if (options.connectorId !== undefined && request.connectorId !== options.connectorId) continue;
        found.push(request);
      }
      return found.sort(newestFirst).slice(0, limit);
    });
  }

  listOpen(options: { limit?: number; cursor?: string } = {}): Promise<Page<ConsentRequest>> {
    return guard(async () => {
      const limit = Math.min(Math.max(1, options.limit ?? 100), MAX_PAGE);
      const pages = this.table
        .listEntities({ queryOptions: { filter: odata`state eq ${'open'}` } })
        .byPage({ maxPageSize: limit, continuationToken: options.cursor || undefined });
      const { value: page } = await pages.next();
      if (!page) return { items: [] };
      return {
        items: page.map((row: TableEntityResult<Record<string, unknown>>) => unpackDoc<ConsentRequest>(row)),
        next: page.continuationToken || undefined,
      };
    });
  }
}
