import { ConnectorLifecycle } from '../../src/connectors/lifecycle';
import { ImportRejectedError, ImportService } from '../../src/connectors/importService';
import { FixedClock, InMemoryAudit, InMemoryConnectors, InMemorySecrets } from './inMemoryPorts';

const TENANT = 'tenant-a';
const actors = { actor: { id: 'token:ops' }, via: { id: 'api' } };

function setup() {
  const clock = new FixedClock(new Date('2026-06-01T09:00:00.000Z'));
  const connectors = new InMemoryConnectors();
  const audit = new InMemoryAudit();
  const lifecycle = new ConnectorLifecycle({ connectors, secrets: new InMemorySecrets(), audit }, clock, 90);
  return { connectors, audit, service: new ImportService(lifecycle, connectors, clock) };
}

describe('ImportService', () => {
  it('keeps the given times, reports the authorization as the API’s and audits who imported it', async () => {
    const t = setup();
    const [result] = await t.service.import(
      TENANT,
      [{ id: 'c1', type: 'box', displayName: ' Box ', lastTransferAt: '2026-05-01T00:00:00.000Z' }],
      true,
      actors,
    );
    expect(result).toEqual({ id: 'c1', created: true });
    expect(await t.connectors.get(TENANT, 'c1')).toMatchObject({
      displayName: 'Box',
      status: 'authorized',
      createdAt: '2026-05-01T00:00:00.000Z',
      authorizedAt: '2026-05-01T00:00:00.000Z',
      provenance: { kind: 'reported', by: 'api' },
    });
    expect(t.audit.events.map((e) => [e.action, e.actor])).toEqual([['connector.imported', 'token:ops']]);
  });

  it('deauthorizes an import whose clock already ran out, as done by the channel', async () => {
    const t = setup();
    await t.service.import(
      TENANT,
      [{ id: 'old', type: 'box', displayName: 'Old', authorizedAt: '2026-01-01T00:00:00.000Z' }],
      true,
      actors,
    );
    expect((await t.connectors.get(TENANT, 'old'))?.status).toBe('deauthorized');
    expect(t.audit.events.map((e) => [e.action, e.actor])).toEqual([
      ['connector.imported', 'token:ops'],
      ['connector.deauthorized', 'api'],
    ]);
  });

  it('leaves a known id unchanged, so a retried request is safe', async () => {
    const t = setup();
    const item = { id: 'c1', type: 'box' as const, displayName: 'Box' };
    await t.service.import(TENANT, [item], true, actors);
    expect(await t.service.import(TENANT, [{ ...item, displayName: 'Other' }], true, actors)).toEqual([
      { id: 'c1', created: false },
    ]);
    expect((await t.connectors.get(TENANT, 'c1'))?.displayName).toBe('Box');
  });

  it('refuses the whole list, naming every problem by pointer, and writes nothing', async () => {
    const t = setup();
    const rejected = t.service.import(
      TENANT,
      [
        { id: 'a', type: 'box', displayName: '  ' },
        { id: 'a', type: 'box', displayName: 'B', lastTransferAt: '2027-01-01T00:00:00.000Z' },
      ],
      false,
      actors,
    );
    await expect(rejected).rejects.toThrow(ImportRejectedError);
    await expect(rejected).rejects.toMatchObject({
      problems: [
        '/0/displayName must not be blank',
        '/1/lastTransferAt must not be in the future',
        '/1/id repeats the id of /0',
      ],
    });
    expect(t.connectors.records.size).toBe(0);
  });
});
