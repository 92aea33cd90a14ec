import type { Storage } from 'botbuilder';
import type { ConversationReference } from 'botbuilder';
import type { Connector } from './connector';
import type { ConsentRequest, ConsentRequestState } from './consentRequest';

/** A write lost a race: the record changed since it was read. */
export class ConcurrencyError extends Error {
  readonly code = 'STORE_CONFLICT';
  constructor(what: string) {
    super(`${what} was changed by someone else; read it again`);
    this.name = 'ConcurrencyError';
  }
}

/** The store could not be reached or read. */
export class StoreUnavailableError extends Error {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(cause: unknown) {
    super(`storage is unavailable: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * The change was stored, but its audit line was not: storage failed between the two. A
 * StoreUnavailableError still (an API caller retries, and a retried transfer is audited then),
 * told apart so that a person is not told the change did not happen.
 */
export class AuditNotWrittenError extends StoreUnavailableError {
  constructor(
    readonly action: string,
    cause: unknown,
  ) {
    super(cause);
    this.name = 'AuditNotWrittenError';
  }
}

/** A conversation the bot has been in, kept so it can write there later. */
export interface ConversationRecord {
  tenantId: string;
  conversationId: string;
  conversationType: 'personal' | 'groupChat' | 'channel';
  reference: Partial<ConversationReference>;
  /** Set once when the welcome card was posted, so it is posted only once. */
  welcomedAt?: string;
  /** In a personal chat: the Entra object id of the person, so notices can reach them 1:1. */
  userId?: string;
  updatedAt: string;
}

export interface ConversationStore {
  /** Inserts or refreshes the reference; never clears welcomedAt. */
  upsert(record: Omit<ConversationRecord, 'welcomedAt'>): Promise<void>;
  get(tenantId: string, conversationId: string): Promise<ConversationRecord | undefined>;
  /** Marks the welcome as posted; true only for the caller that marked it first. */
  claimWelcome(tenantId: string, conversationId: string, at: string): Promise<boolean>;
  /** Gives the claim back when the welcome could not be posted. */
  releaseWelcome(tenantId: string, conversationId: string): Promise<void>;
  remove(tenantId: string, conversationId: string): Promise<void>;
  /** The personal chat of a person with the bot, if they ever had one. */
  findPersonal(tenantId: string, userId: string): Promise<ConversationRecord | undefined>;
}

/** A conversation that asked for this tenant's expiry notices (`subscribe`). */
export interface Subscription {
  tenantId: string;
  conversationId: string;
  conversationType: ConversationRecord['conversationType'];
  reference: Partial<ConversationReference>;
  /** The team of a channel, so that removing the bot from the team ends all its channels' subscriptions. */
  teamId?: string;
  createdBy: string;
  createdAt: string;
}

export interface SubscriptionStore {
  /** Adds or refreshes; true when it is new. */
  add(subscription: Subscription): Promise<boolean>;
  /** True when there was one to remove. */
  remove(tenantId: string, conversationId: string): Promise<boolean>;
  get(tenantId: string, conversationId: string): Promise<Subscription | undefined>;
  listByTenant(tenantId: string): Promise<Subscription[]>;
  /**
   * The subscriptions of several tenants (each as listByTenant orders them; a tenant without any
   * is absent): one read for the whole scan where the store can do it cheaper than one per tenant.
   */
  listByTenants(tenantIds: readonly string[]): Promise<Map<string, Subscription[]>>;
  /** Ends every subscription of a team (its channels share the team id prefix in `teamId`). */
  removeByTeam(tenantId: string, teamId: string): Promise<Subscription[]>;
  /** People who opted out of 1:1 notices for the connectors they created. */
  setPersonalOptOut(tenantId: string, userId: string, optedOut: boolean): Promise<void>;
  isPersonalOptOut(tenantId: string, userId: string): Promise<boolean>;
}

/** One notice: a connector, its inactivity period, a threshold (days left; 0 = deauthorized), a target. */
export interface NoticeKey {
  tenantId: string;
  connectorId: string;
  /** When the period began (the clock start); a transfer or reauthorization starts a new one. */
  periodStart: string;
  threshold: number;
  /** "conversation:<id>" or "person:<id>". */
  target: string;
}

export type NoticeState = 'claimed' | 'sent' | 'snoozed';

/** A notice that went out, and the audit event that says so. */
export interface SentNotice {
  key: NoticeKey;
  audit: AuditEvent;
}

export interface NoticeLedger {
  /**
   * Claims a notice for sending. True when this caller now holds it: it was never claimed, or
   * its claim is older than `leaseMs` (the claimer died), or it was released.
   */
  claim(key: NoticeKey, claimant: string, now: Date, leaseMs: number): Promise<boolean>;
  markSent(key: NoticeKey, claimant: string, now: Date): Promise<void>;
  /** Gives a claim back so the next scan tries again. */
  release(key: NoticeKey, claimant: string): Promise<void>;
  /**
   * Records that a threshold must not be sent (snooze), for every target. True when this call
   * recorded it, false when it was snoozed already (a double click, or someone else first).
   */
  snooze(key: Omit<NoticeKey, 'target'>, now: Date): Promise<boolean>;
  isSnoozed(key: Omit<NoticeKey, 'target'>): Promise<boolean>;
  /** isSnoozed for many keys at once (answers in the keys' order), reading each tenant at most once. */
  areSnoozed(keys: readonly Omit<NoticeKey, 'target'>[]): Promise<boolean[]>;
  /**
   * claim for several notices, of any tenants (answers in the keys' order; a key given twice is
   * claimed for its first place only): one write where the store can make it, each notice
   * decided as claim decides it otherwise.
   */
  claimAll(keys: readonly NoticeKey[], claimant: string, now: Date, leaseMs: number): Promise<boolean[]>;
  /**
   * markSent for several notices, of any tenants, each with the audit event of its send, appended
   * even where the notice is no longer the claimant's (the message went out); the marks and the
   * events are one write where the store allows it.
   */
  markAllSent(sent: readonly SentNotice[], claimant: string, now: Date): Promise<void>;
  state(key: NoticeKey): Promise<NoticeState | undefined>;
  /** How many notices were sent, for tests and benchmarks. */
  countSent(): Promise<number>;
}

/** A page of results and the cursor for the next one. */
export interface Page<T> {
  items: T[];
  next?: string;
}

/** The most ids one {@link ConnectorStore.getMany} reads: a card's connectors, never a whole tenant. */
export const MAX_GET_MANY = 100;

/**
 * What a connector write may carry besides the record: its sealed keys, stored in the same
 * transaction, so that a write that loses its race stores neither, and a delete in between
 * cannot be followed by the keys of the connector it deleted.
 */
export interface WriteOptions {
  sealedSecret?: string;
}

export interface ConnectorStore {
  /**
   * Fails with ConcurrencyError when the id already exists in the tenant. With `sealedSecret`,
   * the connector's sealed keys are stored in the same write: both or neither.
   */
  create(connector: Connector, options?: WriteOptions): Promise<Connector>;
  get(tenantId: string, id: string): Promise<Connector | undefined>;
  /**
   * The tenant's connectors with these ids (at most {@link MAX_GET_MANY}), in no set order; ids
   * that are not in the tenant are left out.
   */
  getMany(tenantId: string, ids: readonly string[]): Promise<Connector[]>;
  list(tenantId: string, options?: { limit?: number; cursor?: string }): Promise<Page<Connector>>;
  /**
   * The cursor a page of {@link list} ending at this connector would give: the page read with it
   * starts with the tenant's connector right after it in name order. Made from the record (its
   * tenant, name and id) without a read, so a card cut short can go on from its last row.
   */
  cursorAfter(connector: Connector): string;
  /** Writes the record if its version still matches the stored one; returns it with version + 1. */
  update(connector: Connector, options?: WriteOptions): Promise<Connector>;
  /**
   * Deletes the connector and its stored secrets; false when it was not there, or, given
   * `expected`, when the stored record is no longer that one (changed since, or deleted and
   * created again under the same id), so a confirmation only ever deletes what it showed.
   */
  delete(tenantId: string, id: string, expected?: ConnectorRevision): Promise<boolean>;
  /**
   * Connectors in the expiry index (`expiryIndexClock`: live ones, and deauthorized ones whose
   * notice is owed) of every tenant whose clock started at or before `clockStartBefore`, oldest
   * first: the scanner never reads the rest.
   */
  listExpiring(
    clockStartBefore: Date,
    options?: { limit?: number; cursor?: string },
  ): Promise<Page<Connector>>;
  /**
   * The connectors {@link listExpiring} gives, a tenant at a time: each tenant once, in the order
   * of the keys the store files tenants under (so consecutive tenants are one range of a table
   * partitioned by tenant), with all of its connectors, oldest first. The caller holds one tenant's records
   * instead of every tenant's; the store keeps no more than ids and index keys of the others.
   * `readAhead`: a store whose reads are round trips may read the records of the next tenants, up
   * to about that many connectors, before their turn, so that they arrive while the caller handles
   * the tenants before them (0, the default: each tenant's at its turn). Others ignore it.
   * `maxAgeMs`: such a store may give a tenant's connectors as the listing itself found them, when
   * its turn (or its read-ahead) comes at most that long after (0, the default: read at its turn).
   */
  expiringByTenant(clockStartBefore: Date, options?: ExpiringOptions): AsyncIterable<TenantExpiring>;
  /** Connectors of every tenant still waiting for admin consent (for the consent reminders). */
  listAwaitingConsent(options?: { limit?: number; cursor?: string }): Promise<Page<Connector>>;
}

/** How {@link ConnectorStore.expiringByTenant} may read ahead of the caller. */
export interface ExpiringOptions {
  readAhead?: number;
  maxAgeMs?: number;
}

/** One tenant's connectors from {@link ConnectorStore.expiringByTenant}. */
export interface TenantExpiring {
  tenantId: string;
  /** Never empty. */
  connectors: Connector[];
}

/** Encrypted connector secrets; the store never sees plaintext. */
export interface SecretStore {
  put(tenantId: string, connectorId: string, sealed: string): Promise<void>;
  get(tenantId: string, connectorId: string): Promise<string | undefined>;
  /**
   * Any one stored sealed value with the record it is bound to, for the start-up check that the
   * secrets key opens them: one small read. Undefined when that read finds none (on Azure a read
   * across tenants may end before it reaches one, so there it means "none found").
   */
  sample(): Promise<StoredSecret | undefined>;
}

/** A sealed value as stored, with the record its seal is bound to (`tenantId/connectorId`). */
export interface StoredSecret {
  tenantId: string;
  connectorId: string;
  sealed: string;
}

/** Which stored record a connector object is: its version, and its creation time across re-creations. */
export type ConnectorRevision = Pick<Connector, 'version' | 'createdAt'>;

/** An entry in the append-only audit log. */
export interface AuditEvent {
  tenantId: string;
  at: string;
  /** Entra object id or a service name such as "scanner" or "api". */
  actor: string;
  actorName?: string;
  action: string;
  connectorId?: string;
  detail?: Record<string, unknown>;
}

export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  /** Newest first. */
  list(tenantId: string, options?: { connectorId?: string; limit?: number }): Promise<AuditEvent[]>;
}

/**
 * Elects the one replica that runs a scan when several share a store (Azure: a blob lease). The
 * notice ledger keeps overlapping scans safe anyway; this only saves the duplicate work.
 */
export interface ScanLeadership {
  /** Runs `fn` while this replica leads; resolves undefined without running it when another one does. */
  runExclusive<T>(fn: () => Promise<T>): Promise<T | undefined>;
}

/**
 * The kinds of migration target an admin account is checked for. Declared beside the record that
 * stores it; the role requirements of each kind live in directoryRoles/requirements.
 */
export type TargetKind = 'office365' | 'exchange';

/**
 * A defined target connection (seed 004's "Defined target server connections"): an admin account
 * whose check (`roles`) passed for a target kind. Listed by `targets`; re-verified or removed there.
 */
export interface TargetConnection {
  tenantId: string;
  /** `${kind}:${adminId}`: one per target kind and admin account. */
  id: string;
  kind: TargetKind;
  /** The cloud the check found (CLOUD's id, e.g. "global"). */
  cloud: string;
  /** The admin account's Entra object id, UPN and display name. */
  adminId: string;
  adminUpn: string;
  adminName: string;
  /** Directory role names the account held at the last passing check. */
  roles: string[];
  /** The last check that passed, and who ran it. */
  verifiedAt: string;
  verifiedBy: string;
  verifiedByName?: string;
  /** Set when a later check of the account failed (its first reason); cleared when one passes. */
  failedAt?: string;
  failure?: string;
  createdAt: string;
  createdBy: string;
}

/** Defined target connections, per tenant. Small: a tenant has a handful. */
export interface TargetStore {
  /** Inserts or replaces the target with the same tenant and id. */
  put(target: TargetConnection): Promise<void>;
  get(tenantId: string, id: string): Promise<TargetConnection | undefined>;
  /** A tenant's targets, by id, at most 100. */
  list(tenantId: string): Promise<TargetConnection[]>;
  /** False when there was none. */
  remove(tenantId: string, id: string): Promise<boolean>;
}

/** Consent requests (the admin-consent workflow), per tenant. */
export interface ConsentRequestStore {
  /** Fails with ConcurrencyError when the id already exists in the tenant. */
  create(request: ConsentRequest): Promise<ConsentRequest>;
  get(tenantId: string, id: string): Promise<ConsentRequest | undefined>;
  /** Writes the record if its version still matches the stored one; returns it with version + 1. */
  update(request: ConsentRequest): Promise<ConsentRequest>;
  /** A tenant's requests, newest first (at most `limit`, default 50), optionally of some states or one connector. */
  listByTenant(
    tenantId: string,
    options?: { states?: ConsentRequestState[]; connectorId?: string; limit?: number },
  ): Promise<ConsentRequest[]>;
  /** Open requests of every tenant (for reminders and expiry), in pages. */
  listOpen(options?: { limit?: number; cursor?: string }): Promise<Page<ConsentRequest>>;
}

/** Everything the bot keeps, behind one object so an adapter can be swapped whole. */
export interface Store {
  /** Short name for logs and /healthz, e.g. "sqlite". */
  readonly kind: string;
  /** Where it lives, for the start-up line (a path, an account name). */
  readonly location: string;
  /** Turn and dialog state (botbuilder Storage). */
  readonly state: Storage;
  readonly conversations: ConversationStore;
  readonly connectors: ConnectorStore;
  readonly secrets: SecretStore;
  readonly audit: AuditLog;
  readonly subscriptions: SubscriptionStore;
  readonly notices: NoticeLedger;
  readonly targets: TargetStore;
  readonly consentRequests: ConsentRequestStore;
  /** Present where replicas share the store; SQLite leaves it out (one file, one process leads). */
  readonly scanLeadership?: ScanLeadership;
  /** Resolves when the store answers a read; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
