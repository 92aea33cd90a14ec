/**
 * The storage contract: every adapter of src/connectors/ports.ts must pass these tests (SQLite and
 * Azure call {@link describeStoreContract}). Each test gets a fresh, empty store.
 */
import type { Connector } from '../../../src/connectors/connector';
import {
  ConcurrencyError,
  type AuditEvent,
  type ConversationRecord,
  type NoticeKey,
  type Page,
  type Store,
  type Subscription,
  type TargetConnection,
} from '../../../src/connectors/ports';
import { connectorRecord } from '../../support/connectorFixtures';
import { aConnector } from '../../support/builders';
import { openConsentRequest, type ConsentRequest } from '../../../src/connectors/consentRequest';

export interface StoreUnderTest {
  store: Store;
  cleanup(): Promise<void>;
}

const T1 = 'tenant-1';
const T2 = 'tenant-2';
const T3 = 'tenant-3';

/** Teams conversation ids hold characters that are awkward in keys. */
const CHANNEL_ID = '19:a1b2c3d4e5f6@thread.tacv2;messageid=1712345678901';
const ODD_ID = 'a:1/odd\\id#with?chars|and~tilde';

const settledCount = (results: PromiseSettledResult<unknown>[], status: 'fulfilled' | 'rejected') =>
  results.filter((r) => r.status === status).length;

async function allPages<T>(fetch: (cursor?: string) => Promise<Page<T>>): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch(cursor);
    pages.push(page.items);
    cursor = page.next;
  } while (cursor && pages.length < 100);
  return pages;
}

/** The bound the expiry index tests list up to, and a day of 2026 at 08:00 UTC. */
const before = new Date('2026-02-01T00:00:00.000Z');
const at = (day: string) => `2026-${day}T08:00:00.000Z`;

/**
 * Live and not-live connectors of three tenants for the expiry index tests (clocks from
 * authorizedAt or lastTransferAt), then `more`; returns them by id as stored.
 */
async function seedExpiryIndex(store: Store, more: Connector[]): Promise<Record<string, Connector>> {
  const specs: Connector[] = [
    connectorRecord({ tenantId: T1, id: 'a', authorizedAt: at('01-01') }),
    connectorRecord({
      tenantId: T1,
      id: 'b',
      status: 'awaiting-consent',
      authorizedAt: at('01-02'),
      lastTransferAt: at('01-05'),
    }),
    connectorRecord({ tenantId: T1, id: 'c', status: 'deauthorized', authorizedAt: at('01-01') }),
    connectorRecord({ tenantId: T1, id: 'tie', authorizedAt: at('01-03') }),
    connectorRecord({ tenantId: T2, id: 'd', authorizedAt: at('01-03') }),
    connectorRecord({ tenantId: T2, id: 'f', authorizedAt: at('02-20') }),
    connectorRecord({ tenantId: T3, id: 'g', authorizedAt: at('01-02') }),
    connectorRecord({ tenantId: T3, id: 'h', authorizedAt: before.toISOString() }),
    connectorRecord({ tenantId: T3, id: 'old', authorizedAt: '2025-06-01T00:00:00.000Z' }),
    ...more,
  ];
  const created: Record<string, Connector> = {};
  for (const c of specs) created[c.id] = await store.connectors.create(c);
  return created;
}

export function describeStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`${name} store contract`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
    });
    afterEach(async () => {
      await cleanup();
    });

    it('answers ping and names its kind and location', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      expect(store.kind).toBe(name);
      expect(store.location).toBeTruthy();
    });

    describe('state (botbuilder Storage)', () => {
      const key = `msteams/bot-id/conversations/${CHANNEL_ID}`;

      it('reads back what it wrote, with an eTag, and nothing for missing keys', async () => {
        await store.state.write({ [key]: { wizard: { step: 2, name: 'Über café 👍' } } });
        const items = await store.state.read([key, 'missing/key']);
        expect(Object.keys(items)).toEqual([key]);
        expect(items[key]).toMatchObject({ wizard: { step: 2, name: 'Über café 👍' } });
        expect(typeof items[key].eTag).toBe('string');
      });

      it('accepts a write carrying the current eTag and gives a new one', async () => {
        await store.state.write({ [key]: { n: 1 } });
        const first = (await store.state.read([key]))[key];
        await store.state.write({ [key]: { ...first, n: 2 } });
        const second = (await store.state.read([key]))[key];
        expect(second.n).toBe(2);
        expect(second.eTag).not.toBe(first.eTag);
      });

      it('rejects a write carrying a stale eTag and keeps the newer value', async () => {
        await store.state.write({ [key]: { n: 1 } });
        const read = (await store.state.read([key]))[key];
        await store.state.write({ [key]: { ...read, n: 2 } });
        await expect(store.state.write({ [key]: { ...read, n: 3 } })).rejects.toThrow(/eTag conflict/);
        expect((await store.state.read([key]))[key].n).toBe(2);
      });

      it('rejects a write carrying an eTag of an item deleted since', async () => {
        await store.state.write({ [key]: { n: 1 } });
        const read = (await store.state.read([key]))[key];
        await store.state.delete([key]);
        await expect(store.state.write({ [key]: { ...read, n: 2 } })).rejects.toThrow(/eTag conflict/);
      });

      it('overwrites without an eTag or with "*"', async () => {
        await store.state.write({ [key]: { n: 1 } });
        await store.state.write({ [key]: { n: 2 } });
        expect((await store.state.read([key]))[key].n).toBe(2);
        await store.state.write({ [key]: { n: 3, eTag: '*' } });
        expect((await store.state.read([key]))[key].n).toBe(3);
      });

      it('lets exactly one of two writes from the same read win', async () => {
        await store.state.write({ [key]: { n: 0 } });
        const read = (await store.state.read([key]))[key];
        const results = await Promise.allSettled([
          store.state.write({ [key]: { ...read, n: 1 } }),
          store.state.write({ [key]: { ...read, n: 2 } }),
        ]);
        expect(settledCount(results, 'fulfilled')).toBe(1);
      });

      it('deletes items, and deleting a missing key is no error', async () => {
        await store.state.write({ a: { n: 1 }, b: { n: 2 } });
        await store.state.delete(['a', 'never-written']);
        expect(Object.keys(await store.state.read(['a', 'b']))).toEqual(['b']);
      });

      it('keeps long keys and keys with odd characters apart', async () => {
        const long = 'x'.repeat(1100);
        const keys = [`${long}/a`, `${long}/b`, `conv/${ODD_ID}`, 'conv/a:1'];
        await store.state.write(Object.fromEntries(keys.map((k, i) => [k, { i }])));
        const items = await store.state.read(keys);
        expect(keys.map((k) => items[k]?.i)).toEqual([0, 1, 2, 3]);
      });
    });

    describe('conversations', () => {
      type Upsert = Omit<ConversationRecord, 'welcomedAt'>;
      const record = (overrides: Partial<Upsert> = {}): Upsert => ({
        tenantId: T1,
        conversationId: CHANNEL_ID,
        conversationType: 'channel',
        reference: { channelId: 'msteams', serviceUrl: 'https://smba.example/emea/' },
        updatedAt: '2026-03-01T09:00:00.000Z',
        ...overrides,
      });

      it('upserts and gets a conversation by tenant and id', async () => {
        await store.conversations.upsert(record({ userId: 'user-1' }));
        expect(await store.conversations.get(T1, CHANNEL_ID)).toEqual({ ...record(), userId: 'user-1' });
        expect(await store.conversations.get(T2, CHANNEL_ID)).toBeUndefined();
        expect(await store.conversations.get(T1, 'other')).toBeUndefined();
      });

      it('refreshes the reference without clearing welcomedAt or the user', async () => {
        await store.conversations.upsert(record({ userId: 'user-1' }));
        expect(await store.conversations.claimWelcome(T1, CHANNEL_ID, '2026-03-01T09:01:00.000Z')).toBe(true);
        await store.conversations.upsert(
          record({
            reference: { serviceUrl: 'https://smba.example/amer/' },
            updatedAt: '2026-03-02T00:00:00.000Z',
          }),
        );
        const got = await store.conversations.get(T1, CHANNEL_ID);
        expect(got).toMatchObject({
          reference: { serviceUrl: 'https://smba.example/amer/' },
          welcomedAt: '2026-03-01T09:01:00.000Z',
          userId: 'user-1',
          updatedAt: '2026-03-02T00:00:00.000Z',
        });
      });

      it('claims the welcome once, and not for an unknown conversation', async () => {
        expect(await store.conversations.claimWelcome(T1, CHANNEL_ID, '2026-03-01T09:01:00.000Z')).toBe(
          false,
        );
        await store.conversations.upsert(record());
        expect(await store.conversations.claimWelcome(T1, CHANNEL_ID, '2026-03-01T09:01:00.000Z')).toBe(true);
        expect(await store.conversations.claimWelcome(T1, CHANNEL_ID, '2026-03-01T09:02:00.000Z')).toBe(
          false,
        );
        expect((await store.conversations.get(T1, CHANNEL_ID))?.welcomedAt).toBe('2026-03-01T09:01:00.000Z');
      });

      it('gives the welcome to exactly one of 10 parallel claims', async () => {
        await store.conversations.upsert(record());
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.conversations.claimWelcome(T1, CHANNEL_ID, `2026-03-01T09:01:0${i}.000Z`),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('claims again after the welcome was released', async () => {
        await store.conversations.upsert(record());
        await store.conversations.claimWelcome(T1, CHANNEL_ID, '2026-03-01T09:01:00.000Z');
        await store.conversations.releaseWelcome(T1, CHANNEL_ID);
        expect((await store.conversations.get(T1, CHANNEL_ID))?.welcomedAt).toBeUndefined();
        expect(await store.conversations.claimWelcome(T1, CHANNEL_ID, '2026-03-01T09:05:00.000Z')).toBe(true);
        await expect(store.conversations.releaseWelcome(T1, 'unknown')).resolves.toBeUndefined();
      });

      it('removes a conversation, and removing an unknown one is no error', async () => {
        await store.conversations.upsert(record());
        await store.conversations.remove(T1, CHANNEL_ID);
        expect(await store.conversations.get(T1, CHANNEL_ID)).toBeUndefined();
        await expect(store.conversations.remove(T1, CHANNEL_ID)).resolves.toBeUndefined();
      });

      it('finds the latest personal chat of a person, not group chats or other tenants', async () => {
        await store.conversations.upsert(
          record({ conversationId: 'a:old', conversationType: 'personal', userId: 'user-1' }),
        );
        await store.conversations.upsert(
          record({
            conversationId: 'a:new',
            conversationType: 'personal',
            userId: 'user-1',
            updatedAt: '2026-03-05T00:00:00.000Z',
          }),
        );
        await store.conversations.upsert(
          record({
            conversationId: '19:group@thread.v2',
            conversationType: 'groupChat',
            userId: 'user-1',
            updatedAt: '2026-03-09T00:00:00.000Z',
          }),
        );
        await store.conversations.upsert(
          record({ tenantId: T2, conversationId: 'a:t2', conversationType: 'personal', userId: 'user-2' }),
        );
        expect((await store.conversations.findPersonal(T1, 'user-1'))?.conversationId).toBe('a:new');
        expect(await store.conversations.findPersonal(T1, 'user-2')).toBeUndefined();
        expect((await store.conversations.findPersonal(T2, 'user-2'))?.conversationId).toBe('a:t2');
      });

      it('keeps conversation ids with / \\ # ? apart', async () => {
        await store.conversations.upsert(record({ conversationId: ODD_ID, updatedAt: 'odd' }));
        await store.conversations.upsert(record({ conversationId: 'a:1', updatedAt: 'plain' }));
        expect((await store.conversations.get(T1, ODD_ID))?.updatedAt).toBe('odd');
        expect((await store.conversations.get(T1, 'a:1'))?.updatedAt).toBe('plain');
      });
    });

    describe('connectors', () => {
      it('creates with version 1 and gets it back, per tenant', async () => {
        const created = await store.connectors.create(aConnector(T1).withId('c-1').build());
        expect(created.version).toBe(1);
        expect(await store.connectors.get(T1, 'c-1')).toEqual(created);
        expect(await store.connectors.get(T2, 'c-1')).toBeUndefined();
        expect(await store.connectors.get(T1, 'c-2')).toBeUndefined();
      });

      it('keeps provenance, and derives it for records stored without one (older versions)', async () => {
        const at = '2026-03-02T10:00:00.000Z';
        const reported = await store.connectors.create(
          connectorRecord({
            tenantId: T1,
            id: 'p-reported',
            type: 'box',
            provenance: { kind: 'reported', by: 'user-1', byName: 'Ada', at },
          }),
        );
        expect(await store.connectors.get(T1, 'p-reported')).toEqual(reported);
        expect(reported.provenance).toEqual({ kind: 'reported', by: 'user-1', byName: 'Ada', at });
        const verified = await store.connectors.update({
          ...reported,
          provenance: { kind: 'verified', method: 'container-listing', at },
        });
        expect((await store.connectors.get(T1, 'p-reported'))?.provenance).toEqual(verified.provenance);

        // Rows written before provenance existed hold no such field: they load with it derived.
        await store.connectors.create(
          connectorRecord({
            tenantId: T1,
            id: 'old-box',
            type: 'box',
            createdBy: 'user-2',
            createdByName: 'Bo',
            authorizedAt: at,
          }),
        );
        await store.connectors.create(
          connectorRecord({ tenantId: T1, id: 'old-o365', consent: { verifiedAt: at } }),
        );
        await store.connectors.create(
          connectorRecord({ tenantId: T1, id: 'old-import', type: 'dropbox', authorizedAt: at }),
        );
        await store.connectors.create(
          connectorRecord({ tenantId: T1, id: 'old-waiting', status: 'awaiting-consent', authorizedAt: at }),
        );
        expect((await store.connectors.get(T1, 'old-box'))?.provenance).toEqual({
          kind: 'reported',
          by: 'user-2',
          byName: 'Bo',
          at,
        });
        expect((await store.connectors.get(T1, 'old-o365'))?.provenance).toEqual({
          kind: 'verified',
          method: 'graph-consent',
          at,
        });
        const listed = (await store.connectors.list(T1)).items;
        expect(listed.find((c) => c.id === 'old-import')?.provenance).toEqual({
          kind: 'reported',
          by: 'api',
          at,
        });
        expect(listed.find((c) => c.id === 'old-waiting')?.provenance).toBeUndefined();
        const expiring = (await store.connectors.listExpiring(new Date('2030-01-01T00:00:00.000Z'))).items;
        expect(expiring.find((c) => c.id === 'old-box')?.provenance?.kind).toBe('reported');
      });

      it('refuses a second connector with the same id in a tenant', async () => {
        await store.connectors.create(aConnector(T1).withId('c-1').named('First').build());
        await expect(
          store.connectors.create(aConnector(T1).withId('c-1').named('Second').build()),
        ).rejects.toBeInstanceOf(ConcurrencyError);
        expect((await store.connectors.get(T1, 'c-1'))?.displayName).toBe('First');
        await expect(store.connectors.create(aConnector(T2).withId('c-1').build())).resolves.toMatchObject({
          version: 1,
        });
      });

      it('lists 25 connectors in pages of 10, sorted by name case-insensitively', async () => {
        const words = ['alpha', 'Bravo', 'charlie', 'Delta', 'echo'];
        const connectors = Array.from({ length: 25 }, (_, i) =>
          connectorRecord({
            tenantId: T1,
            id: `c-${String((i * 7) % 25).padStart(2, '0')}`,
            displayName: `${words[i % 5]} ${i % 3}`,
          }),
        );
        // Two names equal but for case: the id breaks the tie.
        connectors[24].displayName = 'ALPHA 0';
        await Promise.all(connectors.map((c) => store.connectors.create(c)));
        await store.connectors.create(aConnector(T2).named('aaa other tenant').build());

        const pages = await allPages((cursor) => store.connectors.list(T1, { limit: 10, cursor }));
        expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
        const listed = pages.flat();
        const expected = [...connectors]
          .sort((a, b) => {
            const ka = a.displayName.toLowerCase();
            const kb = b.displayName.toLowerCase();
            return ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
          })
          .map((c) => c.id);
        expect(listed.map((c) => c.id)).toEqual(expected);
        expect(listed.every((c) => c.tenantId === T1 && c.version === 1)).toBe(true);
        expect((await store.connectors.list(T3)).items).toEqual([]);
      });

      it('gives the cursor after a connector: the page read with it starts right after it in name order', async () => {
        const names = ['delta', 'Alpha', 'Charlie_*[x](y)', 'alpha', 'Bravo', 'echo'];
        for (const [i, displayName] of names.entries())
          await store.connectors.create(connectorRecord({ tenantId: T1, id: `n-${i}`, displayName }));
        await store.connectors.create(aConnector(T1).withId(ODD_ID).named('Charlie').build());
        const renamed = await store.connectors.create(aConnector(T1).withId('r').named('Zulu').build());
        await store.connectors.update({ ...renamed, displayName: 'bravo' });
        await store.connectors.create(aConnector(T2).withId('t2').named('Bravo 2').build());

        const all = (await store.connectors.list(T1)).items;
        expect(all).toHaveLength(names.length + 2);
        for (const [i, connector] of all.entries()) {
          const cursor = store.connectors.cursorAfter(connector);
          const page = await store.connectors.list(T1, { limit: 2, cursor });
          expect(page.items.map((c) => c.id)).toEqual(all.slice(i + 1, i + 3).map((c) => c.id));
        }
        // It is the cursor a page ending at that connector gives.
        const first = await store.connectors.list(T1, { limit: 3 });
        expect(store.connectors.cursorAfter(first.items[2])).toBe(first.next);
      });

      it('gets several connectors of a tenant by id, leaving out other tenants and unknown ids', async () => {
        const ids = Array.from({ length: 20 }, (_, i) => `m-${String(i).padStart(2, '0')}`);
        const created = await Promise.all(
          ids.map((id, i) => store.connectors.create(aConnector(T1).withId(id).named(`Site ${i}`).build())),
        );
        await store.connectors.create(aConnector(T2).withId('t2-only').build());
        await store.connectors.create(aConnector(T1).withId(ODD_ID).named('Odd').build());
        const wanted = [...ids.slice(0, 17).reverse(), 'm-03', 't2-only', 'unknown', ODD_ID];
        const found = await store.connectors.getMany(T1, wanted);
        expect(found.map((c) => c.id).sort()).toEqual([...ids.slice(0, 17), ODD_ID].sort());
        expect(found.find((c) => c.id === 'm-05')).toEqual(created[5]);
        expect(await store.connectors.getMany(T2, ids)).toEqual([]);
        expect(await store.connectors.getMany(T1, [])).toEqual([]);
      });

      it('updates with the current version and refuses a stale or unknown one', async () => {
        const created = await store.connectors.create(aConnector(T1).withId('c-1').build());
        const updated = await store.connectors.update({ ...created, displayName: 'Renamed' });
        expect(updated.version).toBe(2);
        expect(await store.connectors.get(T1, 'c-1')).toEqual(updated);
        await expect(store.connectors.update({ ...created, displayName: 'Stale' })).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
        expect((await store.connectors.get(T1, 'c-1'))?.displayName).toBe('Renamed');
        await expect(store.connectors.update({ ...created, id: 'never-created' })).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
      });

      it('lets exactly one of two concurrent updates from the same read win', async () => {
        const created = await store.connectors.create(aConnector(T1).withId('c-1').build());
        const results = await Promise.allSettled([
          store.connectors.update({ ...created, displayName: 'One' }),
          store.connectors.update({
            ...created,
            displayName: 'Two',
            lastTransferAt: '2026-03-05T00:00:00.000Z',
          }),
        ]);
        expect(settledCount(results, 'fulfilled')).toBe(1);
        const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(failure.reason).toBeInstanceOf(ConcurrencyError);
        const winner = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Connector>)
          .value;
        expect(await store.connectors.get(T1, 'c-1')).toEqual(winner);
        expect((await store.connectors.list(T1)).items).toEqual([winner]);
      });

      it('moves a renamed connector in the list without leaving its old place behind', async () => {
        const a = await store.connectors.create(aConnector(T1).withId('a').named('Apple').build());
        await store.connectors.create(aConnector(T1).withId('m').named('Mango').build());
        await store.connectors.update({ ...a, displayName: 'Zucchini' });
        expect((await store.connectors.list(T1)).items.map((c) => c.displayName)).toEqual([
          'Mango',
          'Zucchini',
        ]);
      });

      it('deletes a connector with its secrets; a second delete finds nothing', async () => {
        await store.connectors.create(aConnector(T1).withId('c-1').build());
        await store.connectors.create(aConnector(T1).withId('c-2').build());
        await store.secrets.put(T1, 'c-1', 'sealed-1');
        await store.secrets.put(T1, 'c-2', 'sealed-2');
        expect(await store.connectors.delete(T1, 'c-1')).toBe(true);
        expect(await store.connectors.get(T1, 'c-1')).toBeUndefined();
        expect(await store.secrets.get(T1, 'c-1')).toBeUndefined();
        expect(await store.secrets.get(T1, 'c-2')).toBe('sealed-2');
        expect((await store.connectors.list(T1)).items.map((c) => c.id)).toEqual(['c-2']);
        expect(await store.connectors.delete(T1, 'c-1')).toBe(false);
        expect(await store.connectors.delete(T2, 'c-2')).toBe(false);
      });

      it('given the revision a caller holds, deletes only that one: not a later version, not one created again under the id', async () => {
        const first = await store.connectors.create(aConnector(T1).withId('c-1').build());
        await store.secrets.put(T1, 'c-1', 'sealed-1');
        const changed = await store.connectors.update({ ...first, displayName: 'Renamed' });
        expect(await store.connectors.delete(T1, 'c-1', first)).toBe(false);
        expect(await store.connectors.get(T1, 'c-1')).toMatchObject({ displayName: 'Renamed' });
        expect(await store.secrets.get(T1, 'c-1')).toBe('sealed-1');

        expect(await store.connectors.delete(T1, 'c-1', changed)).toBe(true);
        const again = await store.connectors.create({
          ...first,
          createdAt: new Date(Date.parse(first.createdAt) + 1000).toISOString(),
        });
        expect(again.version).toBe(first.version);
        expect(await store.connectors.delete(T1, 'c-1', first)).toBe(false);
        expect(await store.connectors.get(T1, 'c-1')).toBeDefined();
        expect(await store.connectors.delete(T1, 'c-1', again)).toBe(true);
        expect(await store.connectors.get(T1, 'c-1')).toBeUndefined();
      });

      it('lets exactly one of two concurrent deletes report the delete', async () => {
        await store.connectors.create(aConnector(T1).withId('c-1').build());
        const results = await Promise.all([
          store.connectors.delete(T1, 'c-1'),
          store.connectors.delete(T1, 'c-1'),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('listExpiring (the expiry index)', () => {
      /** Live and not-live connectors of three tenants, and one that never had a clock. */
      const seed = () =>
        seedExpiryIndex(store, [
          connectorRecord({ tenantId: T2, id: 'e', status: 'authorizing', authorizedAt: undefined }),
        ]);

      const ids = async (limit = 100) =>
        (await allPages((cursor) => store.connectors.listExpiring(before, { limit, cursor })))
          .flat()
          .map((c) => c.id);

      it('lists only live connectors whose clock started by the bound, oldest first, across tenants', async () => {
        await seed();
        // Same clock in two tenants: tenant-1 before tenant-2.
        expect(await ids()).toEqual(['old', 'a', 'g', 'tie', 'd', 'b', 'h']);
        const page = await store.connectors.listExpiring(new Date(at('01-02')));
        expect(page.items.map((c) => c.id)).toEqual(['old', 'a', 'g']);
        expect(page.next).toBeUndefined();
        expect((await store.connectors.listExpiring(new Date('2020-01-01'))).items).toEqual([]);
      });

      it('pages with an opaque cursor and no empty last page', async () => {
        await seed();
        const pages = await allPages((cursor) => store.connectors.listExpiring(before, { limit: 2, cursor }));
        expect(pages.map((p) => p.map((c) => c.id))).toEqual([['old', 'a'], ['g', 'tie'], ['d', 'b'], ['h']]);
      });

      it('returns the current record and moves a connector when a transfer moves its clock', async () => {
        const seeded = await seed();
        const moved = await store.connectors.update({
          ...seeded.a,
          lastTransferAt: at('01-20'),
          displayName: 'Moved',
        });
        expect(await ids()).toEqual(['old', 'g', 'tie', 'd', 'b', 'a', 'h']);
        const listed = (await store.connectors.listExpiring(before)).items.find((c) => c.id === 'a');
        expect(listed).toEqual(moved);
        // A transfer past the bound takes it out; a transfer on a later page keeps paging right.
        await store.connectors.update({ ...seeded.d, lastTransferAt: at('03-01') });
        expect(await ids(1)).toEqual(['old', 'g', 'tie', 'b', 'a', 'h']);
      });

      it('drops deauthorized and deleted connectors and takes a reauthorized one back', async () => {
        const seeded = await seed();
        const gone = await store.connectors.update({ ...seeded.g, status: 'deauthorized' });
        await store.connectors.delete(T1, 'b');
        expect(await ids()).toEqual(['old', 'a', 'tie', 'd', 'h']);
        await store.connectors.update({ ...gone, status: 'authorized', authorizedAt: at('01-25') });
        expect(await ids()).toEqual(['old', 'a', 'tie', 'd', 'g', 'h']);
      });

      it('keeps a deauthorized connector while its notice is owed, and drops it once announced', async () => {
        const seeded = await seed();
        const owed = await store.connectors.update({
          ...seeded.g,
          status: 'deauthorized',
          announcementDueSince: at('04-01'),
        });
        expect(await ids()).toEqual(['old', 'a', 'g', 'tie', 'd', 'b', 'h']);
        const listed = (await store.connectors.listExpiring(before)).items.find((c) => c.id === 'g');
        expect(listed).toEqual(owed);
        const { announcementDueSince: _owed, ...announced } = owed;
        await store.connectors.update(announced);
        expect(await ids()).toEqual(['old', 'a', 'tie', 'd', 'b', 'h']);
      });

      it('keeps a connector once when a losing concurrent update tried to move its clock', async () => {
        const seeded = await seed();
        await Promise.allSettled([
          store.connectors.update({ ...seeded.a, lastTransferAt: at('01-04') }),
          store.connectors.update({ ...seeded.a, lastTransferAt: at('01-15') }),
        ]);
        const clock = (await store.connectors.get(T1, 'a'))?.lastTransferAt;
        const listed = await ids();
        expect(listed.filter((id) => id === 'a')).toHaveLength(1);
        expect(listed.indexOf('a')).toBe(clock === at('01-04') ? 4 : 5);
      });
    });

    describe('expiringByTenant (the expiry index, a tenant at a time)', () => {
      /** The same connectors, and a fourth tenant whose only one is not due. */
      const seed = () =>
        seedExpiryIndex(store, [
          connectorRecord({ tenantId: 'tenant-4', id: 'late', authorizedAt: at('03-01') }),
        ]);

      /** Tenant → its connectors' ids as given; `during` runs after the first tenant came. */
      async function byTenant(during?: (first: string) => Promise<void>): Promise<Map<string, string[]>> {
        const found = new Map<string, string[]>();
        for await (const slice of store.connectors.expiringByTenant(before)) {
          expect(found.has(slice.tenantId)).toBe(false);
          expect(slice.connectors.every((c) => c.tenantId === slice.tenantId)).toBe(true);
          found.set(
            slice.tenantId,
            slice.connectors.map((c) => c.id),
          );
          if (found.size === 1) await during?.(slice.tenantId);
        }
        return found;
      }

      it("gives listExpiring's connectors, each tenant once with all of its own, oldest first", async () => {
        await seed();
        const found = await byTenant();
        expect(Object.fromEntries(found)).toEqual({
          [T1]: ['a', 'tie', 'b'],
          [T2]: ['d'],
          [T3]: ['old', 'g', 'h'],
        });
        const listed = (await store.connectors.listExpiring(before)).items;
        expect([...found.values()].flat().sort()).toEqual(listed.map((c) => c.id).sort());
        await expect(byTenantAt(new Date('2020-01-01'))).resolves.toEqual([]);
      });

      async function byTenantAt(bound: Date): Promise<string[]> {
        const tenants: string[] = [];
        for await (const slice of store.connectors.expiringByTenant(bound)) tenants.push(slice.tenantId);
        return tenants;
      }

      it("reads a tenant's records at its turn: changes made meanwhile show, moved and deauthorized ones drop out", async () => {
        const seeded = await seed();
        const found = await byTenant(async (first) => {
          // Changes in the two tenants still to come, made after the first one was given.
          const rest = [T1, T2, T3].filter((t) => t !== first);
          const inTenant = (t: string) => Object.values(seeded).filter((c) => c.tenantId === t);
          const [renamed, moved, stopped] = [
            inTenant(rest[0])[0],
            inTenant(rest[1])[0],
            inTenant(rest[1]).find((c, i) => i > 0 && c.status !== 'deauthorized'),
          ];
          await store.connectors.update({ ...renamed, displayName: 'Renamed meanwhile' });
          await store.connectors.update({ ...moved, lastTransferAt: at('03-01') });
          if (stopped) await store.connectors.update({ ...stopped, status: 'deauthorized' });
        });
        const after = (await store.connectors.listExpiring(before)).items;
        const renamedNow = after.find((c) => c.displayName === 'Renamed meanwhile');
        expect(renamedNow).toBeDefined();
        // What the listing gave is what the store holds now, tenant by tenant.
        const expected = new Map<string, string[]>();
        for (const c of after) expected.set(c.tenantId, [...(expected.get(c.tenantId) ?? []), c.id]);
        expect(Object.fromEntries(found)).toEqual(Object.fromEntries(expected));
      });
    });

    describe('listAwaitingConsent (the consent index)', () => {
      const awaiting = (tenantId: string, id: string) =>
        connectorRecord({ tenantId, id, status: 'awaiting-consent', consent: { requestedFrom: 'admin@x' } });

      const ids = async (limit = 100) =>
        (await allPages((cursor) => store.connectors.listAwaitingConsent({ limit, cursor })))
          .flat()
          .map((c) => `${c.tenantId}/${c.id}`);

      it('lists connectors awaiting consent of every tenant by tenant and id, in pages', async () => {
        for (const c of [
          awaiting(T2, 'b'),
          awaiting(T1, 'z'),
          aConnector(T1).withId('authorized').build(),
          awaiting(T1, 'a'),
          connectorRecord({
            tenantId: T3,
            id: 'authorizing',
            status: 'authorizing',
            authorizedAt: undefined,
          }),
          awaiting(T3, 'c'),
          aConnector(T2).withId('gone').inStatus('deauthorized').build(),
        ])
          await store.connectors.create(c);
        const expected = ['tenant-1/a', 'tenant-1/z', 'tenant-2/b', 'tenant-3/c'];
        expect(await ids()).toEqual(expected);
        const pages = await allPages((cursor) => store.connectors.listAwaitingConsent({ limit: 2, cursor }));
        expect(pages.map((p) => p.length)).toEqual([2, 2]);
      });

      it('follows status changes and deletes', async () => {
        const a = await store.connectors.create(awaiting(T1, 'a'));
        await store.connectors.create(awaiting(T2, 'b'));
        const later = await store.connectors.create(
          aConnector(T3).withId('c').inStatus('authorizing').build(),
        );
        const consented = await store.connectors.update({ ...a, status: 'authorized' });
        await store.connectors.update({ ...later, status: 'awaiting-consent' });
        await store.connectors.delete(T2, 'b');
        expect(await ids()).toEqual(['tenant-3/c']);
        await store.connectors.update({ ...consented, status: 'awaiting-consent', displayName: 'Again' });
        const listed = (await store.connectors.listAwaitingConsent()).items;
        expect(listed.map((c) => [c.id, c.displayName, c.version])).toEqual([
          ['a', 'Again', 3],
          ['c', later.displayName, 2],
        ]);
      });
    });

    describe('secrets', () => {
      it('puts, gets and overwrites sealed secrets per tenant and connector', async () => {
        expect(await store.secrets.get(T1, 'c-1')).toBeUndefined();
        await store.secrets.put(T1, 'c-1', 'sealed-v1');
        await store.secrets.put(T2, 'c-1', 'other-tenant');
        expect(await store.secrets.get(T1, 'c-1')).toBe('sealed-v1');
        await store.secrets.put(T1, 'c-1', 'sealed-v2');
        expect(await store.secrets.get(T1, 'c-1')).toBe('sealed-v2');
        expect(await store.secrets.get(T2, 'c-1')).toBe('other-tenant');
      });

      it('a write carrying sealed keys stores them with the record, or neither', async () => {
        const created = await store.connectors.create(aConnector(T1).withId('c-1').build(), {
          sealedSecret: 'sealed-v1',
        });
        expect(await store.secrets.get(T1, 'c-1')).toBe('sealed-v1');
        // An id that exists: the create fails and the existing connector's keys stay its own.
        await expect(
          store.connectors.create(aConnector(T1).withId('c-1').build(), { sealedSecret: 'intruder' }),
        ).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.secrets.get(T1, 'c-1')).toBe('sealed-v1');

        const moved = await store.connectors.update({ ...created, displayName: 'Moved' });
        // A write from the older read loses the race: neither record nor keys change.
        await expect(
          store.connectors.update({ ...created, displayName: 'Stale' }, { sealedSecret: 'sealed-stale' }),
        ).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.secrets.get(T1, 'c-1')).toBe('sealed-v1');
        const renewed = await store.connectors.update(moved, { sealedSecret: 'sealed-v2' });
        expect(await store.secrets.get(T1, 'c-1')).toBe('sealed-v2');

        // Deleted in between: the keys of a deleted connector do not come back.
        expect(await store.connectors.delete(T1, 'c-1')).toBe(true);
        await expect(store.connectors.update(renewed, { sealedSecret: 'sealed-v3' })).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
        expect(await store.secrets.get(T1, 'c-1')).toBeUndefined();
      });

      it('gives one stored sealed value with the record it is bound to, for the start-up key check', async () => {
        expect(await store.secrets.sample()).toBeUndefined();
        // Ids that key escaping changes come back as they were.
        await store.secrets.put('tenant/ü#1', 'c 1?x', 'sealed-1');
        expect(await store.secrets.sample()).toEqual({
          tenantId: 'tenant/ü#1',
          connectorId: 'c 1?x',
          sealed: 'sealed-1',
        });
      });
    });

    describe('audit log', () => {
      const event = (n: number, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
        tenantId: T1,
        at: `2026-03-01T09:00:0${n}.000Z`,
        actor: 'user-1',
        actorName: 'Ada',
        action: `action.${n}`,
        ...overrides,
      });

      it('lists a tenant newest first, with the whole event', async () => {
        for (let n = 0; n < 5; n++)
          await store.audit.append(event(n, { connectorId: n % 2 ? 'c-1' : undefined, detail: { n } }));
        await store.audit.append(event(9, { tenantId: T2 }));
        const listed = await store.audit.list(T1);
        expect(listed.map((e) => e.action)).toEqual([
          'action.4',
          'action.3',
          'action.2',
          'action.1',
          'action.0',
        ]);
        expect(listed[1]).toEqual(event(3, { connectorId: 'c-1', detail: { n: 3 } }));
        expect((await store.audit.list(T2)).map((e) => e.action)).toEqual(['action.9']);
      });

      it('lists one connector and honours the limit', async () => {
        for (let n = 0; n < 6; n++)
          await store.audit.append(event(n, { connectorId: n % 2 ? 'c-1' : 'c-2' }));
        expect((await store.audit.list(T1, { connectorId: 'c-1' })).map((e) => e.action)).toEqual([
          'action.5',
          'action.3',
          'action.1',
        ]);
        expect((await store.audit.list(T1, { connectorId: 'c-2', limit: 2 })).map((e) => e.action)).toEqual([
          'action.4',
          'action.2',
        ]);
        expect((await store.audit.list(T1, { limit: 1 })).map((e) => e.action)).toEqual(['action.5']);
        expect(await store.audit.list(T1, { connectorId: 'c-3' })).toEqual([]);
      });
    });

    describe('subscriptions', () => {
      const subscription = (conversationId: string, overrides: Partial<Subscription> = {}): Subscription => ({
        tenantId: T1,
        conversationId,
        conversationType: 'channel',
        reference: { channelId: 'msteams', activityId: conversationId },
        teamId: '19:team-a@thread.tacv2',
        createdBy: 'user-1',
        createdAt: '2026-03-01T09:00:00.000Z',
        ...overrides,
      });

      it('adds a new subscription (true) and refreshes an existing one (false)', async () => {
        expect(await store.subscriptions.add(subscription(CHANNEL_ID))).toBe(true);
        expect(await store.subscriptions.add(subscription(CHANNEL_ID, { createdBy: 'user-2' }))).toBe(false);
        expect(await store.subscriptions.get(T1, CHANNEL_ID)).toEqual(
          subscription(CHANNEL_ID, { createdBy: 'user-2' }),
        );
        expect(await store.subscriptions.get(T2, CHANNEL_ID)).toBeUndefined();
      });

      it('reports exactly one of two concurrent adds as new', async () => {
        const results = await Promise.all([
          store.subscriptions.add(subscription(CHANNEL_ID)),
          store.subscriptions.add(subscription(CHANNEL_ID)),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('lists a tenant by conversation id and removes one', async () => {
        await store.subscriptions.add(subscription('19:b@thread.tacv2'));
        await store.subscriptions.add(
          subscription(ODD_ID, { conversationType: 'personal', teamId: undefined }),
        );
        await store.subscriptions.add(subscription('19:a@thread.tacv2'));
        await store.subscriptions.add(subscription('19:z@thread.tacv2', { tenantId: T2 }));
        expect((await store.subscriptions.listByTenant(T1)).map((s) => s.conversationId)).toEqual([
          '19:a@thread.tacv2',
          '19:b@thread.tacv2',
          ODD_ID,
        ]);
        expect(await store.subscriptions.remove(T1, '19:a@thread.tacv2')).toBe(true);
        expect(await store.subscriptions.remove(T1, '19:a@thread.tacv2')).toBe(false);
        expect((await store.subscriptions.listByTenant(T1)).map((s) => s.conversationId)).toEqual([
          '19:b@thread.tacv2',
          ODD_ID,
        ]);
        expect(await store.subscriptions.listByTenant(T3)).toEqual([]);
      });

      it("removes every channel of a team, and only that team's", async () => {
        await store.subscriptions.add(subscription('19:a1@thread.tacv2'));
        await store.subscriptions.add(subscription('19:a2@thread.tacv2'));
        await store.subscriptions.add(
          subscription('19:b1@thread.tacv2', { teamId: '19:team-b@thread.tacv2' }),
        );
        await store.subscriptions.add(
          subscription('a:personal', { conversationType: 'personal', teamId: undefined }),
        );
        await store.subscriptions.add(subscription('19:a9@thread.tacv2', { tenantId: T2 }));
        const removed = await store.subscriptions.removeByTeam(T1, '19:team-a@thread.tacv2');
        expect(removed.map((s) => s.conversationId).sort()).toEqual([
          '19:a1@thread.tacv2',
          '19:a2@thread.tacv2',
        ]);
        expect((await store.subscriptions.listByTenant(T1)).map((s) => s.conversationId).sort()).toEqual([
          '19:b1@thread.tacv2',
          'a:personal',
        ]);
        expect(await store.subscriptions.listByTenant(T2)).toHaveLength(1);
        expect(await store.subscriptions.removeByTeam(T1, '19:team-a@thread.tacv2')).toEqual([]);
      });

      it('records personal opt-outs per tenant and person', async () => {
        expect(await store.subscriptions.isPersonalOptOut(T1, 'user-1')).toBe(false);
        await store.subscriptions.setPersonalOptOut(T1, 'user-1', true);
        await store.subscriptions.setPersonalOptOut(T1, 'user-1', true);
        expect(await store.subscriptions.isPersonalOptOut(T1, 'user-1')).toBe(true);
        expect(await store.subscriptions.isPersonalOptOut(T2, 'user-1')).toBe(false);
        await store.subscriptions.setPersonalOptOut(T1, 'user-1', false);
        await store.subscriptions.setPersonalOptOut(T1, 'user-1', false);
        expect(await store.subscriptions.isPersonalOptOut(T1, 'user-1')).toBe(false);
      });

      it('lists the subscriptions of many tenants at once, as each tenant lists them', async () => {
        // More tenants than the Azure adapter reads one query each, so its range read is used.
        const tenants = Array.from({ length: 7 }, (_, i) => `${i}0000000-0000-4000-8000-00000000000${i}`);
        for (const [i, tenantId] of tenants.entries())
          for (let n = i % 3; n >= 0; n--)
            await store.subscriptions.add(subscription(`19:t${i}c${n}@thread.tacv2`, { tenantId }));
        const wanted = [...tenants.slice(1), T3, tenants[1]];
        const found = await store.subscriptions.listByTenants(wanted);
        expect([...found.keys()].sort()).toEqual(tenants.slice(1).sort());
        for (const tenantId of tenants.slice(1))
          expect(found.get(tenantId)).toEqual(await store.subscriptions.listByTenant(tenantId));
        expect(await store.subscriptions.listByTenants([T3])).toEqual(new Map());
      });
    });

    describe('targets (defined target connections)', () => {
      const target = (id: string, overrides: Partial<TargetConnection> = {}): TargetConnection => ({
        tenantId: T1,
        id,
        kind: 'office365',
        cloud: 'global',
        adminId: id.split(':')[1] ?? id,
        adminUpn: 'admin@contoso.example',
        adminName: 'Admin',
        roles: ['Global Administrator'],
        verifiedAt: '2026-03-01T09:00:00.000Z',
        verifiedBy: 'user-1',
        createdAt: '2026-03-01T09:00:00.000Z',
        createdBy: 'user-1',
        ...overrides,
      });

      it('puts, replaces, gets and removes a target per tenant', async () => {
        await store.targets.put(target('office365:admin-1'));
        await store.targets.put(
          target('office365:admin-1', { failedAt: '2026-03-02T00:00:00.000Z', failure: 'x' }),
        );
        await store.targets.put(target('office365:admin-1', { tenantId: T2 }));
        expect(await store.targets.get(T1, 'office365:admin-1')).toEqual(
          target('office365:admin-1', { failedAt: '2026-03-02T00:00:00.000Z', failure: 'x' }),
        );
        expect(await store.targets.get(T1, 'exchange:admin-1')).toBeUndefined();
        expect(await store.targets.remove(T1, 'office365:admin-1')).toBe(true);
        expect(await store.targets.remove(T1, 'office365:admin-1')).toBe(false);
        expect(await store.targets.get(T1, 'office365:admin-1')).toBeUndefined();
        expect(await store.targets.get(T2, 'office365:admin-1')).toBeDefined();
      });

      it("lists a tenant's targets by id", async () => {
        for (const id of ['office365:b', 'exchange:z', 'office365:a/odd#id'])
          await store.targets.put(target(id, { kind: id.startsWith('exchange') ? 'exchange' : 'office365' }));
        await store.targets.put(target('office365:other', { tenantId: T2 }));
        expect((await store.targets.list(T1)).map((t) => t.id)).toEqual([
          'exchange:z',
          'office365:a/odd#id',
          'office365:b',
        ]);
        expect(await store.targets.list(T3)).toEqual([]);
      });
    });

    describe('consent requests', () => {
      const request = (id: string, overrides: Partial<ConsentRequest> = {}): ConsentRequest => ({
        ...openConsentRequest(
          {
            id,
            tenantId: T1,
            connectorId: 'c-1',
            connectorName: 'Über café 👍',
            requester: { id: 'user-1', name: 'Sam', conversationId: CHANNEL_ID },
            reviewers: [{ id: 'admin-1', name: 'Adele', via: 'named' }],
            roles: [],
          },
          new Date('2026-03-01T09:00:00.000Z'),
          30,
        ),
        ...overrides,
      });

      it('creates once, reads back, and refuses a write from an older read', async () => {
        const created = await store.consentRequests.create(request(ODD_ID));
        expect(created.version).toBe(1);
        await expect(store.consentRequests.create(request(ODD_ID))).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.consentRequests.get(T1, ODD_ID)).toEqual(created);
        expect(await store.consentRequests.get(T2, ODD_ID)).toBeUndefined();
        const declined = await store.consentRequests.update({ ...created, state: 'declined', reason: 'no' });
        expect(declined.version).toBe(2);
        await expect(store.consentRequests.update({ ...created, state: 'approved' })).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
        expect(await store.consentRequests.get(T1, ODD_ID)).toMatchObject({
          state: 'declined',
          reason: 'no',
        });
      });

      it("lists a tenant's requests newest first, by state and connector", async () => {
        await store.consentRequests.create(request('r-old', { createdAt: '2026-01-01T00:00:00.000Z' }));
        await store.consentRequests.create(
          request('r-new', { createdAt: '2026-03-01T00:00:00.000Z', connectorId: 'c-2' }),
        );
        const mid = await store.consentRequests.create(
          request('r-mid', { createdAt: '2026-02-01T00:00:00.000Z' }),
        );
        await store.consentRequests.update({ ...mid, state: 'approved' });
        await store.consentRequests.create(request('r-other', { tenantId: T2 }));
        expect((await store.consentRequests.listByTenant(T1)).map((r) => r.id)).toEqual([
          'r-new',
          'r-mid',
          'r-old',
        ]);
        expect(
          (await store.consentRequests.listByTenant(T1, { states: ['open', 'declined'] })).map((r) => r.id),
        ).toEqual(['r-new', 'r-old']);
        expect(
          (await store.consentRequests.listByTenant(T1, { connectorId: 'c-1' })).map((r) => r.id),
        ).toEqual(['r-mid', 'r-old']);
        expect((await store.consentRequests.listByTenant(T1, { limit: 1 })).map((r) => r.id)).toEqual([
          'r-new',
        ]);
        expect(await store.consentRequests.listByTenant(T3)).toEqual([]);
      });

      it('pages through the open requests of every tenant', async () => {
        for (let i = 0; i < 5; i++)
          await store.consentRequests.create(request(`r-${i}`, { tenantId: i % 2 ? T1 : T2 }));
        const closed = await store.consentRequests.create(request('r-closed'));
        await store.consentRequests.update({ ...closed, state: 'expired' });
        const pages = await allPages((cursor) => store.consentRequests.listOpen({ limit: 2, cursor }));
        const ids = pages.flat().map((r) => `${r.tenantId}/${r.id}`);
        expect(ids.sort()).toEqual([`${T2}/r-0`, `${T1}/r-1`, `${T2}/r-2`, `${T1}/r-3`, `${T2}/r-4`].sort());
        expect(pages.every((p) => p.length <= 2)).toBe(true);
      });
    });

    describe('notice ledger', () => {
      const LEASE = 10 * 60 * 1000;
      const t0 = new Date('2026-03-01T09:00:00.000Z');
      const later = (ms: number) => new Date(t0.getTime() + ms);
      const key = (overrides: Partial<NoticeKey> = {}): NoticeKey => ({
        tenantId: T1,
        connectorId: 'c-1',
        periodStart: '2026-01-01T08:00:00.000Z',
        threshold: 14,
        target: `conversation:${CHANNEL_ID}`,
        ...overrides,
      });

      it('gives a notice to one claimant while the claim is fresh', async () => {
        expect(await store.notices.state(key())).toBeUndefined();
        expect(await store.notices.claim(key(), 'scanner-a', t0, LEASE)).toBe(true);
        expect(await store.notices.state(key())).toBe('claimed');
        expect(await store.notices.claim(key(), 'scanner-b', later(LEASE - 1), LEASE)).toBe(false);
        expect(await store.notices.claim(key(), 'scanner-a', later(1), LEASE)).toBe(false);
      });

      it('gives a notice to exactly one of 10 concurrent claimants', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.notices.claim(key(), `scanner-${i}`, t0, LEASE)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('lets another claimant take over once the lease has run out', async () => {
        await store.notices.claim(key(), 'scanner-a', t0, LEASE);
        expect(await store.notices.claim(key(), 'scanner-b', later(LEASE), LEASE)).toBe(true);
        // The first claimant's late markSent and release change nothing.
        await store.notices.markSent(key(), 'scanner-a', later(LEASE + 1));
        await store.notices.release(key(), 'scanner-a');
        expect(await store.notices.state(key())).toBe('claimed');
        expect(await store.notices.claim(key(), 'scanner-c', later(LEASE + 2), LEASE)).toBe(false);
        await store.notices.markSent(key(), 'scanner-b', later(LEASE + 3));
        expect(await store.notices.state(key())).toBe('sent');
      });

      it('never gives out a sent notice again', async () => {
        await store.notices.claim(key(), 'scanner-a', t0, LEASE);
        await store.notices.markSent(key(), 'scanner-a', later(1));
        expect(await store.notices.state(key())).toBe('sent');
        expect(await store.notices.claim(key(), 'scanner-b', later(LEASE * 10), LEASE)).toBe(false);
        await store.notices.release(key(), 'scanner-a');
        expect(await store.notices.state(key())).toBe('sent');
        expect(await store.notices.claim(key(), 'scanner-b', later(LEASE * 10), LEASE)).toBe(false);
      });

      it('gives a released notice out again at once', async () => {
        await store.notices.claim(key(), 'scanner-a', t0, LEASE);
        await store.notices.release(key(), 'scanner-b');
        expect(await store.notices.claim(key(), 'scanner-b', later(1), LEASE)).toBe(false);
        await store.notices.release(key(), 'scanner-a');
        expect(await store.notices.state(key())).toBeUndefined();
        expect(await store.notices.claim(key(), 'scanner-b', later(2), LEASE)).toBe(true);
        expect(await store.notices.state(key())).toBe('claimed');
      });

      it('claims several notices at once, each decided as a single claim would be', async () => {
        const keys = ['c-1', 'c-2', 'c-3'].map((connectorId) => key({ connectorId }));
        await store.notices.claim(keys[1], 'scanner-b', t0, LEASE);
        expect(await store.notices.claimAll(keys, 'scanner-a', later(1), LEASE)).toEqual([true, false, true]);
        expect(await store.notices.claimAll(keys, 'scanner-c', later(2), LEASE)).toEqual([
          false,
          false,
          false,
        ]);
        // After the lease every claim is free again; a sent one never is.
        await store.notices.markSent(keys[0], 'scanner-a', later(3));
        expect(await store.notices.claimAll(keys, 'scanner-c', later(LEASE + 2), LEASE)).toEqual([
          false,
          true,
          true,
        ]);
      });

      it('marks several notices sent with their audit events, listed with the rest of the log', async () => {
        const audit = (connectorId: string, n: number): AuditEvent => ({
          tenantId: T1,
          connectorId,
          at: later(n).toISOString(),
          actor: 'scanner',
          actorName: 'expiry scanner',
          action: 'notice.sent',
          detail: { n },
        });
        const keys = ['c-1', 'c-2'].map((connectorId) => key({ connectorId }));
        expect(await store.notices.claimAll(keys, 'scanner-a', t0, LEASE)).toEqual([true, true]);
        await store.audit.append({ ...audit('c-1', 0), action: 'before' });
        await store.notices.markAllSent(
          keys.map((k, i) => ({ key: k, audit: audit(k.connectorId, i + 1) })),
          'scanner-a',
          later(3),
        );
        await store.audit.append({ ...audit('c-2', 4), action: 'after' });
        for (const k of keys) expect(await store.notices.state(k)).toBe('sent');
        expect((await store.audit.list(T1)).map((e) => `${e.action} ${e.connectorId}`)).toEqual([
          'after c-2',
          'notice.sent c-2',
          'notice.sent c-1',
          'before c-1',
        ]);
        expect(await store.audit.list(T1, { connectorId: 'c-1' })).toEqual([
          audit('c-1', 1),
          { ...audit('c-1', 0), action: 'before' },
        ]);
        expect((await store.audit.list(T1, { limit: 2 })).map((e) => e.action)).toEqual([
          'after',
          'notice.sent',
        ]);
        expect(await store.audit.list(T2)).toEqual([]);
      });

      it('leaves a notice taken over meanwhile to its new claimant, and still records the send', async () => {
        expect(await store.notices.claimAll([key()], 'scanner-a', t0, LEASE)).toEqual([true]);
        expect(await store.notices.claim(key(), 'scanner-b', later(LEASE), LEASE)).toBe(true);
        const event: AuditEvent = {
          tenantId: T1,
          connectorId: 'c-1',
          at: later(LEASE + 1).toISOString(),
          actor: 'scanner',
          action: 'notice.sent',
        };
        await store.notices.markAllSent([{ key: key(), audit: event }], 'scanner-a', later(LEASE + 1));
        expect(await store.notices.state(key())).toBe('claimed');
        expect(await store.audit.list(T1, { connectorId: 'c-1' })).toEqual([event]);
        await store.notices.markAllSent([{ key: key(), audit: event }], 'scanner-b', later(LEASE + 2));
        expect(await store.notices.state(key())).toBe('sent');
      });

      it('answers snoozes of many notices at once', async () => {
        const { target: _target, ...base } = key();
        await store.notices.snooze(base, t0);
        await store.notices.snooze({ ...base, tenantId: T2, threshold: 7 }, t0);
        expect(
          await store.notices.areSnoozed([
            base,
            { ...base, threshold: 7 },
            { ...base, tenantId: T2, threshold: 7 },
            { ...base, tenantId: T3 },
            base,
          ]),
        ).toEqual([true, false, true, false, true]);
        expect(await store.notices.areSnoozed([])).toEqual([]);
      });

      it('treats every part of the key as part of the identity', async () => {
        await store.notices.claim(key(), 'scanner-a', t0, LEASE);
        for (const other of [
          { tenantId: T2 },
          { connectorId: 'c-2' },
          { periodStart: '2026-01-20T08:00:00.000Z' },
          { threshold: 7 },
          { target: 'person:user-1' },
          { target: `conversation:${ODD_ID}` },
        ])
          expect(await store.notices.claim(key(other), 'scanner-b', t0, LEASE)).toBe(true);
      });

      it('records snoozes per connector, period and threshold', async () => {
        const { target: _target, ...base } = key();
        expect(await store.notices.isSnoozed(base)).toBe(false);
        // Only the first snooze of a notice says it recorded one: a repeat is audited by nobody.
        expect(await store.notices.snooze(base, t0)).toBe(true);
        expect(await store.notices.snooze(base, later(1))).toBe(false);
        expect(await store.notices.isSnoozed(base)).toBe(true);
        expect(await store.notices.isSnoozed({ ...base, threshold: 7 })).toBe(false);
        expect(await store.notices.isSnoozed({ ...base, periodStart: '2026-01-20T08:00:00.000Z' })).toBe(
          false,
        );
        expect(await store.notices.isSnoozed({ ...base, tenantId: T2 })).toBe(false);
      });

      it('counts sent notices of every tenant', async () => {
        expect(await store.notices.countSent()).toBe(0);
        const keys = [key(), key({ tenantId: T2 }), key({ threshold: 7 }), key({ target: 'person:user-1' })];
        for (const k of keys) await store.notices.claim(k, 'scanner-a', t0, LEASE);
        for (const k of keys.slice(0, 3)) await store.notices.markSent(k, 'scanner-a', later(1));
        expect(await store.notices.countSent()).toBe(3);
      });
    });
  });
}
