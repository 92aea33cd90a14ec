import { makeUser } from '../../harness/activities';
import { actionsOf, actionTitles, type Card } from '../../harness/cards';
import { startHarness, type Harness } from '../../harness/testBot';
import { shownCard } from '../../harness/teamsClient';
import { TEAMS_CARD_PAYLOAD_LIMIT_BYTES } from '../../support/cardValidation';
import { connectorRecord, seedConnectors } from '../../support/connectorFixtures';
import { MAX_DISPLAY_NAME } from '../../../src/connectors/lifecycle';
import { CONNECTORS_PAGE_SIZE } from '../../../src/bot/features/connectors/connectorList';

/**
 * A page of the connector list is cut to fewer rows when its card would be more than Teams takes
 * (src/bot/features/connectors/connectorList.ts, listConnectors); "Show more" goes on after the
 * last row shown, so every connector is listed once.
 */
describe('the connector list card stays within the Teams card limit', () => {
  let h: Harness;
  const owner = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
  const TENANT = '5121ca4d-0000-4000-8000-000000000001';

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  /** The names the card's Status buttons ask for, one per row. */
  function listedNames(card: Card): string[] {
    return actionsOf(card)
      .filter((a) => a.title === 'Status')
      .map((a) => String((a.data as { args: string }).args));
  }

  test('a page of longest names (each with markdown to escape) is cut to fit, and Show more lists the rest', async () => {
    // Each name is as long as a name may be and doubles when escaped for markdown.
    const names = Array.from({ length: CONNECTORS_PAGE_SIZE + 4 }, (_, i) =>
      `Archive_${String(i).padStart(2, '0')}_`.padEnd(MAX_DISPLAY_NAME, '*_'),
    );
    await seedConnectors(
      h.bot.store,
      names.map((displayName) =>
        connectorRecord({
          tenantId: TENANT,
          displayName,
          createdBy: owner.aadObjectId,
          createdByName: owner.name,
        }),
      ),
    );
    const chat = h.chat(owner, 'personal', TENANT);
    const pages: string[][] = [];
    let card = shownCard(await chat.say('connectors'));
    for (;;) {
      expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(TEAMS_CARD_PAYLOAD_LIMIT_BYTES);
      pages.push(listedNames(card));
      if (!actionTitles(card).includes('Show more')) break;
      card = shownCard(await chat.click(card, 'Show more'));
    }
    expect(pages[0].length).toBeGreaterThan(0);
    expect(pages[0].length).toBeLessThan(CONNECTORS_PAGE_SIZE);
    expect(pages.flat()).toHaveLength(names.length);
    expect([...pages.flat()].sort()).toEqual([...names].sort());
    expect(h.bot.logs.some((l) => l.msg === 'connector list page cut to fit a Teams card')).toBe(true);
  });
});
