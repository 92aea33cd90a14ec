import { channel, makeUser, personalChat, type TeamsUser } from '../../harness/activities';
import { actionTitles, cardOf, cardText, openUrls } from '../../harness/cards';
import { shownCard, TeamsClient } from '../../harness/teamsClient';
import { expectValidCard } from '../../support/cardValidation';
import { reply, type FakeTenant } from '../../support/fakeMicrosoftCloud';
import { useCloudHarness } from '../../harness/useHarness';
import { teamsUserOf } from '../../harness/chat';
import { answerError } from '../../harness/teamsClient';
import { withReplaced } from '../../support/replaceMethod';
import { StoreUnavailableError } from '../../../src/connectors/ports';
import type { ConsentRequest } from '../../../src/connectors/consentRequest';

const CATALOG_APP = '3a2b1c0d-1111-4222-8333-444455556666';

const shown = shownCard;

describe('admin consent hand-over', () => {
  const { cloud, h } = useCloudHarness({ env: { TEAMS_APP_CATALOG_ID: CATALOG_APP } });
  beforeEach(() => h.standIn.reset());

  /** A SharePoint admin of `tenant` runs the wizard to the hand-over card; returns it and their client. */
  async function toHandover(tenant: FakeTenant, name: string, where: 'personal' | 'channel' = 'personal') {
    const sp = tenant.sharePointAdmin!;
    const user: TeamsUser = teamsUserOf(sp);
    const conversation = where === 'channel' ? channel(tenant.id) : personalChat(tenant.id, user);
    const client = h.chat(user, conversation);
    const started = await client.say('connect office365');
    const id = String(started.replies[0].id);
    // In a channel the posted card is read-only; the starter's client fetches the controls.
    const opened = (await client.open(shown(started), id)) ?? started;
    let turn = await client.click(shown(opened), 'Next', { displayName: name }, id);
    turn = await client.click(shown(turn), 'Next', { cloud: 'global', upn: sp.userPrincipalName }, id);
    for (let step = 1; step <= 4; step++) turn = await client.click(shown(turn), 'Next', {}, id);
    turn = await client.click(shown(turn), 'I am a SharePoint admin: hand over', {}, id);
    return { client, card: shown(turn), id };
  }

  test('a SharePoint admin is offered the global admins, a people picker and a UPN field; the admin gets a 1:1 card with both links', async () => {
    const tenant = cloud.addTenant({ displayName: 'Contoso' });
    const { client, card, id } = await toHandover(tenant, 'Contoso destination');
    expect(cardText(card)).toContain('Send the consent request to a global admin');
    expect(cardText(card)).toContain('point your global admin to **https://aka.ms/office365moverauth**');
    expect(openUrls(card)).toContain('https://aka.ms/office365moverauth');
    expect(cardText(card)).toContain('in our 1:1 chat nobody else would see it');
    const json = JSON.stringify(card);
    expect(json).toContain(`"value":"${tenant.admin!.id}"`);
    expect(json).toContain('Adele Admin');
    expect(json).toContain('"dataset":"graph.microsoft.com/users"');

    const sent = await client.click(
      card,
      'Send the consent request',
      { adminId: tenant.admin!.id, adminUpn: '' },
      id,
    );
    const created = h.standIn.callsTo('createConversation');
    expect(created).toHaveLength(1);
    expect(created[0].body).toMatchObject({ members: [{ id: tenant.admin!.id }], tenantId: tenant.id });
    const adminCard = cardOf(h.standIn.posted(`a:1:personal-${tenant.admin!.id}`)[0]);
    expectValidCard(adminCard);
    const text = cardText(adminCard);
    expect(text).toContain(
      'Sam SharePoint reports authorizing the **Contoso destination** connector in Mover (steps 1 to 5)',
    );
    expect(openUrls(adminCard)).toContain('https://aka.ms/office365moverauth');
    expect(openUrls(adminCard)).toContainEqual(
      expect.stringContaining(`/${tenant.id}/adminconsent?client_id=${cloud.connectorAppId}`),
    );
    expect(text).toContain('Grant admin consent for Mover');
    expect(actionTitles(adminCard)).toContain('I have granted consent');
    const requesterCard = shown(sent);
    expect(cardText(requesterCard)).toContain('I sent the consent request to Adele Admin');
    const [connector] = (await h.bot.store.connectors.list(tenant.id)).items;
    expect(connector).toMatchObject({
      status: 'awaiting-consent',
      consent: { requestedFromId: tenant.admin!.id, delivery: 'direct' },
    });
    const audit = await h.bot.store.audit.list(tenant.id, { connectorId: connector.id });
    expect(audit.find((a) => a.action === 'consent.requested')?.detail).toMatchObject({ delivery: 'direct' });
  });

  test('a 1:1 card that went out is called sent although its chat could not be stored, and is not sent twice', async () => {
    const tenant = cloud.addTenant({ displayName: 'Fabrikam' });
    const { client, card, id } = await toHandover(tenant, 'Fabrikam destination');
    const sent = await withReplaced(
      h.bot.store.conversations,
      'upsert',
      () => async () => {
        throw new StoreUnavailableError('conversations');
      },
      () => client.click(card, 'Send the consent request', { adminId: tenant.admin!.id, adminUpn: '' }, id),
    );
    expect(h.standIn.posted(`a:1:personal-${tenant.admin!.id}`)).toHaveLength(1);
    expect(cardText(shown(sent))).toContain('I sent the consent request to Adele Admin');
    expect(
      h.bot.logs.some(
        (l) => l.level === 'warn' && String(l.msg).includes('delivered 1:1, but its chat was not stored'),
      ),
    ).toBe(true);
  });

  test('an admin the bot is not installed for: it installs itself with Graph and retries once', async () => {
    const tenant = cloud.addTenant({ displayName: 'Fabrikam' });
    cloud.graph.on('POST', '/users/{id}/teamwork/installedApps', reply(201, {}), { tenant: tenant.id });
    const { client, card, id } = await toHandover(tenant, 'Fabrikam destination');
    h.standIn.program(
      'createConversation',
      { status: 403, body: { error: { code: 'Forbidden' } } },
      { times: 1 },
    );
    const sent = await client.click(card, 'Send the consent request', { adminId: tenant.admin!.id }, id);
    const install = cloud.graph.requestsTo(`/users/${tenant.admin!.id}/teamwork/installedApps`, 'POST');
    expect(install).toHaveLength(1);
    expect(JSON.stringify(install[0])).toContain(`appCatalogs/teamsApps/${CATALOG_APP}`);
    expect(h.standIn.callsTo('createConversation').map((c) => c.status)).toEqual([403, 201]);
    expect(cardText(shown(sent))).toContain('I installed myself for them first');
  });

  test('when the 1:1 send fails even after installing, a requester in their 1:1 chat with the bot is told it reached nobody and why, with no @mention there', async () => {
    const tenant = cloud.addTenant({ displayName: 'Northwind' });
    cloud.graph.on(
      'POST',
      '/users/{id}/teamwork/installedApps',
      reply(403, { error: { code: 'Forbidden', message: 'no' } }),
      {
        tenant: tenant.id,
      },
    );
    const { client, card, id } = await toHandover(tenant, 'Northwind destination');
    h.standIn.program(
      'createConversation',
      { status: 403, body: { error: { code: 'Forbidden' } } },
      { times: 5 },
    );
    const sent = await client.click(card, 'Send the consent request', { adminId: tenant.admin!.id }, id);
    const mentions = h.standIn
      .posted(client.conversation.id)
      .filter((r) => String(r.text ?? '').includes('<at>'));
    expect(mentions).toHaveLength(0);
    const text = cardText(shown(sent));
    expect(text).toContain('Waiting for a global admin');
    expect(text).not.toContain('Consent request sent');
    expect(text).toContain(
      'Teams did not accept the message (HTTP 403) even after I installed myself for them',
    );
    expect(text).toContain('an @mention in this chat would not reach them');
    expect(text).toContain('share the consent link https://aka.ms/office365moverauth with them yourself');
    const [connector] = (await h.bot.store.connectors.list(tenant.id)).items;
    expect(connector.consent?.delivery).toBeUndefined();
  });

  test('a 1:1 send that Teams throttles is not called a refused install', async () => {
    const tenant = cloud.addTenant({ displayName: 'Relecloud' });
    const { client, card, id } = await toHandover(tenant, 'Relecloud destination', 'channel');
    h.standIn.program(
      'createConversation',
      { status: 429, body: { error: { code: 'Throttled' } } },
      { times: 20 },
    );
    const sent = await client.click(card, 'Send the consent request', { adminId: tenant.admin!.id }, id);
    const mention = h.standIn
      .posted(client.conversation.id)
      .find((r) => String(r.text ?? '').includes('<at>Adele Admin</at>'));
    expect(mention).toBeDefined();
    const text = cardText(shown(sent));
    expect(text).toContain('Teams did not accept the message (HTTP 429)');
    expect(text).toContain('so I posted the request here with an @mention');
    expect(text).not.toContain('installing myself');
    expect(text).not.toContain('I am not installed for them');
  });

  test('consent missing, then user-only, then granted: the admin is told what is missing; then the requester is told and the wizard card turns to done', async () => {
    const tenant = cloud.addTenant({ displayName: 'Litware' });
    const grants = [...tenant.oauth2PermissionGrants];
    tenant.oauth2PermissionGrants.length = 0;
    const { client, card, id } = await toHandover(tenant, 'Litware destination');
    await client.click(card, 'Send the consent request', { adminId: tenant.admin!.id }, id);
    const adminCard = cardOf(h.standIn.posted(`a:1:personal-${tenant.admin!.id}`)[0]);
    const admin = tenant.admin!;
    const adminUser: TeamsUser = teamsUserOf(admin);
    const adminClient = h.chat(adminUser, 'personal', tenant.id);

    const none = await adminClient.click(adminCard, 'I have granted consent');
    expect(cardText(cardOf(none.replies[0]))).toContain('No admin consent was granted yet');
    expect(cardText(cardOf(none.replies[0]))).toContain('few minutes to replicate');

    tenant.oauth2PermissionGrants.push({
      ...grants[0],
      id: 'user-grant',
      consentType: 'Principal',
      principalId: admin.id,
    });
    const userOnly = await adminClient.click(adminCard, 'I have granted consent');
    expect(cardText(cardOf(userOnly.replies[0]))).toContain('Only user consent was given');

    tenant.oauth2PermissionGrants.push({ ...grants[0], scope: 'profile offline_access', id: 'partial' });
    const partial = await adminClient.click(adminCard, 'I have granted consent');
    expect(cardText(cardOf(partial.replies[0]))).toContain(
      'Create, edit, and delete items and lists in all your site collections',
    );

    tenant.oauth2PermissionGrants.length = 0;
    tenant.oauth2PermissionGrants.push(...grants);
    h.standIn.reset();
    const granted = await adminClient.click(adminCard, 'I have granted consent');
    expect(
      granted.replies.some((r) =>
        String(r.text).startsWith('Thank you: admin consent for Litware destination is verified'),
      ),
    ).toBe(true);
    const [connector] = (await h.bot.store.connectors.list(tenant.id)).items;
    expect(connector.status).toBe('authorized');
    expect(connector.consent?.verifiedAt).toBeDefined();
    // The requester's wizard card was updated to "done" and they were told in their chat.
    const update = h.standIn.callsTo('updateActivity').find((c) => c.activityId === id);
    const done = cardText(cardOf(update!.body));
    expect(done).toContain('Connect your destination Office 365 account');
    // Graph shows that the grant exists, not who made it: the card names whose check found it.
    expect(done).toContain(
      'Consent: verified with Microsoft Graph (a tenant-wide grant to the connector app)',
    );
    expect(done).toContain(`Check run by: ${tenant.admin!.displayName}`);
    expect(done).not.toContain('granted by');
    // Graph sees the app's tenant-wide consent, not the connector's steps in Mover.
    expect(done).toContain(
      'Microsoft Graph shows the Office 365 Mover app’s admin consent for the whole tenant',
    );
    expect(done).toContain('steps 1 to 4 in Mover reported by Sam SharePoint, not verified');
    expect(done).not.toContain('fully authorized');
    expect(connector.provenance).toMatchObject({
      kind: 'verified',
      method: 'graph-consent',
      stepsReportedBy: { by: tenant.sharePointAdmin!.id, byName: 'Sam SharePoint' },
    });
    const status = await client.say('status litware destination');
    expect(cardText(cardOf(status.replies[status.replies.length - 1]))).toContain(
      'steps 1 to 4 in Mover reported by Sam SharePoint, not verified',
    );
    const told = h.standIn.posted(client.conversation.id);
    expect(
      told.some((a) => String(a.text ?? '').includes('Admin consent for Litware destination is verified')),
    ).toBe(true);
  });

  test('a requester who cannot be reached is not said to be told that consent is verified', async () => {
    const tenant = cloud.addTenant({ displayName: 'Contoso Pharma' });
    const grants = [...tenant.oauth2PermissionGrants];
    tenant.oauth2PermissionGrants.length = 0;
    const { client, card, id } = await toHandover(tenant, 'Pharma destination');
    await client.click(card, 'Send the consent request', { adminId: tenant.admin!.id }, id);
    const adminCard = cardOf(h.standIn.posted(`a:1:personal-${tenant.admin!.id}`)[0]);
    tenant.oauth2PermissionGrants.push(...grants);
    const requesterChat = (c: { conversationId?: string }) => c.conversationId === client.conversation.id;
    for (const route of ['updateActivity', 'sendToConversation', 'replyToActivity'] as const)
      h.standIn.program(
        route,
        { status: 403, body: { error: { code: 'BotNotInConversationRoster' } } },
        {
          times: 10,
          match: requesterChat,
        },
      );
    const granted = await h
      .chat(teamsUserOf(tenant.admin!), 'personal', tenant.id)
      .click(adminCard, 'I have granted consent');
    const said = granted.replies.map((r) => String(r.text ?? '')).join('\n');
    expect(said).toContain('is verified with Microsoft Graph');
    expect(said).not.toContain('I told the person who asked');
    expect(said).toContain('I could not reach the person who asked');
  });

  test('a forged "granted" click from someone other than the addressed admin changes nothing', async () => {
    const tenant = cloud.addTenant({ displayName: 'Tailspin' });
    const { client, card, id } = await toHandover(tenant, 'Tailspin destination');
    await client.click(card, 'Send the consent request', { adminId: tenant.admin!.id }, id);
    const adminCard = cardOf(h.standIn.posted(`a:1:personal-${tenant.admin!.id}`)[0]);
    const forger = makeUser('Mallory');
    const forged = await h.chat(forger, 'personal', tenant.id).click(adminCard, 'I have granted consent');
    expect(forged.replies[0].text).toContain('Only Adele Admin');
    const [connector] = (await h.bot.store.connectors.list(tenant.id)).items;
    expect(connector.status).toBe('awaiting-consent');
    const elsewhere = makeUser('Other tenant admin');
    const otherTenant = await new TeamsClient(
      h.bot.url,
      h.standIn,
      elsewhere,
      personalChat(cloud.addTenant().id, elsewhere),
    ).click(adminCard, 'I have granted consent');
    expect(otherTenant.replies[0].text).toContain('does not exist in this tenant');
  });

  test('a hand-over whose request could not be stored is sent on the next click, and status names nobody in between', async () => {
    const tenant = cloud.addTenant({ displayName: 'Adatum' });
    tenant.oauth2PermissionGrants.length = 0;
    const { client, card, id } = await toHandover(tenant, 'Adatum destination');
    let failures = 0;
    const failed = await withReplaced(
      h.bot.store.consentRequests,
      'create',
      (create) => async (request: ConsentRequest) => {
        if (failures++ === 0) throw new StoreUnavailableError(new Error('ECONNRESET'));
        return create(request);
      },
      () => client.click(card, 'Send the consent request', { adminId: tenant.admin!.id }, id),
    );
    expect(answerError(failed)?.message).toContain('Storage is unavailable');
    expect(h.standIn.posted(`a:1:personal-${tenant.admin!.id}`)).toHaveLength(0);
    const [waiting] = (await h.bot.store.connectors.list(tenant.id)).items;
    expect(waiting.consent?.requestedFrom).toBeUndefined();
    expect(waiting.consent?.requestedAt).toBeUndefined();
    const status = await client.say('status adatum destination');
    const statusText = cardText(cardOf(status.replies[status.replies.length - 1]));
    expect(statusText).toContain('Admin consent: waiting for a global admin');
    expect(statusText).not.toContain('requested from');

    const sent = await client.click(card, 'Send the consent request', { adminId: tenant.admin!.id }, id);
    expect(h.standIn.posted(`a:1:personal-${tenant.admin!.id}`)).toHaveLength(1);
    expect(cardText(shown(sent))).toContain('I sent the consent request to Adele Admin');
    const [connector] = (await h.bot.store.connectors.list(tenant.id)).items;
    const request = await h.bot.store.consentRequests.get(tenant.id, connector.consent!.requestId!);
    expect(request?.state).toBe('open');
    expect(connector.consent?.requestedFromId).toBe(tenant.admin!.id);
  });

  test('status verifies an awaiting connector with Graph and shows it authorized once consent is there', async () => {
    const tenant = cloud.addTenant({ displayName: 'Proseware' });
    const { client, card, id } = await toHandover(tenant, 'Proseware destination');
    await client.click(card, 'Send the consent request', { adminId: tenant.admin!.id }, id);
    const status = await client.say('status proseware destination');
    expect(cardText(cardOf(status.replies[status.replies.length - 1]))).toContain('Status: authorized');
  });

  test('an unanswered request reminds the admin after 24 hours and the requester after 72, once each', async () => {
    const tenant = cloud.addTenant({ displayName: 'Woodgrove' });
    tenant.oauth2PermissionGrants.length = 0;
    const { client, card, id } = await toHandover(tenant, 'Woodgrove destination');
    await client.click(card, 'Send the consent request', { adminId: tenant.admin!.id }, id);
    const adminChat = `a:1:personal-${tenant.admin!.id}`;
    h.standIn.reset();
    // Other tests' requests are due at the same times: count what reached this admin and requester.
    const requesterCards = () => h.standIn.posted(client.conversation.id).map((a) => cardOf(a));
    h.bot.clock.set(new Date(h.bot.clock.now().getTime() + 23 * 3_600_000));
    await h.bot.scanner.scan();
    expect(h.standIn.posted(adminChat)).toHaveLength(0);
    h.bot.clock.set(new Date(h.bot.clock.now().getTime() + 2 * 3_600_000));
    expect((await h.bot.scanner.scan()).consentReminders).toBeGreaterThanOrEqual(1);
    expect(String(h.standIn.posted(adminChat)[0].text)).toContain(
      'Reminder: the Office 365 Connector Woodgrove destination',
    );
    expect(requesterCards()).toHaveLength(0);
    expect((await h.bot.scanner.scan()).consentReminders).toBe(0);
    h.bot.clock.set(new Date(h.bot.clock.now().getTime() + 48 * 3_600_000));
    await h.bot.scanner.scan();
    const nudge = requesterCards();
    expect(nudge).toHaveLength(1);
    expect(cardText(nudge[0])).toContain('Still waiting for admin consent: Woodgrove destination');
    expect(actionTitles(nudge[0])).toContain('Check again');
    expect((await h.bot.scanner.scan()).consentReminders).toBe(0);
    expect(h.standIn.posted(adminChat)).toHaveLength(1);
  });

  test('consent granted in the portal without a word to the bot: the reminder scan verifies it and reminds nobody', async () => {
    const tenant = cloud.addTenant({ displayName: 'Lamna' });
    const grants = [...tenant.oauth2PermissionGrants];
    tenant.oauth2PermissionGrants.length = 0;
    const { client, card, id } = await toHandover(tenant, 'Lamna destination');
    await client.click(card, 'Send the consent request', { adminId: tenant.admin!.id }, id);
    const adminChat = `a:1:personal-${tenant.admin!.id}`;
    h.standIn.reset();
    // The global admin follows steps 6 to 9 in the Azure portal, and never clicks the card.
    tenant.oauth2PermissionGrants.push(...grants);
    h.bot.clock.set(new Date(h.bot.clock.now().getTime() + 25 * 3_600_000));
    await h.bot.scanner.scan();
    expect(h.standIn.posted(adminChat)).toHaveLength(0);
    const [connector] = (await h.bot.store.connectors.list(tenant.id)).items;
    expect(connector).toMatchObject({
      status: 'authorized',
      provenance: { kind: 'verified', method: 'graph-consent' },
    });
    const request = await h.bot.store.consentRequests.get(tenant.id, connector.consent!.requestId!);
    expect(request?.state).toBe('approved');
    // The requester hears it from the scan's check, which the card names; later scans send nothing.
    const told = h.standIn.posted(client.conversation.id);
    expect(
      told.some((a) => String(a.text ?? '').includes('Admin consent for Lamna destination is verified')),
    ).toBe(true);
    h.bot.clock.set(new Date(h.bot.clock.now().getTime() + 72 * 3_600_000));
    await h.bot.scanner.scan();
    expect(h.standIn.posted(adminChat)).toHaveLength(0);
  });

  test('a requester in a channel is told there, and the wizard card there turns to done', async () => {
    const tenant = cloud.addTenant({ displayName: 'Fourth Coffee' });
    const { client, card, id } = await toHandover(tenant, 'Coffee destination', 'channel');
    await client.click(card, 'Send the consent request', { adminId: tenant.admin!.id }, id);
    const adminCard = cardOf(h.standIn.posted(`a:1:personal-${tenant.admin!.id}`)[0]);
    const admin = tenant.admin!;
    const adminUser: TeamsUser = teamsUserOf(admin);
    h.standIn.reset();
    await h.chat(adminUser, 'personal', tenant.id).click(adminCard, 'I have granted consent');
    expect(h.standIn.callsTo('updateActivity', client.conversation.id).map((c) => c.activityId)).toContain(
      id,
    );
    expect(
      h.standIn
        .posted(client.conversation.id)
        .some((a) => String(a.text).includes('Coffee destination is verified')),
    ).toBe(true);
  });
});
