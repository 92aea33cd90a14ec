/** Fixture routes: service principals, their app role assignments and the delegated permission grants: the connector app's consent. */
import type { FakeGraph } from '../graph';
import { applySelect, collection, reply } from '../odata';
import { P, notFound, rows } from './permissions';

/** Registers this area's fixture routes. */
export function servicePrincipalRoutes(graph: FakeGraph): void {
  graph.fixture('GET', '/servicePrincipals', P.app, (req) =>
    collection(req, rows(req.tenant.servicePrincipals)),
  );

  graph.fixture('GET', '/servicePrincipals/{id}', P.app, (req) => {
    const sp = req.tenant.servicePrincipals.find((s) => s.id.toLowerCase() === req.params.id.toLowerCase());
    return sp ? reply(200, applySelect(sp, req.select)) : notFound(req.params.id);
  });

  graph.fixture('GET', '/servicePrincipals/{id}/appRoleAssignments', P.app, (req) =>
    collection(
      req,
      rows(
        req.tenant.appRoleAssignments.filter(
          (a) => a.principalId.toLowerCase() === req.params.id.toLowerCase(),
        ),
      ),
    ),
  );

  graph.fixture('GET', '/servicePrincipals/{id}/appRoleAssignedTo', P.app, (req) =>
    collection(
      req,
      rows(
        req.tenant.appRoleAssignments.filter(
          (a) => a.resourceId.toLowerCase() === req.params.id.toLowerCase(),
        ),
      ),
    ),
  );

  graph.fixture('GET', '/oauth2PermissionGrants', P.dir, (req) =>
    collection(req, rows(req.tenant.oauth2PermissionGrants)),
  );
}
