import { ConcurrencyError } from '../../../src/connectors/ports';
import { ConnectorService } from '../../../src/connectors/connectorService';
import type { Connector } from '../../../src/connectors/connector';
import {
  ConnectorLifecycle,
  LifecycleError,
  type AuthorizationOutcome,
} from '../../../src/connectors/lifecycle';
import { connectorRecord } from '../../support/connectorFixtures';
import {
  FakeAdminGroup,
  FixedClock,
  InMemoryAudit,
  InMemoryConnectors,
  InMemorySecrets,
} from './inMemoryPorts';

const TENANT = 'tenant-a';
const DAY = 24 * 60 * 60 * 1000;
const alice = { id: 'alice-oid', name: 'Alice', aadObjectId: 'alice-oid' };
const bob = { id: 'bob-oid', name: 'Bob', aadObjectId: 'bob-oid' };

function setup(adminGroup = new FakeAdminGroup(false)) {
  const clock = new FixedClock(new Date('2026-06-01T09:00:00.000Z'));
  const secrets = new InMemorySecrets();
  const connectors = new InMemoryConnectors(secrets);
  const audit = new InMemoryAudit();
  const announced: string[] = [];
  const announcing = { everywhere: true };
  const lifecycle = new ConnectorLifecycle({ connectors, secrets, audit }, clock, 90);
  lifecycle.onDeauthorized({
    deauthorized: async (c) => {
      announced.push(c.id);
      return announcing.everywhere;
    },
  });
  const service = new ConnectorService(lifecycle, connectors, adminGroup);
  const seed = (overrides: Partial<Connector> = {}) =>
    connectors.create(
      connectorRecord({ tenantId: TENANT, createdBy: alice.id, createdByName: 'Alice', ...overrides }),
    );
  const daysAgo = (days: number) => new Date(clock.now().getTime() - days * DAY).toISOString();
  return { clock, connectors, audit, secrets, announced, announcing, lifecycle, service, seed, daysAgo };
}

describe('ConnectorService listing', () => {
  it('deauthorizes expired connectors of the page once, audited and announced once', async () => {
    const t = setup();
    const old = await t.seed({ authorizedAt: t.daysAgo(91), createdAt: t.daysAgo(91) });
    const fresh = await t.seed({ authorizedAt: t.daysAgo(10), createdAt: t.daysAgo(10) });
    const page = await t.service.listPage(TENANT, alice, { limit: 10 });
    expect(page.items.map((c) => [c.id, c.status])).toEqual([
      [old.id, 'deauthorized'],
      [fresh.id, 'authorized'],
    ]);
    await t.service.listPage(TENANT, alice, { limit: 10 });
    expect(t.audit.actions()).toEqual(['connector.deauthorized']);
    expect(t.announced).toEqual([old.id]);
  });

  it('keeps a deauthorization owed until the listener has announced it everywhere', async () => {
    const t = setup();
    const owed = await t.seed({ authorizedAt: t.daysAgo(91), createdAt: t.daysAgo(91) });
    t.announcing.everywhere = false;
    const [listed] = (await t.service.listPage(TENANT, alice, { limit: 10 })).items;
    expect(listed).toMatchObject({
      status: 'deauthorized',
      announcementDueSince: t.clock.now().toISOString(),
    });
    expect((await t.connectors.get(TENANT, owed.id))?.announcementDueSince).toBe(t.clock.now().toISOString());

    t.announcing.everywhere = true;
    const done = await t.seed({ authorizedAt: t.daysAgo(95), createdAt: t.daysAgo(95) });
    await t.service.listPage(TENANT, alice, { limit: 10 });
    const stored = await t.connectors.get(TENANT, done.id);
    expect(stored?.status).toBe('deauthorized');
    expect(stored).not.toHaveProperty('announcementDueSince');
    // Announced once each; the owed one waits for the scan, not for the next listing.
    expect(t.announced).toEqual([owed.id, done.id]);
  });

  it('a reauthorization that loses its race stores neither the record nor its new keys', async () => {
    const t = setup();
    const seeded = await t.seed({ type: 'azure-blob' });
    await t.secrets.put(TENANT, seeded.id, 'sealed-old');
    const outcome = {
      tenantId: TENANT,
      connectorId: seeded.id,
      type: seeded.type,
      displayName: seeded.displayName,
      status: 'authorized' as const,
      sealedSecret: 'sealed-new',
    };
    t.connectors.raceOnce(seeded.id, (c) => ({ ...c, lastTransferAt: t.clock.now().toISOString() }));
    await expect(t.lifecycle.recordReauthorized(seeded, outcome, alice)).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect(await t.secrets.get(TENANT, seeded.id)).toBe('sealed-old');
    const current = (await t.connectors.get(TENANT, seeded.id))!;
    await t.lifecycle.recordReauthorized(current, outcome, alice);
    expect(await t.secrets.get(TENANT, seeded.id)).toBe('sealed-new');
  });

  it('a reauthorization ends a deauthorization notice still owed (it would be stale)', async () => {
    const t = setup();
    const owed = await t.seed({ authorizedAt: t.daysAgo(91), createdAt: t.daysAgo(91) });
    t.announcing.everywhere = false;
    await t.service.listPage(TENANT, alice, { limit: 10 });
    const deauthorized = (await t.connectors.get(TENANT, owed.id))!;
    expect(deauthorized.announcementDueSince).toBeDefined();
    const again = await t.lifecycle.recordReauthorized(
      deauthorized,
      {
        tenantId: TENANT,
        connectorId: owed.id,
        type: owed.type,
        displayName: owed.displayName,
        status: 'authorized',
      },
      alice,
    );
    expect(again.status).toBe('authorized');
    expect(again.announcementDueSince).toBeUndefined();
  });

  it('decides again on the fresh record when a transfer wins the race', async () => {
    const t = setup();
    const old = await t.seed({ authorizedAt: t.daysAgo(91), createdAt: t.daysAgo(91) });
    const transferAt = t.clock.now().toISOString();
    t.connectors.raceOnce(old.id, (c) => ({ ...c, lastTransferAt: transferAt }));
    const [listed] = (await t.service.listPage(TENANT, alice, { limit: 10 })).items;
    expect(listed.status).toBe('authorized');
    expect(listed.lastTransferAt).toBe(transferAt);
    expect(t.audit.actions()).toEqual([]);
    expect(t.announced).toEqual([]);
  });

  it('pages with the store’s cursor', async () => {
    const t = setup();
    for (let i = 0; i < 3; i += 1) await t.seed();
    const first = await t.service.listPage(TENANT, alice, { limit: 2 });
    const second = await t.service.listPage(TENANT, alice, { limit: 2, cursor: first.next });
    expect(first.items).toHaveLength(2);
    expect(second.items).toHaveLength(1);
    expect(second.next).toBeUndefined();
  });

  it('loads nothing from another tenant', async () => {
    const t = setup();
    const other = await t.seed({ tenantId: 'tenant-b' });
    expect(await t.service.load(TENANT, other.id, alice)).toBeUndefined();
    expect(await t.service.listAll(TENANT, alice)).toEqual([]);
  });
});

describe('ConnectorService.loadToManage', () => {
  it('hands the creator their connector without asking the directory', async () => {
    const group = new FakeAdminGroup(true, []);
    const t = setup(group);
    const c = await t.seed();
    expect(await t.service.loadToManage(TENANT, c.id, alice)).toMatchObject({ kind: 'allowed' });
    expect(group.asked).toBe(0);
  });

  it('asks the admin group about someone else and lets a member in', async () => {
    const group = new FakeAdminGroup(true, [bob.aadObjectId]);
    const t = setup(group);
    const c = await t.seed();
    expect(await t.service.loadToManage(TENANT, c.id, bob)).toMatchObject({ kind: 'allowed' });
    expect(group.asked).toBe(1);
  });

  it('refuses someone else with the reason, and finds nothing for an unknown id', async () => {
    const t = setup();
    const c = await t.seed();
    expect(await t.service.loadToManage(TENANT, c.id, bob)).toEqual({
      kind: 'refused',
      connector: expect.objectContaining({ id: c.id }),
      reason: `Only Alice, who created it, can manage "${c.displayName}".`,
    });
    expect(await t.service.loadToManage(TENANT, 'nope', alice)).toEqual({ kind: 'missing' });
    expect(await t.service.loadToManage(TENANT, '', alice)).toEqual({ kind: 'missing' });
  });
});

describe('ConnectorService.recordTransfer', () => {
  it('restarts the clock and audits the transfer', async () => {
    const t = setup();
    const c = await t.seed({ authorizedAt: t.daysAgo(30), createdAt: t.daysAgo(30) });
    const updated = await t.service.recordTransfer(c, t.clock.now(), alice);
    expect(updated.lastTransferAt).toBe(t.clock.now().toISOString());
    expect(t.audit.actions()).toEqual(['transfer.recorded']);
  });

  it('refuses an expired connector after deauthorizing it', async () => {
    const t = setup();
    const c = await t.seed({ authorizedAt: t.daysAgo(91), createdAt: t.daysAgo(91) });
    await expect(t.service.recordTransfer(c, t.clock.now(), alice)).rejects.toThrow(LifecycleError);
    expect(t.audit.actions()).toEqual(['connector.deauthorized']);
  });
});

describe('ConnectorService.completeAuthorization', () => {
  const outcome = (connectorId: string): AuthorizationOutcome => ({
    tenantId: TENANT,
    connectorId,
    type: 'office365',
    displayName: 'Finance',
    status: 'authorized',
  });

  it('records a new connector once, however often the wizard finishes', async () => {
    const t = setup();
    const first = await t.service.completeAuthorization(outcome('c1'), alice, false);
    const second = await t.service.completeAuthorization(outcome('c1'), alice, false);
    expect(first).toMatchObject({ kind: 'recorded', handedOver: false, connector: { createdBy: alice.id } });
    expect(second).toMatchObject({
      kind: 'recorded',
      handedOver: false,
      connector: { id: 'c1', version: 1 },
    });
    expect(t.audit.actions()).toEqual(['connector.created']);
  });

  it('says a finish was handed over only when a consent request was recorded for it', async () => {
    const t = setup();
    await t.seed({
      id: 'c2',
      status: 'awaiting-consent',
      consent: { requestedAt: t.clock.now().toISOString(), requestId: 'r1' },
    });
    expect(await t.service.completeAuthorization(outcome('c2'), alice, false)).toMatchObject({
      kind: 'recorded',
      handedOver: true,
    });
    // Recorded, but the hand-over failed before a request existed: the retry hands it over.
    await t.seed({ id: 'c4', status: 'awaiting-consent', consent: {} });
    expect(await t.service.completeAuthorization(outcome('c4'), alice, false)).toMatchObject({
      kind: 'recorded',
      handedOver: false,
    });
  });

  it('renews a reauthorized connector in place, or records nothing when it was deleted meanwhile', async () => {
    const t = setup();
    const c = await t.seed({ id: 'c3', status: 'deauthorized', authorizedAt: t.daysAgo(100) });
    const renewed = await t.service.completeAuthorization(outcome(c.id), alice, true);
    expect(renewed).toMatchObject({
      kind: 'recorded',
      connector: { id: c.id, status: 'authorized', authorizedAt: t.clock.now().toISOString() },
    });
    expect(await t.service.completeAuthorization(outcome('deleted'), alice, true)).toEqual({ kind: 'gone' });
    expect(t.audit.actions()).toEqual(['connector.reauthorized']);
  });
});

describe('ConnectorLifecycle.recordConsentClosed', () => {
  it('changes the connector only for the request it currently waits on', async () => {
    const t = setup();
    const c = await t.seed({ id: 'c5', status: 'awaiting-consent', consent: { requestId: 'r2' } });
    const older = await t.lifecycle.recordConsentClosed(TENANT, c.id, 'consent-declined', bob, {
      requestId: 'r1',
    });
    expect(older?.status).toBe('awaiting-consent');
    expect(t.audit.actions()).toEqual([]);
    const current = await t.lifecycle.recordConsentClosed(TENANT, c.id, 'consent-declined', bob, {
      requestId: 'r2',
    });
    expect(current?.status).toBe('consent-declined');
    expect(t.audit.actions()).toEqual(['consent.declined']);
  });
});
