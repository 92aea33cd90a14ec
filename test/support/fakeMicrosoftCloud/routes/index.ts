/**
 * The tenant fixture's routes, served after the routes a test programs (`graph.on`). One file per
 * area of Graph; a new route goes into its area's file (or a new file registered here).
 */
import type { FakeGraph } from '../graph';
import { organizationRoutes } from './organization';
import { servicePrincipalRoutes } from './servicePrincipals';
import { directoryRoleRoutes } from './directoryRoles';
import { userRoutes } from './users';
import { reportRoutes } from './reports';
import { directoryObjectRoutes } from './directory';

/** Registers every area's fixture routes on `graph`. */
export function installFixtureRoutes(graph: FakeGraph): void {
  organizationRoutes(graph);
  servicePrincipalRoutes(graph);
  directoryRoleRoutes(graph);
  userRoutes(graph);
  reportRoutes(graph);
  directoryObjectRoutes(graph);
}
