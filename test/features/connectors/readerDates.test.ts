import { makeUser } from '../../harness/activities';
import { cardOf, cardText, type Card } from '../../harness/cards';
import { startHarness, type Harness } from '../../harness/testBot';
import { shownCard, TeamsClient } from '../../harness/teamsClient';
import { expectValidCard } from '../../support/cardValidation';
import { connectorRecord, seedConnectors } from '../../support/connectorFixtures';

const TENANT = '9d1c2b3a-4e5f-4a6b-8c7d-0e1f2a3b4c5d';
const BERLIN = { timezone: 'Europe/Berlin', locale: 'de-DE', country: 'DE', platform: 'Web' };

describe('dates on cards are in the reader’s time zone and locale', () => {
  let h: Harness;
  const owner = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
  let chat: TeamsClient;

  beforeAll(async () => {
    h = await startHarness();
    chat = h.chat(owner, 'personal', TENANT);
    // The clock is 2026-03-02 09:00 UTC; Berlin is UTC+1 in March.
    await seedConnectors(h.bot.store, [
      connectorRecord({
        tenantId: TENANT,
        displayName: 'Finance SharePoint',
        createdBy: owner.aadObjectId,
        createdByName: owner.name,
        createdAt: '2026-02-20T23:30:00.000Z',
        authorizedAt: '2026-02-20T23:30:00.000Z',
        lastTransferAt: '2026-03-01T22:15:00.000Z',
      }),
    ]);
  });
  afterAll(async () => h.stop());

  test('status, connectors and diagnose use the clientInfo time zone and locale', async () => {
    const berlin = chat.withClientInfo(BERLIN);
    const status = cardText(shownCard(await berlin.say('status Finance SharePoint')));
    // 23:30 UTC on 20 Feb is already 21 Feb in Berlin.
    expect(status).toContain('21.02.2026, 00:30 (Europe/Berlin) by Megan Bowen');
    expect(status).toContain('01.03.2026, 23:15 (Europe/Berlin)');
    expect(status).not.toContain('UTC');

    const list = cardText(shownCard(await berlin.say('connectors')));
    expect(list).toContain('01.03.2026, 23:15 (Europe/Berlin)');

    const turn = await berlin.say('diagnose Finance SharePoint');
    const last =
      turn.updates.length > 0 ? turn.updates[turn.updates.length - 1].activity : turn.replies.at(-1)!;
    const diagnose = cardText(cardOf(last));
    expect(diagnose).toContain('Last transfer recorded here 01.03.2026, 23:15 (Europe/Berlin)');
  });

  test('without clientInfo, dates are in UTC and say UTC', async () => {
    const status = cardText(shownCard(await chat.say('status Finance SharePoint')));
    expect(status).toContain('2026-02-20 23:30 UTC by Megan Bowen');
    expect(status).toContain('2026-03-01 22:15 UTC');
  });

  test('a time zone the runtime does not know falls back to UTC, says UTC, and logs why', async () => {
    const odd = chat.withClientInfo({ timezone: 'Mars/Olympus_Mons', locale: 'en-GB' });
    const status = cardText(shownCard(await odd.say('status Finance SharePoint')));
    expect(status).toContain('1 Mar 2026, 22:15 UTC');
    expect(h.bot.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'clientInfo ignored',
        problems: ['unknown time zone "Mars/Olympus_Mons"; dates are shown in UTC'],
      }),
    );
  });

  test('the expiry digest posted to a channel has no reader: UTC, and it says so', async () => {
    const channelClient = h.chat(owner, 'channel', TENANT).withClientInfo(BERLIN);
    await channelClient.say('subscribe');
    h.standIn.reset();
    h.bot.clock.advanceDays(62);
    const report = await h.bot.scanner.scan();
    expect(report.sent).toBeGreaterThan(0);
    const posted = h.standIn
      .posted(channelClient.conversation.id.split(';')[0])
      .flatMap((a): Card[] => (a.attachments ? [cardOf(a)] : []));
    expect(posted.length).toBeGreaterThan(0);
    posted.forEach(expectValidCard);
    const digest = cardText(posted[0]);
    expect(digest).toContain('last recorded transfer: 2026-03-01 22:15 UTC');
    expect(digest).toContain('reported by Megan Bowen on 2026-02-20 23:30 UTC');
    expect(digest).not.toContain('Europe/Berlin');
  });
});
