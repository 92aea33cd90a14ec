import { ConsentService } from '../../src/connectors/consentService';
import { ConnectorLifecycle } from '../../src/connectors/lifecycle';
import { connectorRecord } from '../support/connectorFixtures';
import {
  FakeConsentReader,
  FixedClock,
  InMemoryAudit,
  InMemoryConnectors,
  InMemorySecrets,
} from './inMemoryPorts';

const TENANT = 'tenant-a';
const admin = { id: 'admin-oid', name: 'Ada' };

async function setup(reader: FakeConsentReader) {
  const clock = new FixedClock(new Date('2026-06-01T09:00:00.000Z'));
  const connectors = new InMemoryConnectors();
  const audit = new InMemoryAudit();
  const lifecycle = new ConnectorLifecycle({ connectors, secrets: new InMemorySecrets(), audit }, clock, 90);
  const connector = await connectors.create(
    connectorRecord({ tenantId: TENANT, status: 'awaiting-consent', consent: { requestedFrom: 'Ada' } }),
  );
  return { clock, audit, connector, service: new ConsentService(lifecycle, reader) };
}

describe('ConsentService.verify', () => {
  it('records a granted consent as verified by Graph', async () => {
    const t = await setup(new FakeConsentReader({ kind: 'granted' }));
    const outcome = await t.service.verify(t.connector, admin);
    expect(outcome).toMatchObject({
      kind: 'verified',
      connector: {
        status: 'authorized',
        consent: { requestedFrom: 'Ada', verifiedAt: t.clock.now().toISOString() },
        provenance: { kind: 'verified', method: 'graph-consent' },
      },
    });
    expect(t.audit.events.map((e) => [e.action, e.actor])).toEqual([['consent.verified', admin.id]]);
  });

  it('changes nothing while consent is missing, passing on what is missing', async () => {
    const missing = [{ permission: 'View your basic profile', allows: 'See your basic profile.' }];
    const t = await setup(new FakeConsentReader({ kind: 'pending', message: 'Not yet.', missing }));
    expect(await t.service.verify(t.connector, admin)).toEqual({
      kind: 'pending',
      message: 'Not yet.',
      missing,
    });
    expect(t.audit.events).toEqual([]);
  });

  it('passes on why the check could not run', async () => {
    const t = await setup(new FakeConsentReader({ kind: 'unavailable', message: 'No Graph.' }));
    expect(await t.service.verify(t.connector, admin)).toEqual({ kind: 'unavailable', message: 'No Graph.' });
  });
});
