import { channel, makeUser } from '../../harness/activities';
import { cardOf, cardText } from '../../harness/cards';
import { startHarness, type Harness } from '../../harness/testBot';
import { connectorRecord, seedConnectors } from '../../support/connectorFixtures';
import type { TenantExpiring } from '../../../src/connectors/ports';
import { fastTiming } from './subscribedChannel';

const TENANTS = 30;
const PER_TENANT = 20;
const tenantOf = (t: number) => `${String(t).padStart(8, '0')}-7777-4777-8777-777777777777`;

describe('expiry scan, tenant by tenant', () => {
  let h: Harness;
  beforeEach(async () => {
    // 8 digests in flight (the fewest); the limiter's waits are cut short by the timing.
    h = await startHarness({ timing: fastTiming, env: { NOTIFY_RPS: '8' } });
  });
  afterEach(async () => h.stop());

  test('sends the first digests before it has read the last tenants, each channel one digest of all its tenant’s connectors', async () => {
    const owner = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
    const channels = Array.from({ length: TENANTS }, (_, t) => channel(tenantOf(t)));
    for (const conversation of channels) await h.chat(owner, conversation).say('subscribe');
    h.standIn.reset();
    const now = h.bot.clock.now().toISOString();
    for (let t = 0; t < TENANTS; t++)
      await seedConnectors(
        h.bot.store,
        Array.from({ length: PER_TENANT }, (_, i) =>
          connectorRecord({
            tenantId: tenantOf(t),
            displayName: `Box ${t}-${i}`,
            createdAt: now,
            authorizedAt: now,
          }),
        ),
      );
    h.bot.clock.advanceDays(61);

    // How many digests had reached the stand-in as each tenant's connectors were read.
    const sentWhenRead: number[] = [];
    const connectors = h.bot.store.connectors;
    const listing = connectors.expiringByTenant.bind(connectors);
    connectors.expiringByTenant = async function* (before: Date): AsyncIterable<TenantExpiring> {
      for await (const tenant of listing(before)) {
        sentWhenRead.push(h.standIn.callsTo('sendToConversation').length);
        yield tenant;
      }
    };
    const report = await h.bot.scanner.scan();

    expect(sentWhenRead).toHaveLength(TENANTS);
    expect(sentWhenRead[0]).toBe(0);
    expect(sentWhenRead[TENANTS - 1]).toBeGreaterThan(0);
    expect(report).toMatchObject({ sent: TENANTS * PER_TENANT, failed: 0, targets: TENANTS });
    for (const conversation of channels) {
      const posted = h.standIn.posted(conversation.channelId!);
      expect(posted).toHaveLength(1);
      expect(cardText(cardOf(posted[0]))).toContain(`${PER_TENANT} connectors expire soon`);
    }
  });
});
