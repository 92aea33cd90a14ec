import type { ConnectorStore, Page } from './ports';
import type { Connector } from './connector';
import type { AdminGroupPort } from './directoryPorts';
import type { ActorRef, AuthorizationOutcome, ConnectorLifecycle, DeleteOutcome } from './lifecycle';
import { canManage, type Permission } from './management';
import type { NameMatch } from './nameMatching';

/** A person acting on connectors; `aadObjectId` is what the admin group is checked with. */
export interface ServiceActor extends ActorRef {
  aadObjectId?: string;
}

/** A connector asked for by id, for someone who wants to change it. */
export type ManageLookup =
  | { kind: 'missing' }
  | { kind: 'refused'; connector: Connector; reason: string }
  | { kind: 'allowed'; connector: Connector };

/** How the end of an authorization was recorded. */
export type AuthorizationCompletion =
  /** A reauthorized connector was deleted while its wizard ran: nothing was recorded. */
  | { kind: 'gone' }
  /**
   * `handedOver`: an earlier finish of the same wizard already recorded it and opened a consent
   * request for it (a double click). A finish whose hand-over failed after recording the
   * connector has no request yet, so the retry hands it over.
   */
  | { kind: 'recorded'; connector: Connector; handedOver: boolean };

/**
 * The connector use cases that the chat, the API and the scheduler share, so that a rule such as
 * "deauthorize whenever it is loaded" or "who may manage it" exists once.
 */
export class ConnectorService {
  constructor(
    private readonly lifecycle: ConnectorLifecycle,
    private readonly connectors: Pick<ConnectorStore, 'list' | 'getMany' | 'cursorAfter'>,
    private readonly adminGroup: AdminGroupPort,
  ) {}

  /** Days without a transfer before a connector is deauthorized. */
  get inactivityDays(): number {
    return this.lifecycle.inactivityDays;
  }

  /**
   * One page of a tenant's connectors, each deauthorized first when it has expired. A write that
   * loses a race with a concurrent change is decided again on the fresh record by the lifecycle.
   */
  async listPage(
    tenantId: string,
    actor: ActorRef,
    options: { limit: number; cursor?: string },
  ): Promise<Page<Connector>> {
    const page = await this.connectors.list(tenantId, options);
    // A page seldom holds an expired connector: checked first, the rest cost no promise each.
    if (!page.items.some((c) => this.lifecycle.isExpired(c))) return page;
    const items = await Promise.all(page.items.map((c) => this.lifecycle.deauthorizeIfExpired(c, actor)));
    return { items, next: page.next };
  }

  /**
   * The cursor of {@link listPage} that goes on right after this connector, for a card that
   * shows fewer rows than it listed: its "Show more" then starts with the rows it left out.
   */
  cursorAfter(connector: Connector): string {
    return this.connectors.cursorAfter(connector);
  }

  /** Every connector of a tenant, each deauthorized first when it has expired. */
  async listAll(tenantId: string, actor: ActorRef): Promise<Connector[]> {
    const all = await this.lifecycle.all(tenantId);
    return Promise.all(all.map((c) => this.lifecycle.deauthorizeIfExpired(c, actor)));
  }

  /** Every connector of a tenant as stored (for views that must not change anything). */
  async listStored(tenantId: string): Promise<Connector[]> {
    return this.lifecycle.all(tenantId);
  }

  /** One connector, deauthorized first when it has expired; undefined in another tenant. */
  async load(tenantId: string, id: string, actor: ActorRef): Promise<Connector | undefined> {
    return this.lifecycle.load(tenantId, id, actor);
  }

  /** Deauthorizes a connector already in hand when it has expired; returns it as it now is. */
  async refresh(connector: Connector, actor: ActorRef): Promise<Connector> {
    return this.lifecycle.deauthorizeIfExpired(connector, actor);
  }

  /** One connector as stored, or undefined (another tenant's id finds nothing). */
  async get(tenantId: string, id: string): Promise<Connector | undefined> {
    return this.lifecycle.get(tenantId, id);
  }

  /**
   * The tenant's connectors with these ids as the inactivity rule makes them now, nothing written
   * (for card refreshes, which must not change anything): a card's ids read by key, whatever the
   * size of the tenant.
   */
  async currentByIds(tenantId: string, ids: readonly string[]): Promise<Map<string, Connector>> {
    const found = await this.connectors.getMany(tenantId, ids);
    return new Map(found.map((c) => [c.id, this.lifecycle.asOfNow(c)] as const));
  }

  /** One connector as the inactivity rule makes it now, nothing written; undefined in another tenant. */
  async current(tenantId: string, id: string): Promise<Connector | undefined> {
    const connector = await this.lifecycle.get(tenantId, id);
    return connector && this.lifecycle.asOfNow(connector);
  }

  /** A tenant's connector by the name a person typed. */
  async findByName(tenantId: string, query: string): Promise<NameMatch<Connector>> {
    return this.lifecycle.findByName(tenantId, query);
  }

  /** Whether the person may manage the connector; the directory is asked only when it matters. */
  async mayManage(connector: Connector, actor: ServiceActor): Promise<Permission> {
    const membership = { connector, adminGroupSet: this.adminGroup.configured, inAdminGroup: false };
    const first = canManage(actor, membership);
    if (first.allowed || !this.adminGroup.configured) return first;
    const inAdminGroup = await this.adminGroup.isMember(connector.tenantId, actor.aadObjectId);
    return canManage(actor, { ...membership, inAdminGroup });
  }

  /**
   * A connector named by id (from a card button) that the person wants to change, with whether
   * they may. It is the stored record: the change that follows (a transfer, a delete, a
   * reauthorization) applies the inactivity rule itself.
   */
  async loadToManage(tenantId: string, id: string, actor: ServiceActor): Promise<ManageLookup> {
    const connector = id ? await this.lifecycle.get(tenantId, id) : undefined;
    if (!connector) return { kind: 'missing' };
    const permission = await this.mayManage(connector, actor);
    return permission.allowed
      ? { kind: 'allowed', connector }
      : { kind: 'refused', connector, reason: permission.reason };
  }

  /**
   * Records a data transfer (restarting the inactivity clock). Throws LifecycleError when a rule
   * refuses it; `evidence` says what the time rests on when it is not the actor's own word.
   */
  async recordTransfer(
    connector: Connector,
    at: Date,
    actor: ActorRef,
    evidence?: Record<string, unknown>,
  ): Promise<Connector> {
    return this.lifecycle.recordTransfer(connector, at, actor, evidence);
  }

  /** Appends one event about a connector, for a change the service's own methods do not record. */
  async audit(
    connector: Pick<Connector, 'tenantId' | 'id'>,
    actor: ActorRef,
    action: string,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    await this.lifecycle.audit(connector, actor, action, detail);
  }

  /** Deletes this revision of a connector and its stored secrets, permanently (see {@link ConnectorLifecycle.delete}). */
  async delete(connector: Connector, actor: ActorRef): Promise<DeleteOutcome> {
    return this.lifecycle.delete(connector, actor);
  }

  /**
   * Records the end of an authorization wizard: a new connector, or a renewed authorization of
   * the one being reauthorized. A finish that already recorded the connector is not recorded twice.
   */
  async completeAuthorization(
    outcome: AuthorizationOutcome,
    actor: ActorRef,
    reauthorize: boolean,
  ): Promise<AuthorizationCompletion> {
    const existing = reauthorize
      ? await this.lifecycle.get(outcome.tenantId, outcome.connectorId)
      : undefined;
    if (reauthorize && !existing) return { kind: 'gone' };
    if (existing) {
      return {
        kind: 'recorded',
        connector: await this.lifecycle.recordReauthorized(existing, outcome, actor),
        handedOver: false,
      };
    }
    const finishedBefore = await this.lifecycle.get(outcome.tenantId, outcome.connectorId);
    if (finishedBefore) {
      return {
        kind: 'recorded',
        connector: finishedBefore,
        handedOver: finishedBefore.consent?.requestId !== undefined,
      };
    }
    return { kind: 'recorded', connector: await this.lifecycle.recordNew(outcome, actor), handedOver: false };
  }
}
