import { personalChat, type TeamsUser } from '../../harness/activities';
import { actionsOf, actionTitles, cardOf, cardText, type Card } from '../../harness/cards';
import { shownCard, TeamsClient, type TurnResult as Turn } from '../../harness/teamsClient';
import { expectValidCard } from '../../support/cardValidation';
import { reply, type FakeTenant, type FakeUser } from '../../support/fakeMicrosoftCloud';
import { useCloudHarness } from '../../harness/useHarness';
import type { Harness } from '../../harness/testBot';

const shown = shownCard;

/** The style of the card's action with this title. */
function styleOf(card: Card, title: string): unknown {
  return actionsOf(card).find((a) => a.title === title)?.style;
}

function teamsUser(user: FakeUser): TeamsUser {
  return { id: `29:${user.id}`, name: user.displayName, aadObjectId: user.id, upn: user.userPrincipalName };
}

/** `user` of `tenant` runs the wizard to step 5; returns the step-5 card, their client and the card id. */
async function toStep5(h: Harness, tenant: FakeTenant, user: FakeUser, name: string) {
  const client = new TeamsClient(
    h.bot.url,
    h.standIn,
    teamsUser(user),
    personalChat(tenant.id, teamsUser(user)),
  );
  const started = await client.say('connect office365');
  const id = String(started.replies[0].id);
  let turn = await client.click(shown(started), 'Next', { displayName: name }, id);
  turn = await client.click(shown(turn), 'Next', { cloud: 'global', upn: user.userPrincipalName }, id);
  for (let step = 1; step <= 4; step++) turn = await client.click(shown(turn), 'Next', {}, id);
  const card = shown(turn);
  expect(cardText(card)).toContain('Step 5 of 9');
  return { client, card, id };
}

/** Clicks "global admin" on step 5, then Next through steps 6 to 8 and Finish on 9. */
async function finishAsGlobalAdmin(client: TeamsClient, step5: Card, id: string): Promise<Turn> {
  let turn = await client.click(step5, 'I am a global admin: continue', {}, id);
  for (let step = 6; step <= 9; step++)
    turn = await client.click(shown(turn), step === 9 ? 'Finish' : 'Next', {}, id);
  return turn;
}

describe('Office 365: step 5 asks Graph, and the global-admin path waits for the consent check', () => {
  const { cloud, h } = useCloudHarness();
  beforeEach(() => h.standIn.reset());

  test('a global admin: Graph says so, the global path is pre-selected, and Finish with consent in place verifies it', async () => {
    const tenant = cloud.addTenant({ displayName: 'Contoso' });
    const { client, card, id } = await toStep5(h, tenant, tenant.admin!, 'Contoso verified');
    expectValidCard(card);
    expect(cardText(card)).toContain('Microsoft Graph reports: you are Global Administrator');
    expect(cardText(card)).toContain('I pre-selected steps 6 to 9');
    expect(actionTitles(card).slice(0, 2)).toEqual([
      'I am a global admin: continue',
      'I am a SharePoint admin: hand over',
    ]);
    expect(styleOf(card, 'I am a global admin: continue')).toBe('positive');
    expect(cloud.graph.requestsTo('/roleManagement/directory/roleAssignments', 'GET').length).toBeGreaterThan(
      0,
    );

    const done = shown(await finishAsGlobalAdmin(client, card, id));
    expectValidCard(done);
    expect(cardText(done)).toContain(
      'Microsoft Graph shows the Office 365 Mover app’s admin consent for the whole tenant (checked',
    );
    expect(cardText(done)).toMatch(/steps 1 to 4 in Mover reported by .+, not verified/);
    expect(cardText(done)).not.toContain('fully authorized');
    const [connector] = (await h.bot.store.connectors.list(tenant.id)).items;
    expect(connector).toMatchObject({
      status: 'authorized',
      provenance: { kind: 'verified', method: 'graph-consent' },
    });
    expect(connector.consent?.verifiedAt).toBeDefined();
  });

  test('consent missing: Finish leaves it awaiting-consent and says what is missing; Check again authorizes only once Graph sees the grant', async () => {
    const tenant = cloud.addTenant({ displayName: 'Litware' });
    const grants = [...tenant.oauth2PermissionGrants];
    tenant.oauth2PermissionGrants.length = 0;
    const { client, card, id } = await toStep5(h, tenant, tenant.admin!, 'Litware global');
    const done = shown(await finishAsGlobalAdmin(client, card, id));
    expectValidCard(done);
    expect(cardText(done)).toContain('Admin consent is not verified yet');
    expect(cardText(done)).toContain('No admin consent was granted yet');
    expect(cardText(done)).toContain('stays **awaiting-consent**');
    expect(actionTitles(done)).toContain('Check again');
    let [connector] = (await h.bot.store.connectors.list(tenant.id)).items;
    expect(connector.status).toBe('awaiting-consent');
    expect(connector.provenance).toBeUndefined();

    tenant.oauth2PermissionGrants.push({
      ...grants[0],
      id: 'user-grant',
      consentType: 'Principal',
      principalId: tenant.admin!.id,
    });
    const userOnly = await client.click(done, 'Check again');
    expect(cardText(cardOf(userOnly.replies[0]))).toContain('Only user consent was given');

    tenant.oauth2PermissionGrants.push({ ...grants[0], scope: 'profile offline_access', id: 'partial' });
    const partial = await client.click(done, 'Check again');
    expect(cardText(cardOf(partial.replies[0]))).toContain(
      'Missing: **Create, edit, and delete items and lists in all your site collections**',
    );
    [connector] = (await h.bot.store.connectors.list(tenant.id)).items;
    expect(connector.status).toBe('awaiting-consent');

    tenant.oauth2PermissionGrants.length = 0;
    tenant.oauth2PermissionGrants.push(...grants);
    const granted = await client.click(done, 'Check again');
    expect(String(granted.replies[0].text)).toContain('is verified with Microsoft Graph. It is authorized.');
    [connector] = (await h.bot.store.connectors.list(tenant.id)).items;
    expect(connector).toMatchObject({
      status: 'authorized',
      provenance: { kind: 'verified', method: 'graph-consent' },
    });
  });

  test('no service principal in the tenant: the finish card says so', async () => {
    const tenant = cloud.addTenant({ displayName: 'Northwind' });
    tenant.servicePrincipals = tenant.servicePrincipals.filter((s) => s.appId !== cloud.connectorAppId);
    const { client, card, id } = await toStep5(h, tenant, tenant.admin!, 'Northwind global');
    const done = shown(await finishAsGlobalAdmin(client, card, id));
    expect(cardText(done)).toContain('no service principal');
    expect((await h.bot.store.connectors.list(tenant.id)).items[0].status).toBe('awaiting-consent');
  });

  test('a Graph failure at the consent check: "could not be verified" with the reason, state unchanged', async () => {
    const tenant = cloud.addTenant({ displayName: 'Fabrikam' });
    const { client, card, id } = await toStep5(h, tenant, tenant.admin!, 'Fabrikam global');
    cloud.graph.on(
      'GET',
      '/servicePrincipals',
      reply(403, { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges' } }),
      { tenant: tenant.id },
    );
    const done = shown(await finishAsGlobalAdmin(client, card, id));
    expect(cardText(done)).toContain('Admin consent could not be verified');
    expect(cardText(done)).toContain('I could not check consent');
    expect((await h.bot.store.connectors.list(tenant.id)).items[0].status).toBe('awaiting-consent');
  });

  test('a SharePoint admin: Graph says so and the hand-over is pre-selected; choosing the global path is flagged as contradicting Graph', async () => {
    const tenant = cloud.addTenant({ displayName: 'Tailspin' });
    const { client, card, id } = await toStep5(h, tenant, tenant.sharePointAdmin!, 'Tailspin');
    expect(cardText(card)).toContain('Microsoft Graph reports: you are SharePoint Administrator');
    expect(cardText(card)).toContain('I pre-selected the hand-over');
    expect(actionTitles(card)[0]).toBe('I am a SharePoint admin: hand over');
    expect(styleOf(card, 'I am a SharePoint admin: hand over')).toBe('positive');
    expect(styleOf(card, 'I am a global admin: continue')).toBe('default');
    const step6 = shown(await client.click(card, 'I am a global admin: continue', {}, id));
    expectValidCard(step6);
    expect(cardText(step6)).toContain('Step 6 of 9');
    expect(cardText(step6)).toContain(
      'Microsoft Graph reports that you are SharePoint Administrator, not a Global Administrator',
    );
  });

  test('a global admin who chooses the hand-over is told Graph says they can consent themselves', async () => {
    const tenant = cloud.addTenant({ displayName: 'Proseware' });
    const { client, card, id } = await toStep5(h, tenant, tenant.admin!, 'Proseware');
    const handover = shown(await client.click(card, 'I am a SharePoint admin: hand over', {}, id));
    expect(cardText(handover)).toContain('Send the consent request to a global admin');
    expect(cardText(handover)).toContain('Microsoft Graph reports that you are a Global Administrator');
  });

  test('neither role: Graph says so and warns that steps 1 to 5 need an admin', async () => {
    const tenant = cloud.addTenant({ displayName: 'Woodgrove' });
    const { card } = await toStep5(h, tenant, tenant.member!, 'Woodgrove');
    expect(cardText(card)).toContain(
      'Microsoft Graph reports: you are neither Global Administrator nor SharePoint Administrator',
    );
    expect(cardText(card)).toContain('without either role, ask one to run this wizard');
    expect(actionTitles(card)[0]).toBe('I am a SharePoint admin: hand over');
  });

  test('Graph refuses the role lookup: step 5 says it could not verify, with the reason, and asks', async () => {
    const tenant = cloud.addTenant({ displayName: 'Adatum' });
    cloud.graph.on(
      'GET',
      '/roleManagement/directory/roleAssignments',
      reply(403, {
        error: {
          code: 'Authorization_RequestDenied',
          message: 'Insufficient privileges to complete the operation.',
        },
      }),
      { tenant: tenant.id },
    );
    const { card } = await toStep5(h, tenant, tenant.admin!, 'Adatum');
    expect(cardText(card)).toContain('could not verify with Microsoft Graph');
    expect(cardText(card)).toContain('I could not verify your admin role with Microsoft Graph:');
    expect(cardText(card)).not.toContain('Microsoft Graph reports:');
    expect(styleOf(card, 'I am a global admin: continue')).toBe('positive');
  });
});

describe("CONNECTOR_APP_ID left at the bot's own app: consent is never verified against it", () => {
  const { cloud, h } = useCloudHarness((c) => ({ env: { CONNECTOR_APP_ID: c.clientId } }));

  test("a tenant-wide grant to the bot's app does not authorize the connector; the card says why", async () => {
    const tenant = cloud.addTenant({ displayName: 'Fabrikam' });
    const bots = tenant.servicePrincipals.find((s) => s.appId === cloud.clientId)!;
    const mover = tenant.oauth2PermissionGrants.find((g) => g.clientId === tenant.connectorApp!.id)!;
    tenant.oauth2PermissionGrants.push({ ...mover, id: 'grant-to-the-bot', clientId: bots.id });
    const { client, card, id } = await toStep5(h, tenant, tenant.admin!, 'Fabrikam');
    const done = shown(await finishAsGlobalAdmin(client, card, id));
    expectValidCard(done);
    const text = cardText(done);
    expect(text).toContain('Admin consent could not be verified');
    expect(text).not.toContain('fully authorized');
    expect(text).toContain(
      `I cannot check consent: CONNECTOR_APP_ID is not set to the connector app: it is this bot's own app id (${cloud.clientId})`,
    );
    expect(actionTitles(done)).not.toContain('Grant admin consent directly');
    const [connector] = (await h.bot.store.connectors.list(tenant.id)).items;
    expect(connector.status).toBe('awaiting-consent');
    expect(connector.provenance).toBeUndefined();
    expect(cloud.graph.requestsTo('/oauth2PermissionGrants', 'GET')).toHaveLength(0);
  });
});
