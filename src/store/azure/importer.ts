import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import type { AuditEvent } from '../../connectors/ports';
import { ALL, byConnectorPrefix, isNoticeAuditEvent } from './auditLog';
import type { AzureTransport } from '../../azure/identity';
import { blobOptions, tableClient, type StorageAccount } from './clients';
import { REC, SEC } from './connectorStore';
import { guard } from './errors';
import { httpStatusOf } from '../../util/httpStatus';
import { checkPrefix, containerNames, DEFAULT_PREFIX, TABLE_SUFFIXES } from './index';
import { escapeKey, packDoc, prefixEnd } from './keys';

/** What {@link AzureImporter.count} counts: one entry per kind of record a copy writes. */
export type AzureRecordKind =
  | 'conversations'
  | 'connectors'
  | 'secrets'
  | 'consentRequests'
  | 'audit'
  | 'subscriptions'
  | 'optOuts'
  | 'notices'
  | 'snoozes'
  | 'targets'
  | 'botState';

const MAX_MS = 9_999_999_999_999;

/**
 * The RowKey suffix of an imported audit event: the same shape as a live one (inverted time,
 * inverted sequence, 8 characters) but made of the event's own time and its position in the
 * source log, so the same event always lands on the same rows. The last part starts with "m",
 * which live keys (hex only) never do, so an imported row can never collide with a live one.
 */
function importedTime(event: AuditEvent, seq: number): string {
  const parsed = Date.parse(event.at);
  const ms = Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), MAX_MS) : 0;
  return [
    String(MAX_MS - ms).padStart(13, '0'),
    String(999_999 - (seq % 1_000_000)).padStart(6, '0'),
    `m${seq.toString(16).padStart(7, '0')}`,
  ].join('-');
}

/**
 * What copying another store into this one needs beyond the Store ports (`npm run migrate-store`):
 * audit events written idempotently, and record counts per kind to verify the copy. The bot
 * itself never uses it.
 */
export class AzureImporter {
  private readonly tables: { [K in keyof typeof TABLE_SUFFIXES]: TableClient };
  private readonly stateContainer: string;
  private readonly blobService: BlobServiceClient;

  /** `account` is a connection string or the service URLs with a token credential, as for the store. */
  constructor(account: StorageAccount, prefix: string = DEFAULT_PREFIX, transport: AzureTransport = {}) {
    checkPrefix(prefix);
    this.tables = Object.fromEntries(
      Object.entries(TABLE_SUFFIXES).map(([kind, suffix]) => [
        kind,
        tableClient(account, `${prefix}${suffix}`, transport),
      ]),
    ) as AzureImporter['tables'];
    this.stateContainer = containerNames(prefix).state;
    this.blobService =
      typeof account === 'string'
        ? BlobServiceClient.fromConnectionString(account, blobOptions(transport))
        : new BlobServiceClient(account.blobUrl, account.credential, blobOptions(transport));
  }

  /**
   * Appends an audit event at the place its time and source position give it (newest first, as
   * the log lists), under the same rows as {@link AzureAuditLog.append} writes; false when an
   * earlier copy already wrote it. Both rows go in one transaction, so an event is never half there.
   */
  importAudit(event: AuditEvent, seq: number): Promise<boolean> {
    return guard(async () => {
      const partitionKey = escapeKey(event.tenantId);
      const time = importedTime(event, seq);
      const doc = packDoc(event);
      const actions: TransactionAction[] = [['create', { partitionKey, rowKey: ALL + time, ...doc }]];
      if (event.connectorId)
        actions.push([
          'create',
          { partitionKey, rowKey: byConnectorPrefix(event.connectorId) + time, ...doc },
        ]);
      try {
        await this.tables.audit.submitTransaction(actions);
        return true;
      } catch (err) {
        if (httpStatusOf(err) === 409) return false;
        throw err;
      }
    });
  }

  /** Counts the records of each kind (released notices, which mean "free to claim", are not counted). */
  count(): Promise<Record<AzureRecordKind, number>> {
    return guard(async () => {
      const range = (prefix: string) => odata`RowKey ge ${prefix} and RowKey lt ${prefixEnd(prefix)}`;
      const [
        conversations,
        connectors,
        secrets,
        consentRequests,
        audit,
        noticeAudit,
        subscriptions,
        optOuts,
        notices,
        snoozes,
        targets,
        botState,
      ] = await Promise.all([
        this.rows(this.tables.conversations),
        this.rows(this.tables.connectors, range(REC)),
        this.rows(this.tables.connectors, range(SEC)),
        this.rows(this.tables.consentRequests),
        this.rows(this.tables.audit, range(ALL)),
        // The events of sent notices, written with the marks in the notices table (not their copies).
        this.rows(this.tables.notices, undefined, isNoticeAuditEvent),
        this.rows(this.tables.subscriptions),
        this.rows(this.tables.optOuts),
        // Ledger rows only (the notices table holds audit rows too, which have no state).
        this.rows(this.tables.notices, odata`state eq ${'claimed'} or state eq ${'sent'}`),
        this.rows(this.tables.snoozes),
        this.rows(this.tables.targets),
        this.blobs(),
      ]);
      return {
        conversations,
        connectors,
        secrets,
        consentRequests,
        audit: audit + noticeAudit,
        subscriptions,
        optOuts,
        notices,
        snoozes,
        targets,
        botState,
      };
    });
  }

  private async rows(
    table: TableClient,
    filter?: string,
    keep?: (rowKey: string) => boolean,
  ): Promise<number> {
    let count = 0;
    const pages = table
      .listEntities({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } })
      .byPage({ maxPageSize: 1000 });
    try {
      for await (const page of pages)
        count += keep ? page.filter((row) => keep(row.rowKey as string)).length : page.length;
    } catch (err) {
      if (httpStatusOf(err) === 404) return 0;
      throw err;
    }
    return count;
  }

  private async blobs(): Promise<number> {
    let count = 0;
    const pages = this.blobService
      .getContainerClient(this.stateContainer)
      .listBlobsFlat()
      .byPage({ maxPageSize: 5000 });
    try {
      for await (const page of pages) count += page.segment.blobItems.length;
    } catch (err) {
      if (httpStatusOf(err) === 404) return 0;
      throw err;
    }
    return count;
  }
}
