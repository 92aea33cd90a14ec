import { makeUser } from '../../harness/activities';
import { actionTitles, cardOf, cardText, type Card } from '../../harness/cards';
import type { Chat, DirectoryPerson } from '../../harness/chat';
import { answerError, shownCard } from '../../harness/teamsClient';
import type { Harness } from '../../harness/testBot';
import { useCloudHarness } from '../../harness/useHarness';
import { expectValidCard } from '../../support/cardValidation';
import { HOSTILE, hostileMarkup, markdownPlaces } from '../../support/markdownCheck';
import { reply, type FakeTenant, type FakeUser } from '../../support/fakeMicrosoftCloud';
import { CONSENT_VERBS } from '../../../src/cards/verbs';
import { CARD_DATA_VERSION } from '../../../src/cards/universalActions';
import { reviewerCard, tenantWithReviewers } from '../../support/consentTenants';

const ENV = { CONSENT_REVIEWER_ROLES: 'Cloud Application Administrator' };
const DECISIONS = ['I have granted consent', 'Decline…', 'Forward…'];

/** The SharePoint admin runs the wizard to the hand-over and sends it with `values`; their chat. */
async function handOver(
  h: Harness,
  tenant: FakeTenant,
  name: string,
  values: Record<string, string>,
  reviewers: FakeUser[] = [tenant.admin!],
  where: 'personal' | 'channel' = 'personal',
) {
  // The reviewers have used the bot before, so it knows the Teams ids their clients go by:
  // refresh.userIds names people that way, and someone it never met gets only the Refresh button.
  for (const reviewer of reviewers) await h.chat(reviewer, 'personal', tenant).say('help');
  if (reviewers.length > 0) h.standIn.reset();
  const sam = h.chat(tenant.sharePointAdmin!, where, tenant);
  const started = await sam.say('connect office365');
  const id = String(started.replies[0].id);
  // In a channel the posted card is read-only; the starter's client fetches the controls.
  const opened = where === 'channel' ? await sam.open(shownCard(started), id) : undefined;
  let turn = await sam.click(shownCard(opened ?? started), 'Next', { displayName: name }, id);
  const upn = tenant.sharePointAdmin!.userPrincipalName;
  turn = await sam.click(shownCard(turn), 'Next', { cloud: 'global', upn }, id);
  for (let step = 1; step <= 4; step++) turn = await sam.click(shownCard(turn), 'Next', {}, id);
  turn = await sam.click(shownCard(turn), 'I am a SharePoint admin: hand over', {}, id);
  await sam.click(shownCard(turn), 'Send the consent request', values, id);
  return sam;
}

function refreshOf(card: Card): { verb: string; data: Record<string, unknown>; userIds: string[] } {
  const refresh = card.refresh as {
    action: { verb: string; data: Record<string, unknown> };
    userIds: string[];
  };
  return { verb: refresh.action.verb, data: refresh.action.data, userIds: refresh.userIds };
}

/** What the person sees once their Teams client refreshed `card` (it must refresh for them). */
async function opened(chat: Chat, card: Card): Promise<Card> {
  const turn = await chat.open(card);
  if (!turn) throw new Error(`Teams would not refresh this card for ${chat.user.name}`);
  const now = shownCard(turn);
  expectValidCard(now);
  return now;
}

/** The manual Refresh: the card's refresh action, clicked by someone its userIds leave out. */
async function refreshedBy(chat: Chat, card: Card): Promise<Card> {
  const { verb, data } = refreshOf(card);
  const now = shownCard(await chat.executeRaw(verb, data));
  expectValidCard(now);
  return now;
}

/** Everything the bot keeps about the tenant's consent: requests, connectors, audit, as text. */
async function snapshot(h: Harness, tenantId: string): Promise<string> {
  const store = h.bot.store;
  return JSON.stringify({
    requests: await store.consentRequests.listByTenant(tenantId, { limit: 50 }),
    connectors: (await store.connectors.list(tenantId, { limit: 50 })).items,
    audit: await store.audit.list(tenantId, { limit: 500 }),
  });
}

const mri = (user: DirectoryPerson) => `29:${user.id}`;

describe('the consent request card stays current (Universal Actions refresh)', () => {
  const { cloud, h } = useCloudHarness({ env: ENV });
  beforeEach(() => h.standIn.reset());

  test('a reviewer who opens it gets the decisions; anyone else a read-only view; nothing is written', async () => {
    const { tenant, admin, bob } = tenantWithReviewers(cloud, 'Contoso');
    const sam = await handOver(h, tenant, 'Contoso destination', { addressees: 'roles' }, [admin, bob]);
    const card = reviewerCard(h, admin).card;
    const refresh = refreshOf(card);
    expect(refresh.verb).toBe(CONSENT_VERBS.view);
    expect(refresh.userIds.sort()).toEqual([mri(admin), mri(bob), mri(tenant.sharePointAdmin!)].sort());
    const before = await snapshot(h, tenant.id);

    const adele = h.chat(admin, 'personal', tenant);
    expect(actionTitles(await opened(adele, card))).toEqual(expect.arrayContaining(DECISIONS));

    const megan = h.chat(makeUser('Megan Member'), 'groupChat', tenant);
    expect(await megan.open(card)).toBeUndefined();
    const readOnly = await refreshedBy(megan, card);
    expect(cardText(readOnly)).toContain('Waiting for Adele Admin, Bob Apps');
    expect(actionTitles(readOnly)).toEqual(['Refresh', 'Show consent requests']);
    // Its own Refresh button reads the request again, still read-only for Megan.
    expect(actionTitles(shownCard(await megan.click(readOnly, 'Refresh')))).toEqual([
      'Refresh',
      'Show consent requests',
    ]);

    const requester = await opened(sam, card);
    expect(cardText(requester)).toContain('Waiting for Adele Admin, Bob Apps');
    expect(actionTitles(requester)).toEqual(['Check again', 'Refresh', 'Show consent requests']);
    expect(await snapshot(h, tenant.id)).toBe(before);
  });

  test('posted with an @mention where others read it, the card is read-only until a reviewer’s client refreshes it', async () => {
    const { tenant, admin } = tenantWithReviewers(cloud, 'Proseware');
    // Adele has spoken in a channel the bot is in (so it knows her Teams id) but has no 1:1 with it.
    await h.chat(admin, 'channel', tenant).say('help');
    cloud.graph.on(
      'POST',
      '/users/{id}/teamwork/installedApps',
      reply(403, { error: { code: 'Forbidden', message: 'no' } }),
      { tenant: tenant.id },
    );
    h.standIn.program(
      'createConversation',
      { status: 403, body: { error: { code: 'Forbidden' } } },
      { times: 5 },
    );
    const sam = await handOver(
      h,
      tenant,
      'Proseware destination',
      { adminId: admin.id, adminUpn: '' },
      [],
      'channel',
    );
    const mention = h.standIn
      .posted(sam.conversation.id)
      .find((a) => String(a.text).includes('<at>Adele Admin</at>'));
    const posted = cardOf(mention);
    expectValidCard(posted);
    expect(cardText(posted)).toContain('Waiting for Adele Admin');
    expect(actionTitles(posted)).toEqual(['Refresh', 'Show consent requests']);
    expect(actionTitles(await opened(sam.as(admin), posted))).toEqual(expect.arrayContaining(DECISIONS));
    expect(await sam.as(makeUser('Megan Member')).open(posted)).toBeUndefined();
  });

  test('after another reviewer’s consent is verified, the card says handled by them and verified with Graph', async () => {
    const { tenant, admin, bob, grant } = tenantWithReviewers(cloud, 'Fabrikam');
    await handOver(h, tenant, 'Fabrikam destination', { addressees: 'roles' }, [admin, bob]);
    const adeleCard = reviewerCard(h, admin).card;
    const bobs = h.chat(bob, 'personal', tenant);

    // Bob reports consent before granting it: reported, not verified, and the card says so.
    await bobs.click(reviewerCard(h, bob).card, 'I have granted consent');
    const adele = h.chat(admin, 'personal', tenant);
    const reported = await opened(adele, adeleCard);
    expect(cardText(reported)).toMatch(
      /Reported granted.*by Bob Apps on \d{4}-\d{2}-\d{2}.*Microsoft Graph did not find the consent yet, so it is not verified/s,
    );
    expect(cardText(reported)).not.toContain('Consent verified');
    expect(actionTitles(reported)).toEqual(expect.arrayContaining(DECISIONS));

    grant();
    await bobs.click(reviewerCard(h, bob).card, 'I have granted consent');
    const before = await snapshot(h, tenant.id);
    const now = await opened(adele, adeleCard);
    expect(cardText(now)).toContain('Consent verified with Microsoft Graph');
    expect(cardText(now)).toMatch(/when Bob Apps checked: admin consent for/);
    expect(cardText(now)).not.toContain('Handled');
    expect(cardText(now)).toMatch(/Consent verified with Microsoft Graph on \d{4}-\d{2}-\d{2}/);
    expect(actionTitles(now)).toEqual(['Refresh', 'Show consent requests']);
    expect(await snapshot(h, tenant.id)).toBe(before);
  });

  test('consent verified by the requester’s Check again: every card says their check verified it, not that they granted it', async () => {
    const { tenant, admin, grant } = tenantWithReviewers(cloud, 'Adatum');
    const sam = await handOver(h, tenant, 'Adatum destination', { adminId: admin.id, adminUpn: '' });
    const card = reviewerCard(h, admin).card;
    grant();
    await sam.click(await opened(sam, card), 'Check again');
    const now = await opened(h.chat(admin, 'personal', tenant), card);
    expect(cardText(now)).toContain(`when ${tenant.sharePointAdmin!.displayName} checked: admin consent for`);
    expect(cardText(now)).toMatch(new RegExp(`Checked: by ${tenant.sharePointAdmin!.displayName} on `));
    expect(cardText(now)).not.toContain('Handled');
  });

  test('declined: the reason shows as typed (escaped), Ask again only for the requester; forwards are named', async () => {
    const { tenant, admin, bob } = tenantWithReviewers(cloud, 'Litware');
    const sam = await handOver(h, tenant, 'Litware destination', { adminId: admin.id, adminUpn: '' });
    const card = reviewerCard(h, admin).card;
    const adele = h.chat(admin, 'personal', tenant);
    await adele.click(card, 'Forward the request', { forwardUpn: bob.userPrincipalName });
    const forwarded = await opened(adele, card);
    expect(cardText(forwarded)).toMatch(/to Bob Apps by Adele Admin on \d{4}-\d{2}-\d{2}/);

    const reason = `Not this app: ${HOSTILE}`;
    await h.chat(bob, 'personal', tenant).click(reviewerCard(h, bob).card, 'Decline the request', {
      declineReason: reason,
    });
    const before = await snapshot(h, tenant.id);
    const declined = await opened(adele, card);
    expect(cardText(declined)).toMatch(
      /Declined by Bob Apps on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC: Not this app: \[Reauthorize here\]/,
    );
    expect(cardText(declined)).toContain(`Reason: ${reason}`);
    expect(markdownPlaces(declined).flatMap(hostileMarkup)).toEqual([]);
    expect(actionTitles(declined)).toEqual(['Refresh', 'Show consent requests']);
    const requester = await opened(sam, card);
    expect(actionTitles(requester)).toEqual(['Ask again', 'Refresh', 'Show consent requests']);
    expect(await snapshot(h, tenant.id)).toBe(before);
  });

  test('a deleted connector: the card says who deleted it and when, and writes nothing', async () => {
    const { tenant, admin } = tenantWithReviewers(cloud, 'Northwind');
    const sam = await handOver(h, tenant, 'Northwind destination', { adminId: admin.id, adminUpn: '' });
    const card = reviewerCard(h, admin).card;
    const ask = await sam.say('delete Northwind destination');
    await sam.click(shownCard(ask), 'Delete permanently', {}, String(ask.replies[0].id));
    expect((await h.bot.store.connectors.list(tenant.id)).items).toHaveLength(0);
    const before = await snapshot(h, tenant.id);
    const now = await opened(h.chat(admin, 'personal', tenant), card);
    expect(cardText(now)).toMatch(
      new RegExp(`deleted by ${tenant.sharePointAdmin!.displayName} on \\d{4}-\\d{2}-\\d{2}`),
    );
    expect(actionTitles(now)).not.toEqual(expect.arrayContaining(['I have granted consent']));
    expect(await snapshot(h, tenant.id)).toBe(before);
  });

  test('forged, foreign or garbled refresh data gets an invoke error and changes nothing', async () => {
    const { tenant, admin } = tenantWithReviewers(cloud, 'Woodgrove');
    await handOver(h, tenant, 'Woodgrove destination', { adminId: admin.id, adminUpn: '' });
    const { data } = refreshOf(reviewerCard(h, admin).card);
    const other = cloud.addTenant({ displayName: 'Elsewhere' });
    const before = await snapshot(h, tenant.id);

    const foreign = await h.chat(other.admin!, 'personal', other).executeRaw(CONSENT_VERBS.view, data);
    expect(answerError(foreign)).toMatchObject({ statusCode: 404 });
    expect(answerError(foreign)?.message).toContain('not in your tenant');

    const adele = h.chat(admin, 'personal', tenant);
    const swapped = await adele.executeRaw(CONSENT_VERBS.view, { ...data, connectorId: 'someone-else' });
    expect(answerError(swapped)?.statusCode).toBe(400);
    const missing = await adele.executeRaw(CONSENT_VERBS.view, { cardVersion: CARD_DATA_VERSION });
    expect(answerError(missing)?.statusCode).toBe(400);
    const unknown = await adele.executeRaw(CONSENT_VERBS.view, { ...data, requestId: 'made-up' });
    expect(answerError(unknown)?.statusCode).toBe(404);
    const old = await adele.executeRaw(CONSENT_VERBS.view, { ...data, cardVersion: 1 });
    expect(answerError(old)?.message).toContain('earlier version');
    expect(await snapshot(h, tenant.id)).toBe(before);
  });

  // Last: it moves the shared clock past every request's deadline.
  test('expired: the card says when, with Ask again for the requester only', async () => {
    const { tenant, admin } = tenantWithReviewers(cloud, 'Tailspin');
    const sam = await handOver(h, tenant, 'Tailspin destination', { adminId: admin.id, adminUpn: '' });
    const card = reviewerCard(h, admin).card;
    h.bot.clock.advanceDays(31);
    await h.bot.scanner.scan();
    const before = await snapshot(h, tenant.id);
    const reviewer = await opened(h.chat(admin, 'personal', tenant), card);
    expect(cardText(reviewer)).toMatch(/Expired on \d{4}-\d{2}-\d{2}/);
    expect(actionTitles(reviewer)).toEqual(['Refresh', 'Show consent requests']);
    const requester = await opened(sam, card);
    expect(cardText(requester)).toContain('You can ask again.');
    expect(actionTitles(requester)).toEqual(['Ask again', 'Refresh', 'Show consent requests']);
    expect(await snapshot(h, tenant.id)).toBe(before);
  });
  test('Review clicked in a channel posts the read-only view there; the reviewer’s client refreshes it into the decisions', async () => {
    const { tenant, admin } = tenantWithReviewers(cloud, 'Coho');
    await handOver(h, tenant, 'Coho destination', { adminId: admin.id, adminUpn: '' });
    const adeleInChannel = h.chat(admin, 'channel', tenant);
    const list = shownCard(await adeleInChannel.say('consents'));
    const posted = shownCard(await adeleInChannel.click(list, 'Review Coho destination'));
    expectValidCard(posted);
    expect(cardText(posted)).toContain('Waiting for Adele Admin');
    expect(actionTitles(posted)).not.toEqual(expect.arrayContaining(['I have granted consent']));
    expect(refreshOf(posted).userIds).toContain(mri(admin));
    expect(actionTitles(await opened(adeleInChannel, posted))).toEqual(expect.arrayContaining(DECISIONS));
    expect(await adeleInChannel.as(makeUser('Megan Member')).open(posted)).toBeUndefined();
  });
});
