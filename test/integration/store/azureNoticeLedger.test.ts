import { createAzureStore } from '../../../src/store/azure';
import { tableClient } from '../../../src/store/azure/clients';
import { escapeKey } from '../../../src/store/azure/keys';
import type { AuditEvent, NoticeKey } from '../../../src/connectors/ports';
import { freshPrefix, useAzurite } from '../../support/azurite';

const azurite = useAzurite({ services: ['blob', 'table'] });

const LEASE = 60_000;
const t0 = new Date('2026-03-01T00:00:00.000Z');
const later = (ms: number) => new Date(t0.getTime() + ms);

function key(tenant: number, connector = 'c-1', target = 'conversation:19:x'): NoticeKey {
  return {
    tenantId: `tenant-${tenant}`,
    connectorId: connector,
    periodStart: '2026-01-01T00:00:00.000Z',
    threshold: 14,
    target,
  };
}

function sentEvent(k: NoticeKey, claimant: string): AuditEvent {
  return {
    tenantId: k.tenantId,
    connectorId: k.connectorId,
    at: later(1).toISOString(),
    actor: 'scanner',
    actorName: claimant,
    action: 'notice.sent',
    detail: { target: k.target },
  };
}

describe('azure notice ledger across tenants', () => {
  it('gives each notice of many tenants to one of two replicas claiming them all at once', async () => {
    const prefix = freshPrefix();
    const [a, b] = await Promise.all([
      createAzureStore(azurite().connectionString, undefined, { prefix }),
      createAzureStore(azurite().connectionString, undefined, { prefix }),
    ]);
    const keys = Array.from({ length: 40 }, (_, i) => key(i % 20, `c-${i}`));
    // One notice held already, by a third scanner: neither replica gets it.
    expect(await a.notices.claim(keys[7], 'scanner-c', t0, LEASE)).toBe(true);
    const [byA, byB] = await Promise.all([
      a.notices.claimAll(keys, 'scanner-a', later(1), LEASE),
      b.notices.claimAll(keys, 'scanner-b', later(1), LEASE),
    ]);
    keys.forEach((_, i) => expect(Number(byA[i]) + Number(byB[i])).toBe(i === 7 ? 0 : 1));

    // Each marks what it holds; the events land in each tenant's audit log.
    const mine = (answers: boolean[]) => keys.filter((_, i) => answers[i]);
    await a.notices.markAllSent(
      mine(byA).map((k) => ({ key: k, audit: sentEvent(k, 'scanner-a') })),
      'scanner-a',
      later(2),
    );
    await b.notices.markAllSent(
      mine(byB).map((k) => ({ key: k, audit: sentEvent(k, 'scanner-b') })),
      'scanner-b',
      later(2),
    );
    for (const [i, k] of keys.entries()) expect(await a.notices.state(k)).toBe(i === 7 ? 'claimed' : 'sent');
    expect(await b.notices.countSent()).toBe(39);
    const tenant3 = await a.audit.list('tenant-3');
    expect(tenant3.map((e) => e.connectorId).sort()).toEqual(['c-23', 'c-3']);
    expect(await a.audit.list('tenant-7', { connectorId: 'c-7' })).toEqual([]);
    // Sent notices are never given out again, whoever asks and however late.
    expect(await b.notices.claimAll(keys, 'scanner-d', later(LEASE * 10), LEASE)).toEqual(
      keys.map((_, i) => i === 7),
    );
  });

  it('marks a notice taken over meanwhile only for its new claimant, and still audits the send', async () => {
    const store = await createAzureStore(azurite().connectionString, undefined, { prefix: freshPrefix() });
    const keys = [key(1), key(2), key(3)];
    expect(await store.notices.claimAll(keys, 'scanner-a', t0, LEASE)).toEqual([true, true, true]);
    expect(await store.notices.claim(keys[1], 'scanner-b', later(LEASE), LEASE)).toBe(true);
    await store.notices.markAllSent(
      keys.map((k) => ({ key: k, audit: sentEvent(k, 'scanner-a') })),
      'scanner-a',
      later(LEASE + 1),
    );
    expect(await Promise.all(keys.map((k) => store.notices.state(k)))).toEqual(['sent', 'claimed', 'sent']);
    for (const k of keys) expect(await store.audit.list(k.tenantId)).toEqual([sentEvent(k, 'scanner-a')]);
  });
});

describe('azure notice ledger, one call for callers written together', () => {
  it('claims a notice asked for twice once, and marks it once with both events', async () => {
    const store = await createAzureStore(azurite().connectionString, undefined, { prefix: freshPrefix() });
    const [k1, k2] = [key(1), key(2)];
    expect(await store.notices.claimAll([k1, k2, k1], 'scanner-a', t0, LEASE)).toEqual([true, true, false]);
    const events = [sentEvent(k1, 'first'), sentEvent(k2, 'scanner-a'), sentEvent(k1, 'second')];
    await store.notices.markAllSent(
      [k1, k2, k1].map((k, i) => ({ key: k, audit: events[i] })),
      'scanner-a',
      later(2),
    );
    expect(await store.notices.state(k1)).toBe('sent');
    expect(await store.notices.state(k2)).toBe('sent');
    expect((await store.audit.list(k1.tenantId)).map((e) => e.actorName).sort()).toEqual(['first', 'second']);
  });
});

describe('azure notice ledger of the earlier layout', () => {
  /** A row as the earlier release wrote it: in the tenant's partition of the notices table. */
  function legacyRow(k: NoticeKey, row: Record<string, unknown>) {
    return {
      partitionKey: escapeKey(k.tenantId),
      rowKey: [k.connectorId, k.periodStart, String(k.threshold), k.target].map(escapeKey).join('|'),
      ...row,
    };
  }

  it('is moved when the store opens: sent stays sent, a live claim stays held, released is free', async () => {
    const prefix = freshPrefix();
    (await createAzureStore(azurite().connectionString, undefined, { prefix })).close();
    const notices = tableClient(azurite().connectionString, `${prefix}Notices`);
    // The table as the earlier release left it: no record of a move, its rows in tenant partitions.
    await notices.deleteEntity('~n|layout', 'cross-tenant');
    const sent = key(1, 'c-sent');
    const held = key(2, 'c-held');
    const released = key(3, 'c-released');
    const oddTenant = { ...key(4, 'c-odd'), tenantId: 'tenant/ä #4' };
    const claimedAt = Date.now();
    await notices.createEntity(
      legacyRow(sent, { state: 'sent', claimant: 'old', claimedAt, sentAt: claimedAt }),
    );
    await notices.createEntity(legacyRow(held, { state: 'claimed', claimant: 'old', claimedAt }));
    await notices.createEntity(legacyRow(released, { state: 'released', claimant: 'old', claimedAt }));
    await notices.createEntity(
      legacyRow(oddTenant, { state: 'sent', claimant: 'old', claimedAt, sentAt: claimedAt }),
    );
    // The event of the sent notice, beside it as the earlier release wrote it, and its connector copy.
    const event = sentEvent(sent, 'old');
    const time = '8225146399999-999999-0a0b0c0d';
    await notices.submitTransaction([
      [
        'create',
        { partitionKey: escapeKey(sent.tenantId), rowKey: `~a|${time}`, doc: JSON.stringify(event) },
      ],
      [
        'create',
        { partitionKey: escapeKey(sent.tenantId), rowKey: `~c|c-sent|${time}`, doc: JSON.stringify(event) },
      ],
    ]);

    const store = await createAzureStore(azurite().connectionString, undefined, { prefix });
    const now = new Date(claimedAt + 1);
    expect(await store.notices.state(sent)).toBe('sent');
    expect(await store.notices.state(oddTenant)).toBe('sent');
    expect(await store.notices.claim(sent, 'new', new Date(claimedAt + LEASE * 10), LEASE)).toBe(false);
    expect(await store.notices.claimAll([held, released, oddTenant], 'new', now, LEASE)).toEqual([
      false,
      true,
      false,
    ]);
    expect(await store.notices.claim(held, 'new', new Date(claimedAt + LEASE + 1), LEASE)).toBe(true);
    expect(await store.notices.countSent()).toBe(2);
    // The rows of the earlier layout are gone; the audit rows beside them stay where the log reads them.
    for (const k of [sent, held, released, oddTenant]) {
      const { partitionKey, rowKey } = legacyRow(k, {});
      await expect(notices.getEntity(partitionKey, rowKey)).rejects.toMatchObject({ statusCode: 404 });
    }
    for (const rowKey of [`~a|${time}`, `~c|c-sent|${time}`])
      await expect(notices.getEntity(escapeKey(sent.tenantId), rowKey)).rejects.toMatchObject({
        statusCode: 404,
      });
    expect(await store.audit.list(sent.tenantId)).toEqual([event]);
    expect(await store.audit.list(sent.tenantId, { connectorId: 'c-sent' })).toEqual([event]);

    // Opening again moves nothing and changes nothing.
    const again = await createAzureStore(azurite().connectionString, undefined, { prefix });
    expect(await again.notices.state(held)).toBe('claimed');
    expect(await again.notices.countSent()).toBe(2);
  });
});
