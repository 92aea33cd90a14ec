import { context, metrics, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import { channel, makeUser, type TeamsUser } from '../../harness/activities';
import { startHarness, type Harness } from '../../harness/testBot';
import { shownCard } from '../../harness/teamsClient';
import { seedConnectors } from '../../support/connectorFixtures';
import { aConnector } from '../../support/builders';
import { startFakeMicrosoftCloud, type FakeMicrosoftCloud } from '../../support/fakeMicrosoftCloud';
import type { Timing } from '../../../src/notify/rateLimiter';
import { teamsUserOf } from '../../harness/chat';

// The SDK is registered globally before the bot is built, as src/index.ts does when an exporter
// is configured; in-memory exporters stand in for Azure Monitor and OTLP.

const TENANT = '77777777-7777-4777-8777-777777777777';

const fastTiming: Timing = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
};

type Point = DataPoint<number | Histogram>;

describe('telemetry with an exporter configured', () => {
  const spanExporter = new InMemorySpanExporter();
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  const meterProvider = new MeterProvider({ readers: [reader] });
  let cloud: FakeMicrosoftCloud;
  let h: Harness;

  beforeAll(async () => {
    tracerProvider.register();
    metrics.setGlobalMeterProvider(meterProvider);
    cloud = await startFakeMicrosoftCloud();
    h = await startHarness({ cloud, timing: fastTiming });
  }, 60_000);
  afterAll(async () => {
    await h.stop();
    await cloud.stop();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
    trace.disable();
    metrics.disable();
    context.disable();
  });
  beforeEach(() => {
    spanExporter.reset();
    h.standIn.reset();
  });

  /** The data points of each metric, as exported now (cumulative since the bot started). */
  async function exportedMetrics(): Promise<Map<string, Point[]>> {
    await reader.forceFlush();
    const latest = metricExporter.getMetrics().at(-1);
    const byName = new Map<string, Point[]>();
    for (const scope of latest?.scopeMetrics ?? []) {
      for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric.dataPoints as Point[]);
    }
    return byName;
  }

  function sum(points: Point[] | undefined, attributes: Record<string, string> = {}): number {
    return (points ?? [])
      .filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))
      .reduce((total, p) => total + (typeof p.value === 'number' ? p.value : p.value.count), 0);
  }

  const spanId = (span: ReadableSpan) => span.spanContext().spanId;
  const parentId = (span: ReadableSpan) =>
    (span as unknown as { parentSpanContext?: { spanId: string } }).parentSpanContext?.spanId;

  /** The nearest ancestor of `span` whose name starts with `prefix`, within `spans`. */
  function ancestor(spans: ReadableSpan[], span: ReadableSpan, prefix: string): ReadableSpan | undefined {
    const byId = new Map(spans.map((s) => [spanId(s), s]));
    for (let at = byId.get(parentId(span) ?? ''); at; at = byId.get(parentId(at) ?? '')) {
      if (at.name.startsWith(prefix)) return at;
    }
    return undefined;
  }

  test('a wizard run: each turn is a span by command, with its Graph and storage calls inside; turns, card actions and Graph calls are counted', async () => {
    const tenant = cloud.addTenant({ displayName: 'Contoso' });
    const sp = tenant.sharePointAdmin!;
    const user: TeamsUser = teamsUserOf(sp);
    const client = h.chat(user, 'personal', tenant.id);
    const before = await exportedMetrics();

    const started = await client.say('connect office365');
    const id = String(started.replies[0].id);
    let turn = await client.click(shownCard(started), 'Next', { displayName: 'Traced connector' }, id);
    turn = await client.click(shownCard(turn), 'Next', { cloud: 'global', upn: sp.userPrincipalName }, id);
    for (let step = 1; step <= 4; step++) turn = await client.click(shownCard(turn), 'Next', {}, id);
    turn = await client.click(shownCard(turn), 'I am a SharePoint admin: hand over', {}, id);
    expect(JSON.stringify(shownCard(turn))).toContain(tenant.admin!.id);

    const spans = spanExporter.getFinishedSpans();
    const turns = spans.filter((s) => s.name.startsWith('turn '));
    expect(turns.map((s) => s.name)).toEqual(['turn connect', ...Array(7).fill('turn card-action')]);
    expect(turns[0].attributes['concierge.command']).toBe('connect');
    expect(turns[1].attributes['concierge.card.verb']).toEqual(expect.any(String));

    // The hand-over lists the tenant's global admins with Graph, inside the click's turn.
    const graph = spans.filter((s) => s.name.startsWith('graph '));
    expect(graph.some((call) => ancestor(spans, call, 'turn ') === turns.at(-1))).toBe(true);
    for (const call of graph) {
      expect(turns).toContain(ancestor(spans, call, 'turn '));
      expect(call.attributes['http.response.status_code']).toBe(200);
      // Ids and UPNs never reach a span name.
      expect(call.name).not.toMatch(/@|[0-9a-f]{8}-[0-9a-f]{4}/i);
    }
    const storage = spans.filter((s) => s.name.startsWith('storage '));
    expect(storage.map((s) => s.name)).toEqual(
      expect.arrayContaining(['storage state.read', 'storage state.write']),
    );
    for (const call of storage) expect(turns).toContain(ancestor(spans, call, 'turn '));

    const after = await exportedMetrics();
    const delta = (name: string, attributes?: Record<string, string>) =>
      sum(after.get(name), attributes) - sum(before.get(name), attributes);
    expect(delta('concierge.turns', { command: 'connect', outcome: 'ok' })).toBe(1);
    expect(delta('concierge.turns', { command: 'card-action' })).toBe(7);
    expect(delta('concierge.turn.duration', { command: 'connect' })).toBe(1);
    expect(delta('concierge.card_actions')).toBe(7);
    expect(delta('concierge.graph.calls', { status: '200' })).toBe(graph.length);
  });

  test('a scan: one span with the sends inside; duration, connectors checked and notices sent, throttled and failed are counted', async () => {
    const owner = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
    const ownerChat = h.chat(owner, 'personal', TENANT);
    const subscribed = channel(TENANT);
    const refusing = channel(TENANT);
    await ownerChat.say('help');
    await h.chat(owner, subscribed).say('subscribe');
    await h.chat(owner, refusing).say('subscribe');
    const now = h.bot.clock.now().toISOString();
    await seedConnectors(h.bot.store, [
      aConnector(TENANT).named('Scanned').ownedBy(owner).authorizedAt(now).build(),
    ]);
    h.standIn.reset();
    spanExporter.reset();
    // The channel answers 429 to its first 8 calls, more than botbuilder's connector client
    // retries on its own, then takes the digest; the other conversation always answers 429, until
    // the sender gives up (more than 20 for one message). Retry-After 0 keeps the test fast.
    const refused = new Map<string, number>();
    h.standIn.program(
      'sendToConversation',
      (call) => {
        const count = (refused.get(call.conversationId!) ?? 0) + 1;
        refused.set(call.conversationId!, count);
        if (call.conversationId === refusing.channelId || count <= 8) {
          return { status: 429, headers: { 'Retry-After': '0' } };
        }
        return undefined;
      },
      {
        times: Infinity,
        match: (c) => c.conversationId === subscribed.channelId || c.conversationId === refusing.channelId,
      },
    );
    const before = await exportedMetrics();

    h.bot.clock.advanceDays(61);
    const report = await h.bot.scanner.scan();
    expect(report).toMatchObject({ targets: 3, failed: 1 });

    const spans = spanExporter.getFinishedSpans();
    const scans = spans.filter((s) => s.name === 'scan');
    expect(scans).toHaveLength(1);
    expect(scans[0].attributes['concierge.scan.connectors_checked']).toBe(report.connectorsChecked);
    const sends = spans.filter((s) => s.name === 'notice send');
    expect(sends).toHaveLength(3);
    for (const send of sends) expect(ancestor(spans, send, 'scan')).toBe(scans[0]);
    expect(sends.map((s) => s.attributes['concierge.send.outcome']).sort()).toEqual([
      'failed',
      'sent',
      'sent',
    ]);
    expect(
      spans
        .filter((s) => s.name.startsWith('storage '))
        .every((s) => ancestor(spans, s, 'scan') === scans[0]),
    ).toBe(true);

    const after = await exportedMetrics();
    const delta = (name: string, attributes?: Record<string, string>) =>
      sum(after.get(name), attributes) - sum(before.get(name), attributes);
    expect(delta('concierge.scan.duration')).toBe(1);
    expect(delta('concierge.scan.connectors_checked')).toBe(report.connectorsChecked);
    expect(report.connectorsChecked).toBeGreaterThan(0);
    expect(delta('concierge.notices', { outcome: 'sent' })).toBe(2);
    // Each 429 the sender itself saw: 21 from the refusing conversation, and at least one here.
    const throttled = delta('concierge.notices', { outcome: 'throttled' });
    expect(throttled).toBeGreaterThanOrEqual(22);
    expect(throttled).toBeLessThanOrEqual(21 + 8);
    expect(delta('concierge.notices', { outcome: 'failed' })).toBe(1);
  }, 90_000);
});
