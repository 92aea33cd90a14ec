import { createHash } from 'node:crypto';
import { ConcurrencyError, type ConnectorStore } from './ports';
import type { Clock } from '../util/clock';
import type { ConnectorTypeId } from './catalog';
import type { Connector, ConnectorStatus } from './connector';
import { BIDI_CONTROLS, type ActorRef, type ConnectorLifecycle } from './lifecycle';

/** One connector to import, with the times that carry its 90-day clock over. */
export interface ImportItem {
  id?: string;
  type: ConnectorTypeId;
  displayName: string;
  status?: Exclude<ConnectorStatus, 'authorizing'>;
  createdAt?: string;
  authorizedAt?: string;
  lastTransferAt?: string;
}

/** What happened to one imported connector. */
export interface ImportResult {
  id: string;
  created: boolean;
}

/** The list broke a rule a schema cannot express; `problems` name each with its JSON pointer. */
export class ImportRejectedError extends Error {
  constructor(readonly problems: string[]) {
    super(`the import was refused: ${problems.join('; ')}`);
    this.name = 'ImportRejectedError';
  }
}

/** Clock skew tolerated for "not in the future", as for transfers. */
const FUTURE_TOLERANCE_MS = 60_000;

const TIME_FIELDS = ['createdAt', 'authorizedAt', 'lastTransferAt'] as const;

/**
 * The id of an item the caller gave none: derived from what the item says, so that a request
 * retried after a storage failure part-way finds the connectors it already created instead of
 * making them twice. UUID-shaped (RFC 9562 version 8, for ids made by one's own rule).
 */
export function importedId(item: ImportItem): string {
  const said = [
    item.type,
    item.displayName.trim(),
    item.status ?? null,
    ...TIME_FIELDS.map((f) => item[f] ?? null),
  ];
  const hex = createHash('sha256').update(JSON.stringify(said)).digest('hex');
  const variant = (8 | (parseInt(hex[16], 16) & 3)).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The rules a schema cannot express, checked over the whole list before anything is written:
 * real dates, none in the future, nothing before creation, no blank name, no id twice (an item
 * without one counts by its {@link importedId}: two identical items cannot be told apart).
 * Returns each problem with its JSON pointer.
 */
export function importProblems(items: ImportItem[], single: boolean, now: Date): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const at = single ? '' : `/${index}`;
    if (item.displayName.trim() === '') problems.push(`${at}/displayName must not be blank`);
    if (BIDI_CONTROLS.test(item.displayName))
      problems.push(
        `${at}/displayName must not contain bidirectional control characters (U+202A-U+202E, U+2066-U+2069)`,
      );
    for (const field of TIME_FIELDS) {
      const value = item[field];
      if (value === undefined) continue;
      const time = new Date(value).getTime();
      if (Number.isNaN(time)) problems.push(`${at}/${field} must be a real date and time`);
      else if (time > now.getTime() + FUTURE_TOLERANCE_MS)
        problems.push(`${at}/${field} must not be in the future`);
    }
    if (item.createdAt !== undefined) {
      const created = new Date(item.createdAt).getTime();
      for (const field of ['authorizedAt', 'lastTransferAt'] as const) {
        const value = item[field];
        if (value !== undefined && new Date(value).getTime() < created) {
          problems.push(`${at}/${field} must not be before createdAt`);
        }
      }
    }
    const id = item.id ?? importedId(item);
    const first = seen.get(id);
    if (first === undefined) seen.set(id, index);
    else if (item.id !== undefined) problems.push(`${at}/id repeats the id of /${first}`);
    else problems.push(`${at} repeats /${first} exactly: give each an id to import both`);
  });
  return problems;
}

/**
 * The stored record of an imported connector. No creator (DESIGN.md: imported connectors have
 * none). createdAt defaults to the earliest time given, else now; an authorized or
 * awaiting-consent connector without authorizedAt counts as authorized when it was created, so
 * that its 90-day clock runs. `via` is who reports the authorization (nobody here checked it).
 */
function toConnector(tenantId: string, item: ImportItem, now: Date, via: ActorRef): Connector {
  const given = TIME_FIELDS.map((f) => item[f])
    .filter((t): t is string => t !== undefined)
    .map((t) => new Date(t).getTime());
  const createdAt = new Date(item.createdAt ?? (given.length > 0 ? Math.min(...given) : now.getTime()));
  const status = item.status ?? 'authorized';
  const iso = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
  const authorizedAt =
    iso(item.authorizedAt) ?? (status === 'deauthorized' ? undefined : createdAt.toISOString());
  return {
    id: item.id ?? importedId(item),
    tenantId,
    type: item.type,
    displayName: item.displayName.trim(),
    status,
    createdAt: createdAt.toISOString(),
    authorizedAt,
    lastTransferAt: iso(item.lastTransferAt),
    provenance: status === 'authorized' ? { kind: 'reported', by: via.id, at: now.toISOString() } : undefined,
    version: 0,
  };
}

/** Who an import is recorded as: the person or token (`actor`) and the channel it came through (`via`). */
export interface ImportActors {
  actor: ActorRef;
  via: ActorRef;
}

/**
 * Imports connectors into a tenant, keeping their times so their 90-day clocks carry over.
 * The whole list is validated first (ImportRejectedError, nothing written); an id already present
 * in the tenant is left unchanged and reported `created: false`, so a retried request is safe;
 * an item without an id gets one derived from its fields ({@link importedId}), so the same holds.
 */
export class ImportService {
  constructor(
    private readonly lifecycle: ConnectorLifecycle,
    private readonly connectors: Pick<ConnectorStore, 'get' | 'create'>,
    private readonly clock: Clock,
  ) {}

  async import(
    tenantId: string,
    items: ImportItem[],
    single: boolean,
    actors: ImportActors,
  ): Promise<ImportResult[]> {
    const now = this.clock.now();
    const problems = importProblems(items, single, now);
    if (problems.length > 0) throw new ImportRejectedError(problems);
    const results: ImportResult[] = [];
    for (const item of items) {
      results.push(await this.importOne(toConnector(tenantId, item, now, actors.via), actors));
    }
    return results;
  }

  /** Creates one connector unless its id is already taken in the tenant (then: unchanged). */
  private async importOne(connector: Connector, actors: ImportActors): Promise<ImportResult> {
    if (await this.connectors.get(connector.tenantId, connector.id)) {
      return { id: connector.id, created: false };
    }
    let created: Connector;
    try {
      created = await this.connectors.create(connector);
    } catch (err) {
      // The same id created by a concurrent request is the idempotent outcome, not a conflict.
      if (err instanceof ConcurrencyError && (await this.connectors.get(connector.tenantId, connector.id))) {
        return { id: connector.id, created: false };
      }
      throw err;
    }
    await this.lifecycle.audit(created, actors.actor, 'connector.imported', {
      type: created.type,
      displayName: created.displayName,
      status: created.status,
      createdAt: created.createdAt,
      authorizedAt: created.authorizedAt,
      lastTransferAt: created.lastTransferAt,
    });
    // An import whose clock already ran out is deauthorized now, audited, as loading it would.
    await this.lifecycle.deauthorizeIfExpired(created, actors.via);
    return { id: created.id, created: true };
  }
}
