/** Fixture routes: the beta sign-in activity report of service principals. */
import type { FakeGraph } from '../graph';
import { collection, graphError } from '../odata';
import { P, rows } from './permissions';

/** Registers this area's fixture routes. */
export function reportRoutes(graph: FakeGraph): void {
  // Beta only, global cloud only; a tenant without Entra ID P1/P2 is refused as Graph does.
  graph.fixture('GET', '/reports/servicePrincipalSignInActivities', P.auditLog, (req) => {
    if (req.version !== 'beta') {
      return graphError(
        400,
        'BadRequest',
        "Resource not found for the segment 'servicePrincipalSignInActivities'.",
      );
    }
    if (req.tenant.signInReport === 'no-premium-licence') {
      return graphError(
        403,
        'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
        "Neither tenant is B2C or tenant doesn't have premium license",
      );
    }
    return collection(req, rows(req.tenant.signInActivities));
  });
}
