import { checkAdminAccount, GLOBAL_ADMINISTRATOR_ROLE } from '../../../src/diagnostics/adminAccountCheck';
import { adminConsentCheck } from '../../../src/diagnostics/adminConsentCheck';
import { appAccessCheck, APP_ACCESS_ADVICE } from '../../../src/diagnostics/appAccessCheck';
import { DEFAULT_DIAGNOSTIC_LIMITS, type Finding } from '../../../src/diagnostics/finding';
import { connectorChecks, connectorFinding } from '../../../src/diagnostics/inactivityCheck';
import { checkSpoLicense } from '../../../src/diagnostics/spoLicenseCheck';
import { checkUserAssignment } from '../../../src/diagnostics/userAssignmentCheck';
import { connectorRecord } from '../../support/connectorFixtures';
import { ASKER, CONNECTOR_APP, diagnosticContext, NOW, TENANT } from './context';
import { graphError, page, ScriptedGateway } from './fakeGateway';

const DAY = 24 * 60 * 60 * 1000;
const ENTERPRISE = '5dbe027f-2339-4123-9542-606e4d348a72';
const STANDARD = 'c7699d2e-19aa-44de-8edf-1736da088ca1';

function sku(plans: { id: string; name: string; status: string }[], capabilityStatus = 'Enabled') {
  return {
    skuPartNumber: 'ENTERPRISEPACK',
    capabilityStatus,
    consumedUnits: 3,
    prepaidUnits: { enabled: 25 },
    servicePlans: plans.map((p) => ({
      servicePlanId: p.id,
      servicePlanName: p.name,
      provisioningStatus: p.status,
    })),
  };
}

function skus(...value: unknown[]) {
  return new ScriptedGateway([[/^\/subscribedSkus$/, () => page(value)]]);
}

describe('SharePoint Online license', () => {
  test('passes when SHAREPOINTENTERPRISE is provisioned (Success), naming the subscription', async () => {
    const f = await checkSpoLicense(
      skus(sku([{ id: ENTERPRISE, name: 'SHAREPOINTENTERPRISE', status: 'Success' }])),
      TENANT,
    );
    expect(f.status).toBe('pass');
    expect(f.found).toContain('SHAREPOINTENTERPRISE in ENTERPRISEPACK (25 licenses, 3 assigned)');
  });

  test('passes with SHAREPOINTSTANDARD (Business plans) too', async () => {
    const f = await checkSpoLicense(
      skus(sku([{ id: STANDARD, name: 'SHAREPOINTSTANDARD', status: 'Success' }])),
      TENANT,
    );
    expect(f.status).toBe('pass');
  });

  // These editions have ids of their own, not in DESIGN.md's pair: they are matched by plan name
  // (the ids here are made up, so only the name can match).
  test.each([
    ['SHAREPOINTENTERPRISE_EDU', '00000000-0000-4000-8000-00000000ed01'],
    ['SHAREPOINTENTERPRISE_GOV', '00000000-0000-4000-8000-00000000ed02'],
    ['SHAREPOINTDESKLESS', '00000000-0000-4000-8000-00000000ed03'],
    ['SHAREPOINTSTANDARD_EDU', '00000000-0000-4000-8000-00000000ed04'],
  ])('passes with another edition of SharePoint Online (%s)', async (name, id) => {
    const f = await checkSpoLicense(skus(sku([{ id, name, status: 'Success' }])), TENANT);
    expect(f.status).toBe('pass');
    expect(f.found).toContain(`${name} in ENTERPRISEPACK`);
  });

  test('Office for the web, extra storage and Project Online are not SharePoint Online', async () => {
    const f = await checkSpoLicense(
      skus(
        sku([
          { id: '00000000-0000-4000-8000-00000000ed05', name: 'SHAREPOINTWAC', status: 'Success' },
          { id: '00000000-0000-4000-8000-00000000ed06', name: 'SHAREPOINTSTORAGE', status: 'Success' },
          { id: '00000000-0000-4000-8000-00000000ed07', name: 'SHAREPOINT_PROJECT', status: 'Success' },
        ]),
      ),
      TENANT,
    );
    expect(f.status).toBe('fail');
    expect(f.found).toContain('Tenant lacks SPO license');
  });

  test('fails with the seed’s "Tenant lacks SPO license" and its fix when no plan has SharePoint', async () => {
    const f = await checkSpoLicense(
      skus(sku([{ id: 'x', name: 'EXCHANGE_S_ENTERPRISE', status: 'Success' }])),
      TENANT,
    );
    expect(f.status).toBe('fail');
    expect(f.found).toContain('Tenant lacks SPO license');
    expect(f.fix).toContain(
      'You need to purchase a Microsoft 365 license for your Azure Active Directory tenant',
    );
  });

  test('fails when the plan is Disabled, warns while it is still PendingProvisioning', async () => {
    const disabled = await checkSpoLicense(
      skus(sku([{ id: ENTERPRISE, name: 'SHAREPOINTENTERPRISE', status: 'Disabled' }])),
      TENANT,
    );
    expect(disabled.status).toBe('fail');
    expect(disabled.found).toContain('SHAREPOINTENTERPRISE in ENTERPRISEPACK is Disabled');
    const pending = await checkSpoLicense(
      skus(sku([{ id: ENTERPRISE, name: 'SHAREPOINTENTERPRISE', status: 'PendingProvisioning' }])),
      TENANT,
    );
    expect(pending.status).toBe('warn');
  });

  test('a suspended subscription does not count, a subscription in its grace period warns', async () => {
    const plans = [{ id: ENTERPRISE, name: 'SHAREPOINTENTERPRISE', status: 'Success' }];
    expect((await checkSpoLicense(skus(sku(plans, 'Suspended')), TENANT)).status).toBe('fail');
    expect((await checkSpoLicense(skus(sku(plans, 'Warning')), TENANT)).status).toBe('warn');
  });
});

describe('admin consent', () => {
  const sp = { id: 'sp-1', appId: CONNECTOR_APP, displayName: 'Office 365 Mover' };
  const gateway = (grants: unknown[], principals: unknown[] = [sp], roles: unknown[] = []) =>
    new ScriptedGateway([
      [/^\/servicePrincipals$/, () => page(principals)],
      [/^\/oauth2PermissionGrants$/, () => page(grants)],
      [/^\/servicePrincipals\/sp-1\/appRoleAssignments$/, () => page(roles)],
    ]);

  test('application permissions alone are not the consent the seed asks for: a fail, naming them', async () => {
    const role = { id: 'ra-1', principalId: 'sp-1', resourceId: 'g', appRoleId: 'r-1' };
    const f = await adminConsentCheck.run(gateway([], [sp], [role]), TENANT, diagnosticContext());
    expect(f.status).toBe('fail');
    expect(f.found).toContain(
      'No admin consent was granted yet for the delegated permissions Mover asks for (the app holds 1 application permission, which do not count).',
    );
    expect(f.fix).toContain('Grant admin consent for Mover');
  });

  test('shows the seed’s permission table in plain words, each granted or not', async () => {
    const f = await adminConsentCheck.run(
      gateway([
        { clientId: 'sp-1', consentType: 'AllPrincipals', resourceId: 'g', scope: 'profile offline_access' },
      ]),
      TENANT,
      diagnosticContext(),
    );
    expect(f.status).toBe('fail');
    expect(f.details).toEqual([
      expect.objectContaining({
        title: 'Create, edit, and delete items and lists in all your site collections',
        value: expect.stringMatching(
          /^Not granted \(Sites\.Manage\.All\)\. Allows our app to: Create or delete/,
        ),
      }),
      expect.objectContaining({ title: 'View your basic profile', value: expect.stringMatching(/^Granted/) }),
      expect.objectContaining({
        title: 'Maintain access to data you have given it access to',
        value: expect.stringMatching(/^Granted/),
      }),
    ]);
    expect(f.fix).toContain('Grant admin consent for Mover again');
  });

  test('passes with a tenant-wide grant of every scope', async () => {
    const f = await adminConsentCheck.run(
      gateway([
        {
          clientId: 'sp-1',
          consentType: 'AllPrincipals',
          resourceId: 'g',
          scope: 'AllSites.Manage profile offline_access',
        },
      ]),
      TENANT,
      diagnosticContext(),
    );
    expect(f).toMatchObject({ status: 'pass', fix: '' });
    expect(f.found).toContain('Admin consent is granted for the whole organization');
  });

  test('says the app is not in the tenant when it has no service principal', async () => {
    const f = await adminConsentCheck.run(gateway([], []), TENANT, diagnosticContext());
    expect(f.status).toBe('fail');
    expect(f.found).toContain('no service principal');
    expect(f.fix).toContain('authorizes the Office 365 connector first');
    // Seed 000, step 4's warning, for whoever signs in to authorize it.
    expect(f.fix).toContain('do not select Consent on behalf of your organization');
    expect(f.fix).toContain('DO NOT do this');
  });
});

describe('user assignment required', () => {
  const gateway = (required: boolean, assigned: unknown[]) =>
    new ScriptedGateway([
      [
        /^\/servicePrincipals$/,
        () => page([{ id: 'sp-1', displayName: 'Office 365 Mover', appRoleAssignmentRequired: required }]),
      ],
      [/^\/servicePrincipals\/sp-1\/appRoleAssignedTo$/, () => page(assigned)],
    ]);

  test('off: passes, with the seed’s tip to tighten security', async () => {
    const f = await checkUserAssignment(gateway(false, []), TENANT, diagnosticContext());
    expect(f.status).toBe('pass');
    expect(f.fix).toContain('To tighten your security beyond administrators');
  });

  test('on, and the asker is assigned: passes', async () => {
    const gw = gateway(true, [{ principalId: 'someone' }, { principalId: ASKER, principalType: 'User' }]);
    const f = await checkUserAssignment(gw, TENANT, diagnosticContext());
    expect(f.status).toBe('pass');
    expect(f.found).toContain('you (Adele Vance) are assigned');
  });

  test('on, and the asker is not assigned: fails, saying groups are not checked', async () => {
    const f = await checkUserAssignment(
      gateway(true, [{ principalId: 'someone', principalType: 'User' }]),
      TENANT,
      diagnosticContext(),
    );
    expect(f.status).toBe('fail');
    expect(f.found).toContain('you (Adele Vance) are not assigned to it, so you cannot use it');
    expect(f.found).toContain('Assignment through a group is not checked');
    expect(f.fix).toContain('Users and groups > Add user/group');
    // Seed 000 advises keeping it on; the fix never suggests turning it off.
    expect(f.fix).toContain('Keep User assignment required on');
    expect(f.fix).not.toContain('turn off');
  });

  test('on, and the asker is not among the first 10,000 assignments of more: a warning (could not tell), not a fail', async () => {
    const others = Array.from({ length: 10_001 }, (_, i) => ({
      principalId: `user-${i}`,
      principalType: 'User',
    }));
    const f = await checkUserAssignment(gateway(true, others), TENANT, diagnosticContext());
    expect(f.status).toBe('warn');
    expect(f.found).toContain('I read the first 10,000 assignments');
    expect(f.found).toContain('I cannot tell whether you are assigned');
  });

  test('on, not assigned directly but groups are: a warning, since membership is not checked', async () => {
    const f = await checkUserAssignment(
      gateway(true, [{ principalId: 'g1', principalType: 'Group' }]),
      TENANT,
      diagnosticContext(),
    );
    expect(f.status).toBe('warn');
    expect(f.found).toContain('1 group is assigned');
  });
});

describe('global admin account provisioning', () => {
  const user = (id: string, licensed: boolean) => ({
    id,
    userPrincipalName: `${id}@contoso.onmicrosoft.com`,
    assignedLicenses: licensed ? [{ skuId: 'e3' }] : [],
    assignedPlans: licensed
      ? [{ servicePlanId: ENTERPRISE, service: 'SharePoint', capabilityStatus: 'Enabled' }]
      : [],
  });

  test('without a designated admin it looks at the global admins (role 62e90394-…) and passes if one can authorize', async () => {
    const gw = new ScriptedGateway([
      [
        /^\/roleManagement\/directory\/roleAssignments$/,
        () => page([{ principalId: 'ga1' }, { principalId: 'ga2' }, { principalId: 'grp' }]),
      ],
      [/^\/users\/ga1$/, () => user('ga1', true)],
      [/^\/users\/ga2$/, () => user('ga2', false)],
      [/^\/users\/grp$/, () => Promise.reject(graphError('GRAPH_NOT_FOUND'))],
      // Not a group either: an app's service principal.
      [/^\/groups\/grp\/members$/, () => Promise.reject(graphError('GRAPH_NOT_FOUND'))],
      [/^\/users\/ga1\/drive$/, () => ({ id: 'd' })],
    ]);
    const f = await checkAdminAccount(gw, TENANT, diagnosticContext());
    expect(gw.calls[0]).toBe(
      `/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '${GLOBAL_ADMINISTRATOR_ROLE}'`,
    );
    expect(f.status).toBe('pass');
    expect(f.found).toContain(
      'ga1@contoso.onmicrosoft.com: licensed (1 license), SharePoint Online enabled, Office 365 account provisioned',
    );
    expect(f.found).toContain('ga2@contoso.onmicrosoft.com: no Office 365 license');
    expect(f.found).toContain('grp: not a user account');
    expect(f.found).toContain('Authorize with ga1@contoso.onmicrosoft.com');
  });

  test('none of the admins checked can authorize, but some were not checked: a warning, not a fail', async () => {
    const limits = { ...DEFAULT_DIAGNOSTIC_LIMITS, maxAdminsChecked: 2 };
    const admins = (ids: string[]) =>
      new ScriptedGateway([
        [
          /^\/roleManagement\/directory\/roleAssignments$/,
          () => page(ids.map((principalId) => ({ principalId }))),
        ],
        [/^\/users\/ga\d$/, (path) => user(/ga\d/.exec(path)![0], false)],
      ]);
    const partial = await checkAdminAccount(
      admins(['ga1', 'ga2', 'ga3']),
      TENANT,
      diagnosticContext({ limits }),
    );
    expect(partial.status).toBe('warn');
    expect(partial.found).toContain('I checked 2 global admin accounts of 3; none of those is ready');
    expect(partial.found).toContain('the others were not checked');
    expect(partial.found).not.toContain('ga3@');

    const all = await checkAdminAccount(admins(['ga1', 'ga2']), TENANT, diagnosticContext({ limits }));
    expect(all.status).toBe('fail');
  });

  test('Global Administrator held only through a role-assignable group: its members are the admins judged', async () => {
    const gw = new ScriptedGateway([
      [/^\/roleManagement\/directory\/roleAssignments$/, () => page([{ principalId: 'admins' }])],
      [/^\/users\/admins$/, () => Promise.reject(graphError('GRAPH_NOT_FOUND'))],
      [
        /^\/groups\/admins\/members$/,
        () => page([{ id: 'ga3', userPrincipalName: 'ga3@contoso.onmicrosoft.com' }]),
      ],
      [/^\/users\/ga3$/, () => user('ga3', true)],
      [/^\/users\/ga3\/drive$/, () => ({ id: 'd' })],
    ]);
    const f = await checkAdminAccount(gw, TENANT, diagnosticContext());
    expect(f.status).toBe('pass');
    expect(f.found).toContain('ga3@contoso.onmicrosoft.com (through a group): licensed (1 license)');
    expect(f.found).toContain('eligible PIM assignments not read');
    expect(f.found).not.toContain('No global admin user account was found');
  });

  test('the admin an Office 365 connector’s consent was asked of is the one judged; not provisioned fails with the seed', async () => {
    const connector = connectorRecord({
      tenantId: TENANT,
      consent: { requestedFromId: 'ga9', requestedFrom: 'Grace Admin' },
      status: 'awaiting-consent',
    });
    const gw = new ScriptedGateway([
      [/^\/users\/ga9$/, () => user('ga9', true)],
      [/^\/users\/ga9\/drive$/, () => Promise.reject(graphError('GRAPH_NOT_FOUND'))],
    ]);
    const f = await checkAdminAccount(gw, TENANT, diagnosticContext({ connectors: [connector] }));
    expect(gw.calls.some((c) => c.startsWith('/roleManagement'))).toBe(false);
    expect(f.status).toBe('fail');
    expect(f.found).toContain(
      'ga9@contoso.onmicrosoft.com: licensed, but its Office 365 account is not provisioned',
    );
    expect(f.fix).toContain('Your global admin user must have an Office 365 account provisioned');
  });
});

describe('connector inactivity', () => {
  const ctx = diagnosticContext();
  const at = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * DAY).toISOString();

  test('days since the last transfer and the day it is deauthorized', () => {
    const c = connectorRecord({
      tenantId: TENANT,
      displayName: 'Finance',
      authorizedAt: at(40),
      lastTransferAt: at(10),
    });
    const f = connectorFinding(c, ctx);
    expect(f.status).toBe('pass');
    expect(f.found).toContain('10 days ago');
    expect(f.found).toContain('deauthorized after 90 days without a transfer');
    expect(f.found).toContain('(80 days left)');
    expect(f.connector).toEqual({ id: c.id, displayName: 'Finance' });
  });

  test('under the first notice it warns; deauthorized it fails with the seeds’ words', () => {
    const soon = connectorRecord({ tenantId: TENANT, authorizedAt: at(70) });
    expect(connectorFinding(soon, ctx).status).toBe('warn');
    const gone = connectorRecord({ tenantId: TENANT, status: 'deauthorized', authorizedAt: at(95) });
    const f = connectorFinding(gone, ctx);
    expect(f.status).toBe('fail');
    expect(f.fix).toBe(
      "No transfer is recorded for this connector in the last 90 days, and Mover automatically deauthorizes connectors that haven't transferred any data in that time. Reauthorize it to use it again. Reauthorizing is also a good first step in trying to resolve most issues with your connectors.",
    );
  });

  test.each([
    ['consent-declined', 'A reviewer declined the admin consent request'],
    ['consent-expired', 'The admin consent request expired without a decision'],
  ] as const)('%s fails: it cannot transfer without admin consent', async (status, said) => {
    const refused = connectorRecord({ tenantId: TENANT, status, authorizedAt: at(5) });
    const f = connectorFinding(refused, ctx);
    expect(f.status).toBe('fail');
    expect(f.found).toContain(said);
    expect(f.found).not.toContain('left)');
    expect(f.fix).toContain('Ask again');
    // Refused ones sort first, and past the rows they still fail the summary row.
    const fine = connectorRecord({ tenantId: TENANT, displayName: 'Fine', authorizedAt: at(1) });
    const refusedOnes = ['X', 'Y', 'Z'].map((name) =>
      connectorRecord({ tenantId: TENANT, displayName: name, status, authorizedAt: at(1) }),
    );
    const checks = connectorChecks(
      diagnosticContext({
        connectors: [fine, ...refusedOnes],
        limits: { ...ctx.limits, maxConnectorRows: 1 },
      }),
      'tenant',
    );
    expect(checks.map((c) => c.title)).toEqual([expect.stringContaining('X'), 'Other connectors']);
    const more = await checks[1].run(new ScriptedGateway(), TENANT, ctx);
    expect(more.status).toBe('fail');
    expect(more.found).toBe('3 more connectors: 2 whose admin consent request was declined or expired.');
  });

  test('the most pressing connectors get rows; the rest are summed up in one', async () => {
    const connectors = Array.from({ length: 14 }, (_, i) =>
      connectorRecord({ tenantId: TENANT, displayName: `C${i}`, authorizedAt: at(i) }),
    );
    const checks = connectorChecks(diagnosticContext({ connectors }), 'tenant');
    expect(checks).toHaveLength(11);
    expect(checks[0].title).toContain('C13');
    const more = await checks[10].run(new ScriptedGateway(), TENANT, ctx);
    expect(more.found).toContain('4 more connectors');
  });
});

describe('App access error', () => {
  const row = (id: string, status: Finding['status']): Finding => ({
    id,
    title: id,
    status,
    found: '',
    fix: '',
  });

  test('shown (with the seed’s advice) when authorization failed', () => {
    const f = appAccessCheck.derive([row('admin-consent', 'fail')], diagnosticContext());
    expect(f.status).toBe('warn');
    expect(f.fix).toContain(APP_ACCESS_ADVICE);
    expect(f.fix).toContain('Incognito Window');
  });

  test('a refused consent counts as failed authorization', () => {
    const refused = connectorRecord({ tenantId: TENANT, displayName: 'Finance', status: 'consent-declined' });
    const f = appAccessCheck.derive(
      [row('admin-consent', 'pass'), row('spo-license', 'pass')],
      diagnosticContext({ connectors: [refused] }),
    );
    expect(f.status).toBe('warn');
    expect(f.found).toContain('the admin consent request of Finance was declined or expired');
  });

  test('no pass when the consent row could not check (a warning) or the license check could not run', () => {
    const notChecked = appAccessCheck.derive(
      [row('admin-consent', 'warn'), row('spo-license', 'pass')],
      diagnosticContext(),
    );
    expect(notChecked.status).toBe('could-not-run');
    const noLicense = appAccessCheck.derive(
      [row('admin-consent', 'pass'), row('spo-license', 'could-not-run')],
      diagnosticContext(),
    );
    expect(noLicense.status).toBe('could-not-run');
  });

  test('not shown when nothing failed', () => {
    const f = appAccessCheck.derive(
      [row('admin-consent', 'pass'), row('spo-license', 'pass')],
      diagnosticContext(),
    );
    expect(f).toMatchObject({ status: 'pass', fix: '' });
  });
});
