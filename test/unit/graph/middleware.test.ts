import { graphRoute } from '../../../src/graph/middleware';

describe('Graph span names', () => {
  test.each([
    ['/v1.0/users/adele@contoso.onmicrosoft.com/drive', '/v1.0/users/{id}/drive'],
    [
      '/v1.0/servicePrincipals/0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b/appRoleAssignments',
      '/v1.0/servicePrincipals/{id}/appRoleAssignments',
    ],
    ["/v1.0/servicePrincipals(appId='0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b')", '/v1.0/{id}'],
    ['/beta/reports/servicePrincipalSignInActivities', '/beta/reports/servicePrincipalSignInActivities'],
    ['/v1.0/subscribedSkus', '/v1.0/subscribedSkus'],
  ])('%s is named %s', (path, route) => {
    expect(graphRoute(path)).toBe(route);
  });
});
