import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, spawnBot, waitForHealth, type ChildBot } from '../harness/childBot';
import { makeTempDir, removeTempDir } from '../harness/testBot';
import { SecretBox } from '../../src/secrets/secretBox';
import { createSqliteStore } from '../../src/store/sqlite';

describe('npm start', () => {
  let bot: ChildBot | undefined;
  let dataDir: string;
  beforeEach(() => {
    dataDir = makeTempDir();
  });
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
    removeTempDir(dataDir);
  });

  test('starts in anonymous local mode on loopback with the SQLite store and prints one JSON line', async () => {
    const port = await freePort();
    bot = spawnBot({ PORT: String(port), DATA_DIR: dataDir });
    const health = await waitForHealth(bot);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', storage: 'sqlite', version: expect.any(String) });
    expect(bot.stdout).toHaveLength(1);
    const line = JSON.parse(bot.stdout[0]);
    expect(line).toMatchObject({
      level: 'info',
      mode: 'anonymous-local',
      address: `http://127.0.0.1:${port}`,
      store: expect.stringContaining('sqlite:'),
    });
    expect(line.store).toContain(dataDir);
    expect(bot.stderr).toEqual([]);
    expect(await bot.stop()).toBe(0);
  });

  test('Graph credentials without CONNECTOR_APP_ID: one warning line naming it and what it breaks', async () => {
    const port = await freePort();
    bot = spawnBot({
      PORT: String(port),
      DATA_DIR: dataDir,
      GRAPH_CLIENT_ID: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
      GRAPH_CLIENT_SECRET: 'not-a-real-secret',
    });
    expect((await waitForHealth(bot)).status).toBe(200);
    const lines = bot.stdout.map((l) => JSON.parse(l) as { level: string; msg: string; variable?: string });
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].variable).toBe('CONNECTOR_APP_ID');
    expect(warnings[0].msg).toMatch(
      /^Configuration warning: CONNECTOR_APP_ID is not set: the admin consent check/,
    );
    expect(lines.filter((l) => l.msg === 'Connector Concierge started')).toHaveLength(1);
    expect(await bot.stop()).toBe(0);
  });

  describe('with sealed connector keys in the store', () => {
    const key = randomBytes(32);

    /** A store holding one connector key sealed with `key`, as the bot writes it. */
    async function sealOne(): Promise<void> {
      const store = createSqliteStore(dataDir);
      await store.secrets.put(
        'tenant-1',
        'c-1',
        new SecretBox(key).seal({ accountKey: 'k' }, 'tenant-1/c-1'),
      );
      await store.close();
    }

    test('another SECRETS_KEY stops start-up with exit 1 and one line saying to restore the previous key', async () => {
      await sealOne();
      bot = spawnBot({
        PORT: String(await freePort()),
        DATA_DIR: dataDir,
        SECRETS_KEY: randomBytes(32).toString('base64'),
      });
      expect(await bot.exited).toBe(1);
      expect(bot.stdout).toEqual([]);
      expect(bot.stderr).toEqual([
        "Configuration error: SECRETS_KEY: does not open the stored secrets (the sealed connector keys): set it back to the key that sealed them (if it was copied from Key Vault, restore the secret's previous version there)",
      ]);
    });

    test('a new key file in DATA_DIR stops start-up naming the file', async () => {
      await sealOne();
      // The bot's own key file lost and made again: the stored keys were sealed with another one.
      fs.writeFileSync(path.join(dataDir, 'secrets.key'), randomBytes(32).toString('base64') + '\n', {
        mode: 0o600,
      });
      bot = spawnBot({ PORT: String(await freePort()), DATA_DIR: dataDir });
      expect(await bot.exited).toBe(1);
      expect(bot.stderr).toHaveLength(1);
      expect(bot.stderr[0]).toMatch(
        /^Configuration error: SECRETS_KEY: the key in .*secrets\.key does not open the stored secrets \(the sealed connector keys\): restore the original file/,
      );
    });

    test('the key that sealed them starts the bot', async () => {
      await sealOne();
      bot = spawnBot({
        PORT: String(await freePort()),
        DATA_DIR: dataDir,
        SECRETS_KEY: key.toString('base64'),
      });
      expect((await waitForHealth(bot)).status).toBe(200);
      expect(bot.stderr).toEqual([]);
      expect(await bot.stop()).toBe(0);
    });
  });

  test('any SECRETS_KEY starts the bot while no sealed key is stored', async () => {
    const store = createSqliteStore(dataDir);
    await store.close();
    bot = spawnBot({
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      SECRETS_KEY: randomBytes(32).toString('base64'),
    });
    expect((await waitForHealth(bot)).status).toBe(200);
    expect(bot.stderr).toEqual([]);
    expect(await bot.stop()).toBe(0);
  });

  test.each([
    [{ CONSENT_REDIRECT_URI: 'http://migrate.contoso.com/done' }, 'CONSENT_REDIRECT_URI'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ CLOUD: 'mars' }, 'CLOUD'],
    [{ EXPIRY_NOTICE_DAYS: '30;14' }, 'EXPIRY_NOTICE_DAYS'],
    [{ HOST: '0.0.0.0' }, 'HOST'],
  ])(
    'a configuration mistake %j stops start-up with exit 1 and one line naming %s',
    async (env, variable) => {
      bot = spawnBot({ DATA_DIR: dataDir, ...(env as Record<string, string>) });
      expect(await bot.exited).toBe(1);
      expect(bot.stdout).toEqual([]);
      expect(bot.stderr).toHaveLength(1);
      expect(bot.stderr[0]).toMatch(new RegExp(`^Configuration error: ${variable}: `));
      expect(bot.stderr[0]).not.toMatch(/\bat .*\.js:\d+/);
    },
  );
});
