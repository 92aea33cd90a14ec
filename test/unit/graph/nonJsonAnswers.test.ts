import { GraphError } from '../../../src/graph/errors';
import type { MsGraphGateway } from '../../../src/graph/graphGateway';
import { readConsentWorkflow } from '../../../src/diagnostics/consentWorkflow';
import { readSignInEvidence } from '../../../src/diagnostics/signInActivity';
import { useGraphFake } from './graphFake';

const fake = useGraphFake();
let gw: MsGraphGateway;
beforeEach(() => {
  gw = fake.gateway();
});

/** What a proxy or captive portal answers in Graph's place. */
const HTML = {
  status: 200,
  body: '<html><body>Please sign in to the proxy</body></html>',
  headers: { 'content-type': 'text/html; charset=utf-8' },
};

const settings = () => ({ connectorApp: { appId: fake.cloud.connectorAppId }, cloud: 'global' as const });

describe('an OK answer that is not JSON', () => {
  test('is GRAPH_ERROR with a log line, never text handed to the caller', async () => {
    fake.cloud.graph.on('GET', '/organization', () => HTML);
    const err = await gw.get(fake.contoso.id, '/organization').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GraphError);
    expect((err as GraphError).code).toBe('GRAPH_ERROR');
    expect((err as GraphError).message).toContain('not with JSON');
    expect(fake.logged('graph answer is not JSON')).not.toHaveLength(0);
  });

  test('the sign-in activity report: could not verify, not "never seen"', async () => {
    fake.cloud.graph.on('GET', '/reports/servicePrincipalSignInActivities', () => HTML);
    const evidence = await readSignInEvidence(gw, fake.contoso.id, settings());
    expect(evidence.kind).toBe('failed');
  });

  test('admin consent requests: could not check, not "none"', async () => {
    fake.cloud.graph.on('GET', '/identityGovernance/appConsent/appConsentRequests', () => HTML);
    const reading = await readConsentWorkflow(gw, fake.contoso.id, settings());
    expect(reading.kind === 'read' && reading.requests.kind).toBe('failed');
  });
});

describe('a JSON answer without its `value` list', () => {
  test('the sign-in activity report: could not verify', async () => {
    fake.cloud.graph.on('GET', '/reports/servicePrincipalSignInActivities', {});
    const evidence = await readSignInEvidence(gw, fake.contoso.id, settings());
    expect(evidence).toMatchObject({ kind: 'failed', reason: expect.stringContaining('Could not verify') });
  });

  test('admin consent requests: could not check', async () => {
    fake.cloud.graph.on('GET', '/identityGovernance/appConsent/appConsentRequests', {
      note: 'no value here',
    });
    const reading = await readConsentWorkflow(gw, fake.contoso.id, settings());
    expect(reading.kind === 'read' && reading.requests.kind).toBe('failed');
  });
});
