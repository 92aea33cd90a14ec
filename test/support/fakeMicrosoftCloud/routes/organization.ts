/** Fixture routes: the organization and its licences (subscribedSkus). */
import type { FakeGraph } from '../graph';
import { collection } from '../odata';
import { P, rows } from './permissions';

/** Registers this area's fixture routes. */
export function organizationRoutes(graph: FakeGraph): void {
  graph.fixture('GET', '/organization', P.org, (req) =>
    collection(req, [
      {
        id: req.tenant.id,
        displayName: req.tenant.displayName,
        verifiedDomains: [{ name: req.tenant.domain, isDefault: true, isInitial: true, type: 'Managed' }],
      },
    ]),
  );

  graph.fixture('GET', '/subscribedSkus', P.org, (req) => collection(req, rows(req.tenant.skus)));
}
