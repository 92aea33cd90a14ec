import type { Storage } from 'botbuilder';
import type { TargetKind } from '../../../directoryRoles/requirements';

/** A directory role the bot assigned, kept so that it can offer to take it back. */
export interface RoleGrant {
  roleId: string;
  roleName: string;
  /** The target connection kind it was assigned for. */
  kind: TargetKind;
  type: 'time-bound' | 'permanent';
  assignedAt: string;
  /** When a time-bound assignment ends. */
  expiresAt?: string;
  /** A permanent assignment's id in Graph (DELETE removes it). */
  assignmentId?: string;
  /** Who assigned it (the asker, or the approving admin). */
  assignedBy: string;
  /**
   * Recorded before Graph was asked, and Graph's answer was never recorded (storage failed right
   * after it): the bot does not know whether it made this assignment, so it never removes it.
   */
  pending?: true;
}

interface GrantRecord {
  tenantId: string;
  accountId: string;
  grants: RoleGrant[];
  eTag?: string;
}

const grantsKey = (tenantId: string, accountId: string) => `role-grants/${tenantId}/${accountId}`;

/** Writes that lost a race are read and applied again this many times. */
const ATTEMPTS = 3;

/**
 * The roles the bot assigned to each admin account, per tenant, in bot state (both store
 * adapters keep it). A write carries the eTag it read, so two turns never drop each other's grant.
 */
export class RoleGrantLog {
  constructor(private readonly state: Storage) {}

  /** The account's recorded grants, those that have not expired by `now`. */
  async list(tenantId: string, accountId: string, now: Date): Promise<RoleGrant[]> {
    const record = await this.read(tenantId, accountId);
    return record.grants.filter((g) => !g.expiresAt || Date.parse(g.expiresAt) > now.getTime());
  }

  /** Records a grant, replacing an earlier one of the same role (re-assigned after it ended). */
  async add(tenantId: string, accountId: string, grant: RoleGrant): Promise<void> {
    await this.update(tenantId, accountId, (grants) => [
      ...grants.filter((g) => g.roleId !== grant.roleId),
      grant,
    ]);
  }

  /** Forgets grants of these roles (removed, or found gone). */
  async forget(tenantId: string, accountId: string, roleIds: string[]): Promise<void> {
    await this.update(tenantId, accountId, (grants) => grants.filter((g) => !roleIds.includes(g.roleId)));
  }

  private async read(tenantId: string, accountId: string): Promise<GrantRecord> {
    const key = grantsKey(tenantId, accountId);
    const items = await this.state.read([key]);
    const record = items[key] as GrantRecord | undefined;
    return record ?? { tenantId, accountId, grants: [] };
  }

  private async update(
    tenantId: string,
    accountId: string,
    change: (grants: RoleGrant[]) => RoleGrant[],
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const record = await this.read(tenantId, accountId);
      try {
        await this.state.write({
          [grantsKey(tenantId, accountId)]: {
            ...record,
            grants: change(record.grants),
            eTag: record.eTag ?? '*',
          },
        });
        return;
      } catch (err) {
        if (attempt >= ATTEMPTS) throw err;
      }
    }
  }
}
