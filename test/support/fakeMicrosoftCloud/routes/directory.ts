/** Fixture routes: groups' members and directory objects by id. */
import type { FakeGraph } from '../graph';
import { applySelect, collection, reply } from '../odata';
import { P, notFound } from './permissions';

/** Registers this area's fixture routes. */
export function directoryObjectRoutes(graph: FakeGraph): void {
  graph.fixture('GET', '/groups/{id}/members', P.groups, (req) => {
    const group = req.tenant.groups.find((g) => g.id.toLowerCase() === req.params.id.toLowerCase());
    if (!group) return notFound(req.params.id);
    return collection(
      req,
      group.members
        .map((m) => req.tenant.directoryObject(m))
        .filter((o): o is Record<string, unknown> => !!o),
    );
  });

  graph.fixture('GET', '/directoryObjects/{id}', P.dir, (req) => {
    const object = req.tenant.directoryObject(req.params.id);
    return object ? reply(200, applySelect(object, req.select)) : notFound(req.params.id);
  });

  graph.fixture('POST', '/directoryObjects/getByIds', P.dir, (req) => {
    const ids = ((req.body ?? {}) as { ids?: string[] }).ids ?? [];
    return reply(200, {
      value: ids.map((id) => req.tenant.directoryObject(id)).filter((o) => o !== undefined),
    });
  });
}
