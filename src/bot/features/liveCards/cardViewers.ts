import type { TurnContext } from 'botbuilder';
import type { Connector } from '../../../connectors/connector';
import type { Store } from '../../../connectors/ports';
import type { BotDeps } from '../../deps';
import { actorOf } from '../../turnInfo';

/** Teams shows a user-specific view to at most this many people per card. */
export const MAX_REFRESH_USERS = 60;

/** The Teams user MRI of an Entra user, as a card's `refresh.userIds` names people. */
export function userMri(aadObjectId: string): string {
  return `8:orgid:${aadObjectId}`;
}

/**
 * The people whose Teams clients should fetch the managing view of a card about `connectors`:
 * their creators, then direct members of ADMIN_GROUP_ID, at most {@link MAX_REFRESH_USERS}.
 * Anyone else allowed (a nested group member) uses the card's Refresh button; the server
 * checks every click whoever sends it.
 */
export async function managerIds(
  deps: Pick<BotDeps, 'adminGroup'>,
  tenantId: string,
  connectors: Connector[],
): Promise<string[]> {
  const ids = new Set<string>();
  for (const c of connectors) if (c.createdBy) ids.add(userMri(c.createdBy));
  if (ids.size < MAX_REFRESH_USERS && deps.adminGroup) {
    for (const id of await deps.adminGroup.members(tenantId, MAX_REFRESH_USERS)) ids.add(userMri(id));
  }
  return [...ids].slice(0, MAX_REFRESH_USERS);
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
