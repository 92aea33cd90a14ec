/**
 * Every table of the SQLite schema is either copied by `npm run migrate-store` or named, with a
 * reason, as deliberately left out: a table added to the schema without a copier fails here
 * instead of being left behind on SQLite while the summary says every count matches.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Store } from '../../../../src/connectors/ports';
import type { AzureImporter } from '../../../../src/store/azure/importer';
import { openDatabase } from '../../../../src/store/sqlite/database';
import { EXPORT_TABLES, NOT_EXPORTED, sourceTable } from '../../../../src/store/sqlite/exporter';
import { copiers } from '../../../../src/tools/migrateCopiers';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exporter-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The tables of a database brought up to the current schema. */
function schemaTables(): string[] {
  const db = openDatabase(dir);
  try {
    return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[])
      .map((t) => t.name)
      .sort();
  } finally {
    db.close();
  }
}

test('every table of the SQLite schema is exported, or listed as deliberately not copied', () => {
  const exported = EXPORT_TABLES.map(sourceTable);
  const accounted = [...exported, ...Object.keys(NOT_EXPORTED)].sort();
  expect(schemaTables()).toEqual(accounted);
  // Each table read once, and none both copied and left out.
  expect(new Set(exported).size).toBe(exported.length);
  expect(exported.filter((table) => table in NOT_EXPORTED)).toEqual([]);
});

test('consent requests are among the exported tables', () => {
  expect(EXPORT_TABLES.map(sourceTable)).toContain('consent_requests');
});

test('the migration tool has a copier for every exported table and no other', () => {
  // Building the copiers touches neither store.
  const built = copiers({} as Store, {} as AzureImporter);
  expect(Object.keys(built).sort()).toEqual([...EXPORT_TABLES].sort());
  expect(Object.values(built).every((copy) => typeof copy === 'function')).toBe(true);
});
