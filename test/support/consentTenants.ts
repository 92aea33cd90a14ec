import type { FakeMicrosoftCloud } from './fakeMicrosoftCloud';

/** The Cloud Application Administrator role template: it may grant tenant-wide admin consent too. */
export const CLOUD_APP_ADMIN = '158c047a-c907-4556-b7ef-446551a6b5f7';

/**
 * A tenant whose admin consent is not granted yet, with Bob, a Cloud Application Administrator,
 * beside the global admin; `grant()` puts the consent back as an admin granting it would.
 */
export function tenantWithReviewers(cloud: FakeMicrosoftCloud, name: string) {
  const tenant = cloud.addTenant({ displayName: name });
  const grants = [...tenant.oauth2PermissionGrants];
  tenant.oauth2PermissionGrants.length = 0;
  const bob = tenant.addUser({ displayName: 'Bob Apps', alias: 'bob' });
  tenant.assignRole(bob.id, CLOUD_APP_ADMIN);
  return { tenant, admin: tenant.admin!, bob, grant: () => tenant.oauth2PermissionGrants.push(...grants) };
}
