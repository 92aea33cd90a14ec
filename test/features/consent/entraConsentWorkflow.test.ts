import { makeUser, personalChat, type TeamsUser } from '../../harness/activities';
import { actionTitles, cardOf, cardText, openUrls, type Card } from '../../harness/cards';
import { startHarness } from '../../harness/testBot';
import { shownCard, TeamsClient, type TurnResult } from '../../harness/teamsClient';
import { expectValidCard } from '../../support/cardValidation';
import { connectorRecord, seedConnectors } from '../../support/connectorFixtures';
import { askForAdminConsent, enableConsentWorkflow } from '../../support/fakeConsentWorkflow';
import {
  DIRECTORY_ROLES,
  graphErrorBody,
  startFakeMicrosoftCloud,
  type FakeMicrosoftCloud,
  type FakeTenant,
} from '../../support/fakeMicrosoftCloud';

const POLICY = '/policies/adminConsentRequestPolicy';
const REQUESTS = '/identityGovernance/appConsent/appConsentRequests';
const ROW_ID = 'entra-consent-workflow';
const SECTION = 'Microsoft Entra admin consent workflow';
const BUTTON = 'Open admin consent requests in Entra';

/** The diagnostics card as it ended, and the text and actions of the Entra workflow row. */
function workflowRow(turn: TurnResult): { card: Card; status: string; text: string; urls: string[] } {
  const last =
    turn.updates.length > 0 ? turn.updates[turn.updates.length - 1].activity : turn.replies.at(-1)!;
  const card = cardOf(last);
  expectValidCard(card);
  const row = (card.body as Record<string, unknown>[]).find((item) => item.id === ROW_ID);
  if (!row) throw new Error(`no ${ROW_ID} row on the diagnostics card`);
  const text = cardText(row);
  return { card, status: text.split('\n')[1], text, urls: openUrls(row) };
}

describe("Microsoft Entra's admin consent workflow, read through Graph (status and diagnose)", () => {
  let cloud: FakeMicrosoftCloud;
  let h: Awaited<ReturnType<typeof startHarness>>;

  beforeAll(async () => {
    cloud = await startFakeMicrosoftCloud();
    h = await startHarness({ cloud });
  });
  afterAll(async () => {
    await h.stop();
    await cloud.stop();
  });
  beforeEach(() => cloud.graph.reset());

  async function setup(name: string, configure: (tenant: FakeTenant) => void = () => undefined) {
    const tenant = cloud.addTenant();
    configure(tenant);
    const owner: TeamsUser = makeUser('Sam SharePoint', `sam@${tenant.domain}`);
    const [connector] = await seedConnectors(h.bot.store, [
      connectorRecord({
        tenantId: tenant.id,
        displayName: name,
        createdBy: owner.aadObjectId,
        createdByName: owner.name,
        consent: { verifiedAt: '2026-03-01T09:00:00.000Z' },
      }),
    ]);
    const client = new TeamsClient(h.bot.url, h.standIn, owner, personalChat(tenant.id, owner));
    return { tenant, connector, client };
  }

  test('workflow on: status names every reviewer (user, group, roles), the duration and no pending request, with the portal link', async () => {
    const { tenant, client } = await setup('Contoso destination', (t) => {
      const helpdesk = t.addGroup('Helpdesk leads', [t.sharePointAdmin!.id]);
      enableConsentWorkflow(t, {
        users: [t.admin!],
        groups: [helpdesk],
        roles: [DIRECTORY_ROLES.globalAdministrator, DIRECTORY_ROLES.globalReader],
        days: 14,
        remindersEnabled: false,
      });
    });
    const card = shownCard(await client.say('status Contoso destination'));
    const text = cardText(card);
    expect(text).toContain(SECTION);
    expect(text).toContain(
      'Entra reports that its admin consent workflow is on: people who cannot consent to an app can ask for admin consent in Entra, reviewed by Adele Admin, members of the group Helpdesk leads, everyone with the role Global Administrator and everyone with the role Global Reader.',
    );
    expect(text).toContain(
      'Reviewers: Adele Admin; members of the group Helpdesk leads; everyone with the role Global Administrator; everyone with the role Global Reader',
    );
    expect(text).toContain('Requests expire after: 14 days');
    expect(text).toContain('Emails to reviewers: on');
    expect(text).toContain('Expiry reminders: off');
    expect(text).toContain(
      `Entra reports no pending admin consent request for the connector app (${cloud.connectorAppId}).`,
    );
    expect(text).toContain('Pending in Entra: no');
    expect(openUrls(card)).toContain(
      `https://entra.microsoft.com/${tenant.id}/#view/Microsoft_AAD_IAM/StartboardApplicationsMenuBlade/~/AccessRequests`,
    );
    expect(actionTitles(card)).toContain(BUTTON);

    // Cheap: one policy read, one filtered request read with the people's requests expanded,
    // one name look-up for users and groups, one for the role the bot does not know by heart.
    expect(cloud.graph.requestsTo(POLICY)).toHaveLength(1);
    const [requests] = cloud.graph.requestsTo(REQUESTS);
    expect(cloud.graph.requestsTo(REQUESTS)).toHaveLength(1);
    expect(requests).toMatchObject({ version: 'v1.0', method: 'GET', tenantId: tenant.id });
    expect(requests.query).toMatchObject({
      $filter: `appId eq '${cloud.connectorAppId}'`,
      $expand: 'userConsentRequests',
    });
    const [byIds] = cloud.graph.requestsTo('/directoryObjects/getByIds', 'POST');
    expect(byIds.body).toEqual({
      ids: [tenant.admin!.id, tenant.groups[0].id],
      types: ['user', 'group'],
    });
    expect(cloud.graph.requestsTo('/roleManagement/directory/roleDefinitions/{id}')).toHaveLength(1);
  });

  test('workflow on: diagnose has a passing row saying the same, with the portal link', async () => {
    const { client } = await setup('Fabrikam destination', (t) =>
      enableConsentWorkflow(t, { roles: [DIRECTORY_ROLES.globalAdministrator] }),
    );
    const row = workflowRow(await client.say('diagnose'));
    expect(row.status).toBe('✓ Pass');
    expect(row.text).toContain(SECTION);
    expect(row.text).toContain(
      'Entra reports that its admin consent workflow is on: people who cannot consent to an app can ask for admin consent in Entra, reviewed by everyone with the role Global Administrator.',
    );
    expect(row.text).toContain('Requests expire after: 30 days');
    expect(row.text).toContain('Entra reports no pending admin consent request for the connector app');
    expect(row.urls).toHaveLength(1);
    expect(row.urls[0]).toMatch(/^https:\/\/entra\.microsoft\.com\/[0-9a-f-]{36}\/#view\//);
    expect(cloud.graph.requestsTo(POLICY)).toHaveLength(1);
    expect(cloud.graph.requestsTo(REQUESTS)).toHaveLength(1);
  });

  test('workflow off: status and diagnose say so, no reviewers are looked up and no link is offered', async () => {
    const { client } = await setup('Northwind destination');
    const card = shownCard(await client.say('status Northwind destination'));
    const text = cardText(card);
    expect(text).toContain(
      'Entra reports that its admin consent workflow is off: people who cannot consent to an app cannot ask for admin consent in Entra itself.',
    );
    expect(text).toContain('Entra’s workflow: off');
    expect(text).toContain('Entra reports no pending admin consent request for the connector app');
    expect(actionTitles(card)).not.toContain(BUTTON);
    expect(cloud.graph.requestsTo('/directoryObjects/getByIds', 'POST')).toHaveLength(0);

    const row = workflowRow(await client.say('diagnose'));
    expect(row.status).toBe('✓ Pass');
    expect(row.text).toContain('Entra reports that its admin consent workflow is off');
    expect(row.urls).toEqual([]);
  });

  test('a pending request for the connector app: how many asked, since when, for what, and the link; other apps do not count', async () => {
    const { tenant, client } = await setup('Tailspin destination', (t) => {
      enableConsentWorkflow(t, { users: [t.admin!] });
      askForAdminConsent(t, {
        appId: cloud.connectorAppId,
        appDisplayName: 'Office 365 Mover',
        scopes: ['AllSites.Manage', 'offline_access'],
        by: t.member!,
        at: '2026-02-27T08:15:00.000Z',
      });
      askForAdminConsent(t, {
        appId: cloud.connectorAppId,
        appDisplayName: 'Office 365 Mover',
        scopes: ['profile'],
        by: t.member!,
        at: '2026-02-28T10:00:00.000Z',
      });
      askForAdminConsent(t, {
        appId: cloud.connectorAppId,
        appDisplayName: 'Office 365 Mover',
        scopes: [],
        by: t.sharePointAdmin!,
        at: '2026-03-01T11:30:00.000Z',
      });
      // Decided long ago: not pending.
      askForAdminConsent(t, {
        appId: cloud.connectorAppId,
        appDisplayName: 'Office 365 Mover',
        scopes: [],
        by: t.admin!,
        at: '2026-01-02T10:00:00.000Z',
        status: 'Completed',
      });
      askForAdminConsent(t, {
        appId: '5c1d9f43-2c61-4f0a-8d8f-2f6f3c1f0e11',
        appDisplayName: 'Some other app',
        scopes: ['Mail.Read'],
        by: t.member!,
        at: '2026-02-20T10:00:00.000Z',
      });
    });
    const card = shownCard(await client.say('status Tailspin destination'));
    const text = cardText(card);
    expect(text).toContain(
      'Entra reports a pending admin consent request for the connector app (Office 365 Mover) for AllSites.Manage, offline_access and profile: 2 people asked, the first on 2026-02-27 08:15 UTC.',
    );
    expect(text).toContain('Pending in Entra: yes, 2 people asked');
    expect(text).toContain('Permissions asked: AllSites.Manage, offline_access, profile');
    expect(text).toContain('A reviewer opens Admin consent requests in Entra');
    expect(text).not.toContain('Some other app');
    expect(text).not.toContain('Mail.Read');
    expect(openUrls(card)).toContain(
      `https://entra.microsoft.com/${tenant.id}/#view/Microsoft_AAD_IAM/StartboardApplicationsMenuBlade/~/AccessRequests`,
    );

    const row = workflowRow(await client.say('diagnose'));
    expect(row.status).toBe('⚠ Warning');
    expect(row.text).toContain('2 people asked, the first on 2026-02-27 08:15 UTC');
    expect(row.text).toContain('Fix: A reviewer opens Admin consent requests in Entra');
    expect(row.urls).toHaveLength(1);
  });

  test('403 on the policy names Policy.Read.All and how to grant it; the requests are still read', async () => {
    const { client } = await setup('Litware destination', (t) =>
      t.denyPermission('Policy.Read.All', 'Directory.Read.All'),
    );
    const text = cardText(shownCard(await client.say('status Litware destination')));
    expect(text).toContain(
      'Microsoft Graph refused to show the admin consent workflow settings: the bot’s Graph app needs the application permission Policy.Read.All with admin consent.',
    );
    expect(text).toContain(
      'an admin of this tenant grants the bot’s Graph app the application permission Policy.Read.All with admin consent (Microsoft Entra admin center > App registrations > the bot’s Graph app > API permissions',
    );
    expect(text).toContain('Entra reports no pending admin consent request for the connector app');
    expect(h.bot.logs).toContainEqual(
      expect.objectContaining({ msg: 'entra consent workflow not read', part: 'policy', kind: 'refused' }),
    );

    const row = workflowRow(await client.say('diagnose'));
    expect(row.status).toBe('⚠ Warning');
    expect(row.text).toContain('needs the application permission Policy.Read.All');
  });

  test('403 on the requests names ConsentRequest.Read.All; the policy is still read', async () => {
    const { client } = await setup('Proseware destination', (t) => {
      t.denyPermission('ConsentRequest.Read.All');
      enableConsentWorkflow(t, { users: [t.admin!] });
    });
    const text = cardText(shownCard(await client.say('status Proseware destination')));
    expect(text).toContain(
      'Microsoft Graph refused to show admin consent requests: the bot’s Graph app needs the application permission ConsentRequest.Read.All with admin consent.',
    );
    expect(text).toContain('grants the bot’s Graph app the application permission ConsentRequest.Read.All');
    expect(text).toContain('Entra reports that its admin consent workflow is on');

    const both = await setup('Adatum destination', (t) =>
      t.denyPermission('ConsentRequest.Read.All', 'Policy.Read.All', 'Directory.Read.All'),
    );
    const row = workflowRow(await both.client.say('diagnose'));
    expect(row.status).toBe('? Could not run');
    expect(row.text).toContain(
      'the application permissions Policy.Read.All and ConsentRequest.Read.All with admin consent',
    );
  });

  test('another Graph failure says could not check, with the reason', async () => {
    const { client } = await setup('Flaky destination');
    cloud.graph.failNext(REQUESTS, { status: 500, times: 10 });
    const text = cardText(shownCard(await client.say('status Flaky destination')));
    expect(text).toMatch(/Could not check admin consent requests: Microsoft Graph is unavailable \(500/);
    expect(text).toContain('Check again later.');

    // A policy without isEnabled is not read as "off".
    cloud.graph.on('GET', POLICY, { '@odata.context': 'policy', reviewers: [] }, { times: 1 });
    const unclear = cardText(shownCard(await client.say('status Flaky destination')));
    expect(unclear).toContain(
      'Could not check the admin consent workflow settings: Microsoft Graph answered GET /policies/adminConsentRequestPolicy without isEnabled.',
    );
    expect(unclear).not.toContain('workflow is off');
  });

  test('a Graph endpoint without these APIs is said not to offer them', async () => {
    const { client } = await setup('Private cloud destination');
    cloud.graph.failNext(POLICY, { status: 404 });
    cloud.graph.failNext(REQUESTS, {
      status: 400,
      body: graphErrorBody('BadRequest', "Resource not found for the segment 'identityGovernance'."),
    });
    const row = workflowRow(await client.say('diagnose'));
    expect(row.status).toBe('? Could not run');
    expect(row.text).toContain(
      'The Microsoft Graph endpoint this bot uses does not offer the admin consent workflow settings',
    );
    expect(row.text).toContain(
      'The Microsoft Graph endpoint this bot uses does not offer admin consent requests',
    );
    expect(row.urls).toEqual([]);
  });

  test('names from Graph are data: markdown in a group name shows literally', async () => {
    const { client } = await setup('Escaped destination', (t) => {
      const group = t.addGroup('[Approve here](https://evil.example) **now**', []);
      enableConsentWorkflow(t, { groups: [group] });
    });
    const card = shownCard(await client.say('status Escaped destination'));
    const json = JSON.stringify(card);
    expect(json).not.toContain('[Approve here](https://evil.example)');
    expect(json).toContain('\\\\[Approve here\\\\](https://evil.example) \\\\*\\\\*now\\\\*\\\\*');
    expect(cardText(card)).toContain('members of the group [Approve here](https://evil.example) **now**');
  });

  test('a connector of another type has no Entra workflow section, and Graph is not asked', async () => {
    const tenant = cloud.addTenant();
    const owner = makeUser('Box Owner', `box@${tenant.domain}`);
    await seedConnectors(h.bot.store, [
      connectorRecord({ tenantId: tenant.id, type: 'box', displayName: 'Finance Box' }),
    ]);
    const client = new TeamsClient(h.bot.url, h.standIn, owner, personalChat(tenant.id, owner));
    const text = cardText(shownCard(await client.say('status Finance Box')));
    expect(text).not.toContain(SECTION);
    expect(cloud.graph.requestsTo(POLICY)).toHaveLength(0);
  });
});

describe("Microsoft Entra's admin consent workflow in a US Government cloud", () => {
  let cloud: FakeMicrosoftCloud;
  let h: Awaited<ReturnType<typeof startHarness>>;

  beforeAll(async () => {
    cloud = await startFakeMicrosoftCloud();
    h = await startHarness({ cloud, env: { CLOUD: 'usgovhigh' } });
  });
  afterAll(async () => {
    await h.stop();
    await cloud.stop();
  });

  test("the link opens the cloud's own Azure portal", async () => {
    const tenant = cloud.addTenant();
    enableConsentWorkflow(tenant, { users: [tenant.admin!] });
    const owner = makeUser('Sam SharePoint', `sam@${tenant.domain}`);
    await seedConnectors(h.bot.store, [
      connectorRecord({ tenantId: tenant.id, displayName: 'Gov destination', cloud: 'usgovhigh' }),
    ]);
    const client = new TeamsClient(h.bot.url, h.standIn, owner, personalChat(tenant.id, owner));
    const card = shownCard(await client.say('status Gov destination'));
    expect(cardText(card)).toContain('Entra reports that its admin consent workflow is on');
    expect(openUrls(card)).toContain(
      'https://portal.azure.us/#view/Microsoft_AAD_IAM/StartboardApplicationsMenuBlade/~/AccessRequests',
    );
  });
});
