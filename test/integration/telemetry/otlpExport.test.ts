import { execFile } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { freePort, spawnBot, waitForHealth, type ChildBot } from '../../harness/childBot';
import { makeUser, personalChat } from '../../harness/activities';
import { cardOf, cardText } from '../../harness/cards';
import { ConnectorStandIn } from '../../harness/connectorStandIn';
import { TeamsClient } from '../../harness/teamsClient';
import { makeTempDir, removeTempDir } from '../../harness/testBot';

const TENANT = '44444444-4444-4444-8444-444444444444';

/** A loopback OTLP/HTTP collector that keeps what it receives; `hang` makes it never answer. */
async function startCollector(options: { hang?: boolean } = {}) {
  const received: { path: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      if (options.hang) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('OTLP export from the running bot', () => {
  let standIn: ConnectorStandIn;
  let bot: ChildBot | undefined;
  let dataDir: string;

  beforeAll(async () => {
    standIn = new ConnectorStandIn();
    await standIn.start();
  });
  afterAll(() => standIn.stop());
  beforeEach(() => {
    dataDir = makeTempDir();
  });
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
    removeTempDir(dataDir);
  });

  async function startBot(collectorUrl: string): Promise<TeamsClient> {
    const port = await freePort();
    bot = spawnBot({
      PORT: String(port),
      DATA_DIR: dataDir,
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      OTEL_METRIC_EXPORT_INTERVAL: '200',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    expect((await waitForHealth(bot, 30_000)).status).toBe(200);
    const user = makeUser();
    return new TeamsClient(bot.url, standIn, user, personalChat(TENANT, user));
  }

  test('a turn is exported as a span named by its command, and counted in concierge.turns', async () => {
    const collector = await startCollector();
    try {
      const client = await startBot(collector.url);
      expect(bot!.stdout.find((l) => l.includes('Connector Concierge started'))).toContain(
        '"telemetry":"otlp"',
      );
      const turn = await client.say('help');
      expect(cardText(cardOf(turn.replies.at(-1)!))).toContain('connect');
      await until('the turn span', () =>
        collector.received.some((r) => r.path === '/v1/traces' && r.body.includes('"turn help"')),
      );
      await until('the turn metric', () =>
        collector.received.some((r) => r.path === '/v1/metrics' && r.body.includes('"concierge.turns"')),
      );
      // A turn's storage spans end before it does, so they may leave in an earlier batch.
      await until('the storage spans', () =>
        collector.received.some((r) => r.path === '/v1/traces' && r.body.includes('"storage state.read"')),
      );
      const traces = collector.received.find((r) => r.body.includes('"turn help"'))!;
      expect(traces.body).toContain('"service.name","value":{"stringValue":"connector-concierge"}');
    } finally {
      await collector.stop();
    }
  }, 60_000);

  test('a collector that never answers changes nothing for the people in chat', async () => {
    const collector = await startCollector({ hang: true });
    try {
      const client = await startBot(collector.url);
      for (const text of ['help', 'connectors', 'help']) {
        const turn = await client.say(text);
        expect(turn.status).toBe(200);
        expect(turn.replies.length).toBeGreaterThan(0);
      }
      // The exporter did try: the hanging collector holds its requests.
      await until('an export attempt', () => collector.received.length > 0);
      const turn = await client.say('help');
      expect(cardText(cardOf(turn.replies.at(-1)!))).toContain('connect');
    } finally {
      await collector.stop();
    }
  }, 60_000);
});

describe('telemetry off', () => {
  test('loads no OpenTelemetry SDK or exporter module and registers nothing', async () => {
    const script = `
      const { startTelemetry } = require('./dist/src/telemetry/startTelemetry');
      const { loadConfig } = require('./dist/src/config/config');
      const { trace, metrics } = require('@opentelemetry/api');
      const logger = { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } };
      startTelemetry(loadConfig({}).telemetry, logger, { name: 'x', version: '0' }).then((handle) => {
        const loaded = Object.keys(require.cache).filter((p) => /@opentelemetry[\\\\/](sdk-|exporter-|resources)|@azure[\\\\/]monitor-opentelemetry/.test(p));
        const span = trace.getTracer('t').startSpan('s');
        console.log(JSON.stringify({ exporters: handle.exporters, loaded, recording: span.isRecording(), meter: metrics.getMeterProvider().constructor.name }));
      });`;
    const root = path.join(__dirname, '..', '..', '..');
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      cwd: root,
      env: { PATH: process.env.PATH },
    });
    expect(JSON.parse(stdout)).toEqual({
      exporters: 'off',
      loaded: [],
      recording: false,
      meter: 'NoopMeterProvider',
    });
  });
});
