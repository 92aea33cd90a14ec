import { makeUser, personalChat } from '../harness/activities';
import { cardText, inputsOf, type Card } from '../harness/cards';
import { startHarness } from '../harness/testBot';
import { shownCard, TeamsClient } from '../harness/teamsClient';
import { startAzurite, type AzuriteInstance } from '../support/azurite';
import { SecretBox } from '../../src/secrets/secretBox';
import { loadSecretsKey } from '../../src/secrets/secretsKey';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';

const TENANT = '77777777-7777-4777-8777-777777777777';

const shown = shownCard;

describe('connectors authorized with keys', () => {
  let h: Awaited<ReturnType<typeof startHarness>>;
  let azurite: AzuriteInstance;

  beforeAll(async () => {
    azurite = await startAzurite({ services: ['blob'] });
    const service = new BlobServiceClient(
      azurite.blobEndpoint,
      new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey),
    );
    await service.createContainer('migration-source');
    h = await startHarness();
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
    const client = new TeamsClient(h.bot.url, h.standIn, user, personalChat(TENANT, user));
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
    // The keys card is replaced in place first ("Checking the keys"), then by the result.
    expect(done.updates.length).toBeGreaterThanOrEqual(2);
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
    const client = new TeamsClient(h.bot.url, h.standIn, user, personalChat(TENANT, user));
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
    const client = new TeamsClient(h.bot.url, h.standIn, user, personalChat(TENANT, user));
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
    const client = new TeamsClient(h.bot.url, h.standIn, user, personalChat(TENANT, user));
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
});
