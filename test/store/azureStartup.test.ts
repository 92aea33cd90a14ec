import { freePort, spawnBot, waitForHealth, type ChildBot } from '../harness/childBot';
import { makeTempDir, removeTempDir } from '../harness/testBot';
import { startAzurite, type AzuriteInstance } from '../support/azurite';

describe('npm start with AZURE_STORAGE_CONNECTION_STRING', () => {
  let azurite: AzuriteInstance;
  let bot: ChildBot | undefined;
  let dataDir: string;

  beforeAll(async () => {
    azurite = await startAzurite({ services: ['blob', 'table'] });
  });
  afterAll(async () => {
    await azurite?.stop();
  });
  beforeEach(() => {
    dataDir = makeTempDir();
  });
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
    removeTempDir(dataDir);
  });

  test('starts on the Azure store and prints one JSON line naming the account, not the key', async () => {
    const port = await freePort();
    bot = spawnBot({
      PORT: String(port),
      DATA_DIR: dataDir,
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      SECRETS_KEY: Buffer.alloc(32, 3).toString('base64'),
    });
    const health = await waitForHealth(bot);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', storage: 'azure' });
    expect(bot.stdout).toHaveLength(1);
    expect(JSON.parse(bot.stdout[0])).toMatchObject({ level: 'info', store: 'azure:devstoreaccount1' });
    expect(bot.stdout[0]).not.toContain(azurite.accountKey);
    expect(bot.stderr).toEqual([]);
    expect(await bot.stop()).toBe(0);
  });

  test('stops with exit 1 and one line when the account cannot be reached', async () => {
    const closed = await freePort();
    bot = spawnBot({
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      SECRETS_KEY: Buffer.alloc(32, 3).toString('base64'),
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString
        .replace(/BlobEndpoint=http:\/\/127\.0\.0\.1:\d+/, `BlobEndpoint=http://127.0.0.1:${closed}`)
        .replace(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+/, `TableEndpoint=http://127.0.0.1:${closed}`),
    });
    expect(await bot.exited).toBe(1);
    expect(bot.stdout).toEqual([]);
    expect(bot.stderr).toHaveLength(1);
    expect(bot.stderr[0]).toMatch(
      /^Storage error: AZURE_STORAGE_CONNECTION_STRING: cannot open the Azure store in account devstoreaccount1: storage is unavailable: /,
    );
    expect(bot.stderr[0]).not.toContain(azurite.accountKey);
  });
});
