import type { Connector } from '../../../src/connectors/connector';
import type { AdminGroupPort, ConsentReader, ConsentReading } from '../../../src/connectors/directoryPorts';
import {
  ConcurrencyError,
  type AuditEvent,
  type AuditLog,
  type ConnectorStore,
  type Page,
  type TenantExpiring,
  type SecretStore,
  type StoredSecret,
  type WriteOptions,
} from '../../../src/connectors/ports';
import type { Clock } from '../../../src/util/clock';

/** A clock the test sets. */
export class FixedClock implements Clock {
  constructor(public at: Date) {}
  now(): Date {
    return new Date(this.at);
  }
}

/**
 * Connectors in a map, with the store's version check. `raceOnce` makes the next update of an id
 * lose a race: another writer's change (`change`) lands first and the update fails as in the store.
 */
export class InMemoryConnectors implements ConnectorStore {
  readonly records = new Map<string, Connector>();
  updates = 0;
  private races = new Map<string, (c: Connector) => Connector>();

  /** `secrets` receives a write's sealed secret, as the stores write it with the record. */
  constructor(private readonly secrets?: InMemorySecrets) {}

  private key(tenantId: string, id: string) {
    return `${tenantId}/${id}`;
  }
  raceOnce(id: string, change: (c: Connector) => Connector): void {
    this.races.set(id, change);
  }
  async create(connector: Connector, options: WriteOptions = {}): Promise<Connector> {
    const key = this.key(connector.tenantId, connector.id);
    if (this.records.has(key)) throw new ConcurrencyError(`connector ${connector.id}`);
    const stored = { ...connector, version: 1 };
    this.records.set(key, stored);
    if (options.sealedSecret !== undefined)
      await this.secrets?.put(connector.tenantId, connector.id, options.sealedSecret);
    return { ...stored };
  }
  async get(tenantId: string, id: string): Promise<Connector | undefined> {
    const found = this.records.get(this.key(tenantId, id));
    return found && { ...found };
  }
  async getMany(tenantId: string, ids: readonly string[]): Promise<Connector[]> {
    return [...new Set(ids)].flatMap((id) => {
      const found = this.records.get(this.key(tenantId, id));
      return found ? [{ ...found }] : [];
    });
  }
  async list(tenantId: string, options: { limit?: number; cursor?: string } = {}): Promise<Page<Connector>> {
    const all = [...this.records.values()].filter((c) => c.tenantId === tenantId);
    const start = Number(options.cursor ?? 0);
    const end = start + (options.limit ?? 100);
    return {
      items: all.slice(start, end).map((c) => ({ ...c })),
      next: end < all.length ? String(end) : undefined,
    };
  }
  /** The cursor `list` gives after this connector: its place in the tenant's insertion order, plus one. */
  cursorAfter(connector: Connector): string {
    const all = [...this.records.values()].filter((c) => c.tenantId === connector.tenantId);
    const at = all.findIndex((c) => c.id === connector.id);
    if (at < 0) throw new Error(`connector ${connector.id} is not in the fake store`);
    return String(at + 1);
  }
  async update(connector: Connector, options: WriteOptions = {}): Promise<Connector> {
    this.updates += 1;
    const key = this.key(connector.tenantId, connector.id);
    const race = this.races.get(connector.id);
    if (race) {
      this.races.delete(connector.id);
      const current = this.records.get(key)!;
      this.records.set(key, { ...race(current), version: current.version + 1 });
    }
    const stored = this.records.get(key);
    if (!stored || stored.version !== connector.version)
      throw new ConcurrencyError(`connector ${connector.id}`);
    const next = { ...connector, version: connector.version + 1 };
    this.records.set(key, next);
    if (options.sealedSecret !== undefined)
      await this.secrets?.put(connector.tenantId, connector.id, options.sealedSecret);
    return { ...next };
  }
  async delete(tenantId: string, id: string): Promise<boolean> {
    return this.records.delete(this.key(tenantId, id));
  }
  async listExpiring(): Promise<Page<Connector>> {
    throw new Error('not used by the connector services');
  }
  expiringByTenant(): AsyncIterable<TenantExpiring> {
    throw new Error('not used by the connector services');
  }
  async listAwaitingConsent(): Promise<Page<Connector>> {
    throw new Error('not used by the connector services');
  }
}

export class InMemorySecrets implements SecretStore {
  readonly sealed = new Map<string, string>();
  async put(tenantId: string, connectorId: string, sealed: string): Promise<void> {
    this.sealed.set(`${tenantId}/${connectorId}`, sealed);
  }
  async get(tenantId: string, connectorId: string): Promise<string | undefined> {
    return this.sealed.get(`${tenantId}/${connectorId}`);
  }
  async sample(): Promise<StoredSecret | undefined> {
    const [entry] = this.sealed;
    if (!entry) return undefined;
    const [tenantId, connectorId] = entry[0].split('/');
    return { tenantId, connectorId, sealed: entry[1] };
  }
}

export class InMemoryAudit implements AuditLog {
  readonly events: AuditEvent[] = [];
  async append(event: AuditEvent): Promise<void> {
    this.events.push(event);
  }
  async list(
    tenantId: string,
    options: { connectorId?: string; limit?: number } = {},
  ): Promise<AuditEvent[]> {
    return this.events
      .filter(
        (e) => e.tenantId === tenantId && (!options.connectorId || e.connectorId === options.connectorId),
      )
      .reverse()
      .slice(0, options.limit ?? 100);
  }
  actions(): string[] {
    return this.events.map((e) => e.action);
  }
}

/** ADMIN_GROUP_ID as the test sets it, counting the directory questions. */
export class FakeAdminGroup implements AdminGroupPort {
  asked = 0;
  constructor(
    readonly configured: boolean,
    private readonly members: string[] = [],
  ) {}
  async isMember(_tenantId: string, userId: string | undefined): Promise<boolean> {
    this.asked += 1;
    return this.configured && !!userId && this.members.includes(userId);
  }
}

/** A consent reading the test sets. */
export class FakeConsentReader implements ConsentReader {
  constructor(public reading: ConsentReading) {}
  async read(): Promise<ConsentReading> {
    return this.reading;
  }
}
