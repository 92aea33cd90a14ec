import { channel, envelope, makeUser, personalChat } from '../harness/activities';
import { actionTitles, cardText } from '../harness/cards';
import { startHarness } from '../harness/testBot';
import {
  answerError,
  answerMessage,
  postActivity,
  shownCard,
  TeamsClient,
  type TurnResult,
} from '../harness/teamsClient';
import { connectorRecord, seedConnectors } from '../support/connectorFixtures';
import { CARD_DATA_VERSION } from '../../src/cards/universalActions';
import { withReplaced } from '../support/replaceMethod';
import { DIGEST_REFRESH_VERB, NOTICE_REFRESH_VERB } from '../../src/notify/expiryScanner';

const TENANT = '7a1e0c55-2d3b-4c8e-9f60-1b2c3d4e5f60';
const OTHER_TENANT = '0b9f8e7d-6c5b-4a39-8271-605f4e3d2c1b';

/** Nothing the bot keeps for the tenant changed: connectors (with versions) and the audit log. */
async function snapshot(h: Awaited<ReturnType<typeof startHarness>>, tenantId: string) {
  const connectors = await h.bot.store.connectors.list(tenantId, { limit: 100 });
  const audit = await h.bot.store.audit.list(tenantId, { limit: 500 });
  return JSON.stringify({ connectors: connectors.items, audit: audit.length });
}

function expectRefused(turn: TurnResult, status: number, sentence: RegExp) {
  const error = answerError(turn);
  expect(error).toBeDefined();
  expect(error!.statusCode).toBe(status);
  expect(error!.message).toMatch(sentence);
  // A refusal is the invoke's answer to the clicker alone: nothing is posted or updated.
  expect(turn.replies).toHaveLength(0);
  expect(turn.updates).toHaveLength(0);
  expect(turn.status).toBe(200);
}

describe('Universal Actions: bad input gets an invoke error and changes nothing', () => {
  let h: Awaited<ReturnType<typeof startHarness>>;
  const owner = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
  let chat: TeamsClient;

  beforeAll(async () => {
    h = await startHarness();
    chat = new TeamsClient(h.bot.url, h.standIn, owner, personalChat(TENANT, owner));
    await chat.say('help');
  });
  afterAll(async () => h.stop());

  async function seed(tenantId: string, displayName: string, overrides = {}) {
    const now = h.bot.clock.now().toISOString();
    const [c] = await seedConnectors(h.bot.store, [
      connectorRecord({
        tenantId,
        displayName,
        createdBy: owner.aadObjectId,
        createdByName: owner.name,
        createdAt: now,
        authorizedAt: now,
        ...overrides,
      }),
    ]);
    return c;
  }

  test('an unknown verb', async () => {
    const before = await snapshot(h, TENANT);
    const turn = await chat.executeRaw('launchRockets', { cardVersion: CARD_DATA_VERSION });
    expectRefused(turn, 400, /not one I know.*nothing was changed/);
    expect(await snapshot(h, TENANT)).toBe(before);
    expect(h.bot.logs.some((l) => l.msg === 'card action with no handler')).toBe(true);
  });

  test('an adaptiveCard/action invoke that is not an Action.Execute is refused at the door, never a 500', async () => {
    const activity = envelope(h.standIn.url, chat.conversation, owner, 'invoke');
    activity.name = 'adaptiveCard/action';
    activity.value = { action: { verb: 'x' } };
    const logged = h.bot.logs.length;
    const answer = await postActivity(h.bot.url, activity);
    // src/http/activityGuard.ts answers before the bot runs: teams-ai's actionExecute never sees it.
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'BadActivity' } });
    const logs = h.bot.logs.slice(logged);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'activity refused' }));
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  test('a notice button with a malformed connector id is refused before any read', async () => {
    const connectors = h.bot.store.connectors;
    const get = connectors.get;
    let reads = 0;
    connectors.get = (...args) => {
      reads++;
      return get.apply(connectors, args);
    };
    try {
      for (const connectorId of ['x'.repeat(2000), 'a/b', 42]) {
        expectRefused(
          await chat.executeRaw('noticeTransfer', {
            cardVersion: CARD_DATA_VERSION,
            connectorId,
            periodStart: '2026-03-01T09:00:00.000Z',
          }),
          400,
          /does not name a connector I know, so nothing was changed/,
        );
        expectRefused(
          await chat.executeRaw('noticeSnooze', { cardVersion: CARD_DATA_VERSION, connectorId }),
          400,
          /does not name a connector I know/,
        );
        if (typeof connectorId === 'string' && connectorId.length <= 200) {
          expectRefused(
            await chat.executeRaw(NOTICE_REFRESH_VERB, { cardVersion: CARD_DATA_VERSION, connectorId }),
            400,
            /does not name a connector I know/,
          );
        }
      }
      expect(reads).toBe(0);
    } finally {
      connectors.get = get;
    }
  });

  test('missing data', async () => {
    const before = await snapshot(h, TENANT);
    expectRefused(
      await chat.executeRaw(NOTICE_REFRESH_VERB, { cardVersion: CARD_DATA_VERSION }),
      400,
      /did not say which connector/,
    );
    expectRefused(
      await chat.executeRaw(DIGEST_REFRESH_VERB, { cardVersion: CARD_DATA_VERSION, rows: 'all' }),
      400,
      /does not say which notices/,
    );
    // A row id outside the connector-id format is refused before any store read.
    let reads = 0;
    await withReplaced(
      h.bot.store.connectors,
      'getMany',
      (getMany) =>
        (...args) => {
          reads++;
          return getMany.apply(h.bot.store.connectors, args);
        },
      async () =>
        expectRefused(
          await chat.executeRaw(DIGEST_REFRESH_VERB, {
            cardVersion: CARD_DATA_VERSION,
            rows: [{ id: "x' or 1=1 --", periodStart: '2026-01-01T00:00:00.000Z', threshold: 30 }],
            hidden: 0,
          }),
          400,
          /does not say which notices/,
        ),
    );
    expect(reads).toBe(0);
    expect(await snapshot(h, TENANT)).toBe(before);
  });

  test('another tenant’s connector id', async () => {
    const foreign = await seed(OTHER_TENANT, 'Their Box');
    const before = await snapshot(h, OTHER_TENANT);
    expectRefused(
      await chat.submitRaw({
        verb: 'noticeTransfer',
        connectorId: foreign.id,
        periodStart: foreign.authorizedAt,
      }),
      404,
      /does not exist in this tenant/,
    );
    expectRefused(
      await chat.executeRaw(NOTICE_REFRESH_VERB, { cardVersion: CARD_DATA_VERSION, connectorId: foreign.id }),
      404,
      /not in your tenant/,
    );
    expectRefused(
      await chat.executeRaw(DIGEST_REFRESH_VERB, {
        cardVersion: CARD_DATA_VERSION,
        rows: [{ id: foreign.id, periodStart: foreign.authorizedAt, threshold: 30 }],
        hidden: 0,
      }),
      404,
      /not in your tenant/,
    );
    expect(await snapshot(h, OTHER_TENANT)).toBe(before);
  });

  test('a card version the bot no longer knows, or none', async () => {
    const mine = await seed(TENANT, 'Versioned Box');
    const before = await snapshot(h, TENANT);
    for (const cardVersion of [CARD_DATA_VERSION - 1, undefined, 'x']) {
      expectRefused(
        await chat.executeRaw('noticeTransfer', {
          cardVersion,
          connectorId: mine.id,
          periodStart: mine.authorizedAt,
        }),
        400,
        /earlier version of Connector Concierge, so nothing was changed/,
      );
    }
    expect(await snapshot(h, TENANT)).toBe(before);
  });

  test('a click on a card from before Universal Actions (Action.Submit) is told the card is out of date', async () => {
    const mine = await seed(TENANT, 'Old Card Box');
    const before = await snapshot(h, TENANT);
    const turn = await chat.legacySubmit({ verb: 'noticeTransfer', connectorId: mine.id });
    expect(turn.replies[0].text).toContain('This card is out of date');
    expect(await snapshot(h, TENANT)).toBe(before);
  });
});

describe('refresh: the current state, from one read, with nothing written', () => {
  let h: Awaited<ReturnType<typeof startHarness>>;
  const owner = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
  const member = makeUser('Lee Gu', 'lee@contoso.onmicrosoft.com');
  let chat: TeamsClient;

  beforeAll(async () => {
    h = await startHarness();
    chat = new TeamsClient(h.bot.url, h.standIn, owner, personalChat(TENANT, owner));
    await chat.say('help');
  });
  afterAll(async () => h.stop());

  test('a deleted connector’s notice says it was deleted, by whom and when', async () => {
    const now = h.bot.clock.now().toISOString();
    const [c] = await seedConnectors(h.bot.store, [
      connectorRecord({
        tenantId: TENANT,
        displayName: 'Gone Box',
        type: 'box',
        status: 'deauthorized',
        createdBy: owner.aadObjectId,
        createdByName: owner.name,
        createdAt: now,
        authorizedAt: now,
      }),
    ]);
    const ask = await chat.say('delete Gone Box');
    await chat.click(shownCard(ask), 'Delete permanently', {}, String(ask.replies[0].id));
    expect(await h.bot.store.connectors.get(TENANT, c.id)).toBeUndefined();
    const before = await snapshot(h, TENANT);
    const refreshed = await chat.executeRaw(NOTICE_REFRESH_VERB, {
      cardVersion: CARD_DATA_VERSION,
      connectorId: c.id,
    });
    const card = shownCard(refreshed);
    expect(cardText(card)).toContain('This deauthorized connector was deleted');
    expect(cardText(card)).toMatch(/Deleted by Megan Bowen on \d{4}-\d{2}-\d{2}/);
    expect(actionTitles(card)).toEqual([]);
    expect(await snapshot(h, TENANT)).toBe(before);
  });

  test('a channel notice: the creator’s client refreshes it into Reauthorize; others keep the read-only card and refresh by hand', async () => {
    const room = channel(TENANT);
    const ownerInRoom = new TeamsClient(h.bot.url, h.standIn, owner, room);
    const memberInRoom = ownerInRoom.as(member);
    await ownerInRoom.say('subscribe');
    const start = h.bot.clock.now().toISOString();
    await seedConnectors(h.bot.store, [
      connectorRecord({
        tenantId: TENANT,
        displayName: 'Sleepy Blob',
        createdBy: owner.aadObjectId,
        createdByName: owner.name,
        createdAt: start,
        authorizedAt: start,
      }),
    ]);
    h.bot.clock.advanceDays(91);
    await h.bot.scanner.scan();
    const posted = h.standIn
      .posted(room.channelId!)
      .map((a) => shownCard({ status: 200, body: undefined, replies: [a], updates: [] }))
      .find((card) => cardText(card).includes('Sleepy Blob was deauthorized'))!;
    expect(actionTitles(posted)).toEqual(['Refresh']);
    expect(cardText(posted)).toContain('Ask the owner: Megan Bowen, who created it, to reauthorize it.');
    const refresh = posted.refresh as { userIds: string[] };
    expect(refresh.userIds).toEqual([owner.id]);

    expect(await memberInRoom.open(posted)).toBeUndefined();
    const before = await snapshot(h, TENANT);
    const opened = (await ownerInRoom.open(posted))!;
    // The managing view goes to the creator alone: no message update shows it to the channel.
    expect(opened.updates.map((u) => u.via)).toEqual(['invoke']);
    const ownerView = shownCard(opened);
    expect(actionTitles(ownerView)).toEqual(['Reauthorize']);
    const memberView = shownCard(await memberInRoom.click(posted, 'Refresh'));
    expect(actionTitles(memberView)).toEqual(['Refresh']);
    expect(await snapshot(h, TENANT)).toBe(before);

    // A forged Reauthorize from the member changes nothing and is answered to them alone.
    const forged = await memberInRoom.click(ownerView, 'Reauthorize');
    expect(answerError(forged)?.message).toContain('Only Megan Bowen, who created it');
    expect(forged.replies).toHaveLength(0);
    expect(answerMessage(forged)).toBeUndefined();
  });
});
