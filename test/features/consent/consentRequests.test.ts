import { makeUser, personalChat, type TeamsUser } from '../../harness/activities';
import { actionTitles, cardOf, cardText, unescapeMarkdown, type Card } from '../../harness/cards';
import { ConnectorStandIn } from '../../harness/connectorStandIn';
import { makeTempDir, removeTempDir, startHarness, startTestBot, TestClock } from '../../harness/testBot';
import { shownCard, TeamsClient } from '../../harness/teamsClient';
import { openChat } from '../../harness/chat';
import { expectValidCard } from '../../support/cardValidation';
import {
  startFakeMicrosoftCloud,
  type FakeMicrosoftCloud,
  type FakeTenant,
  type FakeUser,
} from '../../support/fakeMicrosoftCloud';
import { CLOUD_APP_ADMIN, reviewerCard, tenantWithReviewers } from '../../support/consentTenants';

const TOKEN = 'consent-requests-api-token-0123456789';
const ENV = { CONSENT_REVIEWER_ROLES: 'Cloud Application Administrator', API_TOKEN: TOKEN };
const HOUR = 3_600_000;

type Harness = Awaited<ReturnType<typeof startHarness>>;

function teamsUser(user: FakeUser): TeamsUser {
  return { id: `29:${user.id}`, name: user.displayName, aadObjectId: user.id, upn: user.userPrincipalName };
}

/** The SharePoint admin runs the wizard to the hand-over and sends it with `values`. */
async function handOver(h: Harness, tenant: FakeTenant, name: string, values: Record<string, string>) {
  const sp = tenant.sharePointAdmin!;
  const client = new TeamsClient(h.bot.url, h.standIn, teamsUser(sp), personalChat(tenant.id, teamsUser(sp)));
  const started = await client.say('connect office365');
  const id = String(started.replies[0].id);
  let turn = await client.click(shownCard(started), 'Next', { displayName: name }, id);
  turn = await client.click(shownCard(turn), 'Next', { cloud: 'global', upn: sp.userPrincipalName }, id);
  for (let step = 1; step <= 4; step++) turn = await client.click(shownCard(turn), 'Next', {}, id);
  turn = await client.click(shownCard(turn), 'I am a SharePoint admin: hand over', {}, id);
  const sent = await client.click(shownCard(turn), 'Send the consent request', values, id);
  return { client, sent: shownCard(sent) };
}

function reviewerClient(h: Harness, tenant: FakeTenant, user: FakeUser) {
  return new TeamsClient(h.bot.url, h.standIn, teamsUser(user), personalChat(tenant.id, teamsUser(user)));
}

function updatesIn(h: Harness, chat: string): Card[] {
  return h.standIn.callsTo('updateActivity', chat).map((c) => cardOf(c.body));
}

async function connectorOf(h: Harness, tenant: FakeTenant) {
  const [connector] = (await h.bot.store.connectors.list(tenant.id)).items;
  return connector;
}

async function auditApi(h: Harness, tenant: FakeTenant) {
  const res = await fetch(`${h.bot.url}/api/v1/tenants/${tenant.id}/audit?limit=50`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status).toBe(200);
  return (
    (await res.json()) as {
      items: { action: string; actorName?: string; detail?: Record<string, unknown> }[];
    }
  ).items;
}

describe('consent requests (reviewers, decisions, expiry, the consents list)', () => {
  let cloud: FakeMicrosoftCloud;
  let h: Harness;

  beforeAll(async () => {
    cloud = await startFakeMicrosoftCloud();
    h = await startHarness({ cloud, env: ENV });
  });
  afterAll(async () => {
    await h.stop();
    await cloud.stop();
  });
  beforeEach(() => h.standIn.reset());

  test('everyone holding the roles gets the request once; the first decision closes it for all', async () => {
    const { tenant, bob, grant } = tenantWithReviewers(cloud, 'Contoso');
    const admin = tenant.admin!;
    const { client, sent } = await handOver(h, tenant, 'Contoso destination', { addressees: 'roles' });
    expect(cardText(sent)).toContain('Adele Admin');
    expect(cardText(sent)).toContain('Bob Apps');
    expect(cardText(sent)).toContain('The first of them to decide closes it for all');
    const adele = reviewerCard(h, admin);
    const bobs = reviewerCard(h, bob);
    expect(h.standIn.posted(adele.chat)).toHaveLength(1);
    expect(h.standIn.posted(bobs.chat)).toHaveLength(1);
    const text = cardText(bobs.card);
    expect(text).toContain('The Office 365 Connector steps name a **global admin**');
    expect(text).toContain('Cloud Application Administrator');
    expect(text).toContain('grant tenant-wide admin consent to delegated permissions');
    expect(actionTitles(bobs.card)).toEqual(
      expect.arrayContaining(['I have granted consent', 'Decline…', 'Forward…']),
    );

    grant();
    h.standIn.reset();
    const decided = await reviewerClient(h, tenant, bob).click(bobs.card, 'I have granted consent');
    expect(decided.replies.some((r) => String(r.text).includes('is verified with Microsoft Graph'))).toBe(
      true,
    );
    expect((await connectorOf(h, tenant)).status).toBe('authorized');
    const adeleUpdate = updatesIn(h, adele.chat);
    expect(adeleUpdate).toHaveLength(1);
    expectValidCard(adeleUpdate[0]);
    expect(cardText(adeleUpdate[0])).toContain('Consent verified with Microsoft Graph');
    expect(cardText(adeleUpdate[0])).toContain('when Bob Apps checked: admin consent for');
    expect(h.standIn.posted(client.conversation.id).some((a) => String(a.text).includes('is verified'))).toBe(
      true,
    );

    // Adele's old card no longer decides anything: she is told privately, nothing changes.
    const late = await reviewerClient(h, tenant, admin).click(adele.card, 'Decline the request', {
      declineReason: 'too late',
    });
    expect(String(late.replies[0].text)).toContain('already handled by Bob Apps');
    expect((await connectorOf(h, tenant)).status).toBe('authorized');
    const audit = await auditApi(h, tenant);
    expect(audit.find((e) => e.action === 'consent.approved')).toMatchObject({
      actorName: 'Bob Apps',
      detail: { reason: 'admin consent verified with Microsoft Graph' },
    });
  });

  test('decline needs a reason; with one the connector is consent-declined, the requester told why, and Ask again sends it anew', async () => {
    const { tenant } = tenantWithReviewers(cloud, 'Fabrikam');
    const admin = tenant.admin!;
    const { client } = await handOver(h, tenant, 'Fabrikam destination', { adminId: admin.id, adminUpn: '' });
    const { card } = reviewerCard(h, admin);
    const adele = reviewerClient(h, tenant, admin);

    const empty = await adele.click(card, 'Decline the request', { declineReason: '   ' });
    expect(String(empty.replies[0].text)).toContain('Type a reason to decline');
    expect((await connectorOf(h, tenant)).status).toBe('awaiting-consent');

    h.standIn.reset();
    const reason = 'Not for *this* app <b>please</b>';
    await adele.click(card, 'Decline the request', { declineReason: reason });
    const connector = await connectorOf(h, tenant);
    expect(connector.status).toBe('consent-declined');
    const told = h.standIn.posted(client.conversation.id).find((a) => String(a.text).includes('declined'));
    // The reviewer's reason reaches the requester as text: escaped, so it renders literally.
    expect(String(told?.text)).toContain(
      'Adele Admin declined admin consent for Fabrikam destination: Not for \\*this\\* app \\<b\\>please\\</b\\>',
    );
    expect(unescapeMarkdown(String(told?.text))).toContain(
      `Adele Admin declined admin consent for Fabrikam destination: ${reason}`,
    );
    const toldCard = cardOf(told);
    expectValidCard(toldCard);
    expect(actionTitles(toldCard)).toContain('Ask again');

    const status = shownCard(await client.say('status fabrikam destination'));
    expect(cardText(status)).toContain('consent-declined');
    expect(cardText(status)).toContain(reason);
    expect(actionTitles(status)).toEqual(expect.arrayContaining(['Ask again', 'Consent requests']));
    expect(cardText(shownCard(await client.say('connectors')))).toContain('consent-declined');
    const audit = await auditApi(h, tenant);
    expect(audit.find((e) => e.action === 'consent.declined')).toMatchObject({
      actorName: 'Adele Admin',
      detail: { reason },
    });

    h.standIn.reset();
    const again = await client.click(status, 'Ask again');
    expect(again.replies.map((r) => String(r.text)).join('\n')).toContain(
      'I asked again for admin consent for Fabrikam destination',
    );
    expect((await connectorOf(h, tenant)).status).toBe('awaiting-consent');
    expect(h.standIn.posted(`a:1:personal-${admin.id}`)).toHaveLength(1);
  });

  test('a request replaced by a reauthorization’s new hand-over cannot decline the connector, and is closed as replaced', async () => {
    const { tenant, bob } = tenantWithReviewers(cloud, 'Alpine');
    const admin = tenant.admin!;
    const { client } = await handOver(h, tenant, 'Alpine destination', { adminId: admin.id, adminUpn: '' });
    const first = reviewerCard(h, admin);
    const firstId = (await connectorOf(h, tenant)).consent!.requestId!;

    const started = await client.say('reauthorize alpine destination');
    const id = String(started.replies[0].id);
    let turn = await client.click(shownCard(started), 'I selected Reauthorize: next', {}, id);
    turn = await client.click(
      shownCard(turn),
      'Next',
      { cloud: 'global', upn: tenant.sharePointAdmin!.userPrincipalName },
      id,
    );
    turn = await client.click(shownCard(turn), 'Next', {}, id);
    turn = await client.click(shownCard(turn), 'I am a SharePoint admin: hand over', {}, id);
    await client.click(shownCard(turn), 'Send the consent request', { adminUpn: bob.userPrincipalName }, id);
    const current = await connectorOf(h, tenant);
    expect(current.consent?.requestId).not.toBe(firstId);
    expect(reviewerCard(h, bob)).toBeDefined();
    const replaced = await h.bot.store.consentRequests.get(tenant.id, firstId);
    expect(replaced?.state).toBe('superseded');
    expect(cardText(updatesIn(h, first.chat)[0])).toContain('Replaced by a newer request');

    h.standIn.reset();
    const late = await reviewerClient(h, tenant, admin).click(first.card, 'Decline the request', {
      declineReason: 'no',
    });
    expect(String(late.replies[0].text)).toContain('replaced by a newer one');
    expect((await connectorOf(h, tenant)).status).toBe('awaiting-consent');
    expect(h.standIn.posted(client.conversation.id)).toHaveLength(0);
    const audit = await auditApi(h, tenant);
    expect(audit.filter((e) => e.action === 'consent.declined')).toHaveLength(0);
  });

  test('an older request still open (recorded before requests were superseded) cannot decline the connector', async () => {
    const { tenant } = tenantWithReviewers(cloud, 'Legacy');
    const admin = tenant.admin!;
    const { client } = await handOver(h, tenant, 'Legacy destination', { adminId: admin.id, adminUpn: '' });
    const { card } = reviewerCard(h, admin);
    const connector = await connectorOf(h, tenant);
    // The connector now waits on another request, as a hand-over recorded elsewhere leaves it.
    await h.bot.store.connectors.update({
      ...connector,
      consent: { ...connector.consent, requestId: 'a-newer-request' },
    });
    h.standIn.reset();
    const late = await reviewerClient(h, tenant, admin).click(card, 'Decline the request', {
      declineReason: 'no',
    });
    expect(String(late.replies[0].text)).toContain('replaced by a newer one');
    expect((await connectorOf(h, tenant)).status).toBe('awaiting-consent');
    expect(h.standIn.posted(client.conversation.id)).toHaveLength(0);
  });

  test('link-like names in the consent replies show literally (reviewer names, the connector’s name)', async () => {
    const LINK = '[Reauthorize here](https://evil.example)';
    const { tenant } = tenantWithReviewers(cloud, 'Hostile');
    const admin = tenant.admin!;
    const evil = tenant.addUser({ displayName: LINK, alias: 'evil' });
    tenant.assignRole(evil.id, CLOUD_APP_ADMIN);
    const { client } = await handOver(h, tenant, LINK, { addressees: 'roles' });
    const { card } = reviewerCard(h, admin);
    const plain = (turn: { replies: Record<string, unknown>[] }) =>
      turn.replies.map((r) => String(r.text ?? '')).join('\n');
    const live = /(^|[^\\])\[Reauthorize here\]\(/;

    // A forged decline: the refusal lists the reviewers, one of them named like a link.
    const forged = await new TeamsClient(
      h.bot.url,
      h.standIn,
      makeUser('Mallory'),
      personalChat(tenant.id, makeUser('Mallory')),
    ).click(card, 'Decline the request', { declineReason: 'x' });
    expect(unescapeMarkdown(plain(forged))).toContain(LINK);
    expect(plain(forged)).not.toMatch(live);

    await reviewerClient(h, tenant, admin).click(card, 'Decline the request', { declineReason: 'no' });
    const status = shownCard(await client.say('status reauthorize here'));
    const again = await client.click(status, 'Ask again');
    expect(unescapeMarkdown(plain(again))).toContain(`I asked again for admin consent for ${LINK}`);
    expect(plain(again)).not.toMatch(live);
  });

  test('a forward on a request whose connector was deleted says so, not that the admin was unreachable', async () => {
    const { tenant, bob } = tenantWithReviewers(cloud, 'Deleted');
    const admin = tenant.admin!;
    await handOver(h, tenant, 'Deleted destination', { adminId: admin.id, adminUpn: '' });
    const { card } = reviewerCard(h, admin);
    await h.bot.store.connectors.delete(tenant.id, (await connectorOf(h, tenant)).id);
    h.standIn.reset();
    const turn = await reviewerClient(h, tenant, admin).click(card, 'Forward the request', {
      forwardUpn: bob.userPrincipalName,
    });
    const text = turn.replies.map((r) => String(r.text ?? '')).join('\n');
    expect(unescapeMarkdown(text)).toContain(
      'The connector Deleted destination no longer exists (it was deleted)',
    );
    expect(text).not.toContain('could not reach them');
    expect(h.standIn.posted(`a:1:personal-${bob.id}`)).toHaveLength(0);
    expect(h.bot.logs).toContainEqual(
      expect.objectContaining({ msg: 'consent request action refused: connector deleted' }),
    );
  });

  test('at its deadline, a request its connector no longer waits on is closed as superseded, not expired', async () => {
    const { tenant } = tenantWithReviewers(cloud, 'Stale');
    const admin = tenant.admin!;
    const { client } = await handOver(h, tenant, 'Stale destination', { adminId: admin.id, adminUpn: '' });
    const connector = await connectorOf(h, tenant);
    const staleId = connector.consent!.requestId!;
    // Handed over again before older requests were closed as superseded (an older record).
    await h.bot.store.connectors.update({
      ...connector,
      consent: { ...connector.consent, requestId: 'a-newer-request' },
    });
    h.standIn.reset();
    h.bot.clock.advanceDays(31);
    await h.bot.scanner.scan();
    expect((await h.bot.store.consentRequests.get(tenant.id, staleId))?.state).toBe('superseded');
    expect((await connectorOf(h, tenant)).status).toBe('awaiting-consent');
    expect(h.standIn.posted(client.conversation.id).some((a) => JSON.stringify(a).includes('expired'))).toBe(
      false,
    );
  });

  test('deleting the connector withdraws its open request: not listed by consents, audited, a click on its card refused; one deleted behind the bot’s back is withdrawn at its deadline, not expired', async () => {
    const { tenant } = tenantWithReviewers(cloud, 'Gone');
    const admin = tenant.admin!;
    const { client } = await handOver(h, tenant, 'Gone destination', { adminId: admin.id, adminUpn: '' });
    const requestId = (await connectorOf(h, tenant)).consent!.requestId!;
    const { card } = reviewerCard(h, admin);
    const ask = await client.say('delete gone destination');
    const deleted = await client.click(shownCard(ask), 'Delete permanently', {}, String(ask.replies[0].id));
    expect(cardText(shownCard(deleted))).toContain('Deleted Gone destination');
    expect((await h.bot.store.consentRequests.get(tenant.id, requestId))?.state).toBe('withdrawn');
    expect(cardText(shownCard(await reviewerClient(h, tenant, admin).say('consents')))).not.toContain(
      'Gone destination',
    );
    expect((await auditApi(h, tenant)).map((e) => e.action)).toContain('consent.withdrawn');
    const clicked = await reviewerClient(h, tenant, admin).click(card, 'I have granted consent');
    expect(unescapeMarkdown(clicked.replies.map((r) => String(r.text ?? '')).join('\n'))).toMatch(
      /withdrawn|deleted|does not exist in this tenant/,
    );

    const other = tenantWithReviewers(cloud, 'Vanished').tenant;
    const second = await handOver(h, other, 'Vanished destination', {
      adminId: other.admin!.id,
      adminUpn: '',
    });
    const vanished = await connectorOf(h, other);
    await h.bot.store.connectors.delete(other.id, vanished.id);
    h.standIn.reset();
    h.bot.clock.advanceDays(31);
    await h.bot.scanner.scan();
    expect((await h.bot.store.consentRequests.get(other.id, vanished.consent!.requestId!))?.state).toBe(
      'withdrawn',
    );
    expect(
      h.standIn.posted(second.client.conversation.id).some((a) => JSON.stringify(a).includes('expired')),
    ).toBe(false);
  });

  test('forward to another admin by UPN: they get the card, the requester is told to whom; a forged click changes nothing', async () => {
    const { tenant, bob } = tenantWithReviewers(cloud, 'Northwind');
    const admin = tenant.admin!;
    const { client } = await handOver(h, tenant, 'Northwind destination', { adminId: admin.id });
    const { card } = reviewerCard(h, admin);

    const forger = makeUser('Mallory');
    const forged = await new TeamsClient(h.bot.url, h.standIn, forger, personalChat(tenant.id, forger)).click(
      card,
      'Forward the request',
      { forwardUpn: forger.upn },
    );
    expect(String(forged.replies[0].text)).toContain('Only Adele Admin can act on this consent request');
    const [stillOpen] = await h.bot.store.consentRequests.listByTenant(tenant.id);
    expect(stillOpen.reviewers.map((r) => r.name)).toEqual(['Adele Admin']);

    h.standIn.reset();
    const forwarded = await reviewerClient(h, tenant, admin).click(card, 'Forward the request', {
      forwardUpn: bob.userPrincipalName,
    });
    expect(forwarded.replies.map((r) => String(r.text)).join('\n')).toContain(
      'You forwarded the consent request for Northwind destination to Bob Apps',
    );
    const bobs = reviewerCard(h, bob);
    expect(cardText(bobs.card)).toContain('Adele Admin, Bob Apps');
    expect(
      h.standIn
        .posted(client.conversation.id)
        .some((a) =>
          String(a.text).includes(
            'Adele Admin forwarded your consent request for Northwind destination to Bob Apps',
          ),
        ),
    ).toBe(true);
    const audit = await auditApi(h, tenant);
    expect(audit.find((e) => e.action === 'consent.forwarded')).toMatchObject({
      actorName: 'Adele Admin',
      detail: { to: bob.userPrincipalName },
    });
    // Bob may now decide.
    await reviewerClient(h, tenant, bob).click(bobs.card, 'Decline the request', {
      declineReason: 'no budget',
    });
    expect((await connectorOf(h, tenant)).status).toBe('consent-declined');
  });

  test('the consents list: actions for a reviewer and the requester, read-only for anyone else', async () => {
    const { tenant } = tenantWithReviewers(cloud, 'Litware');
    const admin = tenant.admin!;
    const { client } = await handOver(h, tenant, 'Litware destination', { adminId: admin.id });
    const reviewerList = shownCard(await reviewerClient(h, tenant, admin).say('consents'));
    expect(cardText(reviewerList)).toContain('Litware destination');
    expect(cardText(reviewerList)).toContain('Sam SharePoint');
    expect(cardText(reviewerList)).toContain('asked today');
    expect(actionTitles(reviewerList)).toEqual(['Review Litware destination']);
    const requesterList = shownCard(await client.say('consents'));
    expect(actionTitles(requesterList)).toEqual(['Check again: Litware destination']);
    const other = makeUser('Megan Member');
    const otherList = shownCard(
      await new TeamsClient(h.bot.url, h.standIn, other, personalChat(tenant.id, other)).say('consents'),
    );
    expect(cardText(otherList)).toContain('Litware destination');
    expect(cardText(otherList)).toContain('the list is read-only for you');
    expect(actionTitles(otherList)).toEqual([]);

    // Review posts the request card again, with the reviewer's buttons.
    const review = await reviewerClient(h, tenant, admin).click(reviewerList, 'Review Litware destination');
    expect(actionTitles(shownCard(review))).toEqual(
      expect.arrayContaining(['I have granted consent', 'Decline…', 'Forward…']),
    );
    // The status card offers the list too.
    expect(actionTitles(shownCard(await client.say('status litware destination')))).toContain(
      'Consent requests',
    );
  });
});

describe('consent request reminders and expiry across a restart', () => {
  let cloud: FakeMicrosoftCloud;
  const dataDir = makeTempDir();

  beforeAll(async () => {
    cloud = await startFakeMicrosoftCloud();
  });
  afterAll(async () => {
    await cloud.stop();
    removeTempDir(dataDir);
  });

  test('each reviewer is reminded once, the requester once, and the request expires once, whatever restarts', async () => {
    const clock = new TestClock();
    // One Bot Connector stand-in throughout, so that stored conversation references stay valid;
    // only the bot process restarts, on the same data directory.
    const standIn = new ConnectorStandIn();
    await standIn.start();
    const start = async (): Promise<Harness> => {
      const bot = await startTestBot({ cloud, dataDir, clock, env: { ...ENV, CONSENT_REQUEST_DAYS: '10' } });
      return {
        standIn,
        bot,
        stop: () => bot.stop(),
        chat: (user, kind, tenant) => openChat(bot.url, standIn, user, kind, tenant),
      };
    };
    let h = await start();
    const { tenant, bob } = tenantWithReviewers(cloud, 'Woodgrove');
    const admin = tenant.admin!;
    const { client } = await handOver(h, tenant, 'Woodgrove destination', { addressees: 'roles' });
    const adeleChat = `a:1:personal-${admin.id}`;
    const bobChat = `a:1:personal-${bob.id}`;
    h.standIn.reset();

    clock.set(new Date(clock.now().getTime() + 25 * HOUR));
    expect((await h.bot.scanner.scan()).consentReminders).toBe(2);
    expect(String(h.standIn.posted(adeleChat)[0].text)).toContain('Reminder: the Office 365 Connector');
    expect(h.standIn.posted(bobChat)).toHaveLength(1);
    await h.stop();
    h.standIn.reset();

    h = await start();
    expect((await h.bot.scanner.scan()).consentReminders).toBe(0);
    clock.set(new Date(clock.now().getTime() + 48 * HOUR));
    expect((await h.bot.scanner.scan()).consentReminders).toBe(1);
    expect(h.standIn.posted(client.conversation.id)).toHaveLength(1);
    expect(h.standIn.posted(adeleChat)).toHaveLength(0);

    // Day 10: the request expires; the requester is told and the reviewers' cards say so.
    clock.advanceDays(8);
    const expiring = await h.bot.scanner.scan();
    expect(expiring.consentExpired).toBe(1);
    expect((await connectorOf(h, tenant)).status).toBe('consent-expired');
    const told = h.standIn.posted(client.conversation.id).map((a) => cardOf(a));
    expect(cardText(told[told.length - 1])).toContain('Consent request expired: Woodgrove destination');
    expect(actionTitles(told[told.length - 1])).toContain('Ask again');
    expect(cardText(updatesIn(h, adeleChat)[0])).toContain('Expired without a decision');
    const sp = teamsUser(tenant.sharePointAdmin!);
    const requester = new TeamsClient(h.bot.url, h.standIn, sp, personalChat(tenant.id, sp));
    const status = shownCard(await requester.say('status woodgrove destination'));
    expect(cardText(status)).toContain('consent-expired');
    expect(actionTitles(status)).toContain('Ask again');
    await h.stop();

    h = await start();
    const after = await h.bot.scanner.scan();
    expect(after).toMatchObject({ consentExpired: 0, consentReminders: 0 });
    const audit = await auditApi(h, tenant);
    expect(audit.filter((e) => e.action === 'consent.expired')).toHaveLength(1);
    expect(audit.find((e) => e.action === 'consent.expired')?.detail).toMatchObject({
      reason: 'no reviewer decided within 10 days',
    });
    expect(audit.filter((e) => e.action === 'consent.reminded')).toHaveLength(3);
    await h.stop();
    await standIn.stop();
  }, 120_000);

  test('consent granted in the portal before the request ends: the expiry scan verifies it instead of expiring it', async () => {
    const clock = new TestClock();
    const standIn = new ConnectorStandIn();
    await standIn.start();
    const bot = await startTestBot({ cloud, clock, env: { ...ENV, CONSENT_REQUEST_DAYS: '10' } });
    const h: Harness = {
      standIn,
      bot,
      stop: () => bot.stop(),
      chat: (user, kind, tenant) => openChat(bot.url, standIn, user, kind, tenant),
    };
    try {
      const { tenant, grant } = tenantWithReviewers(cloud, 'Tailspin');
      const { client } = await handOver(h, tenant, 'Tailspin destination', { addressees: 'roles' });
      clock.set(new Date(clock.now().getTime() + 25 * HOUR));
      expect((await h.bot.scanner.scan()).consentReminders).toBe(2);
      // Granted in the Azure portal (seed 000, steps 6 to 9); nobody tells the bot.
      grant();
      clock.advanceDays(10);
      const scan = await h.bot.scanner.scan();
      expect(scan).toMatchObject({ consentExpired: 0, consentReminders: 0 });
      expect(await connectorOf(h, tenant)).toMatchObject({
        status: 'authorized',
        provenance: { kind: 'verified', method: 'graph-consent' },
      });
      const audit = await auditApi(h, tenant);
      expect(audit.filter((e) => e.action === 'consent.expired')).toHaveLength(0);
      expect(audit.find((e) => e.action === 'consent.approved')?.detail).toMatchObject({
        reason: 'admin consent verified with Microsoft Graph',
      });
      const told = h.standIn.posted(client.conversation.id);
      expect(
        told.some((a) => String(a.text ?? '').includes('Admin consent for Tailspin destination is verified')),
      ).toBe(true);
    } finally {
      await h.stop();
      await standIn.stop();
    }
  }, 120_000);
});
