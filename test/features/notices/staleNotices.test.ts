import { cardText, type Card } from '../../harness/cards';
import type { Harness } from '../../harness/testBot';
import { answerError, shownCard, type TeamsClient } from '../../harness/teamsClient';
import { postedCards, useSubscribedChannel } from './subscribedChannel';

const TENANT = '7e7e7e7e-7e7e-4e7e-8e7e-7e7e7e7e7e7e';

/** Notices that lost a race or went stale: nothing false is posted or confirmed. */
describe('stale notices and races', () => {
  const channel = useSubscribedChannel(TENANT);
  let h: Harness;
  let channelClient: TeamsClient;
  beforeEach(() => ({ h, channelClient } = channel));
  const seed = (name: string, daysAgo: number) => channel.seed(name, daysAgo);

  test('a transfer recorded while the scan deauthorizes wins: no deauthorization, no notice saying so', async () => {
    const racy = await seed('Racy', 91);
    const connectors = h.bot.store.connectors;
    const update = connectors.update;
    let raced = false;
    connectors.update = async (next) => {
      if (!raced && next.status === 'deauthorized') {
        raced = true;
        const fresh = (await connectors.get(next.tenantId, next.id))!;
        await update.call(connectors, { ...fresh, lastTransferAt: h.bot.clock.now().toISOString() });
      }
      return update.call(connectors, next);
    };
    try {
      const report = await h.bot.scanner.scan();
      expect(raced).toBe(true);
      expect((await h.bot.store.connectors.get(TENANT, racy.id))?.status).toBe('authorized');
      expect(report.deauthorized).toBe(0);
      expect(postedCards(h.standIn, channelClient.conversation.channelId!)).toEqual([]);
    } finally {
      connectors.update = update;
    }
  });

  test('a storage blip while recording a sent notice is retried: the next scan does not send it again', async () => {
    await seed('Blip', 61);
    const notices = h.bot.store.notices;
    const markAllSent = notices.markAllSent;
    let failures = 0;
    notices.markAllSent = async (...args) => {
      if (failures === 0) {
        failures++;
        throw Object.assign(new Error('storage unavailable'), { statusCode: 503 });
      }
      return markAllSent.apply(notices, args);
    };
    try {
      const logged = h.bot.logs.length;
      const first = await h.bot.scanner.scan();
      expect(failures).toBe(1);
      expect(first.sent).toBeGreaterThan(0);
      expect(h.bot.logs.slice(logged)).toContainEqual(
        expect.objectContaining({ level: 'warn', msg: 'recording sent notices failed; retrying' }),
      );
      // Past the claim's lease: an unmarked notice would be sent again now.
      h.bot.clock.set(new Date(h.bot.clock.now().getTime() + 11 * 60 * 1000));
      expect((await h.bot.scanner.scan()).sent).toBe(0);
      expect(postedCards(h.standIn, channelClient.conversation.channelId!)).toHaveLength(1);
    } finally {
      notices.markAllSent = markAllSent;
    }
  });

  test('a sent notice whose mark fails every attempt is logged with its key at error level; the scan goes on', async () => {
    const c = await seed('Outage', 61);
    const notices = h.bot.store.notices;
    const markAllSent = notices.markAllSent;
    notices.markAllSent = async () => {
      throw Object.assign(new Error('storage unavailable'), { statusCode: 503 });
    };
    try {
      const logged = h.bot.logs.length;
      const report = await h.bot.scanner.scan();
      expect(report.sent).toBeGreaterThan(0);
      const errors = h.bot.logs.slice(logged).filter((l) => l.level === 'error');
      expect(errors).toContainEqual(
        expect.objectContaining({
          msg: 'notices sent but not recorded as sent; they may be sent again',
          attempts: 4,
          keys: [expect.stringContaining(c.id)],
        }),
      );
    } finally {
      notices.markAllSent = markAllSent;
    }
  });

  /** A connector authorized now, 76 days on: its 14-day digest in the channel, as a manager opens it. */
  async function fourteenDayDigest(name: string): Promise<Card> {
    await seed(name, 0);
    h.bot.clock.advanceDays(76);
    await h.bot.scanner.scan();
    const [posted] = postedCards(h.standIn, channelClient.conversation.channelId!);
    return shownCard((await channelClient.open(posted))!);
  }

  test('Skip on a card whose next notice went out since says so and snoozes nothing', async () => {
    const digest = await fourteenDayDigest('Sleepy');
    h.bot.clock.advanceDays(7);
    expect((await h.bot.scanner.scan()).sent).toBe(2);

    const logged = h.bot.logs.length;
    const skipped = await channelClient.click(digest, 'Skip the 7-day notice');
    expect(h.bot.logs.slice(logged)).toContainEqual(
      expect.objectContaining({ level: 'info', msg: 'notice action refused', verb: 'noticeSnooze' }),
    );
    expect(skipped.replies.map((r) => r.text)).toEqual([
      'This card is out of date: Sleepy has 7 days left, so the 7-day notice is due or already sent. Nothing was snoozed; the latest notice offers the next one to skip.',
    ]);
    // The 1-day notice still goes out: nothing was snoozed.
    h.bot.clock.advanceDays(6);
    expect((await h.bot.scanner.scan()).sent).toBe(2);
  });

  test('a forged threshold is refused to the clicker with a log line, not answered as "no later notice"', async () => {
    const digest = await fourteenDayDigest('Forged');
    const forged = JSON.parse(
      JSON.stringify(digest).replace(/"threshold":"?14"?/g, '"threshold":"abc"'),
    ) as Card;
    const logged = h.bot.logs.length;
    const answer = await channelClient.click(forged, 'Skip the 7-day notice');
    expect(answerError(answer)).toMatchObject({
      statusCode: 400,
      message: 'This card does not name a notice I send, so nothing was snoozed.',
    });
    expect(answer.replies).toEqual([]);
    expect(h.bot.logs.slice(logged)).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'snooze refused: card names no notice threshold',
        threshold: 'abc',
      }),
    );
    expect(cardText(digest)).toContain('Forged');
  });
});
