import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { TableClient } from '@azure/data-tables';
import { freePort, spawnBot, waitForHealth, type ChildBot } from '../../harness/childBot';
import { makeTempDir, removeTempDir, startHarness, startTestBot } from '../../harness/testBot';
import { startAzurite, type AzuriteInstance } from '../../support/azurite';
import { DATABASE_FILE } from '../../../src/store/sqlite/database';

const TOKEN = 'health-test-api-token-0123456789';
const TENANT = '0d0d0d0d-1111-4222-8333-444444444444';

/** Imports one connector through the API, so the connectors table has a row to read. */
async function importOne(botUrl: string): Promise<void> {
  const answer = await fetch(`${botUrl}/api/v1/tenants/${TENANT}/connectors`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'box', displayName: 'Health probe', status: 'authorized' }),
  });
  expect(answer.status).toBe(201);
}

async function listConnectors(botUrl: string): Promise<{ status: number; body: unknown }> {
  const answer = await fetch(`${botUrl}/api/v1/tenants/${TENANT}/connectors`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return { status: answer.status, body: await answer.json() };
}

const STORE_UNAVAILABLE = {
  error: { code: 'StoreUnavailable', message: 'Storage is unavailable; try again later.' },
};

/**
 * Overwrites the root page of the connectors table with garbage, after moving every WAL frame
 * into the main file (so the damaged page is the one SQLite reads) from a second connection,
 * which also tells the bot's connection that its cached pages are stale.
 */
function damageConnectorsTable(dataDir: string): void {
  const file = path.join(dataDir, DATABASE_FILE);
  const other = new Database(file);
  const { rootpage } = other
    .prepare("SELECT rootpage FROM sqlite_master WHERE name = 'connectors'")
    .get() as {
    rootpage: number;
  };
  const pageSize = other.pragma('page_size', { simple: true }) as number;
  other.pragma('wal_checkpoint(TRUNCATE)');
  other.close();
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, randomBytes(pageSize), 0, pageSize, (rootpage - 1) * pageSize);
  fs.closeSync(fd);
}

describe('GET /healthz', () => {
  test('answers 200 with status, storage and version while the store reads, 503 when it cannot', async () => {
    const h = await startHarness();
    try {
      const ok = await fetch(`${h.bot.url}/healthz`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ status: 'ok', storage: 'sqlite', version: 'test' });

      // The database handle going away is what a lost disk or a removed volume looks like to the bot.
      await h.bot.store.close();
      const down = await fetch(`${h.bot.url}/healthz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'unavailable', storage: 'sqlite', version: 'test' });
      expect(h.bot.logs.some((l) => l.msg === 'health check: store unavailable')).toBe(true);
    } finally {
      await h.stop();
    }
  });

  describe('SQLite: a damaged database', () => {
    test('a damaged connectors table: /healthz answers 503 and the API 503 StoreUnavailable, never 500', async () => {
      const bot = await startTestBot({ env: { API_TOKEN: TOKEN } });
      try {
        await importOne(bot.url);
        expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);

        damageConnectorsTable(bot.dataDir);

        const health = await fetch(`${bot.url}/healthz`);
        expect(health.status).toBe(503);
        expect(await listConnectors(bot.url)).toEqual({ status: 503, body: STORE_UNAVAILABLE });
        expect(bot.logs.filter((l) => l.level === 'error')).toEqual([]);
      } finally {
        await bot.stop();
        removeTempDir(bot.dataDir);
      }
    });

    test('a connectors table that is gone (the file replaced or altered by hand): 503, not 200 or 500', async () => {
      const bot = await startTestBot({ env: { API_TOKEN: TOKEN } });
      try {
        const other = new Database(path.join(bot.dataDir, DATABASE_FILE));
        other.exec('DROP TABLE connectors');
        other.close();

        expect((await fetch(`${bot.url}/healthz`)).status).toBe(503);
        expect(await listConnectors(bot.url)).toEqual({ status: 503, body: STORE_UNAVAILABLE });
      } finally {
        await bot.stop();
        removeTempDir(bot.dataDir);
      }
    });

    test('start-up runs quick_check: a damaged file stops the bot with one line naming DATA_DIR', async () => {
      const seeded = await startTestBot({ env: { API_TOKEN: TOKEN } });
      await importOne(seeded.url);
      damageConnectorsTable(seeded.dataDir);
      await seeded.stop().catch(() => undefined);

      const child = spawnBot({ PORT: String(await freePort()), DATA_DIR: seeded.dataDir });
      try {
        expect(await child.exited).toBe(1);
        expect(child.stdout).toEqual([]);
        expect(child.stderr).toEqual([
          expect.stringMatching(
            /^Storage error: DATA_DIR: cannot open the store in .*: the database file is damaged \(quick_check: /,
          ),
        ]);
      } finally {
        removeTempDir(seeded.dataDir);
      }
    }, 90_000);
  });

  describe('Azure: a damaged store', () => {
    let azurite: AzuriteInstance;
    let bot: ChildBot;
    let dataDir: string;

    beforeAll(async () => {
      azurite = await startAzurite({ services: ['blob', 'table'] });
      dataDir = makeTempDir();
      bot = spawnBot({
        PORT: String(await freePort()),
        DATA_DIR: dataDir,
        AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
        SECRETS_KEY: randomBytes(32).toString('base64'),
        API_TOKEN: TOKEN,
      });
      expect((await waitForHealth(bot, 45_000)).status).toBe(200);
    }, 90_000);
    afterAll(async () => {
      await bot?.stop();
      await azurite?.stop();
      removeTempDir(dataDir);
    });

    test('the connectors table deleted under the bot: /healthz answers 503 and the API 503 StoreUnavailable', async () => {
      await importOne(bot.url);
      expect((await listConnectors(bot.url)).status).toBe(200);

      await TableClient.fromConnectionString(azurite.connectionString, 'conciergeConnectors', {
        allowInsecureConnection: true,
      }).deleteTable();

      expect((await fetch(`${bot.url}/healthz`)).status).toBe(503);
      expect(await listConnectors(bot.url)).toEqual({ status: 503, body: STORE_UNAVAILABLE });
      const lines = bot.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    });
  });
});
