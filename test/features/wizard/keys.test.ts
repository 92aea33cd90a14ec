import { makeUser } from '../../harness/activities';
import { cardText, inputsOf, type Card } from '../../harness/cards';
import { startHarness, type Harness } from '../../harness/testBot';
import { shownCard, TeamsClient } from '../../harness/teamsClient';
import { startAzurite, type AzuriteInstance } from '../../support/azurite';
import { installNetworkGuard, type NetworkGuard } from '../../support/networkGuard';
import { freePort } from '../../harness/childBot';
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import { SecretBox } from '../../../src/secrets/secretBox';
import { loadSecretsKey } from '../../../src/secrets/secretsKey';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';

const TENANT = '77777777-7777-4777-8777-777777777777';

const shown = shownCard;

describe('connectors authorized with keys', () => {
  let h: Harness;
  let azurite: AzuriteInstance;

  beforeAll(async () => {
    azurite = await startAzurite({ services: ['blob'] });
    const service = new BlobServiceClient(
      azurite.blobEndpoint,
      new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey),
    );
    await service.createContainer('migration-source');
    // The emulator is on this machine: allowed by its exact host and port, as an operator would.
    h = await startHarness({
      env: { BLOB_ENDPOINT_SUFFIXES: `blob.core.windows.net,127.0.0.1:${azurite.blobPort}` },
    });
  });
  afterAll(async () => {
    await h.stop();
    await azurite.stop();
  });

  async function toKeysCard(
    client: TeamsClient,
    type: string,
    name: string,
  ): Promise<{ card: Card; id: string }> {
    const started = await client.say(`connect ${type}`);
    const id = String(started.replies[0].id);
    let turn = await client.click(shown(started), 'Next', { displayName: name }, id);
    expect(cardText(shown(turn))).toContain('Step 1 of 2');
    turn = await client.click(shown(turn), 'Next', {}, id);
    return { card: shown(turn), id };
  }

  /** Every byte the bot sent to Teams and wrote to its log, to prove a secret never left. */
  function everythingSaid(): string {
    return JSON.stringify(h.standIn.calls.map((c) => c.body)) + JSON.stringify(h.bot.logs);
  }

  test('Azure Blob keys are verified by listing containers, sealed, and never echoed', async () => {
    const user = makeUser();
    const client = h.chat(user, 'personal', TENANT);
    const { card, id } = await toKeysCard(client, 'azure-blob', 'Archive blobs');
    const secretInput = inputsOf(card).find((i) => i.id === 'accountKey');
    expect(secretInput).toMatchObject({ style: 'password', value: '' });
    const done = await client.click(
      card,
      'Save the keys',
      {
        accountName: azurite.accountName,
        accountKey: azurite.accountKey,
        blobEndpoint: azurite.blobEndpoint,
      },
      id,
    );
    // Teams shows the button busy while the keys are checked (Universal Actions): the result
    // replaces the keys card in the invoke answer, with no message update in between.
    expect(done.updates.map((u) => u.via)).toEqual(['invoke']);
    expect(done.updates.every((u) => u.activityId === id)).toBe(true);
    expect(cardText(shown(done))).toContain('checked with Azure Storage');
    const [connector] = (await h.bot.store.connectors.list(TENANT)).items.filter(
      (c) => c.displayName === 'Archive blobs',
    );
    expect(connector).toMatchObject({
      type: 'azure-blob',
      status: 'authorized',
      keysVerified: true,
      provenance: { kind: 'verified', method: 'container-listing' },
    });
    expect(cardText(shown(done))).toContain('by listing the storage containers with the keys');
    const sealed = await h.bot.store.secrets.get(TENANT, connector.id);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(azurite.accountKey);
    const box = new SecretBox(loadSecretsKey(undefined, h.bot.dataDir));
    expect(box.open(sealed!, `${TENANT}/${connector.id}`).accountKey).toBe(azurite.accountKey);
    expect(everythingSaid()).not.toContain(azurite.accountKey);
    expect(everythingSaid()).not.toContain(azurite.accountKey.slice(0, 20));
  });

  test('a wrong Azure key is refused with the reason, nothing is saved, and the key is not echoed', async () => {
    const user = makeUser();
    const client = h.chat(user, 'personal', TENANT);
    const { card, id } = await toKeysCard(client, 'azure-blob', 'Wrong key');
    const wrongKey = Buffer.alloc(64, 9).toString('base64');
    const turn = await client.click(
      card,
      'Save the keys',
      { accountName: azurite.accountName, accountKey: wrongKey, blobEndpoint: azurite.blobEndpoint },
      id,
    );
    const again = shown(turn);
    expect(cardText(again)).toContain('rejected the key');
    expect(cardText(again)).toContain('Nothing was saved');
    expect(inputsOf(again).find((i) => i.id === 'accountName')?.value).toBe(azurite.accountName);
    expect(inputsOf(again).find((i) => i.id === 'accountKey')?.value).toBe('');
    expect((await h.bot.store.connectors.list(TENANT)).items.some((c) => c.displayName === 'Wrong key')).toBe(
      false,
    );
    expect(everythingSaid()).not.toContain(wrongKey);
  });

  test('Amazon S3: the IAM policy is shown, a malformed key is refused by format, a valid one is saved unverified', async () => {
    const user = makeUser();
    const client = h.chat(user, 'personal', TENANT);
    const started = await client.say('connect amazon-s3');
    const id = String(started.replies[0].id);
    const prep = await client.click(shown(started), 'Next', { displayName: 'S3 source' }, id);
    expect(cardText(shown(prep))).toContain('s3:ListBucket');
    const keysTurn = await client.click(shown(prep), 'Next', {}, id);
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const bad = await client.click(
      shown(keysTurn),
      'Save the keys',
      { accountName: '', accessKeyId: 'nope', secretAccessKey: secret },
      id,
    );
    expect(cardText(shown(bad))).toMatch(/Access key id/i);
    const good = await client.click(
      shown(bad),
      'Save the keys',
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: secret },
      id,
    );
    expect(cardText(shown(good))).toContain('unverified');
    const [connector] = (await h.bot.store.connectors.list(TENANT)).items.filter(
      (c) => c.displayName === 'S3 source',
    );
    expect(connector).toMatchObject({
      type: 'amazon-s3',
      keysVerified: false,
      status: 'authorized',
      provenance: { kind: 'reported', by: user.aadObjectId, byName: user.name },
    });
    expect(cardText(shown(good))).toContain(`reported by ${user.name} on`);
    expect(cardText(shown(good))).toContain('not verified');
    expect(everythingSaid()).not.toContain(secret);
  });

  test('Google Cloud Storage takes an access key, a secret and a project id', async () => {
    const user = makeUser();
    const client = h.chat(user, 'personal', TENANT);
    const { card, id } = await toKeysCard(client, 'google-cloud-storage', 'GCS source');
    expect(inputsOf(card).map((i) => i.id)).toEqual(['accessKey', 'secret', 'projectId']);
    const done = await client.click(
      card,
      'Save the keys',
      {
        accessKey: 'GOOG1EXAMPLEACCESSKEY0123456789',
        secret: 'bGoa+V7g/yqDXvKRqq+JTFn4uQZbPiQJo4pf9RzJ',
        projectId: 'contoso-migration',
      },
      id,
    );
    expect(cardText(shown(done))).toContain('GCS source');
    expect(
      (await h.bot.store.connectors.list(TENANT)).items.some((c) => c.displayName === 'GCS source'),
    ).toBe(true);
  });

  describe('the blob endpoint must belong to the allowed storage (no keys sent, no probing elsewhere)', () => {
    let guard: NetworkGuard;
    beforeAll(() => {
      guard = installNetworkGuard();
    });
    afterAll(() => guard.uninstall());

    test.each([
      ['an address of the internal network', 'https://10.0.0.5'],
      ['the instance metadata address', 'https://169.254.169.254'],
      ['a host of another domain', 'https://evil.example.com'],
      ['a host that only starts like the suffix', 'https://archive.blob.core.windows.net.evil.example'],
      ['the suffix itself, without an account', 'https://blob.core.windows.net'],
      ['storage of another cloud', 'https://archive.blob.core.usgovcloudapi.net'],
      ['a port of this machine that is not the allowed emulator', 'http://127.0.0.1:22/devstoreaccount1'],
    ])('%s (%s) is refused before anything is sent', async (_name, blobEndpoint) => {
      const user = makeUser();
      const client = h.chat(user, 'personal', TENANT);
      const { card, id } = await toKeysCard(client, 'azure-blob', `Endpoint ${randomUUID().slice(0, 8)}`);
      const attemptsBefore = guard.attempts.length;
      const turn = await client.click(
        card,
        'Save the keys',
        { accountName: azurite.accountName, accountKey: azurite.accountKey, blobEndpoint },
        id,
      );
      const text = cardText(shown(turn));
      expect(text).toContain(
        `The blob endpoint must be an https address ending in .blob.core.windows.net or 127.0.0.1:${azurite.blobPort}, the storage of this bot's cloud (Microsoft 365 worldwide); nothing was sent to it.`,
      );
      expect(guard.attempts.slice(attemptsBefore)).toEqual([]);
      expect(h.bot.logs).toContainEqual(
        expect.objectContaining({ level: 'warn', msg: 'keys wizard: blob endpoint refused' }),
      );
      expect(everythingSaid()).not.toContain(azurite.accountKey);
    });
  });
});

describe('a blob endpoint that does not answer as Azure Storage', () => {
  let h: Harness;
  const servers: (net.Server | http.Server)[] = [];
  let closedPort: number;
  let resetPort: number;
  let notAzurePort: number;
  let notFoundPort: number;

  async function listen(server: net.Server | http.Server): Promise<number> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as net.AddressInfo).port;
  }

  beforeAll(async () => {
    closedPort = await freePort();
    resetPort = await listen(net.createServer((socket) => socket.resetAndDestroy()));
    notAzurePort = await listen(
      http.createServer((_req, res) => {
        res.writeHead(403, { 'content-type': 'text/html' });
        res.end('<html><body>Forbidden by the intranet proxy</body></html>');
      }),
    );
    notFoundPort = await listen(
      http.createServer((_req, res) => {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('nothing here');
      }),
    );
    const allowed = [closedPort, resetPort, notAzurePort, notFoundPort].map((p) => `127.0.0.1:${p}`);
    h = await startHarness({ env: { BLOB_ENDPOINT_SUFFIXES: allowed.join(',') } });
  });
  afterAll(async () => {
    await h.stop();
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
  });

  test('a refused connection, a reset, a non-Azure 403 and a 404 all read the same (no network probing)', async () => {
    const notices: string[] = [];
    for (const port of [closedPort, resetPort, notAzurePort, notFoundPort]) {
      const user = makeUser();
      const client = h.chat(user, 'personal', TENANT);
      const started = await client.say('connect azure-blob');
      const id = String(started.replies[0].id);
      let turn = await client.click(shown(started), 'Next', { displayName: `Probe ${port}` }, id);
      turn = await client.click(shown(turn), 'Next', {}, id);
      turn = await client.click(
        shown(turn),
        'Save the keys',
        {
          accountName: 'devstoreaccount1',
          accountKey: Buffer.alloc(64, 7).toString('base64'),
          blobEndpoint: `http://127.0.0.1:${port}/devstoreaccount1`,
        },
        id,
      );
      const text = cardText(shown(turn));
      const notice = /No storage account[^\n]*/.exec(text)?.[0] ?? text;
      notices.push(notice.replace(`127.0.0.1:${port}`, '127.0.0.1:PORT'));
    }
    expect(new Set(notices).size).toBe(1);
    expect(notices[0]).toBe(
      "No storage account 'devstoreaccount1' answered at 127.0.0.1:PORT, so the key was not checked: check the account name, the cloud and the endpoint, then try again. Nothing was saved; enter the keys again.",
    );
  });
});
