import { makeUser } from '../../harness/activities';
import { actionTitles, cardText, type Card } from '../../harness/cards';
import { startHarness, type Harness } from '../../harness/testBot';
import { shownCard, type TeamsClient } from '../../harness/teamsClient';
import { expectValidCard } from '../../support/cardValidation';
import { aConnector } from '../../support/builders';
import { connectorRecord, seedConnectors } from '../../support/connectorFixtures';

const BERLIN = { timezone: 'Europe/Berlin', locale: 'de-DE', country: 'DE', platform: 'Web' };

/**
 * The connector list card is kept and sent again while what it shows is unchanged
 * (src/bot/features/connectors/connectorList.ts, listCardKey): anything it shows that changes
 * must give a new card.
 */
describe('the kept connector list card', () => {
  let h: Harness;
  const owner = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
  const other = makeUser('Lee Gu', 'lee@contoso.onmicrosoft.com');
  let tenant = 0;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  /** A tenant of its own for each test, so that each lists only its own connectors. */
  function freshTenant(): string {
    tenant += 1;
    return `4b1d0000-0000-4000-8000-${String(tenant).padStart(12, '0')}`;
  }

  async function list(chat: TeamsClient): Promise<Card> {
    const card = shownCard(await chat.say('connectors'));
    expectValidCard(card);
    return card;
  }

  test('a change to a listed connector is shown the next time, a transfer recorded in chat or a change in the store', async () => {
    const tenantId = freshTenant();
    const chat = h.chat(owner, 'personal', tenantId);
    const [c] = await seedConnectors(h.bot.store, [
      aConnector(tenantId).named('Payroll Box').ofType('box').createdBy(owner).authorizedDaysAgo(60).build(),
    ]);
    const before = await list(chat);
    expect(cardText(before)).toContain('30 days left');
    expect(cardText(before)).toContain('Last recorded transfer: none recorded here');
    expect(await list(chat)).toEqual(before);

    await chat.say('transfer payroll box');
    const afterTransfer = cardText(await list(chat));
    expect(afterTransfer).toContain('90 days left');
    expect(afterTransfer).toContain('Last recorded transfer: 2026-03-02 09:00 UTC');

    const stored = (await h.bot.store.connectors.get(tenantId, c.id))!;
    await h.bot.store.connectors.update({ ...stored, status: 'awaiting-consent', provenance: undefined });
    expect(cardText(await list(chat))).toContain('awaiting-consent: admin consent not verified yet');
  });

  test('a connector deleted and imported again under its id, at the same version, shows as it now is', async () => {
    const tenantId = freshTenant();
    const chat = h.chat(owner, 'personal', tenantId);
    const id = '4b1d0000-aaaa-4000-8000-000000000001';
    await seedConnectors(h.bot.store, [connectorRecord({ tenantId, id, displayName: 'First Life' })]);
    expect(cardText(await list(chat))).toContain('First Life');

    await h.bot.store.connectors.delete(tenantId, id);
    await seedConnectors(h.bot.store, [connectorRecord({ tenantId, id, displayName: 'Second Life' })]);
    const text = cardText(await list(chat));
    expect(text).toContain('Second Life');
    expect(text).not.toContain('First Life');
  });

  test('the days left follow the clock', async () => {
    const tenantId = freshTenant();
    const chat = h.chat(owner, 'personal', tenantId);
    await seedConnectors(h.bot.store, [
      aConnector(tenantId).named('Ticking Box').createdBy(owner).authorizedDaysAgo(60).build(),
    ]);
    const today = await list(chat);
    expect(cardText(today)).toContain('30 days left');
    h.bot.clock.advanceDays(1);
    try {
      expect(cardText(await list(chat))).toContain('29 days left');
    } finally {
      h.bot.clock.advanceDays(-1);
    }
    expect(await list(chat)).toEqual(today);
  });

  test('each reader gets the view of their own rights, the same page read in turn', async () => {
    const tenantId = freshTenant();
    const ownerChat = h.chat(owner, 'personal', tenantId);
    const otherChat = h.chat(other, 'personal', tenantId);
    await seedConnectors(h.bot.store, [
      aConnector(tenantId).named('Owned Box').createdBy(owner).authorizedDaysAgo(10).build(),
    ]);
    for (let round = 0; round < 2; round++) {
      const mine = await list(ownerChat);
      expect(actionTitles(mine)).toEqual(expect.arrayContaining(['Reauthorize', 'Delete']));
      expect(cardText(mine)).not.toContain('Ask the owner');
      const theirs = await list(otherChat);
      expect(actionTitles(theirs)).not.toContain('Delete');
      expect(cardText(theirs)).toContain('Ask the owner to reauthorize or delete it.');
    }
  });

  test("the same page listed again leaves with its card's JSON as made the first time, not serialized again", async () => {
    const tenantId = freshTenant();
    const chat = h.chat(owner, 'personal', tenantId);
    await seedConnectors(
      h.bot.store,
      Array.from({ length: 20 }, (_, i) =>
        aConnector(tenantId).named(`Kept Box ${i} "ü" 📁`).createdBy(owner).authorizedDaysAgo(10).build(),
      ),
    );
    const first = await list(chat);
    const cardChars = JSON.stringify(first).length;
    const stringify = jest.spyOn(JSON, 'stringify');
    let turn: Awaited<ReturnType<TeamsClient['say']>>;
    try {
      turn = await chat.say('connectors');
      // What the turn serialized (the incoming activity, the page's key, the request around the
      // card, the stand-in's answer): none of it as long as the card.
      const lengths = stringify.mock.results.map((r) => (typeof r.value === 'string' ? r.value.length : 0));
      expect(Math.max(...lengths)).toBeLessThan(cardChars / 2);
    } finally {
      stringify.mockRestore();
    }
    const again = shownCard(turn);
    expectValidCard(again);
    expect(again).toEqual(first);
    expect(cardText(again)).toContain('Kept Box 19 "ü" 📁');
  });

  test('a reader in another time zone gets the dates in theirs', async () => {
    const tenantId = freshTenant();
    const chat = h.chat(owner, 'personal', tenantId);
    await seedConnectors(h.bot.store, [
      connectorRecord({
        tenantId,
        displayName: 'Zoned Box',
        createdBy: owner.aadObjectId,
        createdByName: owner.name,
        lastTransferAt: '2026-03-01T22:15:00.000Z',
      }),
    ]);
    expect(cardText(await list(chat))).toContain('2026-03-01 22:15 UTC');
    const berlin = cardText(await list(chat.withClientInfo(BERLIN)));
    expect(berlin).toContain('01.03.2026, 23:15 (Europe/Berlin)');
    expect(berlin).not.toContain('UTC');
  });
});
