/**
 * Two bot processes (the compiled `npm start`) on different ports against one Azurite: what a
 * deployment with several replicas on one Azure Storage account relies on.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { channel, makeUser, personalChat, type TeamsConversation } from '../harness/activities';
import { actionTitles, cardOf, cardText } from '../harness/cards';
import { freePort, spawnBot, waitForHealth, type ChildBot } from '../harness/childBot';
import { ConnectorStandIn } from '../harness/connectorStandIn';
import { makeTempDir, removeTempDir } from '../harness/testBot';
import { shownCard, TeamsClient } from '../harness/teamsClient';
import { startAzurite, type AzuriteInstance } from '../support/azurite';
import { connectorRecord, seedConnectors } from '../support/connectorFixtures';
import { clockStart, type Connector } from '../../src/connectors/connector';
import { createAzureStore } from '../../src/store/azure';
import type { NoticeKey, Store } from '../../src/store/ports';

const WIZARD_TENANT = randomUUID();
const CRON_TENANT = randomUUID();
const KILL_TENANT = randomUUID();
const CONNECTOR_APP = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';
const API_TOKEN = `replicas-${randomBytes(12).toString('hex')}`;
const SECRETS_KEY = randomBytes(32).toString('base64');
/** A notice claimed by a replica that died is taken over after this long (NOTICE_LEASE_SECONDS). */
const NOTICE_LEASE_SECONDS = 5;
const DAY_MS = 24 * 60 * 60 * 1000;

jest.setTimeout(40_000);

interface Replica {
  name: 'A' | 'B';
  bot: ChildBot;
  dataDir: string;
}

let azurite: AzuriteInstance;
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
    AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    SECRETS_KEY,
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
    .filter((text) => text.includes('expire soon'));
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

beforeAll(async () => {
  azurite = await startAzurite({ services: ['blob', 'table'] });
  standIn = new ConnectorStandIn();
  await standIn.start();
  // Different short crons: both replicas scan on their own ticks and compete for the scan lease
  // where the ticks meet (every 6 s).
  [a, b] = await Promise.all([startReplica('A', '*/2 * * * * *'), startReplica('B', '*/3 * * * * *')]);
  const [healthA, healthB] = await Promise.all([waitForHealth(a.bot), waitForHealth(b.bot)]);
  expect([healthA.status, healthB.status]).toEqual([200, 200]);
  store = await createAzureStore(azurite.connectionString);
}, 30_000);

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

  await standIn.waitFor(
    () => channels.every((c) => digestsIn(c).length >= 1),
    15_000,
    'a digest in every subscribed channel',
  );
  // Several more scans by each replica, then scans of both at once that bypass the scan lease:
  // only the notice ledger stands between them and a second digest.
  await Promise.all([scansFinished(a, 2), scansFinished(b, 2)]);
  const overlapping = await Promise.all([scanViaApi(a), scanViaApi(b), scanViaApi(a), scanViaApi(b)]);
  expect(overlapping.map((r) => r.sent)).toEqual([0, 0, 0, 0]);
  expect(overlapping.every((r) => r.skipped >= connectors.length * channels.length)).toBe(true);

  for (const conversation of channels) {
    const digests = digestsIn(conversation);
    expect(digests).toHaveLength(1);
    expect(digests[0]).toContain('2 connectors expire soon');
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
  const connectors = await seedDue(KILL_TENANT, 2);
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
