import { DEFAULT_DIAGNOSTIC_LIMITS } from '../../../src/diagnostics/finding';
import {
  checkUserProvisioning,
  tallyUnprovisionedUsers,
} from '../../../src/diagnostics/userProvisioningCheck';
import { GraphError } from '../../../src/graph/errors';
import { MsGraphGateway } from '../../../src/graph/graphGateway';
import { createLogger } from '../../../src/util/logger';
import {
  collection,
  startFakeMicrosoftCloud,
  type FakeMicrosoftCloud,
  type FakeTenant,
} from '../../support/fakeMicrosoftCloud';
import { installNetworkGuard, type NetworkGuard } from '../../support/networkGuard';
import { diagnosticContext } from './context';

/**
 * The user provisioning check through the real Graph client (msal-node, graph-client middleware)
 * against the fake Graph's `$batch`: batching, per-request 429 retries, paging, and the users
 * without a OneDrive found, at 250 users.
 */
let guard: NetworkGuard;
let cloud: FakeMicrosoftCloud;
let tenant: FakeTenant;
let gw: MsGraphGateway;
let sleeps: number[];
let logLines: string[];
const USERS = 250;
/** Users of the directory without a OneDrive (the fixture's Megan Member plus every 31st added). */
let missing: string[];

beforeAll(async () => {
  guard = installNetworkGuard();
  cloud = await startFakeMicrosoftCloud();
  tenant = cloud.addTenant();
  for (let i = tenant.users.length; i < USERS; i++) {
    tenant.addUser({ alias: `bulk${i}`, ...(i % 31 === 0 ? { drive: null } : {}), licensed: i % 9 !== 0 });
  }
  missing = tenant.users
    .filter((u) => u.assignedLicenses.length > 0 && u.drive === null)
    .map((u) => u.userPrincipalName);
});

beforeEach(() => {
  cloud.reset();
  // Graph pages /users by 100 here whatever $top asks, so that the check must follow nextLinks.
  cloud.graph.on('GET', '/users', (req) =>
    collection(
      { ...req, top: 100 },
      tenant.users.map(({ drive: _drive, ...u }) => u),
    ),
  );
  sleeps = [];
  logLines = [];
  gw = new MsGraphGateway({
    ...cloud.gatewayOptions(),
    logger: createLogger('debug', (line) => logLines.push(line)),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
});

afterEach(() => gw.close());

afterAll(async () => {
  await cloud?.stop();
  guard.uninstall();
});

const licensedCount = () => tenant.users.filter((u) => u.assignedLicenses.length > 0).length;

test('every licensed user is looked up in batches of at most 20, over every page, and the users without a OneDrive are found', async () => {
  const progress: number[] = [];
  const tally = await tallyUnprovisionedUsers(gw, tenant.id, diagnosticContext(), (p) =>
    progress.push(p.checked),
  );
  expect(tally).toMatchObject({ read: USERS, checked: licensedCount(), unprovisioned: missing.length });
  expect(tally.userEmails.sort()).toEqual([...missing].sort());
  expect(missing.length).toBeGreaterThan(3);
  expect(tally.stopped).toBeUndefined();

  expect(cloud.graph.requestsTo('/users', 'GET')).toHaveLength(3);
  // The OneDrive look-ups' batches (the users without one are then asked for their plans apart).
  const batches = cloud.graph.requests.filter(
    (r) =>
      r.graphPath === '/$batch' &&
      r.batchId === undefined &&
      (r.body as { requests: { url: string }[] }).requests.every((q) => q.url.includes('/drive')),
  );
  for (const b of batches) {
    const size = (b.body as { requests: unknown[] }).requests.length;
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThanOrEqual(20);
  }
  // Each page's licensed users in full batches but its last: few batches, no lone GETs.
  expect(batches.length).toBeLessThanOrEqual(Math.ceil(licensedCount() / 20) + 3);
  const driveLookups = cloud.graph.requestsTo('/users/{id}/drive', 'GET');
  expect(driveLookups.every((r) => r.batchId !== undefined)).toBe(true);
  expect(driveLookups).toHaveLength(licensedCount());
  // Progress after each page, growing to the total.
  expect(progress).toEqual([...progress].sort((a, b) => a - b));
  expect(progress.at(-1)).toBe(licensedCount());
});

test('requests Graph throttles inside a batch are retried alone after their Retry-After, and the result is the same', async () => {
  cloud.graph.throttleBatches({ every: 7, retryAfterSeconds: 2 });
  const tally = await tallyUnprovisionedUsers(gw, tenant.id, diagnosticContext());
  expect(tally).toMatchObject({ checked: licensedCount(), unprovisioned: missing.length });

  const throttled = cloud.graph.served.throttledInBatch;
  expect(throttled).toBeGreaterThan(10);
  // Only the throttled ones are sent again: one extra request each, never the whole batch (the
  // throttled count takes in the plan look-ups of the users without a OneDrive too).
  const sent =
    cloud.graph.requestsTo('/users/{id}/drive', 'GET').length +
    cloud.graph.requestsTo('/users/{id}', 'GET').length;
  expect(sent).toBe(licensedCount() + missing.length + throttled);
  // The wait is what Graph asked for (2 s), once per retried batch, through the gateway's sleep.
  expect(sleeps.length).toBeGreaterThan(0);
  expect(sleeps.every((ms) => ms === 2_000)).toBe(true);
  expect(logLines.some((l) => l.includes('graph batch requests throttled; retrying them'))).toBe(true);
});

test('a request throttled past every retry fails the check with GRAPH_THROTTLED, not a wrong count', async () => {
  cloud.graph.on('GET', '/users/{id}/drive', () => ({
    status: 429,
    headers: { 'Retry-After': '1' },
    body: { error: { code: 'TooManyRequests', message: 'Too many requests.' } },
  }));
  await expect(checkUserProvisioning(gw, tenant.id, diagnosticContext())).rejects.toMatchObject({
    code: 'GRAPH_THROTTLED',
  });
  // 3 retries for each batch already running when the first one gave up; none started after.
  expect(sleeps.length).toBeGreaterThanOrEqual(3);
  expect(sleeps.length).toBeLessThanOrEqual(3 * DEFAULT_DIAGNOSTIC_LIMITS.driveConcurrency);
  expect(sleeps.every((ms) => ms === 1_000)).toBe(true);
});

test('a Retry-After given as an HTTP date inside a batch is read too: the throttled check says how long to wait', async () => {
  // Two minutes after the check's clock: longer than the gateway waits for, so the answer comes back as it is.
  const ctx = diagnosticContext();
  const until = new Date(ctx.now.getTime() + 120_000).toUTCString();
  cloud.graph.on('GET', '/users/{id}/drive', () => ({
    status: 429,
    headers: { 'Retry-After': until },
    body: { error: { code: 'TooManyRequests', message: 'Too many requests.' } },
  }));
  const err = (await checkUserProvisioning(gw, tenant.id, ctx).catch((e: unknown) => e)) as GraphError;
  expect(err).toMatchObject({ code: 'GRAPH_THROTTLED' });
  expect(err.retryAfterMs).toBeGreaterThan(100_000);
  expect(err.retryAfterMs).toBeLessThanOrEqual(120_000);
  expect(err.message).toMatch(/it asks to wait 1\d\d s/);
});

test('without Files.Read.All the batch answers 403 and the check names the permission', async () => {
  tenant.denyPermission('Files.Read.All', 'Sites.Read.All');
  try {
    await expect(checkUserProvisioning(gw, tenant.id, diagnosticContext())).rejects.toMatchObject({
      code: 'GRAPH_FORBIDDEN',
      permission: 'Files.Read.All',
    });
  } finally {
    tenant.grantPermission('Files.Read.All', 'Sites.Read.All');
  }
});

test('while it runs, the check reports its counts for the card; when done, the row says all were checked', async () => {
  const progress: string[] = [];
  const finding = await checkUserProvisioning(
    gw,
    tenant.id,
    diagnosticContext({ progress: (found) => progress.push(found) }),
  );
  expect(progress).toHaveLength(3);
  expect(progress[0]).toMatch(
    /^Checking… \d+ licensed users checked so far \(100 users read from the directory\); \d+ without a OneDrive\.$/,
  );
  expect(progress[2]).toContain(`${licensedCount()} licensed users checked so far (250 users read`);
  expect(finding.status).toBe('warn');
  expect(finding.found).toContain(
    `Checked all ${licensedCount()} licensed users of 250 users in the directory.`,
  );
  expect(finding.script?.userEmails.sort()).toEqual([...missing].sort());
});

test('a batch that got no answer (a reset connection) is sent again, as a lone GET would be', async () => {
  cloud.graph.failNext('/$batch', { drop: true, method: 'POST' });
  const tally = await tallyUnprovisionedUsers(gw, tenant.id, diagnosticContext());
  expect(tally).toMatchObject({ checked: licensedCount(), unprovisioned: missing.length });
  expect(sleeps).toEqual([1_000]);
});
