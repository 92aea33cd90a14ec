import { DEFAULT_DIAGNOSTIC_LIMITS, type DiagnosticLimits } from '../../../src/diagnostics/finding';
import {
  PERSONAL_SITE_BATCH,
  provisioningScript,
  provisioningScriptWithin,
  sharePointAdminUrl,
} from '../../../src/diagnostics/provisioningScript';
import {
  checkUserProvisioning,
  tallyUnprovisionedUsers,
  USERS_PATH,
} from '../../../src/diagnostics/userProvisioningCheck';
import { GraphError } from '../../../src/graph/errors';
import type {
  GraphBatchRequest,
  GraphBatchResponse,
  GraphGateway,
  GraphPagingOptions,
} from '../../../src/graph/graphGateway';
import { diagnosticContext, TENANT } from './context';
import { graphError, page, ScriptedGateway } from './fakeGateway';

/**
 * A directory of `size` users made up page by page as they are asked for (never held whole):
 * user i is licensed unless i % 10 == 0, and has no OneDrive when i % 7 == 0. Counts what the
 * check asks for and how many pages were handed out before the check came back for more.
 */
class HugeDirectory implements GraphGateway {
  readonly configured = true;
  pagesServed = 0;
  driveCalls = 0;
  /** Pages handed out but not yet finished with (the check asked for none after them). */
  maxPagesHeld = 0;
  private held = 0;

  constructor(
    readonly size: number,
    readonly pageSize = 999,
  ) {}

  missingSettings(): string[] {
    return [];
  }

  static licensed(i: number): boolean {
    return i % 10 !== 0;
  }

  static provisioned(i: number): boolean {
    return i % 7 !== 0;
  }

  async get<T>(_tenantId: string, path: string): Promise<T> {
    const drive = /^\/users\/u(\d+)\/drive/.exec(path);
    if (drive) {
      this.driveCalls += 1;
      if (!HugeDirectory.provisioned(Number(drive[1]))) {
        throw new GraphError('GRAPH_NOT_FOUND', "User's mysite not found.", { status: 404 });
      }
      return { id: 'drive' } as T;
    }
    if (path.startsWith('/users?$select=id&$top=1&$count=true')) {
      return { value: [], '@odata.count': this.size } as T;
    }
    if (path.startsWith('/organization')) {
      return { value: [{ verifiedDomains: [{ name: 'contoso.onmicrosoft.com', isInitial: true }] }] } as T;
    }
    throw new GraphError('GRAPH_ERROR', `unexpected ${path}`);
  }

  async *getAllPages<T>(
    _tenantId: string,
    path: string,
    _options?: GraphPagingOptions<T>,
  ): AsyncIterable<T[]> {
    expect(path).toBe(USERS_PATH);
    for (let start = 0; start < this.size; start += this.pageSize) {
      this.held += 1;
      this.maxPagesHeld = Math.max(this.maxPagesHeld, this.held);
      this.pagesServed += 1;
      const users = Array.from({ length: Math.min(this.pageSize, this.size - start) }, (_, k) => {
        const i = start + k;
        return {
          id: `u${i}`,
          userPrincipalName: `user${i}@contoso.onmicrosoft.com`,
          assignedLicenses: HugeDirectory.licensed(i) ? [{ skuId: 'e3' }] : [],
        };
      });
      yield users as T[];
      // The check asked for the next page: it is done with this one.
      this.held -= 1;
    }
  }

  async list<T>(): Promise<T[]> {
    throw new Error('the user check must stream, not list');
  }

  batches = 0;

  async batch(
    tenantId: string,
    requests: readonly GraphBatchRequest[],
  ): Promise<Map<string, GraphBatchResponse>> {
    expect(requests.length).toBeLessThanOrEqual(20);
    // The OneDrive look-ups; the follow-up for the users without one (their plans) is counted apart.
    if (requests.every((r) => r.url.includes('/drive'))) this.batches += 1;
    const answers = new Map<string, GraphBatchResponse>();
    for (const req of requests) {
      try {
        answers.set(req.id, { id: req.id, status: 200, body: await this.get(tenantId, req.url) });
      } catch (err) {
        answers.set(req.id, { id: req.id, status: (err as GraphError).status ?? 500 });
      }
    }
    return answers;
  }

  async post<T>(): Promise<T> {
    throw new Error('no posts');
  }

  async delete(): Promise<void> {
    throw new Error('no deletes');
  }
}

function expected(size: number) {
  let licensed = 0;
  let unprovisioned = 0;
  for (let i = 0; i < size; i++) {
    if (!HugeDirectory.licensed(i)) continue;
    licensed += 1;
    if (!HugeDirectory.provisioned(i)) unprovisioned += 1;
  }
  return { licensed, unprovisioned };
}

const limits = (overrides: Partial<DiagnosticLimits>): DiagnosticLimits => ({
  ...DEFAULT_DIAGNOSTIC_LIMITS,
  ...overrides,
});

describe('user provisioning over a 100,000-user tenant', () => {
  test('a limit stops the check at that many licensed users, reads only the pages it needs and says "of 100,000"', async () => {
    const directory = new HugeDirectory(100_000);
    const finding = await checkUserProvisioning(
      directory,
      TENANT,
      diagnosticContext({ limits: limits({ maxUsersChecked: 5_000 }) }),
    );
    expect(directory.driveCalls).toBe(5_000);
    // In batches of 20: 899 licensed users a page make 45 batches, the last one short.
    expect(directory.batches).toBeLessThanOrEqual(Math.ceil(899 / 20) * 6);
    // 5,000 licensed users fill 6 pages of 999 (899 licensed each); the 7th is only looked at.
    expect(directory.pagesServed).toBeLessThanOrEqual(7);
    expect(finding.status).toBe('warn');
    expect(finding.found).toContain('I stopped at the limit of 5,000 licensed users');
    expect(finding.found).toContain('checked 5,000 licensed users of 100,000 users in the directory');
    expect(finding.script?.adminUrl).toBe('https://contoso-admin.sharepoint.com');
  });

  test('by default there is no cap: every licensed user of 100,000 is checked', async () => {
    const directory = new HugeDirectory(100_000);
    const finding = await checkUserProvisioning(directory, TENANT, diagnosticContext());
    const want = expected(100_000);
    expect(directory.driveCalls).toBe(want.licensed);
    expect(finding.found).toContain(`Checked all ${want.licensed.toLocaleString('en-US')} licensed users`);
  });

  test('checking all of them streams page by page, keeps counts and at most 1,000 names, and counts right', async () => {
    const directory = new HugeDirectory(100_000);
    const heapBefore = process.memoryUsage().heapUsed;
    const tally = await tallyUnprovisionedUsers(directory, TENANT, {
      limits: limits({ maxUsersChecked: 1_000_000 }),
      now: new Date('2026-03-02T09:00:00.000Z'),
      elapsed: () => performance.now(),
    });
    const heapAfter = process.memoryUsage().heapUsed;
    const want = expected(100_000);
    expect(tally).toMatchObject({
      read: 100_000,
      checked: want.licensed,
      unprovisioned: want.unprovisioned,
    });
    expect(tally.stopped).toBeUndefined();
    expect(want.unprovisioned).toBeGreaterThan(10_000);
    // Bounded: one page at a time, and the names kept stop at the limit while the count goes on.
    expect(directory.maxPagesHeld).toBe(1);
    expect(tally.userEmails).toHaveLength(1_000);
    expect(tally.userEmails[0]).toBe('user7@contoso.onmicrosoft.com');
    expect(directory.driveCalls).toBe(want.licensed);
    // What the run keeps is a few counters and 1,000 short strings: tens of kilobytes.
    expect(JSON.stringify(tally).length).toBeLessThan(64 * 1024);
    // Loose guard against holding the directory (100,000 user objects would be tens of MB).
    expect(heapAfter - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  test('a run stopped by its limit with every checked user provisioned is a warning, not a pass', async () => {
    const directory = new HugeDirectory(10_000);
    const get = directory.get.bind(directory);
    // Every OneDrive there: nothing wrong among the users checked.
    directory.get = async <T>(tenantId: string, path: string): Promise<T> =>
      /\/drive/.test(path) ? ({ id: 'drive' } as T) : get<T>(tenantId, path);
    const finding = await checkUserProvisioning(
      directory,
      TENANT,
      diagnosticContext({ limits: limits({ maxUsersChecked: 100 }) }),
    );
    expect(finding.status).toBe('warn');
    expect(finding.found).toContain('Every licensed user I checked has a OneDrive');
    expect(finding.found).toContain('I stopped at the limit of 100 licensed users');
    expect(finding.fix).toContain('were not checked');
  });

  test('a time budget stops the run and says how far it got', async () => {
    const directory = new HugeDirectory(100_000);
    let now = 0;
    const tally = await tallyUnprovisionedUsers(directory, TENANT, {
      limits: limits({ maxUsersChecked: 1_000_000, userCheckBudgetMs: 1_000 }),
      now: new Date('2026-03-02T09:00:00.000Z'),
      // Each look at the clock is 300 ms later: the budget runs out after a few pages.
      elapsed: () => (now += 300),
    });
    expect(tally.stopped).toBe('time');
    expect(tally.directoryUsers).toBe(100_000);
    expect(directory.pagesServed).toBeLessThan(10);
  });

  test('another Graph error than 404 on a drive stops the check with that error', async () => {
    const directory = new HugeDirectory(2_000);
    directory.get = async () => {
      throw new GraphError('GRAPH_FORBIDDEN', 'refused', { permission: 'Files.Read.All', status: 403 });
    };
    await expect(checkUserProvisioning(directory, TENANT, diagnosticContext())).rejects.toMatchObject({
      code: 'GRAPH_FORBIDDEN',
      permission: 'Files.Read.All',
    });
  });
});

describe('who the provisioning check counts', () => {
  const licence = [{ skuId: 'e3' }];
  const sharePoint = [{ service: 'SharePoint', capabilityStatus: 'Enabled' }];
  const exchangeOnly = [{ service: 'exchange', capabilityStatus: 'Enabled' }];
  const users = [
    { id: 'ok', userPrincipalName: 'ok@contoso.com', assignedLicenses: licence },
    { id: 'new', userPrincipalName: 'new@contoso.com', assignedLicenses: licence },
    { id: 'mail', userPrincipalName: 'mail@contoso.com', assignedLicenses: licence },
    { id: 'gone', userPrincipalName: 'gone@contoso.com', assignedLicenses: licence, accountEnabled: false },
    { id: 'locked', userPrincipalName: 'locked@contoso.com', assignedLicenses: licence },
  ];
  const gateway = () =>
    new ScriptedGateway([
      [/^\/users$/, () => page(users)],
      [
        /^\/users\/[^/]+\/drive$/,
        (path) => {
          const id = /^\/users\/([^/]+)\//.exec(path)![1];
          if (id === 'ok') return { id: 'drive' };
          if (id === 'locked') throw graphError('GRAPH_FORBIDDEN', 'Access denied to this OneDrive.');
          throw graphError('GRAPH_NOT_FOUND', "User's mysite not found.");
        },
      ],
      [
        /^\/users\/[^/]+$/,
        (path) => ({ assignedPlans: path.startsWith('/users/mail') ? exchangeOnly : sharePoint }),
      ],
      [
        /^\/organization$/,
        () => ({ value: [{ verifiedDomains: [{ name: 'contoso.onmicrosoft.com', isInitial: true }] }] }),
      ],
    ]);

  test('a blocked account is not looked up; a user without a SharePoint plan is left out of the script; a refusal for one user is counted, not fatal', async () => {
    const graph = gateway();
    const finding = await checkUserProvisioning(graph, TENANT, diagnosticContext());
    expect(graph.calls.some((c) => c.startsWith('/users/gone/'))).toBe(false);
    expect(finding.status).toBe('warn');
    expect(finding.script?.userEmails).toEqual(['new@contoso.com']);
    expect(finding.found).toContain('1 licensed user has no OneDrive');
    expect(finding.found).toContain('1 licensed account is blocked from signing in and was not checked.');
    expect(finding.found).toContain(
      '1 user has no OneDrive but no SharePoint Online plan in their licences either',
    );
    expect(finding.found).toContain('I could not check 1 user: locked@contoso.com: ');
  });

  test('a user whose licences Graph does not give stays in the script, and the card says their plan was not checked', async () => {
    const graph = new ScriptedGateway([
      [/^\/users$/, () => page(users.filter((u) => u.id === 'new' || u.id === 'ok'))],
      [
        /^\/users\/[^/]+\/drive$/,
        (path) => {
          if (path.startsWith('/users/ok/')) return { id: 'drive' };
          throw graphError('GRAPH_NOT_FOUND', "User's mysite not found.");
        },
      ],
      [
        /^\/users\/[^/]+$/,
        () => {
          throw graphError('GRAPH_UNAVAILABLE', 'Service unavailable.');
        },
      ],
      [
        /^\/organization$/,
        () => ({ value: [{ verifiedDomains: [{ name: 'contoso.onmicrosoft.com', isInitial: true }] }] }),
      ],
    ]);
    const finding = await checkUserProvisioning(graph, TENANT, diagnosticContext());
    expect(finding.script?.userEmails).toEqual(['new@contoso.com']);
    expect(finding.found).toContain(
      'Microsoft Graph did not give me the licences of 1 user without a OneDrive, so I could not check whether those licences include SharePoint Online',
    );
    expect(finding.found).not.toContain('no SharePoint Online plan in their licences either');
  });

  test('with no licensed user who may sign in there is nothing to pass: a warning says so', async () => {
    const graph = new ScriptedGateway([
      [/^\/users$/, () => page([{ id: 'u', userPrincipalName: 'u@contoso.com', assignedLicenses: [] }])],
    ]);
    const finding = await checkUserProvisioning(graph, TENANT, diagnosticContext());
    expect(finding.status).toBe('warn');
    expect(finding.found).toContain('No licensed user who may sign in was found');
  });
});

describe('the provisioning script', () => {
  test('the admin URL comes from the initial domain; US Government and China hosts differ', () => {
    expect(sharePointAdminUrl('contoso.onmicrosoft.com', 'global')).toBe(
      'https://contoso-admin.sharepoint.com',
    );
    expect(sharePointAdminUrl('contoso.onmicrosoft.us', 'global')).toBe(
      'https://contoso-admin.sharepoint.us',
    );
    expect(sharePointAdminUrl('contoso.onmicrosoft.com', 'usgovhigh')).toBe(
      'https://contoso-admin.sharepoint.us',
    );
    // DoD tenants also have .onmicrosoft.us domains; their SharePoint is on sharepoint-mil.us.
    expect(sharePointAdminUrl('contoso.onmicrosoft.us', 'dod')).toBe(
      'https://contoso-admin.sharepoint-mil.us',
    );
    expect(sharePointAdminUrl('contoso.onmicrosoft.com', 'dod')).toBe(
      'https://contoso-admin.sharepoint-mil.us',
    );
    expect(sharePointAdminUrl('contoso.partner.onmschina.cn', 'global')).toBe(
      'https://contoso-admin.sharepoint.cn',
    );
    expect(sharePointAdminUrl(undefined, 'global')).toBe('https://<your-tenant>-admin.sharepoint.com');
  });

  test('Connect-SPOService, then Request-SPOPersonalSite in batches of at most 200, safely quoted', () => {
    const emails = Array.from({ length: 450 }, (_, i) => `u${i}@contoso.onmicrosoft.com`);
    emails[3] = "o'brien@contoso.onmicrosoft.com";
    const script = provisioningScript('https://contoso-admin.sharepoint.com', emails);
    const lines = script.split('\n');
    expect(lines[2]).toBe('Connect-SPOService -Url https://contoso-admin.sharepoint.com');
    expect(script.match(/^Request-SPOPersonalSite -UserEmails @\($/gm)).toHaveLength(3);
    expect(PERSONAL_SITE_BATCH).toBe(200);
    expect(script).toContain("  'o''brien@contoso.onmicrosoft.com',");
    expect(script).toContain("  'u199@contoso.onmicrosoft.com'\n)\nRequest-SPOPersonalSite");
    expect(script.trimEnd().endsWith("'u449@contoso.onmicrosoft.com'\n)")).toBe(true);
  });

  test('GCC High and DoD admin centers are reached with -Region ITAR; others without', () => {
    const first = (url: string) => provisioningScript(url, ['a@contoso.onmicrosoft.us']).split('\n')[2];
    expect(first('https://contoso-admin.sharepoint.us')).toBe(
      'Connect-SPOService -Url https://contoso-admin.sharepoint.us -Region ITAR',
    );
    expect(first('https://contoso-admin.sharepoint-mil.us')).toBe(
      'Connect-SPOService -Url https://contoso-admin.sharepoint-mil.us -Region ITAR',
    );
    expect(first('https://contoso-admin.sharepoint.cn')).toBe(
      'Connect-SPOService -Url https://contoso-admin.sharepoint.cn',
    );
  });

  test('within a size budget it covers as many users as fit', () => {
    const emails = Array.from({ length: 1_000 }, (_, i) => `user.number.${i}@contoso.onmicrosoft.com`);
    const { text, included } = provisioningScriptWithin(
      'https://contoso-admin.sharepoint.com',
      emails,
      9_000,
    );
    expect(text.length).toBeLessThanOrEqual(9_000);
    expect(included).toBeGreaterThan(150);
    expect(included).toBeLessThan(1_000);
    expect(text).toBe(provisioningScript('https://contoso-admin.sharepoint.com', emails.slice(0, included)));
  });
});
