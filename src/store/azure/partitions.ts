import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import { mapLimit } from './errors';

/** At most this many partitions are read one query each without first trying one range read. */
const FEW = 4;
/** Partition queries in flight at once. */
const CONCURRENCY = 16;
/** Rows a page of a range read asks for (the Table service's most). */
const PAGE = 1000;

type Row = TableEntityResult<Record<string, unknown>>;

async function readOne(table: TableClient, partitionKey: string, select?: string[]): Promise<Row[]> {
  const rows: Row[] = [];
  const query = { filter: odata`PartitionKey eq ${partitionKey}`, select };
  for await (const page of table.listEntities({ queryOptions: query }).byPage({ maxPageSize: PAGE }))
    rows.push(...page);
  return rows;
}

/**
 * Every row of the partitions `partitionKeys` (absent keys have no rows), for as few requests
 * as the table allows: one range read from the first wanted partition to the last, pages of 1,000
 * in (PartitionKey, RowKey) order, as long as it has not cost more requests than one query per
 * wanted partition would; past that, the partitions the range read has not finished are read one
 * query each. So a scan of many tenants costs about the table's size in pages, and a scan of a
 * few tenants in a large table costs at most twice a query per tenant.
 */
export async function readPartitions(
  table: TableClient,
  partitionKeys: Iterable<string>,
  select?: string[],
): Promise<Map<string, Row[]>> {
  const wanted = [...new Set(partitionKeys)].sort();
  const wantedSet = new Set(wanted);
  const found = new Map<string, Row[]>();
  const keep = (rows: Row[]) => {
    for (const row of rows) {
      const key = row.partitionKey as string;
      if (!wantedSet.has(key)) continue;
      const list = found.get(key) ?? [];
      list.push(row);
      found.set(key, list);
    }
  };
  if (wanted.length === 0) return found;
  let rest = wanted;
  if (wanted.length > FEW) {
    const filter = odata`PartitionKey ge ${wanted[0]} and PartitionKey le ${wanted[wanted.length - 1]}`;
    let pages = 0;
    let last: string | undefined;
    let complete = true;
    for await (const page of table
      .listEntities({ queryOptions: { filter, select } })
      .byPage({ maxPageSize: PAGE })) {
      keep(page);
      pages += 1;
      if (page.length > 0) last = page[page.length - 1].partitionKey as string;
      if (pages >= wanted.length) {
        complete = false;
        break;
      }
    }
    if (complete) return found;
    // The last partition seen may go on in the next page: it is read again whole.
    rest = last === undefined ? wanted : wanted.filter((key) => key >= last);
    for (const key of rest) found.delete(key);
  }
  const read = await mapLimit(rest, CONCURRENCY, (key) => readOne(table, key, select));
  rest.forEach((key, i) => {
    if (read[i].length > 0) found.set(key, read[i]);
  });
  return found;
}
