/**
 * What `npm run migrate-store` does with each record: one copier per table of the export, each
 * writing create-if-absent through the Azure store's own ports (audit events through the
 * importer), so that a rerun, or the rest of an interrupted run, copies only what is missing.
 */
import { ConcurrencyError, type Store } from '../connectors/ports';
import type { AzureImporter } from '../store/azure/importer';
import type { ExportRows, ExportTable } from '../store/sqlite/exporter';

/** What a copier did with one record. */
export type Outcome = 'copied' | 'skipped';

/** Copies one record create-if-absent; what it did. */
export type Copier<K extends ExportTable> = (row: ExportRows[K]) => Promise<Outcome>;

/** A copier for every table of the export: the type refuses a table without one. */
export type Copiers = { [K in ExportTable]: Copier<K> };

async function copyConversation(target: Store, record: ExportRows['conversations']): Promise<Outcome> {
  const existing = await target.conversations.get(record.tenantId, record.conversationId);
  let outcome: Outcome = 'skipped';
  if (!existing) {
    const { welcomedAt: _welcomedAt, ...rest } = record;
    await target.conversations.upsert(rest);
    outcome = 'copied';
  }
  // The welcome was posted: mark it so (an interrupted copy may have left the record without it).
  if (record.welcomedAt && !existing?.welcomedAt) {
    await target.conversations.claimWelcome(record.tenantId, record.conversationId, record.welcomedAt);
    outcome = 'copied';
  }
  return outcome;
}

/** A store of versioned records: create() stores version 1, each update() one more. */
interface VersionedStore<T extends { tenantId: string; id: string; version: number }> {
  create(record: T): Promise<T>;
  get(tenantId: string, id: string): Promise<T | undefined>;
  update(record: T): Promise<T>;
}

/**
 * Copies a versioned record: create() at version 1, then update() up to the source's version, so
 * that cards and API clients holding a version (a connector's, a consent request's reviewer card)
 * keep acting on it. A rerun, or the rest of an interrupted one, finds the record and only
 * finishes what is missing. Everything else (times, states, history) is in the record as it is.
 */
async function copyVersioned<T extends { tenantId: string; id: string; version: number }>(
  store: VersionedStore<T>,
  record: T,
): Promise<Outcome> {
  let current;
  try {
    current = await store.create(record);
  } catch (err) {
    if (!(err instanceof ConcurrencyError)) throw err;
    current = await store.get(record.tenantId, record.id);
    if (!current) throw err;
    if (current.version >= record.version) return 'skipped';
  }
  while (current.version < record.version)
    current = await store.update({ ...record, version: current.version });
  return 'copied';
}

const copyConnector = (target: Store, connector: ExportRows['connectors']): Promise<Outcome> =>
  copyVersioned<ExportRows['connectors']>(target.connectors, connector);

/** With the state and connector id the Azure store indexes on, as in the record. */
const copyConsentRequest = (target: Store, request: ExportRows['consentRequests']): Promise<Outcome> =>
  copyVersioned<ExportRows['consentRequests']>(target.consentRequests, request);

async function copyNotice(target: Store, notice: ExportRows['notices']): Promise<Outcome> {
  const sentAt = new Date(notice.sentAt ?? notice.claimedAt);
  // An infinite lease: a claim already in the copy is never taken over, only created.
  if (await target.notices.claim(notice.key, notice.claimant, new Date(notice.claimedAt), Infinity)) {
    if (notice.state === 'sent') await target.notices.markSent(notice.key, notice.claimant, sentAt);
    return 'copied';
  }
  // An interrupted copy may have claimed it and stopped before marking it sent.
  if (notice.state === 'sent' && (await target.notices.state(notice.key)) === 'claimed') {
    await target.notices.markSent(notice.key, notice.claimant, sentAt);
    if ((await target.notices.state(notice.key)) === 'sent') return 'copied';
  }
  return 'skipped';
}

async function copyBotState(target: Store, { key, doc }: ExportRows['botState']): Promise<Outcome> {
  const found = await target.state.read([key]);
  if (found[key] !== undefined) return 'skipped';
  // No eTag: a plain write. The source's eTags mean nothing to blobs; the bot gets new ones.
  await target.state.write({ [key]: doc });
  return 'copied';
}

/** The copiers writing into `target`. */
export function copiers(target: Store, importer: AzureImporter): Copiers {
  return {
    conversations: (record) => copyConversation(target, record),
    connectors: (connector) => copyConnector(target, connector),
    consentRequests: (request) => copyConsentRequest(target, request),

    async secrets(secret) {
      if ((await target.secrets.get(secret.tenantId, secret.connectorId)) !== undefined) return 'skipped';
      await target.secrets.put(secret.tenantId, secret.connectorId, secret.sealed);
      return 'copied';
    },

    async audit({ seq, event }) {
      return (await importer.importAudit(event, seq)) ? 'copied' : 'skipped';
    },

    async subscriptions(subscription) {
      if (await target.subscriptions.get(subscription.tenantId, subscription.conversationId))
        return 'skipped';
      await target.subscriptions.add(subscription);
      return 'copied';
    },

    async optOuts({ tenantId, userId }) {
      if (await target.subscriptions.isPersonalOptOut(tenantId, userId)) return 'skipped';
      await target.subscriptions.setPersonalOptOut(tenantId, userId, true);
      return 'copied';
    },

    notices: (notice) => copyNotice(target, notice),

    async snoozes({ key, at }) {
      if (await target.notices.isSnoozed(key)) return 'skipped';
      await target.notices.snooze(key, new Date(at));
      return 'copied';
    },

    async targets(connection) {
      if (await target.targets.get(connection.tenantId, connection.id)) return 'skipped';
      await target.targets.put(connection);
      return 'copied';
    },

    botState: (row) => copyBotState(target, row),
  };
}
