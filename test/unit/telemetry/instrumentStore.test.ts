import { metrics, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createSqliteStore } from '../../../src/store/sqlite';
import { instrumentStore } from '../../../src/telemetry/instrumentStore';
import { Telemetry } from '../../../src/telemetry/telemetry';
import { makeTempDir, removeTempDir } from '../../harness/testBot';

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
