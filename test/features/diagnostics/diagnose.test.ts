import { makeUser, type TeamsUser } from '../../harness/activities';
import { actionsOf, cardOf, cardsOf, cardText, type Card, type CardAction } from '../../harness/cards';
import { startHarness } from '../../harness/testBot';
import { TeamsClient, type TurnResult } from '../../harness/teamsClient';
import { expectValidCard } from '../../support/cardValidation';
import { connectorRecord, seedConnectors } from '../../support/connectorFixtures';
import { collection, type FakeTenant } from '../../support/fakeMicrosoftCloud';
import { useCloudHarness, useHarness } from '../../harness/useHarness';
import { teamsUserOf } from '../../harness/chat';

const DAY = 24 * 60 * 60 * 1000;
const GRAPH_ROWS = [
  'spo-license',
  'admin-consent',
  'entra-consent-workflow',
  'sign-in-activity',
  'user-assignment',
  'admin-account',
  'user-provisioning',
];

interface Row {
  status: string;
  text: string;
  actions: CardAction[];
}

/** The card's rows by finding id: status label, all text, actions. */
function rowsOf(card: Card): Record<string, Row> {
  const rows: Record<string, Row> = {};
  for (const item of card.body as Record<string, unknown>[]) {
    if (item.type !== 'Container' || typeof item.id !== 'string') continue;
    const text = cardText(item);
    rows[item.id] = { status: text.split('\n')[1], text, actions: actionsOf(item) };
  }
  return rows;
}

interface Diagnosis {
  turn: TurnResult;
  /** The card as first posted. */
  first: Card;
  /** The card as it ended (the last update, or the last card posted). */
  final: Card;
  rows: Record<string, Row>;
}

async function diagnose(client: TeamsClient, text = 'diagnose'): Promise<Diagnosis> {
  const turn = await client.say(text);
  const posted = turn.replies.filter((r) => cardsOf(r).length > 0);
  expect(posted.length).toBeGreaterThan(0);
  const first = cardOf(posted[0]);
  const final =
    turn.updates.length > 0
      ? cardOf(turn.updates[turn.updates.length - 1].activity)
      : cardOf(posted[posted.length - 1]);
  expectValidCard(first);
  expectValidCard(final);
  return { turn, first, final, rows: rowsOf(final) };
}

function statuses(rows: Record<string, Row>): Record<string, string> {
  return Object.fromEntries(Object.entries(rows).map(([id, row]) => [id, row.status]));
}

describe('diagnose with Microsoft Graph (HTTPS fake of the token endpoint and Graph)', () => {
  const { cloud, h } = useCloudHarness();
  beforeEach(() => {
    h.standIn.reset();
    cloud.graph.reset();
  });

  /** A tenant whose every check passes, and its global admin's 1:1 chat with the bot. */
  function healthyTenant(displayName: string): { tenant: FakeTenant; client: TeamsClient; user: TeamsUser } {
    const tenant = cloud.addTenant({ displayName });
    tenant.member!.drive = { id: 'b!megan', driveType: 'business', name: 'OneDrive' };
    const admin = tenant.admin!;
    const user: TeamsUser = teamsUserOf(admin);
    return {
      tenant,
      user,
      client: h.chat(user, 'personal', tenant.id),
    };
  }

  async function seed(
    tenant: FakeTenant,
    displayName: string,
    daysSinceTransfer: number,
    status = 'authorized',
  ) {
    const now = h.bot.clock.now().getTime();
    const [connector] = await seedConnectors(h.bot.store, [
      connectorRecord({
        tenantId: tenant.id,
        displayName,
        status: status as 'authorized',
        createdAt: new Date(now - 200 * DAY).toISOString(),
        authorizedAt: new Date(now - 150 * DAY).toISOString(),
        lastTransferAt: new Date(now - daysSinceTransfer * DAY).toISOString(),
      }),
    ]);
    return connector;
  }

  test('a healthy tenant: typing, then one card with every row pending, updated in place to all pass', async () => {
    const { tenant, client } = healthyTenant('Contoso');
    const connector = await seed(tenant, 'Contoso destination', 10);
    const { turn, first, rows } = await diagnose(client);

    expect(turn.replies[0].type).toBe('typing');
    const pending = rowsOf(first);
    expect(Object.keys(pending)).toEqual([...GRAPH_ROWS, `connector:${connector.id}`, 'app-access']);
    expect(Object.values(pending).every((r) => r.status === '… Checking')).toBe(true);
    expect(cardText(first)).toContain('Running 9 checks: 0 done, 9 to go.');
    // Every later version of the card replaced the first post.
    const postedId = turn.replies.find((r) => cardsOf(r).length > 0)!.id;
    expect(turn.updates.length).toBeGreaterThan(0);
    expect(turn.updates.every((u) => u.activityId === postedId)).toBe(true);

    expect(statuses(rows)).toEqual({
      'spo-license': '✓ Pass',
      'admin-consent': '✓ Pass',
      'entra-consent-workflow': '✓ Pass',
      'sign-in-activity': '✓ Pass',
      'user-assignment': '✓ Pass',
      'admin-account': '✓ Pass',
      'user-provisioning': '✓ Pass',
      [`connector:${connector.id}`]: '✓ Pass',
      'app-access': '✓ Pass',
    });
    expect(rows['spo-license'].text).toContain('SHAREPOINTENTERPRISE in ENTERPRISEPACK');
    expect(rows['admin-consent'].text).toContain('Admin consent is granted for the whole organization');
    // The row names the app it looked at, by Graph's name for it, so a wrong CONNECTOR_APP_ID shows.
    expect(rows['admin-consent'].text).toContain(
      `Checked app: Mover Migration Connector (app id ${cloud.connectorAppId}), as Microsoft Graph names it.`,
    );
    expect(rows['admin-consent'].text).toContain(
      'Create, edit, and delete items and lists in all your site collections: Granted',
    );
    expect(rows['admin-account'].text).toContain(
      `${tenant.admin!.userPrincipalName}: licensed (1 license), SharePoint Online enabled, Office 365 account provisioned`,
    );
    expect(rows['user-provisioning'].text).toContain(
      'Checked all 3 licensed users of 3 users in the directory',
    );
    expect(rows[`connector:${connector.id}`].text).toContain('10 days ago');
    expect(rows[`connector:${connector.id}`].text).toContain('deauthorized after 90 days without a transfer');
    expect(rows[`connector:${connector.id}`].actions[0]).toMatchObject({
      title: 'Reauthorize',
      verb: 'command',
      data: { command: 'reauthorize', args: 'Contoso destination' },
    });
    // One token for the tenant, then Graph only.
    expect(cloud.login.issued.filter((c) => c.tenant === tenant.id)).toHaveLength(1);
  });

  test('no SharePoint Online plan: "Tenant lacks SPO license" with its fix, and the App access advice', async () => {
    const { tenant, client } = healthyTenant('Fabrikam');
    tenant.setSharePointPlan(null);
    const { rows } = await diagnose(client);
    expect(rows['spo-license'].status).toBe('✗ Fail');
    expect(rows['spo-license'].text).toContain('Tenant lacks SPO license');
    expect(rows['spo-license'].text).toContain(
      'Fix: You need to purchase a Microsoft 365 license for your Azure Active Directory tenant',
    );
    expect(rows['app-access'].status).toBe('⚠ Warning');
    expect(rows['app-access'].text).toContain('the tenant lacks a SharePoint Online license');
    expect(rows['app-access'].text).toContain(
      'try signing out of any Microsoft accounts, and attempt to authorize the Connector in an Incognito Window',
    );
    expect(rows['app-access'].text).toContain(
      'Reauthorizing is also a good first step in trying to resolve most issues with your connectors.',
    );
  });

  test("CONNECTOR_APP_ID equal to the bot's own app: the row names the bot's app and never passes", async () => {
    const own = await startHarness({ cloud, env: { CONNECTOR_APP_ID: cloud.clientId } });
    try {
      const tenant = cloud.addTenant({ displayName: 'Wrong app' });
      const admin = tenant.admin!;
      const user: TeamsUser = teamsUserOf(admin);
      // The bot's own app holds a tenant-wide grant too: a check of the wrong app would pass.
      tenant.oauth2PermissionGrants.push({
        ...tenant.oauth2PermissionGrants[0],
        id: 'grant-to-bot',
        clientId: tenant.servicePrincipals.find((sp) => sp.appId === cloud.clientId)!.id,
      });
      const { rows } = await diagnose(own.chat(user, 'personal', tenant.id));
      expect(rows['admin-consent'].status).toBe('⚠ Warning');
      expect(rows['admin-consent'].text).toContain(
        `Checked app: Connector Concierge (app id ${cloud.clientId}), as Microsoft Graph names it. This is the bot's own app id, not the connector app`,
      );
      expect(rows['admin-consent'].text).toContain('Set CONNECTOR_APP_ID');
    } finally {
      await own.stop();
    }
  });

  test('a disabled SharePoint plan (provisioningStatus not Success) fails', async () => {
    const { tenant, client } = healthyTenant('Northwind');
    tenant.setSharePointPlan('Disabled');
    const { rows } = await diagnose(client);
    expect(rows['spo-license'].status).toBe('✗ Fail');
    expect(rows['spo-license'].text).toContain('SHAREPOINTENTERPRISE in ENTERPRISEPACK is Disabled');
    expect(rows['spo-license'].text).toContain('provisioningStatus must be Success');
  });

  test('no service principal: consent fails, user assignment has nothing to check', async () => {
    const { tenant, client } = healthyTenant('Litware');
    tenant.servicePrincipals = tenant.servicePrincipals.filter((s) => s.appId !== cloud.connectorAppId);
    tenant.oauth2PermissionGrants.length = 0;
    const { rows } = await diagnose(client);
    expect(rows['admin-consent'].status).toBe('✗ Fail');
    expect(rows['admin-consent'].text).toContain('not in your tenant yet (no service principal)');
    expect(rows['admin-consent'].text).toContain(
      `Checked app: app id ${cloud.connectorAppId}, which Microsoft Graph does not know in your tenant.`,
    );
    expect(rows['admin-consent'].text).toContain('View your basic profile: Not granted');
    expect(rows['user-assignment'].status).toBe('⚠ Warning');
    expect(rows['app-access'].text).toContain('admin consent is not complete');
  });

  test('user-only consent fails and says a global admin must grant it for the organization', async () => {
    const { tenant, client } = healthyTenant('Tailspin');
    tenant.oauth2PermissionGrants[0].consentType = 'Principal';
    tenant.oauth2PermissionGrants[0].principalId = tenant.admin!.id;
    const { rows } = await diagnose(client);
    expect(rows['admin-consent'].status).toBe('✗ Fail');
    expect(rows['admin-consent'].text).toContain('Only user consent was given');
    expect(rows['admin-consent'].text).toContain('Grant admin consent for Mover');
  });

  test('a missing scope is named in the seed’s words', async () => {
    const { tenant, client } = healthyTenant('Proseware');
    tenant.oauth2PermissionGrants[0].scope = 'profile offline_access';
    const { rows } = await diagnose(client);
    expect(rows['admin-consent'].status).toBe('✗ Fail');
    expect(rows['admin-consent'].text).toContain(
      'Admin consent is granted but misses: Create, edit, and delete items and lists in all your site collections',
    );
    expect(rows['admin-consent'].text).toContain(
      'Create, edit, and delete items and lists in all your site collections: Not granted (Sites.Manage.All)',
    );
    expect(rows['admin-consent'].text).toContain(
      'Maintain access to data you have given it access to: Granted',
    );
  });

  test('user assignment required and the asker not assigned fails; once assigned it passes', async () => {
    const { tenant, client, user } = healthyTenant('Woodgrove');
    tenant.connectorApp!.appRoleAssignmentRequired = true;
    const refused = await diagnose(client);
    expect(refused.rows['user-assignment'].status).toBe('✗ Fail');
    expect(refused.rows['user-assignment'].text).toContain(`you (${user.name}) are not assigned to it`);
    expect(refused.rows['user-assignment'].text).toContain('Assignment through a group is not checked');
    tenant.assignAppRole({ id: user.aadObjectId, displayName: user.name }, tenant.connectorApp!);
    const assigned = await diagnose(client);
    expect(assigned.rows['user-assignment'].status).toBe('✓ Pass');
  });

  test('an unlicensed global admin fails "Global admin account provisioning"', async () => {
    const { tenant, client } = healthyTenant('Adventure Works');
    Object.assign(tenant.admin!, { assignedLicenses: [], assignedPlans: [], drive: null });
    const { rows } = await diagnose(client);
    expect(rows['admin-account'].status).toBe('✗ Fail');
    expect(rows['admin-account'].text).toContain(`${tenant.admin!.userPrincipalName}: no Office 365 license`);
    expect(rows['admin-account'].text).toContain(
      'Your global admin user must have an Office 365 account provisioned in order to administer other Office 365 accounts.',
    );
  });

  test('unprovisioned users over three pages are counted, with a ready-to-run PowerShell script', async () => {
    const { tenant, client } = healthyTenant('Wingtip');
    tenant.member!.drive = null;
    for (let i = 0; i < 9; i++) tenant.addUser({ alias: `new${i}`, ...(i % 2 === 0 ? { drive: null } : {}) });
    tenant.addUser({ alias: 'guest1', licensed: false });
    tenant.addUser({ alias: 'guest2', licensed: false });
    // Five users a page, whatever $top asks: 14 users are three pages.
    cloud.graph.on('GET', '/users', (req) => collection({ ...req, top: 5 }, tenant.users as never), {
      tenant: tenant.id,
    });
    const { rows } = await diagnose(client);
    const pages = cloud.graph.requestsTo('/users').filter((r) => r.tenantId === tenant.id);
    expect(pages).toHaveLength(3);
    expect(pages[0].query).toMatchObject({
      $select: 'id,userPrincipalName,assignedLicenses,accountEnabled',
      $top: '999',
    });
    const row = rows['user-provisioning'];
    expect(row.status).toBe('⚠ Warning');
    expect(row.text).toContain('6 licensed users have no OneDrive');
    expect(row.text).toContain('Checked all 12 licensed users of 14 users in the directory');
    expect(row.text).toContain(
      'All Office 365 users must sign in to their Office 365, and open Office 365 for us to transfer into their accounts.',
    );
    expect(row.text).toContain('Connect-SPOService -Url https://wingtip-admin.sharepoint.com');
    expect(row.text).toContain('Request-SPOPersonalSite -UserEmails @(');
    for (const alias of ['megan', 'new0', 'new2', 'new4', 'new6', 'new8']) {
      expect(row.text).toContain(`'${alias}@wingtip.onmicrosoft.com'`);
    }
    expect(row.text).not.toContain('new1@');
    expect(row.text).not.toContain('guest1@');
  });

  test('in a group chat the script (it names users) is not posted', async () => {
    const { tenant, user } = healthyTenant('Fourth Coffee');
    tenant.member!.drive = null;
    const client = h.chat(user, 'groupChat', tenant.id);
    const { rows, final } = await diagnose(client);
    expect(rows['user-provisioning'].status).toBe('⚠ Warning');
    expect(JSON.stringify(final)).not.toContain('Request-SPOPersonalSite -UserEmails');
    expect(rows['user-provisioning'].text).toContain('I show it only in our 1:1 chat');
  });

  test('a 429 with Retry-After is waited out and the check passes', async () => {
    const { tenant, client } = healthyTenant('Lucerne');
    cloud.graph.failNext('/subscribedSkus', { status: 429, headers: { 'Retry-After': '1' } });
    const { rows } = await diagnose(client);
    const calls = cloud.graph.requestsTo('/subscribedSkus').filter((r) => r.tenantId === tenant.id);
    expect(calls.map((r) => r.status)).toEqual([429, 200]);
    expect(rows['spo-license'].status).toBe('✓ Pass');
  });

  test('a 403 marks that check "could not run: the app needs <permission>"; the rest still run', async () => {
    const { tenant, client } = healthyTenant('Trey Research');
    tenant.denyPermission('Organization.Read.All', 'Directory.Read.All');
    const { rows } = await diagnose(client);
    expect(rows['spo-license'].status).toBe('? Could not run');
    expect(rows['spo-license'].text).toContain('Could not run: the app needs Organization.Read.All.');
    expect(rows['spo-license'].text).toContain(
      'grants the bot’s Graph app the application permission Organization.Read.All and admin consent',
    );
    expect(rows['admin-consent'].status).toBe('? Could not run');
    expect(rows['admin-consent'].text).toContain('the app needs Directory.Read.All');
    expect(rows['user-assignment'].status).toBe('✓ Pass');
    expect(rows['admin-account'].status).toBe('✓ Pass');
    expect(rows['user-provisioning'].status).toBe('✓ Pass');
  });

  test('a token endpoint that refuses the secret: every Graph row says so, the sign-in is not hammered', async () => {
    const { tenant, client } = healthyTenant('Blue Yonder');
    const connector = await seed(tenant, 'Blue Yonder destination', 5);
    const secret = cloud.login.apps.get(cloud.clientId)!;
    cloud.login.apps.set(cloud.clientId, 'not-the-secret');
    let rows: Record<string, Row>;
    try {
      ({ rows } = await diagnose(client));
    } finally {
      cloud.login.apps.set(cloud.clientId, secret);
    }
    for (const id of GRAPH_ROWS) {
      expect(rows[id].status).toBe('? Could not run');
      expect(rows[id].text).toContain('refused the client secret');
      expect(rows[id].text).toContain('AADSTS7000215');
    }
    expect(rows[`connector:${connector.id}`].status).toBe('✓ Pass');
    const tokenCalls = cloud.login.calls.filter((c) => c.tenant === tenant.id);
    expect(tokenCalls.length).toBeGreaterThan(0);
    expect(tokenCalls.length).toBeLessThanOrEqual(3);
    expect(tokenCalls.every((c) => c.status === 401)).toBe(true);
  });

  test('diagnose <name>: that connector only, deauthorized after 90 days, with Reauthorize', async () => {
    const { tenant, client } = healthyTenant('Margie');
    await seed(tenant, 'Margie source', 3);
    const stale = await seed(tenant, 'Finance archive', 95);
    const { rows } = await diagnose(client, 'diagnose finance archive');
    expect(Object.keys(rows)).toEqual([...GRAPH_ROWS, `connector:${stale.id}`, 'app-access']);
    const row = rows[`connector:${stale.id}`];
    expect(row.status).toBe('✗ Fail');
    expect(row.text).toContain('Deauthorized: no transfer for 95 days');
    expect(row.text).toContain(
      "No transfer is recorded for this connector in the last 90 days, and Mover automatically deauthorizes connectors that haven't transferred any data in that time. Reauthorize it to use it again.",
    );
    // Seeds 002/003: reauthorizing is a good first step for most connector problems.
    expect(row.text).toContain(
      'Reauthorizing is also a good first step in trying to resolve most issues with your connectors.',
    );
    expect(row.actions[0]).toMatchObject({
      title: 'Reauthorize',
      data: { command: 'reauthorize', args: 'Finance archive' },
    });
    expect((await h.bot.store.connectors.get(tenant.id, stale.id))?.status).toBe('deauthorized');
  });

  test('diagnose with a name that matches several connectors offers them', async () => {
    const { tenant, client } = healthyTenant('Alpine');
    await seed(tenant, 'Alpine destination', 3);
    await seed(tenant, 'Alpine source', 3);
    const turn = await client.say('diagnose alpine');
    const card = cardOf(turn.replies[turn.replies.length - 1]);
    expect(cardText(card)).toContain('Several connectors match "alpine"');
    expect(JSON.stringify(card)).toContain('Diagnose Alpine destination');
    expect(JSON.stringify(card)).toContain('Diagnose Alpine source');
  });

  test('when Teams refuses the update, the finished card is posted anew', async () => {
    const { client } = healthyTenant('Coho');
    h.standIn.program(
      'updateActivity',
      // 404: the message is gone (a 500 would first be retried by the connector client).
      { status: 404, body: { error: { code: 'NotFound', message: 'Activity not found' } } },
      { times: 50 },
    );
    const { turn } = await diagnose(client);
    expect(turn.updates).toHaveLength(0);
    const cards = turn.replies.filter((r) => cardsOf(r).length > 0).map((r) => rowsOf(cardOf(r)));
    expect(cards.length).toBeGreaterThan(1);
    expect(Object.values(cards[cards.length - 1]).every((r) => r.status === '✓ Pass')).toBe(true);
  });
});

describe('diagnose without Graph credentials', () => {
  const { h } = useHarness();

  test('runs the connector checks and says which settings enable the rest', async () => {
    const tenantId = '8d3f7a51-2c4e-4b6a-9e10-7f2a5c3b9d44';
    const now = h.bot.clock.now().getTime();
    const [connector] = await seedConnectors(h.bot.store, [
      connectorRecord({
        tenantId,
        displayName: 'Offline destination',
        authorizedAt: new Date(now - 70 * DAY).toISOString(),
      }),
    ]);
    const user = makeUser();
    const { rows, first } = await diagnose(h.chat(user, 'personal', tenantId));
    expect(Object.values(rowsOf(first)).every((r) => r.status === '… Checking')).toBe(true);
    const row = rows[`connector:${connector.id}`];
    expect(row.status).toBe('⚠ Warning');
    expect(row.text).toContain('20 days left');
    for (const id of GRAPH_ROWS) {
      expect(rows[id].status).toBe('? Could not run');
      expect(rows[id].text).toContain('Microsoft Graph, which is not configured');
      expect(rows[id].text).toContain('GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET');
    }
    expect(rows['spo-license'].text).toContain('Organization.Read.All');
    expect(rows['admin-consent'].text).toContain('CONNECTOR_APP_ID');
    expect(rows['app-access'].status).toBe('? Could not run');
  });
});
