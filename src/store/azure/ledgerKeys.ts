/**
 * Where the notice ledger and the audit events of sent notices live in the notices table. A
 * scan's notices are mostly of different tenants (one digest each), so their rows share
 * partitions across tenants rather than having one partition per tenant: a transaction holds
 * rows of one partition only, and this way one transaction claims, or marks sent with their
 * audit events, the notices of many tenants (the scanner writes the claims and marks of its
 * digests in flight together). One partition is enough: it takes about 2,000 writes a second,
 * and a scan's come at about the send rate; every extra partition would split each such write.
 *
 * A row's key starts with its escaped tenant and "|" (escaped parts never contain "|"), so a
 * tenant's rows are one range of its partition: its notices under "<tenant>|<connector>|…", the
 * events under "<tenant>|~a|<time>" and their per-connector copies under
 * "<tenant>|~c|<connector>|<time>". An escaped connector id never starts with "~" and a
 * lower-case letter, so the ranges never meet.
 */
export const LEDGER_PARTITIONS = 1;

/** Starts every ledger partition key; an escaped tenant (no "|") never does. */
export const LEDGER_PARTITION_PREFIX = '~n|';

/** The ledger partition of a tenant (given escaped), the same in every process. */
export function ledgerPartition(escapedTenant: string): string {
  let hash = 0;
  for (let i = 0; i < escapedTenant.length; i++) hash = (hash * 31 + escapedTenant.charCodeAt(i)) >>> 0;
  return `${LEDGER_PARTITION_PREFIX}${hash % LEDGER_PARTITIONS}`;
}

/**
 * Where a row of the earlier layout (PartitionKey = escaped tenant, RowKey = a notice key or an
 * event's "~a|…"/"~c|…") lives now: the same key behind the tenant, so the same notice or event.
 */
export function ledgerKeysOfTenantRow(partitionKey: string, rowKey: string) {
  return { partitionKey: ledgerPartition(partitionKey), rowKey: `${partitionKey}|${rowKey}` };
}
