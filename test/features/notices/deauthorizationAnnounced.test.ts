import { makeUser, type TeamsUser } from '../../harness/activities';
import { actionTitles, cardOf, cardText, type Card } from '../../harness/cards';
import { startHarness, type Harness } from '../../harness/testBot';
import { TeamsClient } from '../../harness/teamsClient';
import type { ConnectorStandIn } from '../../harness/connectorStandIn';
import { expectValidCard } from '../../support/cardValidation';
import { seedConnectors } from '../../support/connectorFixtures';
import { aConnector } from '../../support/builders';
import { shown } from '../../harness/chat';
import { fastTiming } from './subscribedChannel';

const TENANT = '99999999-9999-4999-8999-999999999999';
const TOKEN = 'api-token-'.padEnd(40, 'y');
const DAY_MS = 24 * 60 * 60 * 1000;

/** Deauthorization notices the bot posted into a conversation. */
function deauthorizationNotices(standIn: ConnectorStandIn, conversationId: string, name: string): Card[] {
  return standIn
    .posted(conversationId)
    .flatMap((a) => {
      try {
        return [cardOf(a)];
      } catch {
        return [];
      }
    })
    .filter((c) => cardText(c).includes(`${name} was deauthorized`));
}

describe('every deauthorization is announced once, whoever noticed it first', () => {
  let h: Harness;
  let owner: TeamsUser;
  let ownerChat: TeamsClient;
  let channelClient: TeamsClient;

  beforeEach(async () => {
    h = await startHarness({ timing: fastTiming, env: { API_TOKEN: TOKEN } });
    owner = makeUser('Ada Lovelace', 'ada@contoso.onmicrosoft.com');
    ownerChat = h.chat(owner, 'personal', TENANT);
    channelClient = h.chat(owner, 'channel', TENANT);
    await ownerChat.say('help');
    await channelClient.say('subscribe');
    h.standIn.reset();
  });
  afterEach(async () => h.stop());

  /** An authorized connector of the owner whose clock ran out `days` days ago. */
  async function seedExpired(name: string, days = 95) {
    const at = new Date(h.bot.clock.now().getTime() - days * DAY_MS).toISOString();
    const [c] = await seedConnectors(h.bot.store, [
      aConnector(TENANT).named(name).ofType('box').ownedBy(owner).authorizedAt(at).build(),
    ]);
    return c;
  }

  async function expectAnnouncedOnce(name: string) {
    const inChannel = deauthorizationNotices(h.standIn, channelClient.conversation.channelId!, name);
    const inPersonal = deauthorizationNotices(h.standIn, ownerChat.conversation.id, name);
    expect([inChannel.length, inPersonal.length]).toEqual([1, 1]);
    expectValidCard(inChannel[0]);
    // A channel gets the read-only view; the owner's Teams refreshes it into the one with buttons.
    expect(actionTitles(inChannel[0])).toEqual(['Refresh']);
    const asOwnerSees = await channelClient.open(inChannel[0]);
    expect(actionTitles(shown(asOwnerSees!))).toContain('Reauthorize');
    expect(actionTitles(inPersonal[0])).toContain('Reauthorize');
  }

  test('noticed by `connectors`: announced at once, and neither the scan nor a later status repeats it', async () => {
    await seedExpired('Box archive');
    const listed = await ownerChat.say('connectors');
    expect(cardText(cardOf(listed.replies[0]))).toContain('deauthorized');
    await expectAnnouncedOnce('Box archive');
    const report = await h.bot.scanner.scan();
    expect(report.sent).toBe(0);
    await ownerChat.say('status box archive');
    await ownerChat.say('connectors');
    await expectAnnouncedOnce('Box archive');
  });

  test('noticed by `status`: announced once; the scan that runs next finds nothing to send', async () => {
    await seedExpired('Box projects');
    await channelClient.say('status box projects');
    await expectAnnouncedOnce('Box projects');
    expect((await h.bot.scanner.scan()).sent).toBe(0);
    await expectAnnouncedOnce('Box projects');
  });

  test('noticed by the scan: announced once; a later listing does not announce it again', async () => {
    await seedExpired('Box legal');
    const report = await h.bot.scanner.scan();
    expect(report.deauthorized).toBe(1);
    await ownerChat.say('connectors');
    await ownerChat.say('status box legal');
    await expectAnnouncedOnce('Box legal');
  });

  test('noticed by an API import of an already expired connector: the channel is told once', async () => {
    const old = new Date(h.bot.clock.now().getTime() - 120 * DAY_MS).toISOString();
    const res = await fetch(`${h.bot.url}/api/v1/tenants/${TENANT}/connectors`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'dropbox', displayName: 'Imported Dropbox', authorizedAt: old }),
    });
    expect(res.status).toBe(201);
    const notices = () =>
      deauthorizationNotices(h.standIn, channelClient.conversation.channelId!, 'Imported Dropbox');
    expect(notices()).toHaveLength(1);
    // The channel's read-only view; who may manage it gets the buttons when Teams refreshes it.
    expect(actionTitles(notices()[0])).toEqual(['Refresh']);
    const listing = await fetch(`${h.bot.url}/api/v1/tenants/${TENANT}/connectors`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(listing.status).toBe(200);
    expect((await h.bot.scanner.scan()).sent).toBe(0);
    await channelClient.say('status imported dropbox');
    expect(notices()).toHaveLength(1);
  });

  /** Every send into the channel answered 503 (retries included) until `healed()` is called. */
  function channelDown() {
    let down = true;
    h.standIn.program(
      'sendToConversation',
      (call) =>
        down && call.conversationId === channelClient.conversation.channelId!
          ? { status: 503, body: { error: { code: 'ServiceUnavailable' } } }
          : undefined,
      { times: Infinity },
    );
    return { healed: () => (down = false) };
  }

  const owedIds = async () =>
    (await h.bot.store.connectors.listExpiring(h.bot.clock.now(), { limit: 100 })).items
      .filter((c) => c.status === 'deauthorized')
      .map((c) => c.id);

  test('noticed by the scan, the channel down: the next scan sends the channel its notice, once, and the owner no second one', async () => {
    const c = await seedExpired('Box finance');
    const outage = channelDown();
    const first = await h.bot.scanner.scan();
    expect(first).toMatchObject({ deauthorized: 1, sent: 1, failed: 1 });
    expect(deauthorizationNotices(h.standIn, ownerChat.conversation.id, 'Box finance')).toHaveLength(1);
    expect(
      deauthorizationNotices(h.standIn, channelClient.conversation.channelId!, 'Box finance'),
    ).toHaveLength(0);
    expect(await owedIds()).toEqual([c.id]);

    // Still down: retried, still owed.
    expect(await h.bot.scanner.scan()).toMatchObject({ deauthorized: 0, sent: 0, failed: 1 });
    expect(await owedIds()).toEqual([c.id]);

    outage.healed();
    const retried = await h.bot.scanner.scan();
    expect(retried).toMatchObject({ deauthorized: 0, sent: 1, failed: 0 });
    await expectAnnouncedOnce('Box finance');
    // Announced everywhere: out of the index, so later scans do not even read it.
    expect(await owedIds()).toEqual([]);
    expect(await h.bot.scanner.scan()).toMatchObject({ connectorsChecked: 0, sent: 0 });
    await expectAnnouncedOnce('Box finance');
    const stored = await h.bot.store.connectors.get(TENANT, c.id);
    expect(stored).toMatchObject({ status: 'deauthorized' });
    expect(stored?.announcementDueSince).toBeUndefined();
  });

  test('noticed by `status`, the channel down: the scan sends what is still owed', async () => {
    await seedExpired('Box people');
    const outage = channelDown();
    await ownerChat.say('status box people');
    expect(deauthorizationNotices(h.standIn, ownerChat.conversation.id, 'Box people')).toHaveLength(1);
    expect(await owedIds()).toHaveLength(1);
    outage.healed();
    expect(await h.bot.scanner.scan()).toMatchObject({ deauthorized: 0, sent: 1, skipped: 1 });
    await expectAnnouncedOnce('Box people');
    expect(await owedIds()).toEqual([]);
  });

  test('a notice no target takes for a week is given up, logged and audited', async () => {
    const c = await seedExpired('Box stuck');
    channelDown();
    await h.bot.scanner.scan();
    h.bot.clock.advanceDays(6);
    await h.bot.scanner.scan();
    expect(await owedIds()).toEqual([c.id]);
    h.bot.clock.advanceDays(2);
    const report = await h.bot.scanner.scan();
    expect(report).toMatchObject({ sent: 0, failed: 0 });
    expect(await owedIds()).toEqual([]);
    const audit = await h.bot.store.audit.list(TENANT);
    expect(audit.find((a) => a.action === 'notice.given-up')).toMatchObject({
      connectorId: c.id,
      actor: 'scanner',
      detail: { threshold: 0 },
    });
    expect(
      h.bot.logs.some((l) => l.msg === 'deauthorization notice given up: a target did not take it'),
    ).toBe(true);
    expect(
      deauthorizationNotices(h.standIn, channelClient.conversation.channelId!, 'Box stuck'),
    ).toHaveLength(0);
  });

  test('with nobody to tell, a deauthorization owes nothing and leaves the index', async () => {
    await channelClient.say('unsubscribe');
    await ownerChat.say('unsubscribe');
    const c = await seedExpired('Box quiet');
    expect(await h.bot.scanner.scan()).toMatchObject({ deauthorized: 1, sent: 0, targets: 0 });
    expect(await owedIds()).toEqual([]);
    expect((await h.bot.store.connectors.get(TENANT, c.id))?.status).toBe('deauthorized');
  });

  test('a reauthorized connector that expires again is a new deauthorization, announced again once', async () => {
    const c = await seedExpired('Box again');
    await ownerChat.say('status box again');
    await expectAnnouncedOnce('Box again');
    const current = (await h.bot.store.connectors.get(TENANT, c.id))!;
    // Reauthorized 91 days ago (a new clock period), and it ran out again.
    const at = new Date(h.bot.clock.now().getTime() - 91 * DAY_MS).toISOString();
    await h.bot.store.connectors.update({ ...current, status: 'authorized', authorizedAt: at });
    await ownerChat.say('connectors');
    const inChannel = deauthorizationNotices(h.standIn, channelClient.conversation.channelId!, 'Box again');
    expect(inChannel).toHaveLength(2);
    expect((await h.bot.scanner.scan()).sent).toBe(0);
  });
});

describe('a deauthorization noticed in a turn does not hold the turn past its budget', () => {
  let h: Harness;
  afterEach(async () => h.stop());

  test('a slow channel: the status card comes back within the budget, the notice still arrives, and a scan finds it sent, sending nothing twice', async () => {
    h = await startHarness({ timing: fastTiming, env: { API_TOKEN: TOKEN }, announceBudgetMs: 300 });
    const owner = makeUser('Ada Lovelace', 'ada@contoso.onmicrosoft.com');
    const ownerChat = h.chat(owner, 'personal', TENANT);
    const channelClient = h.chat(owner, 'channel', TENANT);
    await ownerChat.say('help');
    await channelClient.say('subscribe');
    h.standIn.reset();
    const at = new Date(h.bot.clock.now().getTime() - 95 * DAY_MS).toISOString();
    await seedConnectors(h.bot.store, [
      aConnector(TENANT).named('Box slow').ofType('box').ownedBy(owner).authorizedAt(at).build(),
    ]);
    // The channel answers after 1.5 s, as Teams might while throttling.
    const channelId = channelClient.conversation.channelId!;
    h.standIn.program(
      'sendToConversation',
      (call) =>
        call.conversationId === channelId
          ? { status: 201, body: { id: 'slow-notice' }, delayMs: 1_500 }
          : undefined,
      { times: 1 },
    );
    const status = await ownerChat.say('status box slow');
    expect(cardText(shown(status))).toContain('deauthorized');
    // The turn was answered before the channel's notice was.
    expect(deauthorizationNotices(h.standIn, channelId, 'Box slow')).toHaveLength(0);
    expect(h.bot.logs).toContainEqual(
      expect.objectContaining({
        msg: 'deauthorization notice still sending after the turn’s budget; it goes on',
      }),
    );
    await h.standIn.waitFor(
      () =>
        deauthorizationNotices(h.standIn, channelId, 'Box slow').length === 1 &&
        deauthorizationNotices(h.standIn, ownerChat.conversation.id, 'Box slow').length === 1,
      5_000,
      'the channel and owner notices',
    );
    // Still owed on record until a scan sees every target has it (the last mark may land just
    // after the post is answered): then it leaves the index, and nothing is sent twice.
    const owed = async () =>
      (await h.bot.store.connectors.listExpiring(h.bot.clock.now(), { limit: 100 })).items.map(
        (c) => c.displayName,
      );
    let sent = 0;
    for (let scans = 0; scans < 5 && (await owed()).includes('Box slow'); scans++) {
      sent += (await h.bot.scanner.scan()).sent;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await owed()).not.toContain('Box slow');
    expect(sent).toBe(0);
    expect(deauthorizationNotices(h.standIn, channelId, 'Box slow')).toHaveLength(1);
    expect(deauthorizationNotices(h.standIn, ownerChat.conversation.id, 'Box slow')).toHaveLength(1);
  });
});
