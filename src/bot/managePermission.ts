import type { TurnContext } from 'botbuilder';
import type { Connector } from '../connectors/connector';
import type { BotDeps } from './deps';
import { actorOf } from './turnInfo';

/** Whether the person of this turn may delete or reauthorize a connector, and why not. */
export type Permission = { allowed: true } | { allowed: false; reason: string };

/**
 * DESIGN.md: a connector may be managed by its creator and by members of ADMIN_GROUP_ID;
 * one with no recorded creator (imported) by any member of its tenant while no group is set.
 */
export async function canManage(
  connector: Connector,
  context: TurnContext,
  deps: BotDeps,
): Promise<Permission> {
  const actor = actorOf(context);
  if (connector.createdBy && connector.createdBy === actor.id) return { allowed: true };
  if (!connector.createdBy && !deps.config.adminGroupId) return { allowed: true };
  if (deps.adminGroup && (await deps.adminGroup.isMember(connector.tenantId, actor.aadObjectId)))
    return { allowed: true };
  const creator = connector.createdByName
    ? `${connector.createdByName}, who created it`
    : 'the person who created it';
  const name = `"${connector.displayName}"`;
  return {
    allowed: false,
    reason: deps.config.adminGroupId
      ? `Only ${creator}, or a member of the connector admins group, can manage ${name}.`
      : connector.createdByName
        ? `Only ${creator}, can manage ${name}.`
        : `Only ${creator} can manage ${name}.`,
  };
}
