import { GERMANY_CLOUD_CLOSED } from '../../../src/connectors/clouds';
import {
  assessAccount,
  checkCloud,
  licenceDetail,
  parseRolesArgs,
  type AccountFacts,
} from '../../../src/directoryRoles/accountCheck';
import {
  assignableRoles,
  assignerRole,
  evaluateRequirements,
  EXCHANGE_ADMINISTRATOR,
  GLOBAL_ADMINISTRATOR,
  manualRoles,
  PRIVILEGED_ROLE_ADMINISTRATOR,
  SHAREPOINT_ADMINISTRATOR,
  USER_ADMINISTRATOR,
} from '../../../src/directoryRoles/requirements';

const states = (results: ReturnType<typeof evaluateRequirements>) =>
  Object.fromEntries(results.map((r) => [r.requirement.key, r.state]));

function account(partial: Partial<AccountFacts> = {}): AccountFacts {
  return {
    id: '0b7c2f4e-8d0e-4a55-9a55-2f3f4b8f1c11',
    upn: 'admin@contoso.onmicrosoft.com',
    displayName: 'Adele Admin',
    accountEnabled: true,
    licences: 1,
    enabledServices: ['exchange', 'SharePoint'],
    roleIds: [],
    scopedRoleIds: [],
    ...partial,
  };
}

describe('required roles per target kind', () => {
  test('office365: a Global Administrator holds both the authorization and the consent role', () => {
    const results = evaluateRequirements('office365', [GLOBAL_ADMINISTRATOR.id]);
    expect(states(results)).toEqual({ authorize: 'present', consent: 'present' });
    expect(results[0].heldAs).toEqual(GLOBAL_ADMINISTRATOR);
    expect(assignableRoles(results)).toEqual([]);
  });

  test('office365: a SharePoint Administrator may authorize; Global Administrator for consent is optional', () => {
    const results = evaluateRequirements('office365', [SHAREPOINT_ADMINISTRATOR.id.toUpperCase()]);
    expect(states(results)).toEqual({ authorize: 'present', consent: 'optional' });
    expect(assignableRoles(results).map((a) => [a.role.name, a.checkedByDefault])).toEqual([
      ['Global Administrator', false],
    ]);
  });

  test('office365: no role: authorization is missing and SharePoint Administrator (least privilege) is offered checked', () => {
    const results = evaluateRequirements('office365', []);
    expect(states(results)).toEqual({ authorize: 'missing', consent: 'optional' });
    expect(assignableRoles(results).map((a) => [a.role.name, a.checkedByDefault])).toEqual([
      ['SharePoint Administrator', true],
      ['Global Administrator', false],
    ]);
  });

  test('exchange (seed 004): the management roles CodeTwo lists are needed but left to CodeTwo; User Administrator and public folders optional', () => {
    const results = evaluateRequirements('exchange', [SHAREPOINT_ADMINISTRATOR.id]);
    expect(states(results)).toEqual({
      'management-roles': 'unverifiable',
      'create-mailboxes': 'optional',
      'public-folders': 'unverifiable',
    });
    // Nothing Graph can assign is required: the seed's required roles are Exchange Online's.
    expect(assignableRoles(results).map((a) => [a.role.name, a.checkedByDefault])).toEqual([
      ['User Administrator', false],
    ]);
    const [roles, folders] = manualRoles(results, 'sam@contoso.onmicrosoft.com');
    expect(roles.how).toContain('click Configure in its Target server connection wizard and accept with Yes');
    expect(folders.how).toContain('not a Microsoft Entra directory role');
    expect(folders.how).toContain(
      'Add-RoleGroupMember -Identity "Public Folder Management" -Member sam@contoso.onmicrosoft.com',
    );
    // No Exchange Administrator requirement: the seed does not name one.
    expect(results.some((r) => r.requirement.name.includes('Exchange Administrator'))).toBe(false);
  });

  test('exchange: a User Administrator has everything Graph can tell', () => {
    const results = evaluateRequirements('exchange', [EXCHANGE_ADMINISTRATOR.id, USER_ADMINISTRATOR.id]);
    expect(states(results)).toEqual({
      'management-roles': 'unverifiable',
      'create-mailboxes': 'present',
      'public-folders': 'unverifiable',
    });
    expect(assignableRoles(results)).toEqual([]);
  });

  test('only Global and Privileged Role Administrators may assign roles', () => {
    expect(assignerRole([GLOBAL_ADMINISTRATOR.id])).toEqual(GLOBAL_ADMINISTRATOR);
    expect(assignerRole([PRIVILEGED_ROLE_ADMINISTRATOR.id])).toEqual(PRIVILEGED_ROLE_ADMINISTRATOR);
    expect(assignerRole([SHAREPOINT_ADMINISTRATOR.id, EXCHANGE_ADMINISTRATOR.id])).toBeUndefined();
  });
});

describe('cloud of the admin account', () => {
  test('a worldwide UPN matches CLOUD=global', () => {
    expect(checkCloud('admin@contoso.onmicrosoft.com', 'global')).toMatchObject({
      ok: true,
      cloud: 'global',
    });
  });

  test('a GCC High UPN against CLOUD=global fails with the seed’s explanation', () => {
    const found = checkCloud('admin@contoso.onmicrosoft.us', 'global');
    expect(found.ok).toBe(false);
    if (found.ok) return;
    expect(found.message).toContain('belongs to US Government GCC High or US Government DoD');
    expect(found.message).toContain('credentials of one cloud never work in another');
  });

  test('an onmicrosoft.de UPN: Office 365 Germany is closed', () => {
    expect(checkCloud('admin@contoso.onmicrosoft.de', 'global')).toMatchObject({
      ok: false,
      message: GERMANY_CLOUD_CLOSED,
    });
  });

  test('a custom domain is judged by the tenant’s initial domain', () => {
    expect(checkCloud('boss@fabrikam.com', 'global', 'fabrikam.onmicrosoft.com')).toMatchObject({ ok: true });
    const wrong = checkCloud('boss@fabrikam.com', 'global', 'fabrikam.onmicrosoft.us');
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.message).toContain('initial domain is fabrikam.onmicrosoft.us');
    expect(checkCloud('boss@fabrikam.com', 'global')).toMatchObject({ ok: true });
  });

  test('text that is no account name is refused', () => {
    expect(checkCloud('not an account', 'global').ok).toBe(false);
  });
});

describe('assessing an account', () => {
  const cloud = checkCloud('admin@contoso.onmicrosoft.com', 'global');

  test('passes with the cloud, a licence and the required roles', () => {
    const found = assessAccount('office365', cloud, account({ roleIds: [SHAREPOINT_ADMINISTRATOR.id] }));
    expect(found).toMatchObject({ passed: true, problems: [] });
  });

  test('an unlicensed, blocked account without roles fails for each reason', () => {
    const found = assessAccount(
      'exchange',
      cloud,
      account({ licences: 0, enabledServices: [], accountEnabled: false }),
    );
    expect(found.passed).toBe(false);
    expect(found.problems.join('\n')).toContain('has no licence');
    expect(found.problems.join('\n')).toContain('blocked from signing in');
    // Exchange's required roles are CodeTwo's to check: no "Missing" problem for them.
    expect(found.problems).toHaveLength(2);
  });

  test('the licence line names the target’s service', () => {
    expect(licenceDetail('exchange', account())).toBe('yes: 1 licence, with Exchange Online');
    expect(licenceDetail('office365', account({ enabledServices: ['exchange'] }))).toBe(
      'yes: 1 licence (no SharePoint Online plan found)',
    );
    expect(licenceDetail('office365', account({ licences: 0 }))).toBe('no licence');
  });
});

describe('roles [upn] [office365|exchange]', () => {
  test.each([
    ['', {}],
    ['exchange', { kind: 'exchange' }],
    ['admin@contoso.onmicrosoft.com', { upn: 'admin@contoso.onmicrosoft.com' }],
    ['Mailbox admin@contoso.onmicrosoft.com', { upn: 'admin@contoso.onmicrosoft.com', kind: 'exchange' }],
    ['admin@contoso.onmicrosoft.com office365', { upn: 'admin@contoso.onmicrosoft.com', kind: 'office365' }],
  ])('"%s"', (args, expected) => {
    expect(parseRolesArgs(args)).toEqual({ upn: undefined, kind: undefined, ...expected });
  });

  test('anything else gets the usage', () => {
    expect(parseRolesArgs('sharepoint teams')).toEqual({ unknownWord: 'teams' });
  });
});
