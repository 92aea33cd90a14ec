/**
 * The Azure Storage and Key Vault SDKs are loaded only when Azure is configured, so a local bot
 * (SQLite) does not pay for them at start-up. The compiled bot runs with a preloaded probe that
 * writes, when the process exits, which packages it had loaded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, spawnBot, waitForHealth } from '../../harness/childBot';
import { makeTempDir, removeTempDir } from '../../harness/testBot';

const PROBE = `
const fs = require('node:fs');
process.on('exit', () => {
  const loaded = new Set();
  for (const file of Object.keys(require.cache)) {
    const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file.split('node_modules/').slice(-2).join('node_modules/'));
    if (m) loaded.add(m[1]);
  }
  fs.writeFileSync(process.env.LOADED_PACKAGES_FILE, JSON.stringify([...loaded]));
});
`;

// Not @azure/storage-blob: the azure-blob connector's key check (src/verification) loads it.
const AZURE_ONLY = ['@azure/data-tables', 'botbuilder-azure-blobs', '@azure/keyvault-secrets'];

let dir: string;
beforeEach(() => {
  dir = makeTempDir('lazy-');
});
afterEach(() => removeTempDir(dir));

test('a bot on the embedded store loads no Azure Storage or Key Vault SDK', async () => {
  const probe = path.join(dir, 'probe.js');
  const out = path.join(dir, 'loaded.json');
  fs.writeFileSync(probe, PROBE);
  const bot = spawnBot({
    PORT: String(await freePort()),
    DATA_DIR: path.join(dir, 'data'),
    NODE_OPTIONS: `--require ${probe}`,
    LOADED_PACKAGES_FILE: out,
  });
  expect((await waitForHealth(bot, 30_000)).status).toBe(200);
  expect(await bot.stop()).toBe(0);
  const loaded = JSON.parse(fs.readFileSync(out, 'utf8')) as string[];
  // The probe sees what the bot loads (botbuilder always; @azure/identity comes with it too).
  expect(loaded).toEqual(expect.arrayContaining(['botbuilder', 'better-sqlite3']));
  expect(loaded.filter((p) => AZURE_ONLY.includes(p))).toEqual([]);
}, 60_000);
