import { makeUser, type TeamsUser } from '../../harness/activities';
import { actionTitles, cardOf, cardText, findAction, type Card } from '../../harness/cards';
import { shownCard, type TurnResult } from '../../harness/teamsClient';
import { type FakeTenant } from '../../support/fakeMicrosoftCloud';
import { connectorRecord, seedConnectors } from '../../support/connectorFixtures';
import { aConnector } from '../../support/builders';
import type { Connector } from '../../../src/connectors/connector';
import { useCloudHarness } from '../../harness/useHarness';

// The test clock starts at 2026-03-02 09:00 UTC; Berlin is UTC+1 then.
const AUTHORIZED = '2026-01-05T09:00:00.000Z';
const SEEN = '2026-02-25T13:20:00.000Z';
const BERLIN = { timezone: 'Europe/Berlin', locale: 'de-DE' };
const REPORT = '/reports/servicePrincipalSignInActivities';

/** The last card the bot posted or updated in a diagnose turn. */
function lastCard(turn: TurnResult): Card {
  const last =
    turn.updates.length > 0 ? turn.updates[turn.updates.length - 1].activity : turn.replies.at(-1)!;
  return cardOf(last);
}

describe('Microsoft Entra sign-in activity as evidence of use (global cloud)', () => {
  const { cloud, h } = useCloudHarness();
  beforeEach(() => cloud.graph.reset());

  async function setup(name: string, configure: (tenant: FakeTenant) => void = () => undefined) {
    const tenant = cloud.addTenant();
    configure(tenant);
    const owner: TeamsUser = makeUser('Sam SharePoint', `sam@${tenant.domain}`);
    const [connector] = await seedConnectors(h.bot.store, [
      connectorRecord({
        tenantId: tenant.id,
        displayName: name,
        createdAt: AUTHORIZED,
        authorizedAt: AUTHORIZED,
        createdBy: owner.aadObjectId,
        createdByName: owner.name,
        consent: { verifiedAt: AUTHORIZED },
      } as Partial<Connector> & Pick<Connector, 'tenantId'>),
    ]);
    const client = h.chat(owner, 'personal', tenant.id).withClientInfo(BERLIN);
    return { tenant, connector, client };
  }

  test('status shows when Entra last saw the app, with its caveat, and offers to record a transfer on that date; the click records it with audit', async () => {
    const { tenant, connector, client } = await setup('Contoso destination', (t) =>
      t.recordSignIn(cloud.connectorAppId, SEEN),
    );
    const card = shownCard(await client.say('status Contoso destination'));
    const text = cardText(card);
    expect(text).toContain('Seen by Microsoft Entra');
    expect(text).toContain(
      'Microsoft Entra last saw the connector app used in this tenant on 25.02.2026, 14:20 (Europe/Berlin).',
    );
    expect(text).toContain('51 days after the 90-day clock started (05.01.2026, 10:00 (Europe/Berlin))');
    expect(text).toContain('may include partial sign-ins');
    expect(actionTitles(card)).toContain('Record a transfer on 25.02.2026');
    const [request] = cloud.graph.requestsTo(REPORT);
    expect(request).toMatchObject({ version: 'beta', method: 'GET', tenantId: tenant.id });
    expect(request.query.$filter).toBe(`appId eq '${cloud.connectorAppId}'`);

    const recorded = await client.click(card, 'Record a transfer on 25.02.2026');
    expect(String(recorded.replies[0].text)).toContain(
      'Transfer recorded for Contoso destination on 25.02.2026, 14:20 (Europe/Berlin), from Microsoft Entra’s sign-in activity report.',
    );
    expect(String(recorded.replies[0].text)).toContain('deauthorized on 26.05.2026, 15:20 (Europe/Berlin)');
    const stored = await h.bot.store.connectors.get(tenant.id, connector.id);
    expect(stored?.lastTransferAt).toBe(SEEN);
    const audit = await h.bot.store.audit.list(tenant.id, { connectorId: connector.id, limit: 5 });
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'transfer.recorded',
        actor: client.user.aadObjectId,
        detail: expect.objectContaining({
          at: SEEN,
          evidence: { source: 'entra-sign-in-activity', appId: cloud.connectorAppId, lastSignInAt: SEEN },
        }),
      }),
    );

    // Evidence and clock agree now: no button.
    const again = shownCard(await client.say('status Contoso destination'));
    expect(cardText(again)).toContain('25.02.2026, 14:20 (Europe/Berlin)');
    expect(actionTitles(again).some((t) => t.startsWith('Record a transfer on'))).toBe(false);
  });

  test('evidence within 7 days of the clock start: the date is shown, no transfer offered', async () => {
    const { client } = await setup('Close call', (t) =>
      t.recordSignIn(cloud.connectorAppId, '2026-01-10T08:00:00Z'),
    );
    const card = shownCard(await client.say('status Close call'));
    expect(cardText(card)).toContain(
      'Microsoft Entra last saw the connector app used in this tenant on 10.01.2026, 09:00 (Europe/Berlin).',
    );
    expect(actionTitles(card).some((t) => t.startsWith('Record a transfer on'))).toBe(false);
  });

  test('a forged or stale date on the button is checked against Entra again: nothing is recorded', async () => {
    const { tenant, connector, client } = await setup('Forged', (t) =>
      t.recordSignIn(cloud.connectorAppId, SEEN),
    );
    const card = shownCard(await client.say('status Forged'));
    const button = findAction(card, 'Record a transfer on 25.02.2026');
    const data = { verb: button.verb, ...(button.data as Record<string, unknown>) };
    const forged = await client.submitRaw({ ...data, at: '2026-03-01T00:00:00Z' });
    expect(String(forged.replies[0].text)).toBe(
      'Microsoft Entra no longer reports activity of the connector app on that date. Nothing was recorded.',
    );
    const stale = await client.submitRaw({ ...data, version: connector.version + 7 });
    expect(String(stale.replies[0].text)).toContain('This card is out of date');
    expect((await h.bot.store.connectors.get(tenant.id, connector.id))?.lastTransferAt).toBeUndefined();
  });

  test('403 without an Entra ID P1 licence: the row says why, nothing else changes', async () => {
    const { tenant, connector, client } = await setup('No premium', (t) => {
      t.recordSignIn(cloud.connectorAppId, SEEN);
      t.signInReport = 'no-premium-licence';
    });
    const card = shownCard(await client.say('status No premium'));
    expect(cardText(card)).toContain(
      'Microsoft Entra refused the sign-in activity report: the tenant has no Microsoft Entra ID P1 or P2 licence, which the report needs.',
    );
    expect(actionTitles(card).some((t) => t.startsWith('Record a transfer on'))).toBe(false);
    expect(await h.bot.store.connectors.get(tenant.id, connector.id)).toEqual(connector);
    expect(h.bot.logs).toContainEqual(
      expect.objectContaining({
        msg: 'sign-in activity report not read',
        kind: 'refused',
        connectorId: connector.id,
      }),
    );
  });

  test('403 without AuditLog.Read.All names the permission', async () => {
    const { client } = await setup('No permission', (t) =>
      t.denyPermission('AuditLog.Read.All', 'Directory.Read.All'),
    );
    const card = shownCard(await client.say('status No permission'));
    expect(cardText(card)).toContain(
      'the bot’s Graph app needs the application permission AuditLog.Read.All',
    );
  });

  test('a Graph failure says could not verify with the reason', async () => {
    const { client } = await setup('Flaky');
    cloud.graph.failNext(REPORT, { status: 500, times: 10 });
    const card = shownCard(await client.say('status Flaky'));
    expect(cardText(card)).toMatch(/Could not verify: Microsoft Graph .*500/);
  });

  test('diagnose: a row with the evidence, naming the connectors whose clock runs behind it; refused, it says why', async () => {
    const { client } = await setup('Behind', (t) => t.recordSignIn(cloud.connectorAppId, SEEN));
    const text = cardText(lastCard(await client.say('diagnose')));
    expect(text).toContain('Connector app use seen by Microsoft Entra');
    expect(text).toContain(
      'No transfer is recorded since then for Behind (clock started 05.01.2026, 10:00 (Europe/Berlin))',
    );
    expect(text).toContain('click Record a transfer on 25.02.2026');

    const refused = await setup('Refused', (t) => {
      t.signInReport = 'no-premium-licence';
    });
    const refusedText = cardText(lastCard(await refused.client.say('diagnose')));
    expect(refusedText).toContain('the tenant has no Microsoft Entra ID P1 or P2 licence');
    expect(refusedText).toContain(
      'Without it the bot goes by recorded transfers only; nothing else changes.',
    );
  });
});

describe('Microsoft Entra sign-in activity outside the global cloud', () => {
  const { cloud, h } = useCloudHarness({ env: { CLOUD: 'usgovhigh' } });

  test('status says the report is not available there, and Graph is not asked', async () => {
    const tenant = cloud.addTenant();
    tenant.recordSignIn(cloud.connectorAppId, SEEN);
    const owner = makeUser('Sam SharePoint', `sam@${tenant.domain}`);
    await seedConnectors(h.bot.store, [
      aConnector(tenant.id).named('Gov destination').createdBy(owner).build(),
    ]);
    const client = h.chat(owner, 'personal', tenant.id);
    const card = shownCard(await client.say('status Gov destination'));
    expect(cardText(card)).toContain(
      'Microsoft Entra’s sign-in activity report is not available in US Government GCC High: Microsoft offers it in the global cloud only.',
    );
    expect(cloud.graph.requestsTo(REPORT)).toHaveLength(0);
  });
});
