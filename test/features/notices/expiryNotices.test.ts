import { channel, makeUser, teamGeneral, type TeamsUser } from '../../harness/activities';
import { actionTitles, cardOf, cardText, type Card } from '../../harness/cards';
import {
  startHarness,
  startTestBot,
  makeTempDir,
  removeTempDir,
  TestClock,
  type Harness,
} from '../../harness/testBot';
import { answerError, shownCard, TeamsClient } from '../../harness/teamsClient';
import { ConnectorStandIn } from '../../harness/connectorStandIn';
import { expectValidCard } from '../../support/cardValidation';
import { connectorRecord, seedConnectors } from '../../support/connectorFixtures';
import { aConnector } from '../../support/builders';
import { fastTiming } from './subscribedChannel';

const TENANT = '88888888-8888-4888-8888-888888888888';

/** Cards the bot posted into a conversation, oldest first. */
function postedCards(standIn: ConnectorStandIn, conversationId: string): Card[] {
  return standIn.posted(conversationId).flatMap((a) => {
    try {
      return [cardOf(a)];
    } catch {
      return [];
    }
  });
}

describe('expiry notices', () => {
  let h: Harness;
  let owner: TeamsUser;
  let ownerChat: TeamsClient;
  let channelClient: TeamsClient;

  beforeEach(async () => {
    h = await startHarness({ timing: fastTiming });
    owner = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
    ownerChat = h.chat(owner, 'personal', TENANT);
    channelClient = h.chat(owner, 'channel', TENANT);
    await ownerChat.say('help');
    const subscribed = await channelClient.say('subscribe');
    expect(cardText(cardOf(subscribed.replies[0]))).toContain('Expiry notices will post here');
    h.standIn.reset();
  });
  afterEach(async () => h.stop());

  async function seedAuthorizedNow(name: string) {
    const now = h.bot.clock.now().toISOString();
    const [c] = await seedConnectors(h.bot.store, [
      aConnector(TENANT).named(name).ownedBy(owner).authorizedAt(now).build(),
    ]);
    return c;
  }

  test('thresholds are crossed one by one over simulated days, each notice exactly once, then the deauthorization', async () => {
    await seedAuthorizedNow('Finance SharePoint');
    const seen: Record<number, number> = {};
    for (let day = 1; day <= 91; day++) {
      h.bot.clock.advanceDays(1);
      const report = await h.bot.scanner.scan();
      if (report.sent > 0) seen[day] = report.sent;
    }
    // Channel and the creator's 1:1 chat each get the 30, 14, 7 and 1-day notices and the deauthorization.
    expect(seen).toEqual({ 60: 2, 76: 2, 83: 2, 89: 2, 90: 2 });
    const channelCards = postedCards(h.standIn, channelClient.conversation.channelId!);
    expect(channelCards).toHaveLength(5);
    channelCards.forEach(expectValidCard);
    expect(cardText(channelCards[0])).toContain('30 days left');
    expect(cardText(channelCards[0])).toContain('automatically deauthorized');
    // Posted read-only to the channel; the creator's client refreshes it into the view with buttons.
    expect(actionTitles(channelCards[0])).toEqual(['Refresh']);
    expect(cardText(channelCards[0])).toContain('Ask the owner: Megan Bowen, who created it,');
    // Opened now, after the deauthorization, the 30-day notice says so and offers only Reauthorize.
    const managerView = shownCard((await channelClient.open(channelCards[0]))!);
    expect(actionTitles(managerView)).toEqual(['Reauthorize']);
    expect(cardText(managerView)).toContain('Deauthorized: 90 days with no recorded transfer ran out on');
    expect(actionTitles(postedCards(h.standIn, ownerChat.conversation.id)[0])).toEqual([
      'Reauthorize',
      'Record a transfer',
      // Snooze names what it does: the next notice of the period is not sent.
      'Skip the 14-day notice',
    ]);
    expect(cardText(channelCards[3])).toContain('1 day left');
    // At the last notice there is no later one to skip: no snooze button.
    const lastOwnerNotice = postedCards(h.standIn, ownerChat.conversation.id)[3];
    expect(actionTitles(lastOwnerNotice)).toEqual(['Reauthorize', 'Record a transfer']);
    expect(cardText(channelCards[4])).toContain('Finance SharePoint was deauthorized');
    expect(postedCards(h.standIn, ownerChat.conversation.id)).toHaveLength(5);
  });

  test('two scans in a row send one digest, with all due connectors of the tenant in it', async () => {
    await seedAuthorizedNow('One');
    await seedAuthorizedNow('Two');
    h.bot.clock.advanceDays(61);
    const first = await h.bot.scanner.scan();
    const second = await h.bot.scanner.scan();
    expect(first.sent).toBe(4);
    expect(second.sent).toBe(0);
    expect(second.skipped).toBe(4);
    const cards = postedCards(h.standIn, channelClient.conversation.channelId!);
    expect(cards).toHaveLength(1);
    expect(cardText(cards[0])).toContain('2 connectors expire soon');
  });

  test('a claim whose process died is taken over after the lease, so nothing is lost', async () => {
    const c = await seedAuthorizedNow('Crashy');
    h.bot.clock.advanceDays(61);
    const periodStart = c.authorizedAt!;
    // Another process claimed the channel notice and died before sending it.
    await h.bot.store.notices.claim(
      {
        tenantId: TENANT,
        connectorId: c.id,
        periodStart,
        threshold: 30,
        target: `conversation:${channelClient.conversation.channelId!}`,
      },
      'dead-process',
      h.bot.clock.now(),
      10 * 60 * 1000,
    );
    await h.bot.scanner.scan();
    expect(postedCards(h.standIn, channelClient.conversation.channelId!)).toHaveLength(0);
    h.bot.clock.set(new Date(h.bot.clock.now().getTime() + 11 * 60 * 1000));
    await h.bot.scanner.scan();
    expect(postedCards(h.standIn, channelClient.conversation.channelId!)).toHaveLength(1);
    await h.bot.scanner.scan();
    expect(postedCards(h.standIn, channelClient.conversation.channelId!)).toHaveLength(1);
  });

  test('a 429 storm (every first attempt refused) still delivers every notice once', async () => {
    for (let i = 0; i < 5; i++) await seedAuthorizedNow(`Storm ${i}`);
    const extra = Array.from({ length: 4 }, () => channel(TENANT));
    for (const conversation of extra) await h.chat(owner, conversation).say('subscribe');
    h.standIn.reset();
    const refusedOnce = new Set<string>();
    h.standIn.program(
      'sendToConversation',
      (call) => {
        if (refusedOnce.has(call.conversationId!)) return undefined;
        refusedOnce.add(call.conversationId!);
        return { status: 429, headers: { 'Retry-After': '1' } };
      },
      { times: Infinity },
    );
    h.bot.clock.advanceDays(61);
    const report = await h.bot.scanner.scan();
    const conversations = [
      channelClient.conversation.channelId!,
      ownerChat.conversation.id,
      ...extra.map((e) => e.channelId!),
    ];
    for (const id of conversations) expect(postedCards(h.standIn, id)).toHaveLength(1);
    expect(report.sent).toBe(5 * conversations.length);
    expect(report.failed).toBe(0);
    expect(h.standIn.callsTo('sendToConversation').filter((c) => c.status === 429)).toHaveLength(
      conversations.length,
    );
  });

  test('a conversation the bot was removed from (403) ends its subscription, audited', async () => {
    await seedAuthorizedNow('Orphan');
    h.standIn.program(
      'sendToConversation',
      { status: 403, body: { error: { code: 'BotNotInConversationRoster' } } },
      {
        times: Infinity,
        match: (c) => c.conversationId === channelClient.conversation.channelId!,
      },
    );
    h.bot.clock.advanceDays(61);
    const report = await h.bot.scanner.scan();
    expect(report.subscriptionsEnded).toBe(1);
    expect(
      await h.bot.store.subscriptions.get(TENANT, channelClient.conversation.channelId!),
    ).toBeUndefined();
    const audit = await h.bot.store.audit.list(TENANT);
    expect(audit.find((a) => a.action === 'subscription.ended')?.detail).toMatchObject({
      conversationId: channelClient.conversation.channelId!,
    });
  });

  test('unsubscribe in a channel thread ends the channel’s subscription, audited', async () => {
    // A new message in the channel carries another thread id than the one that subscribed.
    const laterThread = {
      ...channelClient.conversation,
      id: `${channelClient.conversation.channelId};messageid=42`,
    };
    const turn = await h.chat(owner, laterThread).say('unsubscribe');
    expect(cardText(cardOf(turn.replies[0]))).toContain('Expiry notices stopped here');
    expect(
      await h.bot.store.subscriptions.get(TENANT, channelClient.conversation.channelId!),
    ).toBeUndefined();
    const audit = await h.bot.store.audit.list(TENANT);
    expect(audit[0]).toMatchObject({ action: 'subscription.removed' });
  });

  test('removing the bot from a team ends that team’s subscriptions', async () => {
    const teamChannel = channel(TENANT);
    await h.chat(owner, teamChannel).say('subscribe');
    expect(await h.bot.store.subscriptions.get(TENANT, teamChannel.channelId!)).toBeDefined();
    await new TeamsClient(h.bot.url, h.standIn, owner, teamGeneral(TENANT, teamChannel.teamId!)).install(
      'remove',
    );
    expect(await h.bot.store.subscriptions.get(TENANT, teamChannel.channelId!)).toBeUndefined();
  });

  test('snooze suppresses the next threshold only', async () => {
    await seedAuthorizedNow('Sleepy');
    h.bot.clock.advanceDays(60);
    await h.bot.scanner.scan();
    const [posted] = postedCards(h.standIn, channelClient.conversation.channelId!);
    const digest = shownCard((await channelClient.open(posted))!);
    const snoozed = await channelClient.click(digest, 'Skip the 14-day notice');
    expect(snoozed.replies[0].text).toContain('the 14-day notice will not be sent');
    h.bot.clock.advanceDays(16);
    expect((await h.bot.scanner.scan()).sent).toBe(0);
    h.bot.clock.advanceDays(7);
    expect((await h.bot.scanner.scan()).sent).toBe(2);
  });

  test('digest actions work from the channel for a permitted user and are refused for others; a transfer starts a new period', async () => {
    const c = await seedAuthorizedNow('Shared');
    h.bot.clock.advanceDays(60);
    await h.bot.scanner.scan();
    const [posted] = postedCards(h.standIn, channelClient.conversation.channelId!);
    const stranger = channelClient.as(makeUser('Lee Gu', 'lee@contoso.onmicrosoft.com'));
    // Teams refreshes the card for the creator only; the stranger keeps the read-only card.
    expect(await stranger.open(posted)).toBeUndefined();
    const digest = shownCard((await channelClient.open(posted))!);
    // A forged click with the creator's button data changes nothing and is answered to the stranger alone.
    const refused = await stranger.click(digest, 'Record a transfer');
    expect(answerError(refused)?.message).toContain('Only Megan Bowen, who created it');
    expect(refused.replies).toHaveLength(0);
    expect((await h.bot.store.connectors.get(TENANT, c.id))?.lastTransferAt).toBeUndefined();
    const recorded = await channelClient.click(digest, 'Record a transfer');
    expect(recorded.replies[0].text).toContain('recorded a transfer for Shared');
    // A new period: the same thresholds are warned again when it lapses.
    h.bot.clock.advanceDays(60);
    expect((await h.bot.scanner.scan()).sent).toBe(2);
  });

  test('a digest opened after a connector’s 90 days ran out shows it deauthorized, with Reauthorize only, before anything records it', async () => {
    const c = await seedAuthorizedNow('Lapsing');
    h.bot.clock.advanceDays(85);
    await h.bot.scanner.scan();
    const [posted] = postedCards(h.standIn, channelClient.conversation.channelId!);
    const soon = shownCard((await channelClient.open(posted))!);
    expect(cardText(soon)).toContain('5 days left');
    expect(actionTitles(soon)).toContain('Record a transfer');
    h.bot.clock.advanceDays(6);
    const stored = await h.bot.store.connectors.get(TENANT, c.id);
    expect(stored?.status).toBe('authorized');
    const lapsed = shownCard((await channelClient.open(posted))!);
    expectValidCard(lapsed);
    expect(cardText(lapsed)).toContain('Deauthorized: 90 days with no recorded transfer ran out on');
    expect(cardText(lapsed)).not.toMatch(/\b0 days left/);
    expect(actionTitles(lapsed)).not.toContain('Record a transfer');
    expect(actionTitles(lapsed)).toContain('Reauthorize');
    // The refresh wrote nothing: the next scan records the deauthorization.
    expect(await h.bot.store.connectors.get(TENANT, c.id)).toEqual(stored);
  });

  test('subscribe in a personal chat explains it is for channels; unsubscribe there opts out of 1:1 notices', async () => {
    const explained = await ownerChat.say('subscribe');
    expect(cardText(cardOf(explained.replies[0]))).toContain('Subscribe is for channels and group chats');
    await ownerChat.say('unsubscribe');
    h.standIn.reset();
    await seedAuthorizedNow('Quiet');
    h.bot.clock.advanceDays(61);
    await h.bot.scanner.scan();
    expect(postedCards(h.standIn, ownerChat.conversation.id)).toHaveLength(0);
    expect(postedCards(h.standIn, channelClient.conversation.channelId!)).toHaveLength(1);
    const audit = await h.bot.store.audit.list(TENANT);
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['subscription.added', 'notices.personal-opt-out']),
    );
  });
});

describe('two scanners on one SQLite file', () => {
  test('send each notice once', async () => {
    const dataDir = makeTempDir();
    const standIn = new ConnectorStandIn();
    await standIn.start();
    const clock = new TestClock();
    const a = await startTestBot({ dataDir, clock, timing: fastTiming });
    const b = await startTestBot({ dataDir, clock, timing: fastTiming });
    try {
      const owner = makeUser();
      const channels = Array.from({ length: 6 }, () => channel(TENANT));
      for (const conversation of channels)
        await new TeamsClient(a.url, standIn, owner, conversation).say('subscribe');
      standIn.reset();
      const now = clock.now().toISOString();
      await seedConnectors(
        a.store,
        Array.from({ length: 10 }, (_, i) =>
          connectorRecord({
            tenantId: TENANT,
            displayName: `Shared ${i}`,
            createdAt: now,
            authorizedAt: now,
          }),
        ),
      );
      clock.advanceDays(61);
      const [ra, rb] = await Promise.all([a.scanner.scan(), b.scanner.scan()]);
      expect(ra.sent + rb.sent).toBe(60);
      for (const conversation of channels) expect(standIn.posted(conversation.channelId)).toHaveLength(1);
    } finally {
      await a.stop();
      await b.stop();
      await standIn.stop();
      removeTempDir(dataDir);
    }
  });
});
