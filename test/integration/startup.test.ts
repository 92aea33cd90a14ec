import { freePort, spawnBot, waitForHealth, type ChildBot } from '../harness/childBot';
import { makeTempDir, removeTempDir } from '../harness/testBot';

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
