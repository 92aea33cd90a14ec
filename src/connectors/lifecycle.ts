import {
  AuditNotWrittenError,
  ConcurrencyError,
  StoreUnavailableError,
  type AuditLog,
  type ConnectorStore,
  type Page,
  type SecretStore,
  type ExpiringOptions,
  type TenantExpiring,
} from './ports';
import type { Clock } from '../util/clock';
import type { ConnectorTypeId } from './catalog';
import {
  asRuleMakesIt,
  expiresAt,
  isPastInactivityLimit,
  type ConsentState,
  type Connector,
  type ConnectorStatus,
} from './connector';
import { matchByName, type NameMatch } from './nameMatching';
import type { Provenance, VerificationMethod } from './provenance';

/** Who did something, for the record and the audit log. */
export interface ActorRef {
  id: string;
  name?: string;
}

function actorRef(actor: ActorRef): { id: string; name?: string } {
  return actor.name === undefined ? { id: actor.id } : { id: actor.id, name: actor.name };
}

/** Who reported an Office 365 connector's steps 1 to 4: the wizard's owner, else its creator. */
function stepsReporter(connector: Connector): { by: string; byName?: string } | undefined {
  const who = connector.consent?.stepsReportedBy;
  if (who) return { by: who.id, byName: who.name };
  return connector.createdBy ? { by: connector.createdBy, byName: connector.createdByName } : undefined;
}

/** What the wizard knows when an authorization ends. */
export interface AuthorizationOutcome {
  tenantId: string;
  connectorId: string;
  type: ConnectorTypeId;
  displayName: string;
  status: Extract<ConnectorStatus, 'authorized' | 'awaiting-consent'>;
  cloud?: string;
  keysVerified?: boolean;
  /**
   * Set when the bot checked the authorization itself (keys listed the containers); otherwise an
   * `authorized` outcome is recorded as reported by the person who finished the wizard.
   */
  verifiedBy?: VerificationMethod;
  /** Keys already sealed by the caller; the domain never sees them in plain text. */
  sealedSecret?: string;
}

/**
 * Told once about every deauthorization, by whoever made it (the scan, a listing, a status, an
 * import), so that the tenant hears about it whoever noticed first. Must not throw. True when
 * the notice reached every place it goes (or there was none): the connector then leaves the
 * expiry index. False leaves it there, and the next scan sends what is still owed.
 */
export interface DeauthorizationListener {
  deauthorized(connector: Connector, actor: ActorRef): Promise<boolean>;
}

/** A rule of the connector's life refused a change; `code` says which. */
export class LifecycleError extends Error {
  constructor(
    readonly code:
      'INVALID_TIME' | 'TRANSFER_IN_FUTURE' | 'TRANSFER_BEFORE_CREATION' | 'CONNECTOR_DEAUTHORIZED',
    message: string,
  ) {
    super(message);
    this.name = 'LifecycleError';
  }
}

/**
 * How many of a connector's latest audit events a repeated transfer is looked for in: a retry comes
 * soon after its first attempt, and a transfer of the same time further back is audited again.
 */
const TRANSFER_RETRY_WINDOW = 20;

/** What a delete came to: whether the record went, and the audit write's failure if it failed. */
export interface DeleteOutcome {
  deleted: boolean;
  auditFailure?: StoreUnavailableError;
}

/** Longest display name accepted, so names fit on cards and in commands. */
export const MAX_DISPLAY_NAME = 80;

/** Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;

/** Checks a display name; returns the reason it is refused, or undefined. */
export function displayNameProblem(name: string): string | undefined {
  if (name.length > MAX_DISPLAY_NAME)
    return `A display name can have at most ${MAX_DISPLAY_NAME} characters.`;
  if ([...name].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127)) {
    return 'A display name cannot contain control characters.';
  }
  // Direction overrides make a name read differently from what it is ("evil.exe" shown as "exe.live").
  if (BIDI_CONTROLS.test(name)) {
    return 'A display name cannot contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069): type it without them.';
  }
  return undefined;
}

/**
 * The rules of a connector's life (seeds 002/003): created by authorizing, reauthorized in place
 * (same id and display name), every change appended to the audit log.
 */
export class ConnectorLifecycle {
  constructor(
    private readonly store: { connectors: ConnectorStore; secrets: SecretStore; audit: AuditLog },
    private readonly clock: Clock,
    readonly inactivityDays: number = 90,
  ) {}

  private listener?: DeauthorizationListener;

  /** Sets who announces deauthorizations (the notifier, built after the lifecycle). */
  onDeauthorized(listener: DeauthorizationListener): void {
    this.listener = listener;
  }

  /** True when the connector has reached its inactivity limit (seeds 002/003: 90 days). */
  isExpired(connector: Connector, now: Date = this.clock.now()): boolean {
    return isPastInactivityLimit(connector, this.inactivityDays, now);
  }

  /** The connector as the inactivity rule makes it now, nothing written (for read-only views). */
  asOfNow(connector: Connector): Connector {
    return asRuleMakesIt(connector, this.inactivityDays, this.clock.now());
  }

  /**
   * Deauthorizes a connector that reached its inactivity limit, audited as done by `actor`
   * (the scanner, or whoever loaded it). Returns the connector as it now is.
   */
  async deauthorizeIfExpired(connector: Connector, actor: ActorRef): Promise<Connector> {
    if (!this.isExpired(connector)) return connector;
    let updated: Connector;
    try {
      updated = await this.store.connectors.update({
        ...connector,
        status: 'deauthorized',
        announcementDueSince: this.clock.now().toISOString(),
      });
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      // Someone changed it since it was read (a transfer, another scan): decide again on the
      // fresh record rather than failing the whole scan or listing.
      const fresh = await this.store.connectors.get(connector.tenantId, connector.id);
      if (!fresh || !this.isExpired(fresh)) return fresh ?? connector;
      return this.deauthorizeIfExpired(fresh, actor);
    }
    await this.auditStoredChange(updated, actor, 'connector.deauthorized', {
      reason: `no transfer for ${this.inactivityDays} days`,
      expiredAt: expiresAt(connector, this.inactivityDays)?.toISOString(),
    });
    // Only the caller whose write deauthorized it gets here, so each deauthorization is announced once.
    if (!((await this.listener?.deauthorized(updated, actor)) ?? false)) return updated;
    try {
      return await this.recordAnnounced(updated);
    } catch {
      // The notices went out and the ledger says so: the next scan finds every one sent and
      // takes the connector out of the index then. The person's command goes on meanwhile.
      return updated;
    }
  }

  /**
   * The deauthorization notice reached every place it goes (or was given up): the connector
   * leaves the expiry index. Returns the connector as it now is; one changed meanwhile (a
   * reauthorization, a delete) is left as it is.
   */
  async recordAnnounced(connector: Connector): Promise<Connector> {
    let current: Connector | undefined = connector;
    for (let attempt = 0; attempt < 3 && current; attempt++) {
      if (current.status !== 'deauthorized' || current.announcementDueSince === undefined) return current;
      const { announcementDueSince: _owed, ...announced } = current;
      try {
        return await this.store.connectors.update(announced);
      } catch (err) {
        if (!(err instanceof ConcurrencyError)) throw err;
        current = await this.store.connectors.get(connector.tenantId, connector.id);
      }
    }
    return current ?? connector;
  }

  /** Loads a connector, deauthorizing it first when it has expired ("whenever it is loaded"). */
  async load(tenantId: string, id: string, actor: ActorRef): Promise<Connector | undefined> {
    const connector = await this.store.connectors.get(tenantId, id);
    return connector ? this.deauthorizeIfExpired(connector, actor) : undefined;
  }

  /**
   * Records a data transfer, which restarts the inactivity clock. Refused for a deauthorized
   * connector, a time in the future, or a time before the connector existed. `evidence` says what
   * the time rests on when it is not the actor's own word (kept in the audit record).
   */
  async recordTransfer(
    connector: Connector,
    at: Date,
    actor: ActorRef,
    evidence?: Record<string, unknown>,
  ): Promise<Connector> {
    const now = this.clock.now();
    if (Number.isNaN(at.getTime()))
      throw new LifecycleError('INVALID_TIME', 'The transfer time is not a valid date.');
    if (at.getTime() > now.getTime() + 60_000) {
      throw new LifecycleError('TRANSFER_IN_FUTURE', 'A transfer cannot be recorded in the future.');
    }
    if (at.getTime() < new Date(connector.createdAt).getTime()) {
      throw new LifecycleError('TRANSFER_BEFORE_CREATION', 'A transfer cannot be older than the connector.');
    }
    const current = await this.deauthorizeIfExpired(connector, actor);
    if (current.status === 'deauthorized') {
      throw new LifecycleError(
        'CONNECTOR_DEAUTHORIZED',
        `"${current.displayName}" is deauthorized; reauthorize it before recording transfers.`,
      );
    }
    const previous = current.lastTransferAt ? new Date(current.lastTransferAt).getTime() : 0;
    if (at.getTime() === previous && (await this.transferAudited(current, at))) return current;
    const updated =
      at.getTime() > previous
        ? await this.store.connectors.update({ ...current, lastTransferAt: at.toISOString() })
        : current;
    await this.auditStoredChange(updated, actor, 'transfer.recorded', {
      at: at.toISOString(),
      ...(evidence ? { evidence } : {}),
    });
    return updated;
  }

  /**
   * Whether the connector's recent audit already holds this transfer: a caller retrying a transfer
   * it got no answer for records nothing twice. The audit is read, not assumed, so that a first
   * attempt whose audit write failed is audited on the retry.
   */
  private async transferAudited(connector: Connector, at: Date): Promise<boolean> {
    const recent = await this.store.audit.list(connector.tenantId, {
      connectorId: connector.id,
      limit: TRANSFER_RETRY_WINDOW,
    });
    const iso = at.toISOString();
    return recent.some((e) => e.action === 'transfer.recorded' && e.detail?.at === iso);
  }

  /**
   * Deletes a connector and its stored secrets, permanently: this revision of it only (a record
   * changed since, or created again under the same id, is kept and `deleted` is false). Once it is
   * deleted, a storage failure writing the audit line is returned, not thrown: the delete stands.
   */
  async delete(connector: Connector, actor: ActorRef): Promise<DeleteOutcome> {
    const deleted = await this.store.connectors.delete(connector.tenantId, connector.id, {
      version: connector.version,
      createdAt: connector.createdAt,
    });
    if (!deleted) return { deleted: false };
    try {
      await this.audit(connector, actor, 'connector.deleted', {
        displayName: connector.displayName,
        type: connector.type,
      });
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      return { deleted: true, auditFailure: err };
    }
    return { deleted: true };
  }

  /** Records a new connector at the end of its first authorization. */
  async recordNew(outcome: AuthorizationOutcome, actor: ActorRef): Promise<Connector> {
    const now = this.clock.now().toISOString();
    const connector: Connector = {
      id: outcome.connectorId,
      tenantId: outcome.tenantId,
      type: outcome.type,
      displayName: outcome.displayName,
      status: outcome.status,
      createdBy: actor.id,
      createdByName: actor.name,
      createdAt: now,
      authorizedAt: now,
      cloud: outcome.cloud,
      keysVerified: outcome.keysVerified,
      provenance: this.provenanceOf(outcome, actor, now),
      // Who was asked is recorded with the request itself (recordConsentRequest), never before it
      // exists: a hand-over that fails after this write must not read as sent.
      consent: outcome.status === 'awaiting-consent' ? { stepsReportedBy: actorRef(actor) } : undefined,
      version: 0,
    };
    const created = await this.store.connectors.create(connector, { sealedSecret: outcome.sealedSecret });
    await this.auditStoredChange(created, actor, 'connector.created', {
      status: created.status,
      type: created.type,
      provenance: created.provenance,
    });
    return created;
  }

  /** Records a renewed authorization of an existing connector: same id and name, clock restarted. */
  async recordReauthorized(
    existing: Connector,
    outcome: AuthorizationOutcome,
    actor: ActorRef,
  ): Promise<Connector> {
    const now = this.clock.now().toISOString();
    // The new keys go with the record, in one write: a lost race or a delete in between keeps neither.
    const updated = await this.store.connectors.update(
      {
        ...existing,
        status: outcome.status,
        // Reauthorized: a deauthorization notice still owed would now be stale.
        announcementDueSince: undefined,
        authorizedAt: now,
        cloud: outcome.cloud ?? existing.cloud,
        keysVerified: outcome.keysVerified ?? existing.keysVerified,
        provenance: this.provenanceOf(outcome, actor, now),
        // A new hand-over follows; the last one's request is no longer this authorization's.
        consent:
          outcome.status === 'awaiting-consent' ? { stepsReportedBy: actorRef(actor) } : existing.consent,
      },
      { sealedSecret: outcome.sealedSecret },
    );
    await this.auditStoredChange(updated, actor, 'connector.reauthorized', {
      status: updated.status,
      provenance: updated.provenance,
    });
    return updated;
  }

  /** How an outcome's state is known: checked by the bot, or reported by whoever finished the wizard. */
  private provenanceOf(outcome: AuthorizationOutcome, actor: ActorRef, at: string): Provenance | undefined {
    if (outcome.status !== 'authorized') return undefined;
    return outcome.verifiedBy
      ? { kind: 'verified', method: outcome.verifiedBy, at }
      : { kind: 'reported', by: actor.id, byName: actor.name, at };
  }

  /**
   * Records how the consent request reached (or did not reach) the global admin. Without a
   * `requestId` no request exists (nobody could be addressed): who asked and where is kept, so
   * that they hear of a later verification, but nothing says it was requested from anyone.
   */
  async recordConsentRequest(
    connector: Connector,
    consent: ConsentState,
    actor: ActorRef,
  ): Promise<Connector> {
    const opened = consent.requestId !== undefined;
    const updated = await this.store.connectors.update({
      ...connector,
      status: 'awaiting-consent',
      provenance: undefined,
      consent: opened
        ? { ...connector.consent, ...consent, requestedAt: this.clock.now().toISOString() }
        : {
            ...connector.consent,
            ...consent,
            requestedFrom: undefined,
            requestedFromId: undefined,
            requestedFromUpn: undefined,
            requestedAt: undefined,
            requestId: undefined,
            delivery: undefined,
          },
    });
    await this.auditStoredChange(
      updated,
      actor,
      opened ? 'consent.requested' : 'consent.not-requested',
      opened
        ? {
            requestedFrom: consent.requestedFrom,
            requestId: consent.requestId,
            delivery: consent.delivery ?? 'not delivered',
          }
        : { reason: 'nobody could be addressed' },
    );
    return updated;
  }

  /** Consent was confirmed with Microsoft Graph: the connector is fully authorized. */
  async recordConsentVerified(connector: Connector, actor: ActorRef): Promise<Connector> {
    const now = this.clock.now().toISOString();
    const updated = await this.store.connectors.update({
      ...connector,
      status: 'authorized',
      announcementDueSince: undefined,
      authorizedAt: connector.status === 'deauthorized' ? now : connector.authorizedAt,
      consent: { ...connector.consent, verifiedAt: now },
      // Graph shows the app's tenant-wide consent; the connector's own steps stay someone's word.
      provenance: {
        kind: 'verified',
        method: 'graph-consent',
        at: now,
        stepsReportedBy: stepsReporter(connector),
      },
    });
    await this.auditStoredChange(updated, actor, 'consent.verified', { method: 'graph-consent' });
    return updated;
  }

  /**
   * A consent request closed without consent: declined by a reviewer, or expired. Only a
   * connector still awaiting consent through that very request changes (one verified meanwhile
   * stays authorized; one handed over again waits on the newer request); nothing is written then.
   */
  async recordConsentClosed(
    tenantId: string,
    connectorId: string,
    status: Extract<ConnectorStatus, 'consent-declined' | 'consent-expired'>,
    actor: ActorRef,
    detail: { requestId: string } & Record<string, unknown>,
  ): Promise<Connector | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const connector = await this.store.connectors.get(tenantId, connectorId);
      if (!connector) return undefined;
      if (connector.status !== 'awaiting-consent') return connector;
      if (connector.consent?.requestId !== detail.requestId) return connector;
      try {
        const updated = await this.store.connectors.update({ ...connector, status, provenance: undefined });
        await this.auditStoredChange(
          updated,
          actor,
          status === 'consent-declined' ? 'consent.declined' : 'consent.expired',
          detail,
        );
        return updated;
      } catch (err) {
        // Changed since it was read (a Check again, a transfer): decide again on the fresh record.
        if (!(err instanceof ConcurrencyError)) throw err;
      }
    }
    throw new ConcurrencyError(`connector ${connectorId}`);
  }

  /** Appends one event about a connector. */
  async audit(
    connector: Pick<Connector, 'tenantId' | 'id'>,
    actor: ActorRef,
    action: string,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    await this.store.audit.append({
      tenantId: connector.tenantId,
      connectorId: connector.id,
      at: this.clock.now().toISOString(),
      actor: actor.id,
      actorName: actor.name,
      action,
      detail,
    });
  }

  /**
   * {@link audit} for the lifecycle's own changes, each already stored when it is audited: a
   * storage failure here says so (AuditNotWrittenError), so that nobody is told the change failed.
   * Callers whose change is stored only later (a wizard's step, saved with the turn) use audit().
   */
  private async auditStoredChange(
    connector: Pick<Connector, 'tenantId' | 'id'>,
    actor: ActorRef,
    action: string,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.audit(connector, actor, action, detail);
    } catch (err) {
      if (err instanceof StoreUnavailableError) throw new AuditNotWrittenError(action, err);
      throw err;
    }
  }

  /** One connector of a tenant, or undefined (another tenant's id finds nothing). */
  async get(tenantId: string, id: string): Promise<Connector | undefined> {
    return this.store.connectors.get(tenantId, id);
  }

  /** Every connector of a tenant (pages through the store). */
  async all(tenantId: string): Promise<Connector[]> {
    const all: Connector[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.connectors.list(tenantId, { limit: 500, cursor });
      all.push(...page.items);
      cursor = page.next;
    } while (cursor);
    return all;
  }

  /**
   * A page of live connectors of every tenant whose clock started at or before `clockStartBefore`
   * (the expiry scan's reading; the store's expiry index keeps it from reading the rest).
   */
  async listExpiring(
    clockStartBefore: Date,
    options: { limit: number; cursor?: string },
  ): Promise<Page<Connector>> {
    return this.store.connectors.listExpiring(clockStartBefore, options);
  }

  /** The same connectors as {@link listExpiring}, a tenant at a time (the expiry scan's reading). */
  expiringByTenant(clockStartBefore: Date, options?: ExpiringOptions): AsyncIterable<TenantExpiring> {
    return this.store.connectors.expiringByTenant(clockStartBefore, options);
  }

  /** A page of connectors of every tenant still waiting for admin consent (the consent reminders' reading). */
  async listAwaitingConsent(options: { limit: number; cursor?: string }): Promise<Page<Connector>> {
    return this.store.connectors.listAwaitingConsent(options);
  }

  /** Finds a tenant's connector by the name a person typed. */
  async findByName(tenantId: string, query: string): Promise<NameMatch<Connector>> {
    return matchByName(await this.all(tenantId), query);
  }
}
