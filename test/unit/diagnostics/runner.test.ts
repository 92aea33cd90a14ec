import type { DiagnosticCheck, DiagnosticPlan, Finding } from '../../../src/diagnostics/finding';
import { diagnosticPlan } from '../../../src/diagnostics/plan';
import { PROGRESS_INTERVAL_MS, runDiagnostics } from '../../../src/diagnostics/runner';
import { GraphError } from '../../../src/graph/errors';
import { aConnector } from '../../support/builders';
import { diagnosticContext, TENANT } from './context';
import { ScriptedGateway } from './fakeGateway';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function check(id: string, run: DiagnosticCheck['run'], needsGraph = true): DiagnosticCheck {
  return { id, title: id.toUpperCase(), needsGraph, permissions: ['User.Read.All'], run };
}

const ok = (id: string): Finding => ({ id, title: id, status: 'pass', found: 'fine', fix: '' });

describe('running the checks', () => {
  test('bounded concurrency, an update after each check with the rest pending, derived rows last', async () => {
    let running = 0;
    let most = 0;
    const checks = Array.from({ length: 6 }, (_, i) =>
      check(`c${i}`, async () => {
        running += 1;
        most = Math.max(most, running);
        await delay(5 + (i % 3) * 5);
        running -= 1;
        return ok(`c${i}`);
      }),
    );
    const plan: DiagnosticPlan = {
      checks,
      derived: [
        {
          id: 'd',
          title: 'D',
          derive: (findings) => ({
            ...ok('d'),
            found: `${findings.filter((f) => f.status === 'pass').length} passed`,
          }),
        },
      ],
    };
    const updates: Finding[][] = [];
    const findings = await runDiagnostics(new ScriptedGateway(), TENANT, plan, diagnosticContext(), {
      onUpdate: (f) => {
        updates.push(f);
      },
    });
    expect(most).toBe(3);
    expect(updates).toHaveLength(7);
    expect(updates[0].filter((f) => f.status === 'pending')).toHaveLength(6);
    expect(updates[0].map((f) => f.id)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'd']);
    expect(findings.map((f) => f.status)).toEqual(Array(7).fill('pass'));
    expect(findings[6].found).toBe('6 passed');
    expect(findings[0].ms).toEqual(expect.any(Number));
  });

  test('a long check’s progress shows on its pending row, at most every few seconds, and never over its result', async () => {
    let now = 0;
    const plan: DiagnosticPlan = {
      checks: [
        check('slow', async (_g, _t, ctx) => {
          ctx.progress?.('Checking… 20 done'); // shown
          now += PROGRESS_INTERVAL_MS - 1;
          ctx.progress?.('Checking… 40 done'); // too soon: skipped
          now += 1;
          ctx.progress?.('Checking… 60 done'); // shown
          return ok('slow');
        }),
      ],
      derived: [],
    };
    const updates: string[] = [];
    await runDiagnostics(new ScriptedGateway(), TENANT, plan, diagnosticContext({ elapsed: () => now }), {
      onUpdate: (findings) => {
        updates.push(`${findings[0].status}: ${findings[0].found}`);
      },
    });
    expect(updates).toEqual(['pending: Checking… 20 done', 'pending: Checking… 60 done', 'pass: fine']);
  });

  test('a Graph error marks that check "could not run" with the reason and the permission; the others run', async () => {
    const plan: DiagnosticPlan = {
      checks: [
        check('a', async () => {
          throw new GraphError(
            'GRAPH_FORBIDDEN',
            'Microsoft Graph refused GET /subscribedSkus: the app needs the application permission Organization.Read.All with admin consent.',
            { permission: 'Organization.Read.All', status: 403 },
          );
        }),
        check('b', async () => ok('b')),
      ],
      derived: [],
    };
    const [a, b] = await runDiagnostics(new ScriptedGateway(), TENANT, plan, diagnosticContext());
    expect(a.status).toBe('could-not-run');
    expect(a.found).toContain('Could not run: the app needs Organization.Read.All.');
    expect(a.fix).toContain('grants the bot’s Graph app the application permission Organization.Read.All');
    expect(b.status).toBe('pass');
  });

  test('once the sign-in service refuses the app, the remaining Graph checks are not tried again', async () => {
    let calls = 0;
    const refused = new GraphError(
      'GRAPH_AUTH_FAILED',
      'Microsoft sign-in refused the client secret of app x (AADSTS7000215 invalid_client).',
    );
    const plan: DiagnosticPlan = {
      checks: ['a', 'b', 'c', 'd'].map((id) =>
        check(id, async () => {
          calls += 1;
          throw refused;
        }),
      ),
      derived: [],
    };
    const ctx = diagnosticContext({ limits: { ...diagnosticContext().limits, checkConcurrency: 1 } });
    const findings = await runDiagnostics(new ScriptedGateway(), TENANT, plan, ctx);
    expect(calls).toBe(1);
    expect(findings.every((f) => f.status === 'could-not-run' && f.found.includes('AADSTS7000215'))).toBe(
      true,
    );
  });

  test('an unexpected exception is "could not run" too, and does not stop the run', async () => {
    const plan: DiagnosticPlan = {
      checks: [
        check('a', async () => {
          throw new TypeError('boom');
        }),
        check('b', async () => ok('b')),
      ],
      derived: [],
    };
    const [a, b] = await runDiagnostics(new ScriptedGateway(), TENANT, plan, diagnosticContext());
    expect(a).toMatchObject({ status: 'could-not-run', found: expect.stringContaining('TypeError') });
    expect(b.status).toBe('pass');
  });

  test('without Graph credentials only the connector checks run; the others name the settings that enable them', async () => {
    const graph = new ScriptedGateway();
    graph.configured = false;
    const connector = aConnector(TENANT).named('Finance').build();
    const ctx = diagnosticContext({ connectors: [connector], connectorAppId: undefined });
    const findings = await runDiagnostics(graph, TENANT, diagnosticPlan(ctx, 'tenant'), ctx);
    expect(graph.calls).toEqual([]);
    const byId = Object.fromEntries(findings.map((f) => [f.id, f]));
    expect(byId[`connector:${connector.id}`].status).toBe('pass');
    for (const id of [
      'spo-license',
      'admin-consent',
      'user-assignment',
      'admin-account',
      'user-provisioning',
    ]) {
      expect(byId[id].status).toBe('could-not-run');
      expect(byId[id].fix).toContain('GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET');
    }
    expect(byId['admin-consent'].fix).toContain('CONNECTOR_APP_ID');
    expect(byId['spo-license'].fix).toContain('Organization.Read.All');
    expect(byId['app-access'].status).toBe('could-not-run');
  });

  test('one non-Office 365 connector: only its own row', () => {
    const connector = aConnector(TENANT).named('Box').ofType('box').build();
    const ctx = diagnosticContext({ connectors: [connector] });
    const plan = diagnosticPlan(ctx, 'connector');
    expect(plan.checks.map((c) => c.id)).toEqual([`connector:${connector.id}`]);
    expect(plan.derived).toEqual([]);
  });
});
