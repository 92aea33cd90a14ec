import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import { makeUser } from '../../harness/activities';
import { startHarness, type Harness } from '../../harness/testBot';
import { shownCard } from '../../harness/teamsClient';
import { Telemetry } from '../../../src/telemetry/telemetry';

// Turns run without the span layer when no tracing SDK is registered (turnTelemetry.ts); they
// must still be counted, by command and outcome, with their duration.

const TENANT = '68686868-6868-4868-8868-686868686868';

type Point = DataPoint<number | Histogram>;

describe('turn metrics with a metrics SDK and no tracing SDK', () => {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  let h: Harness;

  beforeAll(async () => {
    metrics.setGlobalMeterProvider(meterProvider);
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
    await meterProvider.shutdown();
    metrics.disable();
  });

  async function sum(name: string, attributes: Record<string, string>): Promise<number> {
    await reader.forceFlush();
    const latest = exporter.getMetrics().at(-1);
    const points = (latest?.scopeMetrics ?? [])
      .flatMap((scope) => scope.metrics)
      .filter((metric) => metric.descriptor.name === name)
      .flatMap((metric) => metric.dataPoints as Point[]);
    return points
      .filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))
      .reduce((total, p) => total + (typeof p.value === 'number' ? p.value : p.value.count), 0);
  }

  test('commands and card clicks are counted with their duration', async () => {
    expect(Telemetry.fromGlobals().tracing).toBe(false);
    const client = h.chat(makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com'), 'personal', TENANT);

    await client.say('help');
    const started = await client.say('connect box');
    await client.click(shownCard(started), 'Next', { displayName: 'Counted' }, String(started.replies[0].id));

    expect(await sum('concierge.turns', { command: 'help', outcome: 'ok' })).toBe(1);
    expect(await sum('concierge.turn.duration', { command: 'help' })).toBe(1);
    expect(await sum('concierge.turns', { command: 'connect', outcome: 'ok' })).toBe(1);
    expect(await sum('concierge.turns', { command: 'card-action', outcome: 'ok' })).toBe(1);
    expect(await sum('concierge.card_actions', {})).toBe(1);
  });
});
