import { RoleDirectory } from '../../../src/directoryRoles/directory';
import { createLogger } from '../../../src/util/logger';
import { TENANT } from '../diagnostics/context';
import { graphError, ScriptedGateway } from '../diagnostics/fakeGateway';

test('a tenant domain Graph will not give is worked around, and the reason is logged', async () => {
  const lines: string[] = [];
  const gw = new ScriptedGateway([
    [
      /^\/organization$/,
      () => Promise.reject(graphError('GRAPH_FORBIDDEN', 'refused', 'Organization.Read.All')),
    ],
  ]);
  const directory = new RoleDirectory(
    gw,
    createLogger('debug', (l) => lines.push(l)),
  );
  expect(await directory.initialDomain(TENANT)).toBeUndefined();
  const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(logged).toEqual([
    expect.objectContaining({ level: 'warn', msg: 'initial domain could not be read', tenantId: TENANT }),
  ]);
});
