import { makeUser, personalChat } from '../../harness/activities';
import { actionTitles, cardText, type Card } from '../../harness/cards';
import { startHarness, type Harness } from '../../harness/testBot';
import { answerCard, TeamsClient } from '../../harness/teamsClient';
import { expectValidCard } from '../../support/cardValidation';
import { aConnector } from '../../support/builders';
import { seedConnectors } from '../../support/connectorFixtures';
import { CARD_DATA_VERSION } from '../../../src/cards/universalActions';
import type { Connector } from '../../../src/connectors/connector';
import { DIGEST_REFRESH_VERB } from '../../../src/notify/expiryScanner';

const TENANT = '4b1d0000-d16e-4000-8000-000000000001';

/**
 * The refreshed expiry digest is kept and answered again while what it shows is unchanged
 * (src/bot/features/liveCards/digestRefresh.ts, digestCardKey): anything it shows that changes
 * must give a new card.
 */
describe('the kept expiry digest card', () => {
  let h: Harness;
  const owner = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
  const other = makeUser('Lee Gu', 'lee@contoso.onmicrosoft.com');
  let ownerChat: TeamsClient;
  let otherChat: TeamsClient;

  beforeAll(async () => {
    h = await startHarness();
    ownerChat = new TeamsClient(h.bot.url, h.standIn, owner, personalChat(TENANT, owner));
    otherChat = new TeamsClient(h.bot.url, h.standIn, other, personalChat(TENANT, other));
  });
  afterAll(async () => h.stop());

  async function seedDue(name: string): Promise<Connector> {
    const [c] = await seedConnectors(h.bot.store, [
      aConnector(TENANT).named(name).ofType('box').createdBy(owner).expiringIn(20).build(),
    ]);
    return c;
  }

  /** The digest's automatic refresh for these notices, as the reader's client sends it. */
  async function refresh(chat: TeamsClient, connectors: Connector[]): Promise<Card> {
    const rows = connectors.map((c) => ({ id: c.id, periodStart: c.authorizedAt!, threshold: 30 }));
    const card = answerCard(
      await chat.executeRaw(DIGEST_REFRESH_VERB, { cardVersion: CARD_DATA_VERSION, rows, hidden: 0 }),
    );
    expect(card).toBeDefined();
    expectValidCard(card!);
    return card!;
  }

  test('the minute it is current as of and the days left follow the clock', async () => {
    const c = await seedDue('Clocked Box');
    const start = h.bot.clock.now();
    try {
      const first = await refresh(ownerChat, [c]);
      expect(cardText(first)).toContain('20 days left');
      expect(cardText(first)).toContain('Current as of 2026-03-02 09:00 UTC.');
      expect(await refresh(ownerChat, [c])).toEqual(first);

      h.bot.clock.set(new Date(start.getTime() + 60_000));
      expect(cardText(await refresh(ownerChat, [c]))).toContain('Current as of 2026-03-02 09:01 UTC.');
      h.bot.clock.set(start);
      h.bot.clock.advanceDays(1);
      expect(cardText(await refresh(ownerChat, [c]))).toContain('19 days left');
    } finally {
      h.bot.clock.set(start);
    }
  });

  test('each reader gets the view of their own rights, the same digest opened in turn', async () => {
    const c = await seedDue('Shared Box');
    for (let round = 0; round < 2; round++) {
      const mine = await refresh(ownerChat, [c]);
      expect(actionTitles(mine)).toContain('Record a transfer');
      expect(cardText(mine)).not.toContain('Ask the owner');
      const theirs = await refresh(otherChat, [c]);
      expect(actionTitles(theirs)).not.toContain('Record a transfer');
      expect(cardText(theirs)).toContain('to reauthorize it or record a transfer.');
    }
  });

  test('a transfer recorded since, or a deletion, is shown the next time', async () => {
    const c = await seedDue('Moving Box');
    expect(cardText(await refresh(ownerChat, [c]))).toContain('20 days left');

    await ownerChat.say('transfer moving box');
    const restarted = cardText(await refresh(ownerChat, [c]));
    expect(restarted).toContain('A transfer was recorded on 2026-03-02 09:00 UTC, so the clock restarted.');
    expect(restarted).toContain('90 days left');

    await h.bot.store.connectors.delete(TENANT, c.id);
    await h.bot.store.audit.append({
      tenantId: TENANT,
      connectorId: c.id,
      action: 'connector.deleted',
      actor: owner.aadObjectId,
      actorName: owner.name,
      at: h.bot.clock.now().toISOString(),
    });
    const deleted = cardText(await refresh(ownerChat, [c]));
    expect(deleted).toContain('Deleted by Megan Bowen on 2026-03-02 09:00 UTC.');
    expect(deleted).not.toContain('Moving Box');
  });
});
