import { randomBytes, randomUUID } from 'node:crypto';
import { checkConsent } from '../../../src/diagnostics/consentCheck';
import { checkRevocation } from '../../../src/diagnostics/revocationCheck';
import { MsGraphGateway } from '../../../src/graph/graphGateway';
import { createLogger } from '../../../src/util/logger';
import {
  startFakeMicrosoftCloud,
  type FakeMicrosoftCloud,
  type FakeTenant,
} from '../../support/fakeMicrosoftCloud';
import { installNetworkGuard, type NetworkGuard } from '../../support/networkGuard';

let guard: NetworkGuard;
let cloud: FakeMicrosoftCloud;
let tenant: FakeTenant;
let gw: MsGraphGateway;

beforeAll(async () => {
  guard = installNetworkGuard();
  cloud = await startFakeMicrosoftCloud();
  tenant = cloud.addTenant();
  // 10,000 users consented for themselves before the admin consented for the organization: the
  // tenant-wide grant comes after them in Graph's list.
  const grants = tenant.oauth2PermissionGrants;
  const tenantWide = grants.find((g) => g.consentType === 'AllPrincipals');
  if (!tenantWide) throw new Error('the tenant fixture has no tenant-wide grant');
  grants.splice(grants.indexOf(tenantWide), 1);
  for (let i = 0; i < 10_000; i++) {
    grants.push({
      ...tenantWide,
      id: randomBytes(24).toString('base64url'),
      consentType: 'Principal',
      principalId: randomUUID(),
      scope: 'profile',
    });
  }
  grants.push(tenantWide);
  // No application permissions: only the tenant-wide grant keeps the app's access.
  tenant.appRoleAssignments = tenant.appRoleAssignments.filter((a) => a.principalId !== tenantWide.clientId);
  gw = new MsGraphGateway({
    ...cloud.gatewayOptions(),
    logger: createLogger('error'),
    sleep: async () => {},
  });
});

afterAll(async () => {
  gw?.close();
  await cloud?.stop();
  guard.uninstall();
});

describe('the tenant-wide grant among many user-only ones', () => {
  test('consent is found granted, and the user-only count says there are more', async () => {
    const state = await checkConsent(gw, tenant.id, cloud.connectorAppId);
    expect(state.kind).toBe('granted');
    expect(state).toMatchObject({ userOnlyGrants: 100, moreUserOnlyGrants: true });
  });

  test('revocation does not read "revoked" into a capped list', async () => {
    const state = await checkRevocation(gw, tenant.id, cloud.connectorAppId);
    expect(state).toMatchObject({ kind: 'still-granted', appRoleAssignments: [] });
    expect(state.kind === 'still-granted' && state.tenantWideGrants).toHaveLength(1);
  });
});
