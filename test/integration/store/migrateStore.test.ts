/**
 * `npm run migrate-store -- --from sqlite:<DATA_DIR> --to azure`: the embedded store copied to
 * Azure (Azurite), checked record by record through both adapters' ports, and copied again
 * without a duplicate.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { makeTempDir, removeTempDir } from '../../harness/testBot';
import { freshPrefix as prefixWith, useAzurite } from '../../support/azurite';
import { connectorRecord } from '../../support/connectorFixtures';
import type { Connector } from '../../../src/connectors/connector';
import {
  declineConsentRequest,
  openConsentRequest,
  supersedeConsentRequest,
  withReviewerCard,
  type ConsentRequest,
  type ConsentTransition,
} from '../../../src/connectors/consentRequest';
import { SecretBox } from '../../../src/secrets/secretBox';
import { createAzureStore } from '../../../src/store/azure';
import type { AuditEvent, NoticeKey, Store, TargetConnection } from '../../../src/connectors/ports';
import { createSqliteStore } from '../../../src/store/sqlite';
import { migrateStore } from '../../../src/tools/migrateStore';

const ROOT = path.join(__dirname, '..', '..', '..');
const T1 = 'tenant-one';
const T2 = 'tenant-two';
const CHANNEL = '19:a1b2c3d4e5f6@thread.tacv2';
const PERSONAL = 'a:1odd/id#with?chars';
const KEY = randomBytes(32);

const emulator = useAzurite({ services: ['blob', 'table'] });
const dirs: string[] = [];
const freshPrefix = () => prefixWith('m');

afterAll(() => dirs.forEach(removeTempDir));

function tempDir(): string {
  const dir = makeTempDir('migrate-');
  dirs.push(dir);
  return dir;
}

/** Runs the compiled tool as `npm run migrate-store` does, with only the given environment. */
function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'dist', 'src', 'tools', 'migrateStore.js'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs the tool in this process (quicker, same code). */
async function runHere(args: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await migrateStore(args, env, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

const target = (tenantId: string, id: string): TargetConnection => ({
  tenantId,
  id,
  kind: 'office365',
  cloud: 'global',
  adminId: id.split(':')[1],
  adminUpn: 'admin@contoso.example',
  adminName: 'Admin',
  roles: ['Global Administrator'],
  verifiedAt: '2026-03-01T09:00:00.000Z',
  verifiedBy: 'user-1',
  createdAt: '2026-03-01T09:00:00.000Z',
  createdBy: 'user-1',
});

interface Seeded {
  connectors: Connector[];
  notices: NoticeKey[];
  stateKeys: string[];
  consentRequests: ConsentRequest[];
}

function transitioned(result: ConsentTransition): ConsentRequest {
  if (!result.ok) throw new Error(result.message);
  return result.request;
}

/** An open, a declined and a superseded consent request for the connector awaiting consent. */
async function seedConsentRequests(store: Store, connector: Connector): Promise<ConsentRequest[]> {
  const requester = {
    id: 'user-2',
    name: 'Rita Requester',
    conversationId: PERSONAL,
    cardActivityId: 'act-1',
  };
  const reviewer = {
    id: 'admin-1',
    upn: 'adele@contoso.example',
    name: 'Adele Admin',
    via: 'named' as const,
  };
  const opened = (id: string, day: number) =>
    openConsentRequest(
      {
        id,
        tenantId: connector.tenantId,
        connectorId: connector.id,
        connectorName: connector.displayName,
        requester,
        reviewers: [
          reviewer,
          { name: 'Bob Boss', upn: 'bob@contoso.example', via: 'role', role: 'Global Administrator' },
        ],
        roles: ['Global Administrator'],
      },
      new Date(`2026-03-0${day}T10:00:00.000Z`),
      30,
    );
  const admin = { id: 'admin-1', name: 'Adele Admin' };

  // Replaced by the open one (a reauthorization handed the connector over again).
  let superseded = await store.consentRequests.create(opened('cr-1', 1));
  superseded = await store.consentRequests.update(
    withReviewerCard(superseded, { conversationId: 'a:adele', activityId: 'act-2' }),
  );
  superseded = await store.consentRequests.update(
    transitioned(supersedeConsentRequest(superseded, 'cr-3', new Date('2026-03-03T10:00:00.000Z'))),
  );
  let declined = await store.consentRequests.create(opened('cr-2', 2));
  declined = await store.consentRequests.update(
    transitioned(
      declineConsentRequest(declined, admin, 'Not this quarter.', new Date('2026-03-02T12:00:00.000Z')),
    ),
  );
  let open = await store.consentRequests.create(opened('cr-3', 3));
  open = await store.consentRequests.update(
    withReviewerCard(open, { conversationId: 'a:adele', activityId: 'act-3' }),
  );
  return [open, declined, superseded];
}

/** A store with a bit of everything, written through the SQLite adapter's ports. */
async function seed(store: Store): Promise<Seeded> {
  await store.conversations.upsert({
    tenantId: T1,
    conversationId: PERSONAL,
    conversationType: 'personal',
    reference: { serviceUrl: 'https://smba.example/', conversation: { id: PERSONAL } as never },
    userId: 'user-1',
    updatedAt: '2026-03-01T09:00:00.000Z',
  });
  await store.conversations.claimWelcome(T1, PERSONAL, '2026-03-01T09:00:01.000Z');
  await store.conversations.upsert({
    tenantId: T2,
    conversationId: CHANNEL,
    conversationType: 'channel',
    reference: { serviceUrl: 'https://smba.example/', conversation: { id: CHANNEL } as never },
    updatedAt: '2026-03-02T09:00:00.000Z',
  });

  const created = [
    await store.connectors.create(
      connectorRecord({ tenantId: T1, displayName: 'Finance', authorizedAt: '2026-01-10T00:00:00.000Z' }),
    ),
    await store.connectors.create(
      connectorRecord({ tenantId: T1, displayName: 'archive', type: 'azure-blob', keysVerified: true }),
    ),
    await store.connectors.create(
      connectorRecord({
        tenantId: T2,
        displayName: 'Waiting',
        status: 'awaiting-consent',
        consent: { requestedFromId: 'admin-1', requestedAt: '2026-03-01T10:00:00.000Z' },
      }),
    ),
  ];
  // Versions other than 1: a transfer, then a deauthorization.
  let finance = await store.connectors.update({ ...created[0], lastTransferAt: '2026-02-01T00:00:00.000Z' });
  finance = await store.connectors.update({ ...finance, status: 'deauthorized' });
  finance = await store.connectors.update({ ...finance, displayName: 'Finance (old)' });
  const connectors = [finance, created[1], created[2]];
  await store.secrets.put(
    T1,
    created[1].id,
    new SecretBox(KEY).seal({ accountKey: 'not-a-real-key' }, `${T1}/${created[1].id}`),
  );

  const events: AuditEvent[] = [
    {
      tenantId: T1,
      at: '2026-03-01T09:00:00.000Z',
      actor: 'user-1',
      action: 'connector.created',
      connectorId: finance.id,
    },
    {
      tenantId: T1,
      at: '2026-03-01T09:00:00.000Z',
      actor: 'user-1',
      action: 'step.done',
      connectorId: finance.id,
    },
    {
      tenantId: T1,
      at: '2026-03-01T09:05:00.000Z',
      actor: 'api',
      action: 'transfer.recorded',
      detail: { n: 1 },
    },
    {
      tenantId: T2,
      at: '2026-03-02T09:00:00.000Z',
      actor: 'scanner',
      action: 'notice.sent',
      connectorId: created[2].id,
    },
    {
      tenantId: T1,
      at: '2026-03-03T09:00:00.000Z',
      actor: 'scanner',
      actorName: 'expiry scanner',
      action: 'connector.deauthorized',
      connectorId: finance.id,
    },
  ];
  for (const event of events) await store.audit.append(event);

  await store.subscriptions.add({
    tenantId: T2,
    conversationId: CHANNEL,
    conversationType: 'channel',
    reference: { serviceUrl: 'https://smba.example/' },
    teamId: '19:team@thread.tacv2',
    createdBy: 'user-2',
    createdAt: '2026-03-02T09:00:00.000Z',
  });
  await store.subscriptions.setPersonalOptOut(T1, 'user-1', true);

  const notice = (threshold: number, target: string): NoticeKey => ({
    tenantId: T1,
    connectorId: finance.id,
    periodStart: '2026-02-01T00:00:00.000Z',
    threshold,
    target,
  });
  const notices = [notice(30, 'conversation:x'), notice(14, 'conversation:x'), notice(7, 'person:user-1')];
  const at = new Date('2026-03-02T00:00:00.000Z');
  for (const key of notices) await store.notices.claim(key, 'scanner-1', at, 600_000);
  await store.notices.markSent(notices[0], 'scanner-1', at);
  // Released: "free to claim", the same as no row; not copied, not counted.
  await store.notices.release(notices[2], 'scanner-1');
  await store.notices.snooze(
    { tenantId: T1, connectorId: finance.id, periodStart: notices[0].periodStart, threshold: 7 },
    at,
  );

  await store.targets.put(target(T1, 'office365:admin-1'));
  await store.targets.put({
    ...target(T1, 'exchange:admin-2'),
    kind: 'exchange',
    failedAt: at.toISOString(),
    failure: 'x',
  });

  const stateKeys = ['msteams/19:a1b2c3d4e5f6@thread.tacv2/conversation', `msteams/${PERSONAL}/users/29:x`];
  await store.state.write({
    [stateKeys[0]]: { dialogState: { dialogStack: [{ id: 'office365', state: { step: 3 } }] } },
    [stateKeys[1]]: { prefs: { n: 1 } },
  });
  const consentRequests = await seedConsentRequests(store, created[2]);
  return { connectors, notices, stateKeys, consentRequests };
}

/** Every record of the seed, read through the ports of a store. */
async function readAll(store: Store, seeded: Seeded) {
  const strip = (items: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(items).map(([key, value]) => {
        const { eTag: _eTag, ...rest } = value as Record<string, unknown>;
        return [key, rest];
      }),
    );
  const target = seeded.connectors[1];
  return {
    conversations: [await store.conversations.get(T1, PERSONAL), await store.conversations.get(T2, CHANNEL)],
    personal: await store.conversations.findPersonal(T1, 'user-1'),
    connectors: await Promise.all(seeded.connectors.map((c) => store.connectors.get(c.tenantId, c.id))),
    listT1: await store.connectors.list(T1),
    listT2: await store.connectors.list(T2),
    expiring: (await store.connectors.listExpiring(new Date('2026-12-31T00:00:00.000Z'))).items.map(
      (c) => c.id,
    ),
    awaitingConsent: (await store.connectors.listAwaitingConsent()).items.map((c) => c.id),
    secret: await store.secrets.get(T1, target.id),
    auditT1: await store.audit.list(T1),
    auditT2: await store.audit.list(T2),
    auditFinance: await store.audit.list(T1, { connectorId: seeded.connectors[0].id }),
    subscriptions: await store.subscriptions.listByTenant(T2),
    optOut: await store.subscriptions.isPersonalOptOut(T1, 'user-1'),
    notices: await Promise.all(seeded.notices.map((key) => store.notices.state(key))),
    sent: await store.notices.countSent(),
    snoozed: await store.notices.isSnoozed({
      tenantId: T1,
      connectorId: seeded.connectors[0].id,
      periodStart: seeded.notices[0].periodStart,
      threshold: 7,
    }),
    targets: await store.targets.list(T1),
    state: strip(await store.state.read(seeded.stateKeys)),
    consentRequests: await Promise.all(
      seeded.consentRequests.map((r) => store.consentRequests.get(r.tenantId, r.id)),
    ),
    consentRequestsT2: await store.consentRequests.listByTenant(T2),
    consentRequestsClosed: await store.consentRequests.listByTenant(T2, {
      states: ['declined', 'superseded'],
      connectorId: seeded.connectors[2].id,
    }),
    consentRequestsOpen: (await store.consentRequests.listOpen()).items,
  };
}

test('copies every record to Azure with a progress bar, verifies the counts, and a rerun copies nothing twice', async () => {
  const dataDir = tempDir();
  const sqlite = createSqliteStore(dataDir);
  const seeded = await seed(sqlite);
  const expected = await readAll(sqlite, seeded);
  await sqlite.close();
  // The fixture really has what the copy must keep.
  expect(expected.connectors[0]).toMatchObject({ version: 4, status: 'deauthorized' });
  expect(expected.notices).toEqual(['sent', 'claimed', undefined]);
  expect(expected.consentRequests.map((r) => [r?.id, r?.state, r?.version])).toEqual([
    ['cr-3', 'open', 2],
    ['cr-2', 'declined', 2],
    ['cr-1', 'superseded', 3],
  ]);
  expect(expected.consentRequestsOpen.map((r) => r.id)).toEqual(['cr-3']);

  const prefix = freshPrefix();
  const env = {
    AZURE_STORAGE_CONNECTION_STRING: emulator().connectionString,
    SECRETS_KEY: KEY.toString('base64'),
  };
  const args = ['--from', `sqlite:${dataDir}`, '--to', 'azure', '--prefix', prefix];

  const first = await runCli(args, env);
  expect(first.stderr).not.toContain('migrate-store:');
  expect(first.code).toBe(0);
  // One progress line per table, drawn with a carriage return.
  const bars = first.stderr.split('\n').filter(Boolean);
  expect(bars).toHaveLength(11);
  expect(
    bars.every((line) => /^\r\S.* \[#{28}\] (\d+)\/\1 {2}\d+ copied, \d+ already there$/.test(line)),
  ).toBe(true);
  expect(first.stdout).toContain('Every count matches.');
  expect(first.stdout).toMatch(/^audit\s+5\s+5\s+5\s+0$/m);
  expect(first.stdout).toMatch(/^connectors\s+3\s+3\s+3\s+0$/m);
  expect(first.stdout).toMatch(/^consent requests\s+3\s+3\s+3\s+0$/m);
  expect(first.stdout).toMatch(/^notices\s+2\s+2\s+2\s+0$/m);
  expect(first.stdout).toMatch(/^bot state\s+2\s+2\s+2\s+0$/m);
  expect(first.stdout).toContain(
    '1 of 1 sealed secrets open with SECRETS_KEY: give every replica this same SECRETS_KEY.',
  );
  // The account is named, its key never.
  expect(first.stdout + first.stderr).toContain('devstoreaccount1');
  expect(first.stdout + first.stderr).not.toContain(emulator().accountKey);

  const azure = await createAzureStore(emulator().connectionString, undefined, { prefix });
  expect(await readAll(azure, seeded)).toEqual(expected);
  // The sealed secret still opens (with the same key) on the copy.
  expect(
    new SecretBox(KEY).open(
      (await azure.secrets.get(T1, seeded.connectors[1].id))!,
      `${T1}/${seeded.connectors[1].id}`,
    ),
  ).toEqual({
    accountKey: 'not-a-real-key',
  });
  // A copied claim is the dead bot's until its lease ends, then free for a replica.
  const claimedAt = new Date('2026-03-02T00:00:00.000Z');
  expect(
    await azure.notices.claim(seeded.notices[1], 'replica', new Date(claimedAt.getTime() + 1000), 600_000),
  ).toBe(false);
  expect(await azure.notices.claim(seeded.notices[0], 'replica', new Date('2027-01-01'), 600_000)).toBe(
    false,
  );

  const second = await runCli(args, env);
  expect(second.code).toBe(0);
  expect(second.stdout).toContain('Every count matches.');
  for (const line of second.stderr.split('\n').filter(Boolean))
    expect(line).toMatch(/ {2}0 copied, \d+ already there$/);
  expect(second.stdout).toMatch(/^audit\s+5\s+5\s+0\s+5$/m);
  expect(await readAll(azure, seeded)).toEqual(expected);

  // The copied open request goes on on Azure: a reviewer's decision made from its copied version.
  const open = (await azure.consentRequests.get(T2, 'cr-3'))!;
  const decided = await azure.consentRequests.update(
    transitioned(
      declineConsentRequest(open, { id: 'admin-1', name: 'Adele Admin' }, 'No.', new Date('2026-03-04')),
    ),
  );
  expect(decided).toMatchObject({ state: 'declined', version: 3 });
  expect((await azure.consentRequests.listOpen()).items).toEqual([]);
}, 30_000);

test('finishes what an interrupted copy left half done', async () => {
  const dataDir = tempDir();
  const sqlite = createSqliteStore(dataDir);
  const seeded = await seed(sqlite);
  const expected = await readAll(sqlite, seeded);
  await sqlite.close();

  const prefix = freshPrefix();
  const azure = await createAzureStore(emulator().connectionString, undefined, { prefix });
  // Stopped after creating a connector (version 1 of 4), after claiming a notice it had not yet
  // marked sent, and after writing a conversation but not its welcome.
  await azure.connectors.create(seeded.connectors[0]);
  await azure.notices.claim(seeded.notices[0], 'scanner-1', new Date('2026-03-02T00:00:00.000Z'), Infinity);
  const { welcomedAt: _welcomedAt, ...conversation } = expected.conversations[0]!;
  await azure.conversations.upsert(conversation);
  // And after creating the superseded consent request (version 1 of 3).
  await azure.consentRequests.create(seeded.consentRequests[2]);

  const env = { AZURE_STORAGE_CONNECTION_STRING: emulator().connectionString };
  const run = await runHere(['--from', `sqlite:${dataDir}`, '--to', 'azure', '--prefix', prefix], env);
  expect(run.stderr).not.toContain('migrate-store:');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('Every count matches.');
  // Without SECRETS_KEY the key is not checked, and the tool says what the replicas need.
  expect(run.stdout).toContain('Sealed secrets were not checked: set SECRETS_KEY');
  expect(await readAll(azure, seeded)).toEqual(expected);
});

test('refuses what would go wrong, with one line and exit 1', async () => {
  const dataDir = tempDir();
  const sqlite = createSqliteStore(dataDir);
  const seeded = await seed(sqlite);
  await sqlite.close();
  const prefix = freshPrefix();
  const args = ['--from', `sqlite:${dataDir}`, '--to', 'azure', '--prefix', prefix];
  const env = { AZURE_STORAGE_CONNECTION_STRING: emulator().connectionString };

  const oneLine = (run: { code: number; stderr: string }) => {
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    return run.stderr;
  };
  expect(oneLine(await runHere(args, {}))).toBe(
    'migrate-store: --to azure reads AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_BLOB_URL and AZURE_STORAGE_TABLE_URL (with the Azure identity); none is set\n',
  );
  const urls = {
    AZURE_STORAGE_BLOB_URL: 'https://contoso.blob.core.windows.net',
    AZURE_STORAGE_TABLE_URL: 'https://contoso.table.core.windows.net',
  };
  expect(oneLine(await runHere(args, { ...env, ...urls }))).toContain(
    'set either AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_BLOB_URL and AZURE_STORAGE_TABLE_URL, not both',
  );
  expect(oneLine(await runHere(args, { AZURE_STORAGE_BLOB_URL: urls.AZURE_STORAGE_BLOB_URL }))).toBe(
    'migrate-store: AZURE_STORAGE_TABLE_URL: required with AZURE_STORAGE_BLOB_URL\n',
  );
  expect(
    oneLine(
      await runHere(args, { ...urls, AZURE_STORAGE_TABLE_URL: 'http://contoso.table.core.windows.net' }),
    ),
  ).toMatch(/^migrate-store: AZURE_STORAGE_TABLE_URL: /);
  expect(
    oneLine(await runHere(['--from', `sqlite:${dataDir}`, '--to', emulator().connectionString], env)),
  ).toContain('would show in the process list');
  expect(oneLine(await runHere(['--from', dataDir, '--to', 'azure'], env))).toContain(
    '--from must be sqlite:',
  );
  expect(oneLine(await runHere(['--from', `sqlite:${tempDir()}`, '--to', 'azure'], env))).toContain(
    'no embedded store',
  );
  // Another key than the one that sealed the secrets: nothing is copied.
  const wrongKey = await runHere(args, { ...env, SECRETS_KEY: randomBytes(32).toString('base64') });
  expect(oneLine(wrongKey)).toContain('SECRETS_KEY does not open the sealed secrets');
  const azure = await createAzureStore(emulator().connectionString, undefined, { prefix });
  expect(await azure.connectors.get(T1, seeded.connectors[0].id)).toBeUndefined();

  // A store a bot already used: the counts cannot match, and the tool says so.
  await azure.audit.append({ tenantId: T1, at: new Date().toISOString(), actor: 'bot', action: 'live' });
  const mixed = await runHere(args, env);
  expect(mixed.code).toBe(1);
  // The progress bars, then the one line that says why.
  const lines = mixed.stderr.split('\n').filter(Boolean);
  expect(lines.slice(0, -1).every((line) => line.startsWith('\r'))).toBe(true);
  expect(lines[lines.length - 1]).toMatch(
    /^migrate-store: counts differ: audit \(sqlite 5, azure 6\) \(the Azure store holds records/,
  );
  expect(mixed.stdout).toContain('Counts differ.');
});
