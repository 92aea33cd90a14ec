import { metrics, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createSqliteStore } from '../../../src/store/sqlite';
import { instrumentStore } from '../../../src/telemetry/instrumentStore';
import { Telemetry } from '../../../src/telemetry/telemetry';
import { makeTempDir, removeTempDir } from '../../harness/testBot';
import { connectorRecord } from '../../support/connectorFixtures';

describe('storage spans', () => {
  let dir: string;
  let store: ReturnType<typeof createSqliteStore>;
  beforeEach(() => {
    dir = makeTempDir();
    store = createSqliteStore(dir);
  });
  afterEach(async () => {
    await store.close();
    removeTempDir(dir);
  });

  test('with no tracing SDK registered the store is used as it is, without a wrapper per call', async () => {
    const telemetry = Telemetry.fromGlobals();
    expect(telemetry.tracing).toBe(false);
    const instrumented = instrumentStore(store, telemetry);
    expect(instrumented).toBe(store);
    expect(instrumented.state).toBe(store.state);
  });

  test('with a tracer provider every port call is a span named after it', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const telemetry = new Telemetry(metrics.getMeterProvider(), provider);
    expect(telemetry.tracing).toBe(true);
    const instrumented = instrumentStore(store, telemetry);
    expect(instrumented).not.toBe(store);
    await instrumented.state.write({ 'k/1': { n: 1 } });
    expect(await instrumented.state.read(['k/1'])).toMatchObject({ 'k/1': { n: 1 } });
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual([
      'storage state.write',
      'storage state.read',
    ]);
    await provider.shutdown();
  });

  test('the expiry listing read a tenant at a time is a span per tenant, with the records as the store gives them', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const instrumented = instrumentStore(store, new Telemetry(metrics.getMeterProvider(), provider));
    for (const tenantId of ['tenant-1', 'tenant-2'])
      await store.connectors.create(connectorRecord({ tenantId, authorizedAt: '2026-01-10T00:00:00.000Z' }));
    const tenants: string[] = [];
    for await (const slice of instrumented.connectors.expiringByTenant(new Date('2026-02-01T00:00:00.000Z')))
      tenants.push(slice.tenantId);
    expect(tenants).toEqual(['tenant-1', 'tenant-2']);
    // Two tenants read and the step that found no more.
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(
      Array(3).fill('storage connectors.expiringByTenant'),
    );
    await provider.shutdown();
  });

  test('a tracing SDK registered globally before the telemetry is made turns the spans on', async () => {
    const provider = new NodeTracerProvider();
    provider.register();
    try {
      expect(Telemetry.fromGlobals().tracing).toBe(true);
    } finally {
      await provider.shutdown();
      trace.disable();
    }
  });
});
