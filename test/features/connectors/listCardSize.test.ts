import { makeUser } from '../../harness/activities';
import { actionsOf, actionTitles, cardText, type Card } from '../../harness/cards';
import { startHarness, type Harness } from '../../harness/testBot';
import { shownCard, type TeamsClient } from '../../harness/teamsClient';
import { TEAMS_CARD_PAYLOAD_LIMIT_BYTES } from '../../support/cardValidation';
import { connectorRecord, seedConnectors } from '../../support/connectorFixtures';
import { MAX_DISPLAY_NAME } from '../../../src/connectors/lifecycle';
import { CONNECTORS_PAGE_SIZE, LIST_REFRESH_VERB } from '../../../src/bot/features/connectors/connectorList';
import { CARD_DATA_VERSION } from '../../../src/cards/universalActions';

/**
 * A page of the connector list is cut to fewer rows when its card would be more than Teams takes
 * (src/bot/features/connectors/connectorList.ts, listConnectors); "Show more" goes on after the
 * last row shown, so every connector is listed once. Its refresh (listNow) is cut the same way
 * for the reader who opens it.
 */
describe('the connector list card stays within the Teams card limit', () => {
  let h: Harness;
  const owner = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
  const member = makeUser('Lee Gu', 'lee@contoso.onmicrosoft.com');
  const TENANT = '5121ca4d-0000-4000-8000-000000000001';

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  /** Display names of the seeded connectors by id. */
  const namesById = new Map<string, string>();

  /** The names of the connectors the card's Status buttons ask for (by id), one per row. */
  function listedNames(card: Card): string[] {
    return actionsOf(card)
      .filter((a) => a.title === 'Status')
      .map((a) => String(namesById.get((a.data as { connectorId: string }).connectorId)));
  }

  /** The ids the card's refresh sends back, and the rest of its refresh data. */
  function refreshData(card: Card): { connectorIds: string[]; next: string; page: string } {
    return (card.refresh as { action: { data: { connectorIds: string[]; next: string; page: string } } })
      .action.data;
  }

  /** Longest names, each with markdown to escape, so that 20 rows are more than Teams takes. */
  function longestNames(prefix: string, count: number): string[] {
    return Array.from({ length: count }, (_, i) =>
      `${prefix}_${String(i).padStart(2, '0')}_`.padEnd(MAX_DISPLAY_NAME, '*_'),
    );
  }

  /** Connectors of these names in the tenant, each created by the owner. */
  async function seedOwned(tenant: string, names: string[]): Promise<void> {
    const seeded = await seedConnectors(
      h.bot.store,
      names.map((displayName) =>
        connectorRecord({
          tenantId: tenant,
          displayName,
          createdBy: owner.aadObjectId,
          createdByName: owner.name,
        }),
      ),
    );
    for (const c of seeded) namesById.set(c.id, c.displayName);
  }

  /** "Show more" clicked from `card` to the end of the list: each page's names, each card within the limit. */
  async function showMorePages(chat: TeamsClient, card: Card): Promise<string[][]> {
    const pages: string[][] = [];
    while (actionTitles(card).includes('Show more')) {
      card = shownCard(await chat.click(card, 'Show more'));
      expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(TEAMS_CARD_PAYLOAD_LIMIT_BYTES);
      pages.push(listedNames(card));
    }
    return pages;
  }

  test('a refresh too big for its reader shows the first rows that fit, and Show more lists the rest, each once', async () => {
    const tenant = '5121ca4d-0000-4000-8000-000000000002';
    const names = longestNames('Refresh', CONNECTORS_PAGE_SIZE + 4);
    await seedOwned(tenant, names);
    // A card posted by a release that did not measure its page: the first 20 rows in name order
    // and the cursor after them, refreshed for a reader who may not manage them (each row then
    // tells them whom to ask).
    const posted = await h.bot.store.connectors.list(tenant, { limit: CONNECTORS_PAGE_SIZE });
    const reader = h.chat(member, 'personal', tenant);
    const refreshed = shownCard(
      await reader.executeRaw(LIST_REFRESH_VERB, {
        cardVersion: CARD_DATA_VERSION,
        connectorIds: posted.items.map((c) => c.id),
        next: posted.next,
        page: 'first',
      }),
    );
    expect(Buffer.byteLength(JSON.stringify(refreshed))).toBeLessThan(TEAMS_CARD_PAYLOAD_LIMIT_BYTES);
    const shown = listedNames(refreshed);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(CONNECTORS_PAGE_SIZE);
    expect(shown).toEqual(names.slice(0, shown.length));
    const moved = CONNECTORS_PAGE_SIZE - shown.length;
    const note =
      /(\d+) connectors? this card listed (?:is|are) now under Show more: Teams limits the size of a card\./;
    expect(Number(note.exec(cardText(refreshed))?.[1])).toBe(moved);
    expect(cardText(refreshed)).toContain('Ask the owner');
    expect(h.bot.logs.some((l) => l.msg === 'connector list refresh cut to fit a Teams card')).toBe(true);

    // Its own refresh names only the rows it shows, so the next one is the same list.
    expect(refreshData(refreshed).connectorIds).toEqual(posted.items.slice(0, shown.length).map((c) => c.id));
    expect(refreshData(refreshed).page).toBe('first');
    const again = shownCard(
      await reader.executeRaw(LIST_REFRESH_VERB, {
        cardVersion: CARD_DATA_VERSION,
        ...refreshData(refreshed),
      }),
    );
    expect(listedNames(again)).toEqual(shown);
    expect(cardText(again)).not.toContain('now under Show more');

    // "Show more" starts with the rows cut from the refreshed card, then goes on with the rest.
    const pages = [shown, ...(await showMorePages(reader, refreshed))];
    expect(pages[1][0]).toBe(names[shown.length]);
    expect(pages.flat()).toEqual(names);
  });

  test('a channel card measured as everyone sees it is cut again for a manager who opens it', async () => {
    const tenant = '5121ca4d-0000-4000-8000-000000000003';
    const names = longestNames('Channel', CONNECTORS_PAGE_SIZE + 4);
    await seedOwned(tenant, names);
    // Posted in a channel, the card is the read-only view; its owner's refresh adds each row's
    // Reauthorize and Delete buttons.
    const room = h.chat(owner, 'channel', tenant);
    const posted = shownCard(await room.say('connectors'));
    const postedRows = listedNames(posted);
    const opened = await room.open(posted);
    expect(opened).toBeDefined();
    const refreshed = shownCard(opened!);
    expect(Buffer.byteLength(JSON.stringify(refreshed))).toBeLessThan(TEAMS_CARD_PAYLOAD_LIMIT_BYTES);
    const shown = listedNames(refreshed);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(postedRows.length);
    expect(shown).toEqual(postedRows.slice(0, shown.length));
    expect(actionTitles(refreshed)).toContain('Reauthorize');
    expect(refreshData(refreshed).connectorIds).toHaveLength(shown.length);

    const pages = [shown, ...(await showMorePages(room, refreshed))];
    expect(pages[1][0]).toBe(postedRows[shown.length]);
    expect(pages.flat()).toEqual(names);
  });

  test('a page of longest names (each with markdown to escape) is cut to fit, and Show more lists the rest', async () => {
    // Each name is as long as a name may be and doubles when escaped for markdown.
    const names = Array.from({ length: CONNECTORS_PAGE_SIZE + 4 }, (_, i) =>
      `Archive_${String(i).padStart(2, '0')}_`.padEnd(MAX_DISPLAY_NAME, '*_'),
    );
    await seedOwned(TENANT, names);
    const chat = h.chat(owner, 'personal', TENANT);
    const first = shownCard(await chat.say('connectors'));
    expect(Buffer.byteLength(JSON.stringify(first))).toBeLessThan(TEAMS_CARD_PAYLOAD_LIMIT_BYTES);
    const pages = [listedNames(first), ...(await showMorePages(chat, first))];
    expect(pages[0].length).toBeGreaterThan(0);
    expect(pages[0].length).toBeLessThan(CONNECTORS_PAGE_SIZE);
    expect(pages.flat()).toHaveLength(names.length);
    expect([...pages.flat()].sort()).toEqual([...names].sort());
    expect(h.bot.logs.some((l) => l.msg === 'connector list page cut to fit a Teams card')).toBe(true);
  });
});
