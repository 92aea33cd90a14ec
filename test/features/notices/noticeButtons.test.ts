import type { TeamsUser } from '../../harness/activities';
import { actionTitles, cardText, type Card } from '../../harness/cards';
import type { Harness } from '../../harness/testBot';
import { answerError, shownCard, type TeamsClient } from '../../harness/teamsClient';
import { CARD_DATA_VERSION } from '../../../src/cards/universalActions';
import type { ConnectorStatus } from '../../../src/connectors/connector';
import { postedCards, useSubscribedChannel } from './subscribedChannel';

const TENANT = '6d6d6d6d-6d6d-4d6d-8d6d-6d6d6d6d6d6d';

/** The buttons of a notice, clicked in the channel it was posted in. */
describe('notice buttons', () => {
  const channel = useSubscribedChannel(TENANT);
  let h: Harness;
  let owner: TeamsUser;
  let channelClient: TeamsClient;
  beforeEach(() => ({ h, owner, channelClient } = channel));
  const seed = (name: string, daysAgo: number) => channel.seed(name, daysAgo);

  /** The digest the scan just posted in the channel, as a manager's client shows it. */
  async function digestNow(): Promise<Card> {
    await h.bot.scanner.scan();
    const posted = postedCards(h.standIn, channelClient.conversation.channelId!).at(-1)!;
    return shownCard((await channelClient.open(posted))!);
  }

  test('a transfer refused because the connector lapsed quotes its name escaped, not as a link', async () => {
    await seed('[Reauthorize here](https://evil.example)', 85);
    const digest = await digestNow();
    h.bot.clock.advanceDays(6);
    const answer = await channelClient.click(digest, 'Record a transfer');
    // The deauthorization notices this click set off are cards; the refusal is the one text.
    expect(answer.replies.flatMap((r) => (r.text ? [r.text] : []))).toEqual([
      '"\\[Reauthorize here\\](https://evil.example)" is deauthorized; reauthorize it before recording transfers.',
    ]);
  });

  test.each<[ConnectorStatus, string]>([
    ['awaiting-consent', 'Reauthorization of Box legal started: waiting for admin consent'],
    ['consent-declined', 'Box legal is still not authorized: admin consent was declined'],
    ['consent-expired', 'Box legal is still not authorized: the admin consent request expired'],
  ])(
    'a deauthorization notice refreshed while the connector is %s says so and keeps Reauthorize',
    async (status, headline) => {
      const c = await seed('Box legal', 95);
      await h.bot.scanner.scan();
      const [notice] = postedCards(h.standIn, channelClient.conversation.channelId!);
      expect(cardText(notice)).toContain('Box legal was deauthorized');
      const stored = (await h.bot.store.connectors.get(TENANT, c.id))!;
      await h.bot.store.connectors.update({ ...stored, status });
      const seen = shownCard((await channelClient.open(notice))!);
      expect(cardText(seen)).toContain(headline);
      expect(cardText(seen)).not.toContain('reauthorized');
      expect(actionTitles(seen)).toContain('Reauthorize');
    },
  );

  test('Record a transfer on a notice from before a reauthorization names the reauthorization, not a transfer', async () => {
    const c = await seed('Box finance', 76);
    const digest = await digestNow();
    const now = h.bot.clock.now().toISOString();
    const stored = (await h.bot.store.connectors.get(TENANT, c.id))!;
    await h.bot.store.connectors.update({
      ...stored,
      authorizedAt: now,
      provenance: { kind: 'reported', by: owner.aadObjectId!, byName: 'Ada Lovelace', at: now },
    });
    const logged = h.bot.logs.length;
    const answer = await channelClient.click(digest, 'Record a transfer');
    const [text] = answer.replies.map((r) => r.text);
    expect(text).toMatch(
      /^This notice about Box finance is out of date: Reauthorization reported by Ada Lovelace on /,
    );
    expect(text).not.toContain('transfer is already recorded');
    expect((await h.bot.store.connectors.get(TENANT, c.id))?.lastTransferAt).toBeUndefined();
    expect(h.bot.logs.slice(logged)).toContainEqual(
      expect.objectContaining({
        level: 'info',
        msg: 'notice action refused',
        verb: 'noticeTransfer',
        connectorId: c.id,
        reason: 'clock restarted',
      }),
    );
  });

  test('Record a transfer without the notice’s period is refused and records nothing', async () => {
    const c = await seed('Box periodless', 76);
    const answer = await channelClient.executeRaw('noticeTransfer', {
      cardVersion: CARD_DATA_VERSION,
      connectorId: c.id,
    });
    expect(answerError(answer)).toMatchObject({
      statusCode: 400,
      message: 'This card does not say which period it is about, so nothing was changed.',
    });
    expect((await h.bot.store.connectors.get(TENANT, c.id))?.lastTransferAt).toBeUndefined();
  });

  test('a double click on Skip snoozes, audits and announces once; the second click says it was already skipped', async () => {
    const c = await seed('Sleepy', 60);
    const digest = await digestNow();
    const first = await channelClient.click(digest, 'Skip the 14-day notice');
    const second = await channelClient.click(digest, 'Skip the 14-day notice');
    expect(first.replies.map((r) => r.text)).toEqual([
      'Ada Lovelace snoozed Sleepy: the 14-day notice will not be sent. Later notices still will.',
    ]);
    expect(second.replies.map((r) => r.text)).toEqual([
      'The 14-day notice of Sleepy was already skipped by Ada Lovelace: it will not be sent. Later notices still will. Nothing else changed.',
    ]);
    const audit = await h.bot.store.audit.list(TENANT, { connectorId: c.id });
    expect(audit.filter((a) => a.action === 'notice.snoozed')).toHaveLength(1);
  });
});
