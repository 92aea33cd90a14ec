import { GraphConsentReader } from '../../../src/diagnostics/consentReader';
import { createLogger } from '../../../src/util/logger';
import { CONNECTOR_APP, TENANT } from './context';
import { graphError, ScriptedGateway } from './fakeGateway';

test('consent that cannot be checked is said to be unknown, and the reason is logged', async () => {
  const lines: string[] = [];
  const gw = new ScriptedGateway([
    [/^\/servicePrincipals$/, () => Promise.reject(graphError('GRAPH_UNAVAILABLE', 'Graph is down'))],
  ]);
  const reader = new GraphConsentReader(
    gw,
    { appId: CONNECTOR_APP },
    createLogger('debug', (l) => lines.push(l)),
  );
  const reading = await reader.read(TENANT);
  expect(reading).toEqual({ kind: 'unavailable', message: 'I could not check consent: Graph is down' });
  const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(logged).toEqual([
    expect.objectContaining({ level: 'warn', msg: 'consent could not be checked', tenantId: TENANT }),
  ]);
});
