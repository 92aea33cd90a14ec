/**
 * The previous release's storage requests per notice, for measuring the old path in the same run
 * as the new one: the scanner's batched calls are answered the way the scanner used to ask, one
 * store call at a time — a snooze read per due connector, a subscriptions query per tenant, a
 * claim per notice, and to mark a notice sent a read and a conditional update (through a second
 * store whose ledger never saw the claims, so it cannot reuse their ETags) and then an audit
 * transaction of its own in the audit table. The due connectors' records are read one tenant at a
 * time, as the previous release's listing did (no read-ahead of the next tenants' records).
 */
import type { Store } from '../src/connectors/ports';

export function legacyStore(store: Store, markingStore: Store): Store {
  const notices = store.notices;
  const subscriptions = store.subscriptions;
  return {
    ...store,
    state: store.state,
    conversations: store.conversations,
    connectors: Object.assign(Object.create(store.connectors) as typeof store.connectors, {
      expiringByTenant(clockStartBefore: Date) {
        return store.connectors.expiringByTenant(clockStartBefore);
      },
    }),
    secrets: store.secrets,
    audit: store.audit,
    targets: store.targets,
    ping: () => store.ping(),
    close: () => store.close(),
    subscriptions: Object.assign(Object.create(subscriptions) as typeof subscriptions, {
      async listByTenants(tenantIds: readonly string[]) {
        const found = new Map<string, Awaited<ReturnType<typeof subscriptions.listByTenant>>>();
        for (const tenantId of new Set(tenantIds)) {
          const list = await subscriptions.listByTenant(tenantId);
          if (list.length > 0) found.set(tenantId, list);
        }
        return found;
      },
    }),
    notices: Object.assign(Object.create(notices) as typeof notices, {
      async areSnoozed(keys: Parameters<typeof notices.areSnoozed>[0]) {
        const answers: boolean[] = [];
        for (const key of keys) answers.push(await notices.isSnoozed(key));
        return answers;
      },
      async claimAll(...[keys, claimant, now, leaseMs]: Parameters<typeof notices.claimAll>) {
        const answers: boolean[] = [];
        for (const key of keys) answers.push(await notices.claim(key, claimant, now, leaseMs));
        return answers;
      },
      async markAllSent(...[sent, claimant, now]: Parameters<typeof notices.markAllSent>) {
        for (const { key, audit } of sent) {
          await markingStore.notices.markSent(key, claimant, now);
          await store.audit.append(audit);
        }
      },
    }),
  };
}
