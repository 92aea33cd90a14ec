import type { TurnContext } from 'botbuilder';
import type { Connector } from '../../../connectors/connector';
import { canManage } from '../../../connectors/management';
import type { Store } from '../../../connectors/ports';
import type { BotDeps } from '../../deps';
import { actorOf } from '../../turnInfo';

/** Teams shows a user-specific view to at most this many people per card. */
export const MAX_REFRESH_USERS = 60;

/**
 * Direct members of ADMIN_GROUP_ID considered for a card's `userIds`: more than fit, since only
 * those the bot has seen in Teams can be named (src/bot/teamsUserIds.ts).
 */
export const ADMIN_CANDIDATES = 2 * MAX_REFRESH_USERS;

/**
 * The people whose Teams clients should fetch the managing view of a card about `connectors`,
 * as Teams user ids (`29:…`, see {@link TeamsUserIds}): their creators, then direct members of
 * ADMIN_GROUP_ID, at most {@link MAX_REFRESH_USERS}. Anyone else allowed (a nested group member,
 * someone the bot has not seen yet) uses the card's Refresh button; the server checks every
 * click whoever sends it. Undefined when anyone of the tenant may manage one of the connectors
 * (no recorded creator while no admin group is set): then nobody is named and Teams refreshes
 * the card for every member of a conversation of at most 60, each getting their own view.
 */
export async function managerIds(
  deps: Pick<BotDeps, 'adminGroup' | 'teamsUserIds'>,
  tenantId: string,
  connectors: Connector[],
): Promise<string[] | undefined> {
  if (connectors.some((c) => everyoneMayManage(c, deps.adminGroup.configured))) return undefined;
  const entraIds = new Set<string>();
  for (const c of connectors) if (c.createdBy) entraIds.add(c.createdBy);
  if (deps.adminGroup.configured) {
    for (const id of await deps.adminGroup.members(tenantId, ADMIN_CANDIDATES)) entraIds.add(id);
  }
  return deps.teamsUserIds.lookup(tenantId, [...entraIds], MAX_REFRESH_USERS);
}

/** Whether anyone of the tenant may manage the connector (no recorded creator while no admin group is set, DESIGN.md). */
export function everyoneMayManage(connector: Connector, adminGroupSet: boolean): boolean {
  // The domain's rule, asked for a person who is neither its creator nor in the group.
  return canManage({ id: '' }, { connector, adminGroupSet, inAdminGroup: false }).allowed;
}

/** Ids of the connectors the person of this turn may manage. */
export async function manageableIds(
  context: TurnContext,
  connectors: Connector[],
  deps: BotDeps,
): Promise<Set<string>> {
  const actor = actorOf(context);
  const allowed = await Promise.all(connectors.map((c) => deps.services.connectors.mayManage(c, actor)));
  return new Set(connectors.filter((_c, i) => allowed[i].allowed).map((c) => c.id));
}

/**
 * Who deleted a connector and when, from the tenant's audit log; undefined when this tenant
 * never had it (the id is another tenant's or made up).
 */
export async function deletionOf(
  store: Store,
  tenantId: string,
  connectorId: string,
): Promise<{ by: string; at: string } | undefined> {
  const events = await store.audit.list(tenantId, { connectorId, limit: 50 });
  const deleted = events.find((e) => e.action === 'connector.deleted');
  if (deleted) return { by: deleted.actorName ?? deleted.actor, at: deleted.at };
  return undefined;
}
