import type { AdminGroupPort } from '../connectors/directoryPorts';
import type { GraphGateway } from '../graph/graphGateway';
import { GRAPH_PERMISSIONS } from '../graph/graphPermissions';
import type { Clock } from '../util/clock';
import { BoundedMap } from '../util/boundedMap';
import type { Logger } from '../util/logger';

/** People whose membership is remembered at once; the least recently asked are forgotten first. */
export const MEMBERSHIP_CACHE_SIZE = 10_000;

/** How long a membership answer is trusted; a removal from the group takes effect within it. */
export const MEMBERSHIP_CACHE_MS = 5 * 60 * 1000;

/**
 * Membership of ADMIN_GROUP_ID (transitive, through Graph's checkMemberGroups), cached for a few
 * minutes per tenant and person so that a busy channel does not call Graph on every click.
 */
export class AdminGroupMembership implements AdminGroupPort {
  private readonly cache = new BoundedMap<string, { member: boolean; until: number }>(MEMBERSHIP_CACHE_SIZE);
  private readonly rosters = new BoundedMap<string, { ids: string[]; until: number }>(1_000);

  constructor(
    private readonly groupId: string | undefined,
    private readonly graph: GraphGateway,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * Entra object ids of the group's direct members (at most `limit`), cached like membership:
   * who a card's buttons are refreshed for. Empty when no group is set or Graph cannot say;
   * members of nested groups are not listed but still pass {@link isMember}.
   */
  async members(tenantId: string, limit = 60): Promise<string[]> {
    if (!this.groupId || !this.graph.configured) return [];
    const now = this.clock.now().getTime();
    const cached = this.rosters.get(tenantId);
    if (cached && cached.until > now) return cached.ids.slice(0, limit);
    try {
      const answer = await this.graph.get<{ value: { id?: unknown }[] }>(
        tenantId,
        `/groups/${encodeURIComponent(this.groupId)}/members?$select=id&$top=${limit}`,
        { permission: GRAPH_PERMISSIONS.directoryRead },
      );
      const ids = answer.value.map((m) => m.id).filter((id): id is string => typeof id === 'string');
      this.rosters.set(tenantId, { ids, until: now + MEMBERSHIP_CACHE_MS });
      return ids.slice(0, limit);
    } catch (err) {
      this.logger.warn('admin group members could not be listed', { error: err });
      return [];
    }
  }

  /** Whether ADMIN_GROUP_ID is set. */
  get configured(): boolean {
    return Boolean(this.groupId);
  }

  /** True when the person is in the group; false when not, when no group is set, or when Graph cannot say. */
  async isMember(tenantId: string, userId: string | undefined): Promise<boolean> {
    if (!this.groupId || !userId || !this.graph.configured) return false;
    const key = `${tenantId}/${userId}`;
    const now = this.clock.now().getTime();
    const cached = this.cache.get(key);
    if (cached && cached.until > now) return cached.member;
    if (cached) this.cache.delete(key);
    try {
      const answer = await this.graph.post<{ value: string[] }>(
        tenantId,
        `/directoryObjects/${encodeURIComponent(userId)}/checkMemberGroups`,
        { groupIds: [this.groupId] },
        { permission: GRAPH_PERMISSIONS.directoryRead },
      );
      const member = answer.value.some((id) => id.toLowerCase() === this.groupId!.toLowerCase());
      this.cache.set(key, { member, until: now + MEMBERSHIP_CACHE_MS });
      return member;
    } catch (err) {
      // Failing closed: without an answer nobody outside the creator may delete or reauthorize.
      this.logger.warn('admin group membership could not be checked', { error: err });
      return false;
    }
  }
}
