/**
 * Azure Storage going away under a running bot (the compiled `npm start`): Azurite, keeping its
 * data on disk, is stopped and started again on the same ports while the one bot process runs on.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { channel, makeUser, personalChat } from '../../harness/activities';
import { cardOf, cardText } from '../../harness/cards';
import { freePort, spawnBot, waitForHealth, type ChildBot } from '../../harness/childBot';
import { ConnectorStandIn } from '../../harness/connectorStandIn';
import { makeTempDir, removeTempDir } from '../../harness/testBot';
import { TeamsClient, type TurnResult } from '../../harness/teamsClient';
import { startAzurite, type AzuriteInstance } from '../../support/azurite';
import { seedConnectors } from '../../support/connectorFixtures';
import { aConnector } from '../../support/builders';
import { createAzureStore } from '../../../src/store/azure';

const TENANT = randomUUID();
const UNAVAILABLE = 'Storage is unavailable right now, so I could not do that. Try again in a minute.';

jest.setTimeout(45_000);

let location: string;
let dataDir: string;
let azurite: AzuriteInstance;
let standIn: ConnectorStandIn;
let bot: ChildBot;

beforeAll(async () => {
  location = makeTempDir('azurite-data-');
  dataDir = makeTempDir();
  azurite = await startAzurite({ services: ['blob', 'table'], location });
  standIn = new ConnectorStandIn();
  await standIn.start();
  bot = spawnBot({
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    SECRETS_KEY: randomBytes(32).toString('base64'),
  });
  expect((await waitForHealth(bot)).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await bot?.stop();
  await standIn?.stop();
  await azurite?.stop();
  removeTempDir(dataDir);
  removeTempDir(location);
});

async function health(): Promise<number> {
  return (await fetch(`${bot.url}/healthz`)).status;
}

/** The text of everything the bot posted in a turn, cards included. */
function replyText(turn: TurnResult): string {
  return turn.replies
    .map((reply) => {
      try {
        return cardText(cardOf(reply));
      } catch {
        return String(reply.text ?? '');
      }
    })
    .join('\n');
}

test('an outage of Azure Storage: a short answer and 503 while it lasts, then everything back, same process', async () => {
  const user = makeUser();
  const chat = new TeamsClient(bot.url, standIn, user, personalChat(TENANT, user));
  const team = new TeamsClient(bot.url, standIn, user, channel(TENANT));

  // Before: a connector (written by the test) and a subscription and conversation (by the bot).
  const now = new Date().toISOString();
  const [connector] = await seedConnectors(await createAzureStore(azurite.connectionString), [
    aConnector(TENANT).named('Survives the outage').authorizedAt(now).build(),
  ]);
  expect(replyText(await team.say('subscribe'))).toContain('Expiry notices will post here');
  expect(replyText(await chat.say('connectors'))).toContain('Survives the outage');
  const pid = bot.process.pid;

  await azurite.stop();

  const started = Date.now();
  const during = await chat.say('connectors');
  expect(during.status).toBeLessThan(500);
  // One short message, nothing else: no card, no stack, no reference to report.
  expect(during.replies.map((r) => r.text)).toEqual([UNAVAILABLE]);
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(replyText(await team.say('unsubscribe'))).toBe(UNAVAILABLE);
  expect(await health()).toBe(503);

  azurite = await startAzurite({
    services: ['blob', 'table'],
    location,
    ports: { blob: azurite.blobPort, table: azurite.tablePort },
  });

  // No restart of the bot: the next requests find the store again.
  expect(await health()).toBe(200);
  const after = await chat.say('connectors');
  expect(replyText(after)).toContain('Survives the outage');
  // The subscription written before the outage is still there (and the failed unsubscribe changed nothing).
  expect(replyText(await team.say('subscribe'))).toContain('This conversation is already subscribed');
  const store = await createAzureStore(azurite.connectionString);
  expect(await store.connectors.get(TENANT, connector.id)).toEqual(connector);
  expect(bot.process.pid).toBe(pid);
  expect(bot.process.exitCode).toBeNull();
  expect(bot.stderr).toEqual([]);
});
