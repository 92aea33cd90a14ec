import { type TeamsUser } from '../../harness/activities';
import { actionTitles, cardOf, cardText, type Card } from '../../harness/cards';
import { TeamsClient, type TurnResult } from '../../harness/teamsClient';
import { expectValidCard } from '../../support/cardValidation';
import { seedConnectors } from '../../support/connectorFixtures';
import { aConnector } from '../../support/builders';
import { type FakeTenant } from '../../support/fakeMicrosoftCloud';
import { useCloudHarness } from '../../harness/useHarness';
import { teamsUserOf } from '../../harness/chat';

/** The card a turn showed: the updated one, else the last posted one. */
function shown(turn: TurnResult): Card {
  const c =
    turn.updates.length > 0
      ? cardOf(turn.updates[turn.updates.length - 1].activity)
      : cardOf(turn.replies[turn.replies.length - 1]);
  expectValidCard(c);
  return c;
}

describe('delete says what it does, and Check revocation asks Graph (HTTPS fake)', () => {
  const { cloud, h } = useCloudHarness();

  function adminOf(tenant: FakeTenant): { user: TeamsUser; client: TeamsClient } {
    const admin = tenant.admin!;
    const user: TeamsUser = teamsUserOf(admin);
    return { user, client: h.chat(user, 'personal', tenant.id) };
  }

  /** `delete <name>`, then "Delete permanently"; returns the confirmation and the card after. */
  async function deleteConnector(client: TeamsClient, name: string): Promise<{ confirm: Card; done: Card }> {
    const ask = await client.say(`delete ${name}`);
    const confirm = shown(ask);
    const deleted = await client.click(confirm, 'Delete permanently', {}, String(ask.replies[0].id));
    return { confirm, done: shown(deleted) };
  }

  test('the confirmation: removed from this bot, the seed’s steps in the migration app, revoking in the service', async () => {
    const tenant = cloud.addTenant({ displayName: 'Delete words' });
    const { user, client } = adminOf(tenant);
    await seedConnectors(h.bot.store, [
      aConnector(tenant.id).named('Old S3').ofType('amazon-s3').createdBy(user).build(),
    ]);
    const { confirm, done } = await deleteConnector(client, 'old s3');
    const text = cardText(confirm);
    expect(text).toContain('permanent and cannot be reversed');
    expect(text).toContain('removes the connector and its stored keys from this bot');
    expect(text).toContain('it does not revoke access there');
    expect(text).toContain(
      "1. From the **Transfer Wizard**, for the **Amazon S3 Connector**, select **Manage ▼**.\n2. To the right of **Connect**, select arrow ▼.\n3. Select **Delete**.\n4. Confirm you want to delete, and you're done!",
    );
    expect(text).toContain('deactivate, then delete, the access key');

    const after = cardText(done);
    expect(after).toContain('The connector and its stored keys are removed from this bot.');
    expect(after).toContain(
      'select **Manage ▼**; to the right of **Connect**, select arrow ▼; select **Delete**',
    );
    expect(after).toContain('**In your cloud service**: In the AWS IAM console');
    // Only Office 365 has a grant Graph can see.
    expect(actionTitles(done)).not.toContain('Check revocation');
  });

  test('Office 365: Check revocation finds the tenant-wide grant still there and says how to remove it', async () => {
    const tenant = cloud.addTenant({ displayName: 'Still granted' });
    const { user, client } = adminOf(tenant);
    await seedConnectors(h.bot.store, [
      aConnector(tenant.id).named('Contoso destination').createdBy(user).build(),
      aConnector(tenant.id).named('Second tenant link').createdBy(user).build(),
    ]);
    const { confirm, done } = await deleteConnector(client, 'contoso destination');
    expect(cardText(confirm)).toContain(
      'Microsoft Entra admin center > Identity > Applications > Enterprise applications',
    );
    expect(actionTitles(done)).toContain('Check revocation');

    const checked = await client.click(done, 'Check revocation');
    const result = shown(checked);
    const text = cardText(result);
    const grant = tenant.oauth2PermissionGrants.find((g) => g.clientId === tenant.connectorApp!.id)!;
    expect(text).toContain('Mover Migration Connector still holds tenant-wide access');
    expect(text).toContain(
      'Granted for the organization: AllSites.Manage Sites.Manage.All profile offline_access',
    );
    expect(text).toContain('Enterprise applications, selects Mover Migration Connector (app id');
    expect(text).toContain(`Remove-MgOauth2PermissionGrant -OAuth2PermissionGrantId "${grant.id}"`);
    expect(text).toContain(`DELETE https://graph.microsoft.com/v1.0/oauth2PermissionGrants/${grant.id}`);
    expect(text).toContain('Connect-MgGraph -Environment Global');
    // A blank line between commands: as markdown a single newline may render as a space.
    expect(text).toContain(
      '# Microsoft Graph PowerShell, signed in as a global admin\n\nConnect-MgGraph -Environment Global',
    );
    // The other Office 365 connector of the tenant still relies on that consent.
    expect(text).toContain('another Office 365 connector (Second tenant link) using this consent');
    expect(text).toContain('Checked with Microsoft Graph');
    // Graph was asked about the connector app, in this tenant.
    const asked = cloud.graph.requests.filter((r) => r.tenantId === tenant.id).map((r) => r.graphPath);
    expect(asked).toEqual(expect.arrayContaining(['/servicePrincipals', '/oauth2PermissionGrants']));
    const filters = cloud.graph.requests.filter((r) => r.tenantId === tenant.id).map((r) => r.query.$filter);
    expect(filters).toContain(`appId eq '${cloud.connectorAppId}'`);
  });

  test('once the grant is removed, Check revocation says no tenant-wide access is left', async () => {
    const tenant = cloud.addTenant({ displayName: 'Revoked' });
    const { user, client } = adminOf(tenant);
    await seedConnectors(h.bot.store, [aConnector(tenant.id).named('Gone soon').createdBy(user).build()]);
    const { done } = await deleteConnector(client, 'gone soon');
    tenant.oauth2PermissionGrants.length = 0;
    const text = cardText(shown(await client.click(done, 'Check revocation')));
    expect(text).toContain('No tenant-wide access left');
    expect(text).toContain('holds no tenant-wide delegated grant and no application permission');

    tenant.servicePrincipals = tenant.servicePrincipals.filter((s) => s.appId !== cloud.connectorAppId);
    const none = cardText(shown(await client.click(done, 'Check revocation')));
    expect(none).toContain(
      `finds no service principal for the connector app (app id ${cloud.connectorAppId})`,
    );
  });

  test('a Graph failure says "could not verify" with the reason, and changes nothing', async () => {
    const tenant = cloud.addTenant({ displayName: 'Refused' });
    const { user, client } = adminOf(tenant);
    const [kept] = await seedConnectors(h.bot.store, [
      aConnector(tenant.id).named('Refused one').createdBy(user).build(),
      aConnector(tenant.id).named('Refused two').createdBy(user).build(),
    ]);
    const { done } = await deleteConnector(client, 'refused two');
    tenant.denyPermission('Directory.Read.All');
    const text = cardText(shown(await client.click(done, 'Check revocation')));
    expect(text).toContain('Could not verify the revocation');
    expect(text).toContain('Directory.Read.All');
    expect(text).toContain('Nothing was changed');
    expect(await h.bot.store.connectors.get(tenant.id, kept.id)).toMatchObject({ status: 'authorized' });
    expect(h.bot.logs.some((l) => l.msg === 'revocation check failed')).toBe(true);
  });
});
