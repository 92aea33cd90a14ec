import { GERMANY_CLOUD_CLOSED } from '../../../src/connectors/clouds';
import { actionTitles, actionsOf, cardText, inputsOf } from '../../harness/cards';
import { answerError } from '../../harness/teamsClient';
import { DIRECTORY_ROLES } from '../../support/fakeMicrosoftCloud';
import { factsOf, lastReplyCard } from './rolesDriver';
import { useCloudHarness } from '../../harness/useHarness';
import { shown, turnText } from '../../harness/chat';

describe('roles: the target connection check of an admin account', () => {
  const { cloud, h } = useCloudHarness();
  beforeEach(() => h.standIn.reset());

  test('office365, the asker by default: a Global Administrator passes and the target connection is defined', async () => {
    const tenant = cloud.addTenant({ displayName: 'Contoso' });
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    const card = lastReplyCard(await admin.say('roles'));
    const text = cardText(card);
    expect(text).toContain('Roles of Adele Admin');
    expect(text).toContain(
      'The check passed: admin@contoso.onmicrosoft.com can be the admin account of your Office 365 (SharePoint Online and OneDrive) target, as far as Microsoft Graph shows. It is saved as a defined target connection.',
    );
    expect(text).toContain(
      '✓ **Global Administrator or SharePoint Administrator**: held as Global Administrator',
    );
    expect(text).toContain('✓ **Global Administrator**: held as Global Administrator');
    expect(factsOf(card)).toMatchObject({
      'Admin account': 'Adele Admin (admin@contoso.onmicrosoft.com)',
      Cloud: 'Microsoft 365 worldwide (from contoso.onmicrosoft.com)',
      'Sign-in': 'enabled',
      Licensed: 'yes: 1 licence, with SharePoint Online',
    });
    // The Office 365 Connector's MFA note (no app password); and what a direct-assignment check cannot see.
    expect(text).toContain('never asks for a password or an app password');
    expect(text).toContain('modern authentication (OAuth 2.0, with your MFA prompt)');
    expect(text).toContain('admin consent a Global Administrator grants');
    expect(text).toContain('role-assignable group');
    expect(text).toContain('(PIM) eligible role');
    expect(actionTitles(card)).toEqual(['Check again', 'Show target connections']);
    // The asker's account was read by its object id, and its roles with the documented filter.
    expect(cloud.graph.requestsTo(`/users/${tenant.admin!.id}`, 'GET')).toHaveLength(1);
    const roleReads = cloud.graph.requestsTo('/roleManagement/directory/roleAssignments', 'GET');
    expect(roleReads.map((r) => r.query.$filter)).toContain(`principalId eq '${tenant.admin!.id}'`);

    const [target] = await h.bot.store.targets.list(tenant.id);
    expect(target).toMatchObject({
      id: `office365:${tenant.admin!.id}`,
      kind: 'office365',
      cloud: 'global',
      adminUpn: 'admin@contoso.onmicrosoft.com',
      roles: ['Global Administrator'],
      verifiedBy: tenant.admin!.id,
    });
    const audit = await h.bot.store.audit.list(tenant.id);
    expect(audit.map((a) => a.action)).toContain('target.defined');
  });

  test('office365: a SharePoint Administrator passes; Global Administrator for consent is optional and assignable', async () => {
    const tenant = cloud.addTenant({ displayName: 'Fabrikam' });
    const card = lastReplyCard(
      await h.chat(tenant.sharePointAdmin!, 'personal', tenant).say('roles office365'),
    );
    const text = cardText(card);
    expect(text).toContain('The check passed');
    expect(text).toContain('held as SharePoint Administrator');
    expect(text).toContain('○ **Global Administrator**: not assigned; only to grant the admin consent');
    expect(text).toContain('the connect wizard hands consent to a global admin');
    expect(actionTitles(card)).toEqual(['Check again', 'Assign missing roles', 'Show target connections']);
  });

  test('office365: an account without roles fails: authorization is missing', async () => {
    const tenant = cloud.addTenant({ displayName: 'Northwind' });
    const card = lastReplyCard(
      await h.chat(tenant.admin!, 'personal', tenant).say('roles megan@northwind.onmicrosoft.com'),
    );
    const text = cardText(card);
    expect(text).toContain('Roles of Megan Member');
    expect(text).toContain('The check failed');
    expect(text).toContain(
      'Missing Global Administrator or SharePoint Administrator: needed to authorize the connector.',
    );
    expect(text).toContain(
      '✗ **Global Administrator or SharePoint Administrator**: not assigned (I would assign SharePoint Administrator)',
    );
    expect(actionTitles(card)).toEqual(['Check again', 'Assign missing roles']);
    expect(await h.bot.store.targets.list(tenant.id)).toEqual([]);
  });

  test('exchange (seed 004): the management roles are left to CodeTwo, User Administrator and public folders are optional', async () => {
    const tenant = cloud.addTenant({ displayName: 'Litware' });
    const card = lastReplyCard(
      await h.chat(tenant.admin!, 'personal', tenant).say('roles spadmin@litware.onmicrosoft.com exchange'),
    );
    const text = cardText(card);
    // Nothing Graph can read is required, so the account passes on cloud, sign-in and licence,
    // and the card says what it did not check.
    expect(text).toContain(
      'The check passed: spadmin@litware.onmicrosoft.com can be the admin account of your Exchange Online mailboxes target, as far as Microsoft Graph shows. The roles Graph cannot read are checked by CodeTwo when you click Configure.',
    );
    expect(text).not.toContain('Exchange Administrator');
    expect(text).toContain('Not checked here');
    expect(text).toContain(
      '? **The management roles CodeTwo’s wizard lists**: cannot be checked with Microsoft Graph',
    );
    expect(text).toContain('at Configure it attempts to assign the missing ones (click Yes)');
    expect(text).toContain(
      '○ **User Administrator (CodeTwo’s “User management administrator”)**: not assigned; only to create new mailboxes on the target',
    );
    expect(text).toContain(
      '? **Public Folders (Public Folder Management role group)**: cannot be checked with Microsoft Graph; only to migrate public folders',
    );
    expect(text).toContain(
      'Add-RoleGroupMember -Identity "Public Folder Management" -Member spadmin@litware.onmicrosoft.com',
    );
    expect(factsOf(card)['Other roles']).toBe('SharePoint Administrator');
    // An initial-domain address: no onmicrosoft.com advice.
    expect(text).not.toContain('CodeTwo recommends');
    // CodeTwo signs in with a password: the seed's app-password notes, not the Office 365 Connector's.
    expect(text).toContain('give CodeTwo’s Target server connection wizard its app password');
    expect(text).toContain('or the configuration will fail');
    expect(text).not.toContain('never asks for a password or an app password');
    const kind = inputsOf(card).find((i) => i.id === 'kind');
    expect(kind).toMatchObject({ type: 'Input.ChoiceSet', label: 'Target kind', value: 'exchange' });
  });

  test('exchange: an account on a custom domain gets seed 004’s onmicrosoft.com advice', async () => {
    const tenant = cloud.addTenant({ displayName: 'Proseware' });
    const exo = tenant.addUser({ displayName: 'Erin Exchange', alias: 'erin' });
    exo.userPrincipalName = 'erin@proseware.com';
    const card = lastReplyCard(await h.chat(exo, 'personal', tenant).say('roles mailbox'));
    expect(cardText(card)).toContain('The check passed');
    expect(cardText(card)).toContain(
      'CodeTwo recommends entering this account’s primary email address from the *.onmicrosoft.com domain',
    );
    const [target] = await h.bot.store.targets.list(tenant.id);
    expect(target).toMatchObject({ kind: 'exchange', adminUpn: 'erin@proseware.com' });
  });

  test('the target kind can be switched with the card’s choice', async () => {
    const tenant = cloud.addTenant({ displayName: 'Tailspin' });
    const client = h.chat(tenant.member!, 'personal', tenant);
    const first = lastReplyCard(await client.say('roles'));
    expect(cardText(first)).toContain('Missing Global Administrator or SharePoint Administrator');
    const again = shown(await client.click(first, 'Check again', { kind: 'exchange' }));
    expect(cardText(again)).toContain('Exchange Online mailboxes');
    expect(cardText(again)).toContain('The check passed');
  });

  test('a role assigned on an administrative unit only does not count, and the card says so', async () => {
    const tenant = cloud.addTenant({ displayName: 'Wingtip' });
    const user = tenant.addUser({ displayName: 'Scoped Sue', alias: 'sue' });
    tenant.assignRole(user.id, DIRECTORY_ROLES.sharePointAdministrator).directoryScopeId =
      '/administrativeUnits/5d4c3b2a-1f0e-4d9c-8b7a-695847362514';
    const card = lastReplyCard(await h.chat(user, 'personal', tenant).say('roles'));
    expect(cardText(card)).toContain('Missing Global Administrator or SharePoint Administrator');
    expect(cardText(card)).toContain(
      'Assigned on a narrower scope only (an administrative unit or one object), which does not count: SharePoint Administrator.',
    );
  });

  test('an unlicensed, blocked account fails for each reason', async () => {
    const tenant = cloud.addTenant({ displayName: 'Adatum' });
    const user = tenant.addUser({
      displayName: 'Service Account',
      alias: 'svc',
      licensed: false,
      accountEnabled: false,
    });
    tenant.assignRole(user.id, DIRECTORY_ROLES.sharePointAdministrator);
    const card = lastReplyCard(
      await h.chat(tenant.admin!, 'personal', tenant).say('roles svc@adatum.onmicrosoft.com'),
    );
    const text = cardText(card);
    expect(text).toContain('The check failed');
    expect(text).toContain('svc@adatum.onmicrosoft.com has no licence');
    expect(text).toContain('blocked from signing in');
    expect(factsOf(card)).toMatchObject({ Licensed: '✗ no licence', 'Sign-in': '✗ blocked' });
  });

  test('cloud mismatch: a GCC High account against CLOUD=global fails without asking Graph, with the seed’s explanation', async () => {
    const tenant = cloud.addTenant({ displayName: 'Cohovineyard' });
    cloud.graph.requests.length = 0;
    const card = lastReplyCard(
      await h.chat(tenant.admin!, 'personal', tenant).say('roles admin@cohovineyard.onmicrosoft.us'),
    );
    const text = cardText(card);
    expect(text).toContain('The check failed: the account is in another cloud');
    expect(text).toContain(
      'admin@cohovineyard.onmicrosoft.us belongs to US Government GCC High or US Government DoD, but this bot works with Microsoft 365 worldwide (CLOUD=global).',
    );
    expect(text).toContain('credentials of one cloud never work in another');
    expect(factsOf(card)['This bot’s cloud']).toBe('Microsoft 365 worldwide (CLOUD=global)');
    expect(cloud.graph.requestsTo('/users/{id}')).toHaveLength(0);
  });

  test('cloud: an Office 365 Germany account is told that cloud closed', async () => {
    const tenant = cloud.addTenant({ displayName: 'Margie' });
    const turn = await h.chat(tenant.admin!, 'personal', tenant).say('roles admin@margie.onmicrosoft.de');
    expect(cardText(lastReplyCard(turn))).toContain(GERMANY_CLOUD_CLOSED);
  });

  test('cloud: a custom-domain account is judged by its tenant’s initial domain', async () => {
    const tenant = cloud.addTenant({ displayName: 'Fourth', domain: 'fourthcoffee.onmicrosoft.us' });
    tenant.addUser({ displayName: 'Boss', alias: 'boss', userPrincipalName: 'boss@fourthcoffee.com' });
    const turn = await h.chat(tenant.admin!, 'personal', tenant).say('roles boss@fourthcoffee.com');
    const text = cardText(lastReplyCard(turn));
    expect(text).toContain(
      'boss@fourthcoffee.com uses a custom domain; its tenant’s initial domain is fourthcoffee.onmicrosoft.us.',
    );
    expect(text).toContain('credentials of one cloud never work in another');
    expect(cloud.graph.requestsTo('/organization', 'GET')).not.toHaveLength(0);
  });

  test('an account the tenant does not have', async () => {
    const tenant = cloud.addTenant({ displayName: 'Lucerne' });
    const turn = await h.chat(tenant.admin!, 'personal', tenant).say('roles ghost@lucerne.onmicrosoft.com');
    expect(cardText(lastReplyCard(turn))).toContain(
      'There is no account ghost@lucerne.onmicrosoft.com in this tenant',
    );
  });

  test('Graph refuses the role read: the card names RoleManagement.Read.Directory', async () => {
    const tenant = cloud.addTenant({ displayName: 'Trey' });
    tenant.denyPermission('RoleManagement.Read.Directory');
    const card = lastReplyCard(await h.chat(tenant.admin!, 'personal', tenant).say('roles'));
    expect(cardText(card)).toContain('I could not check the account');
    expect(cardText(card)).toContain(
      'the app needs the application permission RoleManagement.Read.Directory with admin consent',
    );
  });

  test('unknown words get the usage', async () => {
    const tenant = cloud.addTenant({ displayName: 'Blue Yonder' });
    const turn = await h.chat(tenant.admin!, 'personal', tenant).say('roles teams please');
    expect(turn.replies[0].text).toContain('roles [upn] [office365|exchange]');
    // What was typed is quoted as text: it cannot become a link.
    const link = await h.chat(tenant.admin!, 'personal', tenant).say('roles [x](https://evil.example)');
    expect(link.replies[0].text).toContain('I did not understand "\\[x\\](https://evil.example)"');
  });

  test('targets lists each verified target; re-verify updates it, a failing one is flagged; removing needs the right person', async () => {
    const tenant = cloud.addTenant({ displayName: 'Alpine' });
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    const empty = lastReplyCard(await admin.say('targets'));
    expect(cardText(empty)).toContain('No target connection is defined yet');

    await admin.say('roles spadmin@alpine.onmicrosoft.com');
    h.bot.clock.advanceDays(1);
    const list = lastReplyCard(await admin.say('targets'));
    expect(cardText(list)).toContain('Defined target connections');
    expect(factsOf(list)).toMatchObject({
      Tenant: tenant.id,
      Cloud: 'Microsoft 365 worldwide',
      'Admin account': 'Sam SharePoint (spadmin@alpine.onmicrosoft.com)',
      Roles: 'SharePoint Administrator',
      Checked:
        '2026-03-02 09:00 UTC by Adele Admin, with Microsoft Graph (cloud, sign-in, licence, directory roles)',
      Connection: 'not tested by me: Mover tests it when this account authorizes the Office 365 Connector',
    });
    // The bot read the directory; it never signed in, so it says "check passed", never "verified".
    expect(cardText(list)).toContain('check passed');
    expect(cardText(list)).not.toContain('verified');
    expect(actionsOf(list).map((a) => a.title)).toEqual(['Check again', 'Remove', 'Check an admin account']);

    // Check again: passes again, and the check's date moves on.
    const reverified = await admin.click(list, 'Check again');
    expect(turnText(reverified)).toContain('The check passed');
    expect(factsOf(shown(reverified)).Checked).toMatch(/^2026-03-03 09:00 UTC by Adele Admin, /);

    // The role is taken away: re-verify flags the target.
    tenant.roleAssignments.splice(
      tenant.roleAssignments.findIndex((a) => a.principalId === tenant.sharePointAdmin!.id),
      1,
    );
    const failed = await admin.click(list, 'Check again');
    expect(turnText(failed)).toContain('The check failed');
    const flagged = shown(failed);
    expect(cardText(flagged)).toContain('check failed');
    expect(factsOf(flagged)['Last check failed']).toContain(
      'Missing Global Administrator or SharePoint Administrator',
    );
    expect((await h.bot.store.audit.list(tenant.id)).map((a) => a.action)).toContain('target.verify-failed');

    // Someone else (not the definer, not the account, not a global admin) cannot remove it.
    const logged = h.bot.logs.length;
    const refused = await h.chat(tenant.member!, 'personal', tenant).click(list, 'Remove');
    expect(answerError(refused)).toMatchObject({ statusCode: 403 });
    expect(answerError(refused)?.message).toContain('Nothing was changed');
    expect(refused.replies).toEqual([]);
    expect(h.bot.logs.slice(logged)).toContainEqual(
      expect.objectContaining({ msg: 'card action refused', verb: 'targetRemove', status: 403 }),
    );
    expect(await h.bot.store.targets.list(tenant.id)).toHaveLength(1);

    const removed = await admin.click(list, 'Remove');
    expect(turnText(removed)).toContain(
      'Removed the Office 365 (SharePoint Online and OneDrive) target connection of spadmin@alpine.onmicrosoft.com',
    );
    expect(cardText(shown(removed))).toContain('No target connection is defined yet');
    expect(await h.bot.store.targets.list(tenant.id)).toEqual([]);
    expect((await h.bot.store.audit.list(tenant.id)).map((a) => a.action)).toContain('target.removed');

    // Another tenant cannot see or act on it.
    const other = cloud.addTenant({ displayName: 'Elsewhere' });
    const foreign = await h.chat(other.admin!, 'personal', other).click(list, 'Check again');
    expect(answerError(foreign)).toMatchObject({ statusCode: 404 });
    expect(answerError(foreign)?.message).toContain('does not exist in this tenant');
  });
});
