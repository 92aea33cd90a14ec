import { metrics, trace } from '@opentelemetry/api';
import { makeUser } from '../../harness/activities';
import { startHarness, type Harness } from '../../harness/testBot';
import { shownCard } from '../../harness/teamsClient';
import { seedConnectors } from '../../support/connectorFixtures';
import { aConnector } from '../../support/builders';
import { installNetworkGuard, type NetworkGuard } from '../../support/networkGuard';
import { loadConfig } from '../../../src/config/config';
import { startTelemetry } from '../../../src/telemetry/startTelemetry';
import { createLogger } from '../../../src/util/logger';

const TENANT = '66666666-6666-4666-8666-666666666666';

describe('telemetry without APPLICATIONINSIGHTS_CONNECTION_STRING or OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  let guard: NetworkGuard;
  let h: Harness;

  beforeAll(async () => {
    guard = installNetworkGuard();
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
    guard.uninstall();
  });

  test('a wizard run and a scan export nothing and reach no host but loopback', async () => {
    const logs: string[] = [];
    const handle = await startTelemetry(
      loadConfig({}).telemetry,
      createLogger('debug', (l) => logs.push(l)),
      {
        name: 'connector-concierge',
        version: 'test',
      },
    );
    expect(handle.exporters).toBe('off');

    const user = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
    const client = h.chat(user, 'personal', TENANT);
    const started = await client.say('connect office365');
    const id = String(started.replies[0].id);
    const named = await client.click(shownCard(started), 'Next', { displayName: 'Quiet connector' }, id);
    await client.click(shownCard(named), 'Next', { cloud: 'global', upn: user.upn }, id);
    await h.chat(user, 'channel', TENANT).say('subscribe');
    const now = h.bot.clock.now().toISOString();
    await seedConnectors(h.bot.store, [
      aConnector(TENANT).named('Due').createdBy(user).authorizedAt(now).build(),
    ]);
    h.bot.clock.advanceDays(61);
    const report = await h.bot.scanner.scan();
    expect(report.sent).toBeGreaterThan(0);

    expect(guard.attempts.map((a) => `${a.via} ${a.host}`)).toEqual([]);
    expect(trace.getTracer('check').startSpan('check').isRecording()).toBe(false);
    expect(metrics.getMeterProvider().constructor.name).toBe('NoopMeterProvider');
    expect(logs).toEqual([]);
    await handle.shutdown();
  });
});
