import type { Connector } from './connector';

/** Whether a person may delete, reauthorize or record transfers for a connector, and why not. */
export type Permission = { allowed: true } | { allowed: false; reason: string };

/** The person asking, as the chat or the API knows them. */
export interface ManagingActor {
  /** Entra object id when known, else the channel account id. */
  id: string;
  name?: string;
}

/** What decides a person's right to a connector besides being its creator. */
export interface Membership {
  /** The connector, as its creator and name are recorded. */
  connector: Pick<Connector, 'createdBy' | 'createdByName' | 'displayName'>;
  /** Whether ADMIN_GROUP_ID is set. */
  adminGroupSet: boolean;
  /** Whether the person is in that group (false when unknown or not asked). */
  inAdminGroup: boolean;
}

/**
 * DESIGN.md: a connector may be managed by its creator and by members of ADMIN_GROUP_ID;
 * one with no recorded creator (imported) by any member of its tenant while no group is set.
 */
export function canManage(actor: ManagingActor, membership: Membership): Permission {
  const { connector, adminGroupSet, inAdminGroup } = membership;
  if (connector.createdBy && connector.createdBy === actor.id) return { allowed: true };
  if (!connector.createdBy && !adminGroupSet) return { allowed: true };
  if (adminGroupSet && inAdminGroup) return { allowed: true };
  const creator = connector.createdByName
    ? `${connector.createdByName}, who created it`
    : 'the person who created it';
  const name = `"${connector.displayName}"`;
  return {
    allowed: false,
    reason: adminGroupSet
      ? `Only ${creator}, or a member of the connector admins group, can manage ${name}.`
      : connector.createdByName
        ? `Only ${creator}, can manage ${name}.`
        : `Only ${creator} can manage ${name}.`,
  };
}
