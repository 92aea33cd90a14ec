/** Fixture routes: users and their OneDrive. */
import type { FakeGraph } from '../graph';
import { applySelect, collection, graphError, reply } from '../odata';
import { publicUser } from '../tenant';
import { P, notFound } from './permissions';

/** Registers this area's fixture routes. */
export function userRoutes(graph: FakeGraph): void {
  graph.fixture('GET', '/users', P.users, (req) => collection(req, req.tenant.users.map(publicUser)));

  graph.fixture('GET', '/users/{id}', P.users, (req) => {
    const user = req.tenant.findUser(req.params.id);
    return user ? reply(200, applySelect(publicUser(user), req.select)) : notFound(req.params.id);
  });

  graph.fixture('GET', '/users/{id}/drive', P.files, (req) => {
    const user = req.tenant.findUser(req.params.id);
    if (!user) return notFound(req.params.id);
    if (!user.drive) return graphError(404, 'itemNotFound', "User's mysite not found.");
    return reply(200, {
      ...user.drive,
      owner: { user: { id: user.id, displayName: user.displayName, email: user.mail } },
    });
  });
}
