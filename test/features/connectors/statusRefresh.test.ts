import { channel, makeUser, personalChat } from '../../harness/activities';
import { actionTitles, cardText, type Card } from '../../harness/cards';
import { startHarness } from '../../harness/testBot';
import { answerError, shownCard, TeamsClient } from '../../harness/teamsClient';
import { connectorRecord, seedConnectors } from '../../support/connectorFixtures';
import { expectValidCard } from '../../support/cardValidation';
import { LIST_REFRESH_VERB } from '../../../src/bot/features/connectors/connectorList';
import { STATUS_REFRESH_VERB } from '../../../src/bot/features/connectors/connectorStatus';
import { CARD_DATA_VERSION } from '../../../src/cards/universalActions';

const TENANT = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
const OTHER_TENANT = '9f8e7d6c-5b4a-4398-8765-43210fedcba9';

/** Nothing the bot keeps for the tenant changed: connectors (with versions) and the audit log. */
async function snapshot(h: Awaited<ReturnType<typeof startHarness>>, tenantId: string) {
  const connectors = await h.bot.store.connectors.list(tenantId, { limit: 100 });
  const audit = await h.bot.store.audit.list(tenantId, { limit: 500 });
  return JSON.stringify({ connectors: connectors.items, audit: audit.length });
}

function refreshOf(card: Card): { verb: string; userIds: string[] } {
  const refresh = card.refresh as { action: { verb: string }; userIds: string[] };
  return { verb: refresh.action.verb, userIds: refresh.userIds };
}

describe('the connector status card stays current', () => {
  let h: Awaited<ReturnType<typeof startHarness>>;
  const owner = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
  const member = makeUser('Lee Gu', 'lee@contoso.onmicrosoft.com');
  let chat: TeamsClient;

  beforeEach(async () => {
    h = await startHarness();
    chat = new TeamsClient(h.bot.url, h.standIn, owner, personalChat(TENANT, owner));
    await chat.say('help');
  });
  afterEach(async () => h.stop());

  async function seed(displayName: string) {
    const now = h.bot.clock.now().toISOString();
    const [c] = await seedConnectors(h.bot.store, [
      connectorRecord({
        tenantId: TENANT,
        displayName,
        type: 'box',
        createdBy: owner.aadObjectId,
        createdByName: owner.name,
        createdAt: now,
        authorizedAt: now,
      }),
    ]);
    return c;
  }

  test('in a personal chat the card refreshes for its reader into the state now, writing nothing', async () => {
    const c = await seed('Team Box');
    const posted = shownCard(await chat.say('status Team Box'));
    expect(refreshOf(posted)).toEqual({
      verb: STATUS_REFRESH_VERB,
      userIds: [owner.id],
    });
    expect(cardText(posted)).not.toContain('Mover automatically deauthorizes connectors');
    // Later the scanner deauthorizes it; the old card, opened again, says so.
    h.bot.clock.advanceDays(91);
    await h.bot.scanner.scan();
    expect((await h.bot.store.connectors.get(TENANT, c.id))?.status).toBe('deauthorized');
    const before = await snapshot(h, TENANT);
    const now = shownCard((await chat.open(posted))!);
    expectValidCard(now);
    expect(cardText(now)).toContain('Mover automatically deauthorizes connectors');
    expect(cardText(now)).toContain('Team Box');
    expect(refreshOf(now).verb).toBe(STATUS_REFRESH_VERB);
    expect(await snapshot(h, TENANT)).toBe(before);
  });

  test('in a channel only the people who may manage the connector get the refreshed card', async () => {
    await seed('Shared Box');
    const room = channel(TENANT);
    const ownerInRoom = new TeamsClient(h.bot.url, h.standIn, owner, room);
    const posted = shownCard(await ownerInRoom.say('status Shared Box'));
    expect(refreshOf(posted).userIds).toEqual([owner.id]);
    expect(await ownerInRoom.as(member).open(posted)).toBeUndefined();
    expect(actionTitles(shownCard((await ownerInRoom.open(posted))!))).toContain('Delete');
  });

  test('a deleted connector’s status card says it was deleted, by whom and when', async () => {
    const c = await seed('Gone Box');
    const posted = shownCard(await chat.say('status Gone Box'));
    const ask = await chat.say('delete Gone Box');
    await chat.click(shownCard(ask), 'Delete permanently', {}, String(ask.replies[0].id));
    expect(await h.bot.store.connectors.get(TENANT, c.id)).toBeUndefined();
    const before = await snapshot(h, TENANT);
    const now = shownCard((await chat.open(posted))!);
    expect(cardText(now)).toMatch(/deleted by Megan Bowen on \d{4}-\d{2}-\d{2}/);
    expect(actionTitles(now)).toEqual([]);
    expect(await snapshot(h, TENANT)).toBe(before);
  });

  test('a refresh naming another tenant’s connector or no connector is refused', async () => {
    const [theirs] = await seedConnectors(h.bot.store, [
      connectorRecord({ tenantId: OTHER_TENANT, displayName: 'Theirs' }),
    ]);
    const foreign = await chat.executeRaw(STATUS_REFRESH_VERB, {
      cardVersion: CARD_DATA_VERSION,
      connectorId: theirs.id,
    });
    expect(answerError(foreign)?.statusCode).toBe(404);
    const missing = await chat.executeRaw(STATUS_REFRESH_VERB, { cardVersion: CARD_DATA_VERSION });
    expect(answerError(missing)?.statusCode).toBe(400);
  });

  test('the connector list refreshes into each listed connector’s state now and names deletions', async () => {
    const kept = await seed('Kept Box');
    const gone = await seed('Gone Box');
    const posted = shownCard(await chat.say('connectors'));
    expect(refreshOf(posted).verb).toBe(LIST_REFRESH_VERB);
    expect(refreshOf(posted).userIds).toEqual([owner.id]);
    const ask = await chat.say('delete Gone Box');
    await chat.click(shownCard(ask), 'Delete permanently', {}, String(ask.replies[0].id));
    h.bot.clock.advanceDays(91);
    await h.bot.scanner.scan();
    expect((await h.bot.store.connectors.get(TENANT, kept.id))?.status).toBe('deauthorized');
    expect(await h.bot.store.connectors.get(TENANT, gone.id)).toBeUndefined();
    const before = await snapshot(h, TENANT);
    const now = shownCard((await chat.open(posted))!);
    expectValidCard(now);
    expect(cardText(now)).toContain('Kept Box');
    expect(cardText(posted)).not.toContain('reauthorize to use');
    expect(cardText(now)).toContain('reauthorize to use');
    expect(cardText(now)).not.toContain('Gone Box');
    expect(cardText(now)).toMatch(/A connector on this card was deleted by Megan Bowen on \d{4}-\d{2}-\d{2}/);
    expect(await snapshot(h, TENANT)).toBe(before);
    // The refreshed card's own refresh still names the deletion: the row is not dropped unexplained.
    const later = shownCard((await chat.open(now))!);
    expect(cardText(later)).toContain('Kept Box');
    expect(cardText(later)).not.toContain('Gone Box');
    expect(cardText(later)).toMatch(
      /A connector on this card was deleted by Megan Bowen on \d{4}-\d{2}-\d{2}/,
    );
    // In a channel only the people who may manage the listed connectors get the refreshed list.
    const ownerInRoom = new TeamsClient(h.bot.url, h.standIn, owner, channel(TENANT));
    const inRoom = shownCard(await ownerInRoom.say('connectors'));
    expect(await ownerInRoom.as(member).open(inRoom)).toBeUndefined();
    expect(cardText(shownCard((await ownerInRoom.open(inRoom))!))).toContain('Kept Box');
    const bad = await chat.executeRaw(LIST_REFRESH_VERB, {
      cardVersion: CARD_DATA_VERSION,
      connectorIds: 'x',
    });
    expect(answerError(bad)?.statusCode).toBe(400);
  });

  test('a connector whose 90 days ran out reads as deauthorized on every refresh before anything records it, writing nothing', async () => {
    const c = await seed('Quiet Box');
    const status = shownCard(await chat.say('status Quiet Box'));
    const list = shownCard(await chat.say('connectors'));
    expect(actionTitles(status)).toContain('Record a transfer');
    // The period ran out, but no scan, command or click has loaded the connector since.
    h.bot.clock.advanceDays(91);
    const before = await snapshot(h, TENANT);
    expect((await h.bot.store.connectors.get(TENANT, c.id))?.status).toBe('authorized');

    const statusNow = shownCard((await chat.open(status))!);
    expectValidCard(statusNow);
    expect(cardText(statusNow)).toContain('Mover automatically deauthorizes connectors');
    expect(cardText(statusNow)).not.toMatch(/\b0 days left/);
    expect(actionTitles(statusNow)).not.toContain('Record a transfer');
    const listNow = shownCard((await chat.open(list))!);
    expectValidCard(listNow);
    expect(cardText(listNow)).toContain('reauthorize to use');
    expect(cardText(listNow)).not.toMatch(/\b0 days left/);
    expect(await snapshot(h, TENANT)).toBe(before);
  });
});
