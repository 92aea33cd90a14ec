import { channel, makeUser } from '../../harness/activities';
import { startHarness } from '../../harness/testBot';
import { seedConnectors } from '../../support/connectorFixtures';
import { aConnector } from '../../support/builders';

const TENANT = '99999999-9999-4999-8999-999999999999';
const TOKEN = 'scan-token-0123456789abcdef';

describe('POST /api/v1/scan', () => {
  test('runs the expiry scan now and answers what it sent, skipped, retried and failed', async () => {
    const h = await startHarness({ env: { API_TOKEN: TOKEN } });
    try {
      const user = makeUser();
      const conversation = channel(TENANT);
      await h.chat(user, conversation).say('subscribe');
      const then = new Date(h.bot.clock.now().getTime() - 80 * 24 * 60 * 60 * 1000).toISOString();
      await seedConnectors(h.bot.store, [aConnector(TENANT).authorizedAt(then).build()]);
      const scan = () =>
        fetch(`${h.bot.url}/api/v1/scan`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      const first = await scan();
      expect(first.status).toBe(200);
      expect(await first.json()).toMatchObject({
        connectorsChecked: 1,
        sent: 1,
        skipped: 0,
        retried: 0,
        failed: 0,
        targets: 1,
      });
      expect(await (await scan()).json()).toMatchObject({ sent: 0, skipped: 1 });
      // The subscribe confirmation went to the thread; the notice is one new post in the channel.
      expect(h.standIn.posted(conversation.channelId)).toHaveLength(1);
      const refused = await fetch(`${h.bot.url}/api/v1/scan`, { method: 'POST' });
      expect(refused.status).toBe(401);
    } finally {
      await h.stop();
    }
  });
});
