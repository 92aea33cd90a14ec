/**
 * Two bot processes (the compiled `npm start`) on different ports against one Azurite: what a
 * deployment with several replicas on one Azure Storage account relies on. Run twice: with a
 * connection string (replicas.test.ts), and with an Entra identity (replicasIdentity.test.ts:
 * Azurite over HTTPS checking bearer tokens from the fake sign-in service, SECRETS_KEY from the
 * fake Key Vault).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { channel, makeUser, personalChat, type TeamsConversation } from '../../harness/activities';
import { actionTitles, cardOf, cardText } from '../../harness/cards';
import { freePort, spawnBot, waitForHealth, type ChildBot } from '../../harness/childBot';
import { ConnectorStandIn } from '../../harness/connectorStandIn';
import { makeTempDir, removeTempDir } from '../../harness/testBot';
import { shownCard, TeamsClient } from '../../harness/teamsClient';
import { startAzurite, type AzuriteInstance } from '../../support/azurite';
import { connectorRecord, seedConnectors } from '../../support/connectorFixtures';
import { clockStart, type Connector } from '../../../src/connectors/connector';
import { servicePrincipalCredential } from '../../support/storageIdentity';
import { createAzureStore } from '../../../src/store/azure';
import type { NoticeKey, Store } from '../../../src/connectors/ports';
import { startFakeKeyVault, type FakeKeyVault } from '../../support/fakeKeyVault';
import { startFakeMicrosoftCloud, type FakeMicrosoftCloud } from '../../support/fakeMicrosoftCloud';
import { testTls, writeCaBundle } from '../../support/tls';

const WIZARD_TENANT = randomUUID();
const CRON_TENANT = randomUUID();
const KILL_TENANT = randomUUID();
const CONNECTOR_APP = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';
const API_TOKEN = `replicas-${randomBytes(12).toString('hex')}`;
const SECRETS_KEY = randomBytes(32).toString('base64');
/** A notice claimed by a replica that died is taken over after this long (NOTICE_LEASE_SECONDS). */
const NOTICE_LEASE_SECONDS = 5;
const DAY_MS = 24 * 60 * 60 * 1000;

/** How the replicas reach Storage, and where their SECRETS_KEY comes from. */
export type ReplicaStorage = 'connection string' | 'managed identity';

/** The name of the Key Vault secret holding SECRETS_KEY, in the identity run. */
const SECRET_NAME = 'concierge-secrets-key';

interface Replica {
  name: 'A' | 'B';
  bot: ChildBot;
  dataDir: string;
}

let mode: ReplicaStorage;
let azurite: AzuriteInstance;
/** Identity run: the sign-in service (Storage and Key Vault tokens), the vault, the CA bundle. */
let cloud: FakeMicrosoftCloud | undefined;
let vault: FakeKeyVault | undefined;
let caDir: string | undefined;
let storageEnv: Record<string, string>;
let standIn: ConnectorStandIn;
let store: Store;
let a: Replica;
let b: Replica;

async function startReplica(name: Replica['name'], scanCron: string): Promise<Replica> {
  const dataDir = makeTempDir(`replica-${name}-`);
  const bot = spawnBot({
    PORT: String(await freePort()),
    // Each replica has its own DATA_DIR: nothing is shared but the storage account.
    DATA_DIR: dataDir,
    ...storageEnv,
    API_TOKEN,
    SCAN_CRON: scanCron,
    NOTICE_LEASE_SECONDS: String(NOTICE_LEASE_SECONDS),
    // One proactive send a second, so that a scan of a few targets takes a few seconds.
    NOTIFY_RPS: '1',
    CONNECTOR_APP_ID: CONNECTOR_APP,
  });
  return { name, bot, dataDir };
}

/** The JSON log lines of a replica with this message. */
function logged(replica: Replica, msg: string): Record<string, unknown>[] {
  return replica.bot.stdout
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return {};
      }
    })
    .filter((entry) => entry.msg === msg);
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until the replica has finished `count` more scans (cron) than it had when called. */
async function scansFinished(replica: Replica, count: number): Promise<void> {
  const before = logged(replica, 'expiry scan finished').length;
  await until(
    () => logged(replica, 'expiry scan finished').length >= before + count,
    15_000,
    `${count} scans by replica ${replica.name}`,
  );
}

async function scanViaApi(replica: Replica): Promise<Record<string, number>> {
  const response = await fetch(`${replica.bot.url}/api/v1/scan`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_TOKEN}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, number>;
}

/** Expiry digests posted as new messages in a channel (not the replies in a thread). */
function digestsIn(conversation: TeamsConversation): string[] {
  return standIn
    .posted(conversation.channelId)
    .flatMap((activity) => {
      try {
        return [cardText(cardOf(activity))];
      } catch {
        return [];
      }
    })
    .filter((text) => /\bexpires? soon\b/.test(text));
}

/** Subscribes channels of a tenant through a replica, as a person typing `subscribe` there. */
async function subscribe(replica: Replica, tenantId: string, count: number): Promise<TeamsConversation[]> {
  const owner = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
  const channels = Array.from({ length: count }, () => channel(tenantId));
  for (const conversation of channels) {
    const turn = await new TeamsClient(replica.bot.url, standIn, owner, conversation).say('subscribe');
    expect(cardText(cardOf(turn.replies[0]))).toContain('Expiry notices will post here');
  }
  return channels;
}

/** Connectors authorized 61 days ago (30-day notice due), created by someone with no 1:1 chat. */
function seedDue(tenantId: string, count: number): Promise<Connector[]> {
  const then = new Date(Date.now() - 61 * DAY_MS).toISOString();
  return seedConnectors(
    store,
    Array.from({ length: count }, (_, i) =>
      connectorRecord({
        tenantId,
        displayName: `Due ${i + 1}`,
        createdBy: randomUUID(),
        createdAt: then,
        authorizedAt: then,
      }),
    ),
  );
}

function noticeKey(connector: Connector, conversation: TeamsConversation): NoticeKey {
  return {
    tenantId: connector.tenantId,
    connectorId: connector.id,
    periodStart: clockStart(connector)!.toISOString(),
    threshold: 30,
    target: `conversation:${conversation.channelId}`,
  };
}

/** Connection string and SECRETS_KEY, or the identity's settings and the vault's. */
async function prepareStorage(): Promise<void> {
  if (mode === 'connection string') {
    azurite = await startAzurite({ services: ['blob', 'table'] });
    storageEnv = { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString, SECRETS_KEY };
    store = await createAzureStore(azurite.connectionString);
    return;
  }
  [azurite, cloud] = await Promise.all([
    startAzurite({ services: ['blob', 'table'], oauth: testTls() }),
    startFakeMicrosoftCloud(),
  ]);
  cloud.login.resources.add('https://storage.azure.com');
  const tenant = cloud.addTenant();
  vault = await startFakeKeyVault(cloud, tenant.id);
  vault.secrets.set(SECRET_NAME, SECRETS_KEY);
  caDir = makeTempDir('replica-ca-');
  storageEnv = {
    AZURE_STORAGE_BLOB_URL: azurite.blobEndpoint,
    AZURE_STORAGE_TABLE_URL: azurite.tableEndpoint!,
    AZURE_TENANT_ID: tenant.id,
    AZURE_CLIENT_ID: cloud.clientId,
    AZURE_CLIENT_SECRET: cloud.clientSecret,
    AZURE_AUTHORITY_HOST: cloud.authorityHost,
    SECRETS_KEY_VAULT_URL: vault.url,
    SECRETS_KEY_SECRET_NAME: SECRET_NAME,
    // The replicas trust the test CA of Azurite, the sign-in service and the vault.
    NODE_EXTRA_CA_CERTS: writeCaBundle(caDir),
  };
  const transport = { ca: testTls().ca };
  const credential = await servicePrincipalCredential(cloud, tenant);
  store = await createAzureStore(
    { blobUrl: azurite.blobEndpoint, tableUrl: azurite.tableEndpoint!, credential },
    undefined,
    { transport },
  );
}

/** Registers the replica tests on Azurite reached by `storage`. */
export function describeReplicas(storage: ReplicaStorage): void {
  mode = storage;
  jest.setTimeout(40_000);
  describe(`two replicas on one storage account (${storage})`, replicaTests);
}

function replicaTests(): void {
  beforeAll(async () => {
    await prepareStorage();
    standIn = new ConnectorStandIn();
    await standIn.start();
    // Different short crons: both replicas scan on their own ticks and compete for the scan lease
    // where the ticks meet (every 6 s).
    [a, b] = await Promise.all([startReplica('A', '*/2 * * * * *'), startReplica('B', '*/3 * * * * *')]);
    // Two bots booting at once on a busy machine can take longer than one.
    const [healthA, healthB] = await Promise.all(
      [a, b].map((replica) =>
        waitForHealth(replica.bot, 60_000).catch((err: Error) => {
          // What the replica printed is the only clue to why it never answered.
          throw new Error(
            `replica ${replica.name}: ${err.message}\nstdout: ${replica.bot.stdout.join('\n')}\nstderr: ${replica.bot.stderr.join('\n')}\nsign-in: ${JSON.stringify(cloud?.requests.map((r) => [r.path, r.status]))}\nvault: ${JSON.stringify(vault?.requests.map((r) => r.status))}`,
          );
        }),
      ),
    );
    expect([healthA.status, healthB.status]).toEqual([200, 200]);
  }, 90_000);

  afterAll(async () => {
    for (const replica of [a, b]) {
      if (!replica) continue;
      // A replica a failed test left paused would never see SIGTERM.
      replica.bot.process.kill('SIGCONT');
      await replica.bot.stop();
      removeTempDir(replica.dataDir);
    }
    await standIn?.stop();
    await azurite?.stop();
    await vault?.stop();
    await cloud?.stop();
    if (caDir) removeTempDir(caDir);
  });

  test('each replica started on this storage and read its SECRETS_KEY as configured', () => {
    for (const replica of [a, b]) {
      expect(replica.bot.stderr).toEqual([]);
      const started = logged(replica, 'Connector Concierge started');
      expect(started).toHaveLength(1);
      expect(started[0]).toMatchObject({ store: 'azure:devstoreaccount1' });
    }
    if (mode === 'managed identity') {
      // Both read the key from the vault once, each after the vault's 401 challenge, with a token.
      const reads = vault!.requests.filter((r) => r.path.replace(/\/$/, '') === `/secrets/${SECRET_NAME}`);
      expect(reads.filter((r) => r.status === 200)).toHaveLength(2);
      expect(reads.filter((r) => r.status === 401 && !r.authorization)).toHaveLength(2);
      const storageTokens = cloud!.login.issued.filter((c) =>
        c.scope?.includes('https://storage.azure.com/.default'),
      );
      // Two replicas, plus this test's own store.
      expect(storageTokens.length).toBeGreaterThanOrEqual(3);
    }
  });

  test('a wizard started through replica A continues through replica B at the same step', async () => {
    const user = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
    standIn.addMember({
      id: user.id,
      name: user.name,
      aadObjectId: user.aadObjectId,
      userPrincipalName: user.upn,
    });
    const conversation = personalChat(WIZARD_TENANT, user);
    const viaA = new TeamsClient(a.bot.url, standIn, user, conversation);
    const viaB = new TeamsClient(b.bot.url, standIn, user, conversation);

    const started = await viaA.say('connect office365');
    const cardId = String(started.replies[started.replies.length - 1].id);
    let card = shownCard(started);
    expect(cardText(card)).toContain('cannot be changed later');

    // Every click goes to the other replica than the one before.
    let turn = await viaB.click(card, 'Next', { displayName: 'Replica hop' }, cardId);
    expect(cardText(shownCard(turn))).toContain('Which Microsoft cloud');
    turn = await viaA.click(shownCard(turn), 'Next', {}, cardId);
    expect(cardText(shownCard(turn))).toContain('Step 1 of 9');
    turn = await viaB.click(shownCard(turn), 'Next', {}, cardId);
    expect(cardText(shownCard(turn))).toContain('Step 2 of 9');
    turn = await viaA.click(shownCard(turn), 'Back', {}, cardId);
    expect(cardText(shownCard(turn))).toContain('Step 1 of 9');
    for (let step = 2; step <= 5; step++) {
      turn = await (step % 2 === 0 ? viaB : viaA).click(shownCard(turn), 'Next', {}, cardId);
      expect(cardText(shownCard(turn))).toContain(`Step ${step} of 9`);
    }
    expect(actionTitles(shownCard(turn))).toContain('I am a global admin: continue');
    turn = await viaB.click(shownCard(turn), 'I am a global admin: continue', {}, cardId);
    for (let step = 6; step <= 9; step++) {
      card = shownCard(turn);
      expect(cardText(card)).toContain(`Step ${step} of 9`);
      turn = await (step % 2 === 0 ? viaA : viaB).click(card, step === 9 ? 'Finish' : 'Next', {}, cardId);
    }
    // No Graph here: the connector waits for a consent check that can pass.
    expect(cardText(shownCard(turn))).toContain('Admin consent could not be verified');
    // Every card of the wizard was the one card, updated in place whichever replica answered.
    expect(turn.updates.every((u) => u.activityId === cardId)).toBe(true);

    const { items } = await store.connectors.list(WIZARD_TENANT);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      displayName: 'Replica hop',
      status: 'awaiting-consent',
      createdBy: user.aadObjectId,
    });
    for (const replica of [a, b]) expect(logged(replica, 'turn failed')).toEqual([]);
  });

  test('both replicas scan on a short cron and every subscribed channel gets each digest once', async () => {
    const channels = await subscribe(a, CRON_TENANT, 3);
    const connectors = await seedDue(CRON_TENANT, 2);

    // The connectors are created one by one while both replicas scan every few seconds, so a scan
    // may fall between them: then the first digest names one and the next scan's the other.
    const named = (conversation: TeamsConversation, connector: Connector) =>
      digestsIn(conversation).filter((text) => text.includes(connector.displayName));
    await standIn.waitFor(
      () => channels.every((c) => connectors.every((connector) => named(c, connector).length >= 1)),
      15_000,
      'a digest naming each connector in every subscribed channel',
    );
    // Several more scans by each replica, then scans of both at once that bypass the scan lease:
    // only the notice ledger stands between them and a second digest.
    await Promise.all([scansFinished(a, 2), scansFinished(b, 2)]);
    const overlapping = await Promise.all([scanViaApi(a), scanViaApi(b), scanViaApi(a), scanViaApi(b)]);
    expect(overlapping.map((r) => r.sent)).toEqual([0, 0, 0, 0]);
    expect(overlapping.every((r) => r.skipped >= connectors.length * channels.length)).toBe(true);

    for (const conversation of channels) {
      // Each connector in exactly one digest per channel: one digest naming both, or one each.
      for (const connector of connectors) expect(named(conversation, connector)).toHaveLength(1);
      const digests = digestsIn(conversation);
      expect(digests.length).toBeLessThanOrEqual(connectors.length);
      if (digests.length === 1) expect(digests[0]).toContain('2 connectors expire soon');
    }
    for (const connector of connectors)
      for (const conversation of channels)
        expect(await store.notices.state(noticeKey(connector, conversation))).toBe('sent');
    // Each replica did scan (and found nothing left to send on most of its ticks).
    for (const replica of [a, b]) expect(logged(replica, 'expiry scan finished').length).toBeGreaterThan(2);
  });

  test('killing replica A mid-scan loses no notice; only what A had sent but not yet recorded is sent again', async () => {
    const channels = await subscribe(a, KILL_TENANT, 4);
    const ids = new Set(channels.map((c) => c.channelId!));

    // B stops right after one of its scans, so that A alone scans the new notices and every send
    // the connector stand-in receives until B resumes is A's.
    await scansFinished(b, 1);
    // The log line comes just before B gives the scan lease back; let it do that first.
    await new Promise((resolve) => setTimeout(resolve, 300));
    b.bot.process.kill('SIGSTOP');

    // The first digest is answered at once; those after it hang, so A dies with one in flight.
    const received: string[] = [];
    let answeredFirst = false;
    let killed = false;
    standIn.program(
      'sendToConversation',
      (call) => {
        received.push(call.conversationId!);
        if (killed || !answeredFirst) {
          answeredFirst = true;
          return { status: 200, body: { id: `activity-${randomUUID()}` } };
        }
        return { status: 200, body: { id: `activity-${randomUUID()}` }, delayMs: 4_000 };
      },
      { times: Infinity, match: (call) => ids.has(call.conversationId!) },
    );
    // A scans every 2 s and the connectors are created one by one: a scan between the two would
    // split each channel's digest in two, which the counts below do not allow. A is paused for the
    // seeding, right after one of its scans, so that its next scan finds both.
    await scansFinished(a, 1);
    a.bot.process.kill('SIGSTOP');
    let connectors: Connector[];
    try {
      connectors = await seedDue(KILL_TENANT, 2);
    } finally {
      a.bot.process.kill('SIGCONT');
    }
    const conversationOf = (id: string) => channels.find((c) => c.channelId === id)!;
    const allSent = async (id: string) => {
      const states = await Promise.all(
        connectors.map((c) => store.notices.state(noticeKey(c, conversationOf(id)))),
      );
      return states.every((s) => s === 'sent');
    };

    // A (its cron) sent one digest and recorded it, and has the next one in flight: kill it.
    await until(
      async () => received.length >= 2 && (await allSent(received[0])),
      15_000,
      'replica A to record one digest and have the next in flight',
    );
    a.bot.process.kill('SIGKILL');
    await a.bot.exited;
    killed = true;
    // A request written just before the kill may reach the stand-in a moment later.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const fromA = [...received];
    const recorded = new Set<string>();
    for (const id of ids) if (await allSent(id)) recorded.add(id);
    // Sent by A and recorded in the ledger: never sent again.
    expect(recorded.size).toBeGreaterThanOrEqual(1);
    // Reached Teams, but A died before it could record that: the only ones sent twice.
    const inFlight = fromA.filter((id) => !recorded.has(id));
    expect(inFlight.length).toBeGreaterThanOrEqual(1);
    // A had claimed some it never got to send (waiting for its rate limit), or not even claimed them.
    expect(fromA.length).toBeLessThan(channels.length);
    const claimStates = await Promise.all(
      [...ids]
        .filter((id) => !fromA.includes(id))
        .flatMap((id) => connectors.map((c) => store.notices.state(noticeKey(c, conversationOf(id))))),
    );
    expect(claimStates.every((s) => s === 'claimed' || s === undefined)).toBe(true);
    // With one send a second, A had claimed them all at once: B must wait for those claims to lapse.
    expect(claimStates).toContain('claimed');

    b.bot.process.kill('SIGCONT');
    // A's claims are A's until NOTICE_LEASE_SECONDS after A took them (before the kill); then B
    // takes them over. The scan lease A held lapses by itself (30 s), so B's scan is asked for here.
    await new Promise((resolve) => setTimeout(resolve, NOTICE_LEASE_SECONDS * 1000 + 500));
    await scanViaApi(b);
    expect((await scanViaApi(b)).sent).toBe(0);

    for (const id of ids) {
      const deliveries = received.filter((r) => r === id).length;
      expect({ id, deliveries }).toEqual({ id, deliveries: inFlight.includes(id) ? 2 : 1 });
      expect(await allSent(id)).toBe(true);
    }
    expect(received).toHaveLength(channels.length + inFlight.length);
    expect(logged(b, 'turn failed')).toEqual([]);
  });
}
