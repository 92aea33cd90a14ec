import { GraphError } from '../../../src/graph/errors';
import { MsGraphGateway } from '../../../src/graph/graphGateway';
import { readConsentWorkflow } from '../../../src/diagnostics/consentWorkflow';
import { readSignInEvidence } from '../../../src/diagnostics/signInActivity';
import { createLogger } from '../../../src/util/logger';
import {
  startFakeMicrosoftCloud,
  type FakeMicrosoftCloud,
  type FakeTenant,
} from '../../support/fakeMicrosoftCloud';
import { installNetworkGuard, type NetworkGuard } from '../../support/networkGuard';

let guard: NetworkGuard;
let cloud: FakeMicrosoftCloud;
let contoso: FakeTenant;
let gw: MsGraphGateway;
let logLines: string[] = [];
const logger = createLogger('debug', (line) => logLines.push(line));

/** What a proxy or captive portal answers in Graph's place. */
const HTML = {
  status: 200,
  body: '<html><body>Please sign in to the proxy</body></html>',
  headers: { 'content-type': 'text/html; charset=utf-8' },
};

beforeAll(async () => {
  guard = installNetworkGuard();
  cloud = await startFakeMicrosoftCloud();
  contoso = cloud.addTenant();
});

beforeEach(() => {
  cloud.reset();
  logLines = [];
  gw = new MsGraphGateway({ ...cloud.gatewayOptions(), logger, sleep: async () => {} });
});

afterEach(() => gw.close());

afterAll(async () => {
  await cloud?.stop();
  guard.uninstall();
});

const settings = () => ({ connectorApp: { appId: cloud.connectorAppId }, cloud: 'global' as const });

describe('an OK answer that is not JSON', () => {
  test('is GRAPH_ERROR with a log line, never text handed to the caller', async () => {
    cloud.graph.on('GET', '/organization', () => HTML);
    const err = await gw.get(contoso.id, '/organization').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GraphError);
    expect((err as GraphError).code).toBe('GRAPH_ERROR');
    expect((err as GraphError).message).toContain('not with JSON');
    expect(logLines.some((l) => (JSON.parse(l) as { msg: string }).msg === 'graph answer is not JSON')).toBe(
      true,
    );
  });

  test('the sign-in activity report: could not verify, not "never seen"', async () => {
    cloud.graph.on('GET', '/reports/servicePrincipalSignInActivities', () => HTML);
    const evidence = await readSignInEvidence(gw, contoso.id, settings());
    expect(evidence.kind).toBe('failed');
  });

  test('admin consent requests: could not check, not "none"', async () => {
    cloud.graph.on('GET', '/identityGovernance/appConsent/appConsentRequests', () => HTML);
    const reading = await readConsentWorkflow(gw, contoso.id, settings());
    expect(reading.kind === 'read' && reading.requests.kind).toBe('failed');
  });
});

describe('a JSON answer without its `value` list', () => {
  test('the sign-in activity report: could not verify', async () => {
    cloud.graph.on('GET', '/reports/servicePrincipalSignInActivities', {});
    const evidence = await readSignInEvidence(gw, contoso.id, settings());
    expect(evidence).toMatchObject({ kind: 'failed', reason: expect.stringContaining('Could not verify') });
  });

  test('admin consent requests: could not check', async () => {
    cloud.graph.on('GET', '/identityGovernance/appConsent/appConsentRequests', { note: 'no value here' });
    const reading = await readConsentWorkflow(gw, contoso.id, settings());
    expect(reading.kind === 'read' && reading.requests.kind).toBe('failed');
  });
});
