/**
 * Fixture builders: `aConnector(tenant).named('Box').ownedBy(user).expiringIn(10).build()`.
 * A test names only what it is about; the rest are readable defaults (see connectorRecord).
 */
import type { Connector, ConnectorStatus } from '../../src/connectors/connector';
import type { ConnectorTypeId } from '../../src/connectors/catalog';
import type { Store } from '../../src/connectors/ports';
import { DAY_MS } from '../../src/util/clock';
import { connectorRecord } from './connectorFixtures';

/** The default inactivity window (INACTIVITY_DAYS): a connector expires this long after its clock starts. */
const INACTIVITY_DAYS = 90;

/** Someone a connector can belong to: a Teams user or a fake directory user. */
type Person = { aadObjectId: string; name: string } | { id: string; displayName: string };

function idAndName(person: Person): { id: string; name: string } {
  return 'aadObjectId' in person
    ? { id: person.aadObjectId, name: person.name }
    : { id: person.id, name: person.displayName };
}

/** Builds a connector record step by step; `build()` returns it, `seed(store)` stores it. */
export class ConnectorBuilder {
  private readonly fields: Partial<Connector> = {};
  /** The moment "days ago" and "expiring in" count from. */
  private now = new Date('2026-03-02T09:00:00.000Z');

  constructor(private readonly tenantId: string) {}

  /** Counts days from `now` (the bot's clock) instead of the test clock's default start. */
  at(now: Date): this {
    this.now = now;
    return this;
  }

  withId(id: string): this {
    this.fields.id = id;
    return this;
  }

  named(displayName: string): this {
    this.fields.displayName = displayName;
    return this;
  }

  ofType(type: ConnectorTypeId): this {
    this.fields.type = type;
    return this;
  }

  inStatus(status: ConnectorStatus): this {
    this.fields.status = status;
    return this;
  }

  /** Created by this person (their object id only, as an import that named its creator). */
  createdBy(person: Person): this {
    this.fields.createdBy = idAndName(person).id;
    return this;
  }

  /** Created by this person, who is named on cards. */
  ownedBy(person: Person): this {
    const { id, name } = idAndName(person);
    this.fields.createdBy = id;
    this.fields.createdByName = name;
    return this;
  }

  /** Created and authorized at this moment (ISO). */
  authorizedAt(at: string): this {
    this.fields.createdAt = at;
    this.fields.authorizedAt = at;
    return this;
  }

  /** Created and authorized `days` days before now. */
  authorizedDaysAgo(days: number): this {
    return this.authorizedAt(new Date(this.now.getTime() - days * DAY_MS).toISOString());
  }

  /** Authorized so that the inactivity window ends `days` days from now. */
  expiringIn(days: number): this {
    return this.authorizedDaysAgo(INACTIVITY_DAYS - days);
  }

  /** Any other field, as the store holds it. */
  with(overrides: Partial<Connector>): this {
    Object.assign(this.fields, overrides);
    return this;
  }

  build(): Connector {
    return connectorRecord({ ...this.fields, tenantId: this.tenantId });
  }

  /** Stores it (straight into the store: the chat path is tested elsewhere) and returns the stored record. */
  seed(store: Store): Promise<Connector> {
    return store.connectors.create(this.build());
  }
}

/** A connector of `tenant` (an id or a fake tenant). */
export function aConnector(tenant: string | { id: string }): ConnectorBuilder {
  return new ConnectorBuilder(typeof tenant === 'string' ? tenant : tenant.id);
}
