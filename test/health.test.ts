import { startHarness } from './harness/testBot';

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
});
