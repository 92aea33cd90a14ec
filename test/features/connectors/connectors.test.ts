import { makeUser } from '../../harness/activities';
import { actionTitles, cardOf, cardText } from '../../harness/cards';
import { startHarness, type Harness } from '../../harness/testBot';
import { answerError, TeamsClient, type TurnResult } from '../../harness/teamsClient';
import { expectValidCard } from '../../support/cardValidation';
import { connectorRecord, seedConnectors } from '../../support/connectorFixtures';
import { aConnector } from '../../support/builders';
import { withReplaced } from '../../support/replaceMethod';
import { StoreUnavailableError } from '../../../src/connectors/ports';

const TENANT_A = '55555555-5555-4555-8555-555555555555';
const TENANT_B = '66666666-6666-4666-8666-666666666666';
const TENANT_C = '77777777-7777-4777-8777-777777777777';

function card(turn: TurnResult) {
  const c =
    turn.updates.length > 0
      ? cardOf(turn.updates[0].activity)
      : cardOf(turn.replies[turn.replies.length - 1]);
  expectValidCard(c);
  return c;
}

describe('connectors commands', () => {
  let h: Harness;
  const owner = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
  const other = makeUser('Lee Gu', 'lee@contoso.onmicrosoft.com');
  let ownerChat: TeamsClient;

  beforeAll(async () => {
    h = await startHarness();
    ownerChat = h.chat(owner, 'personal', TENANT_A);
  });
  afterAll(async () => h.stop());

  test('an empty tenant gets a card that offers connect', async () => {
    const user = makeUser();
    const client = h.chat(user, 'personal', TENANT_B);
    const turn = await client.say('connectors');
    expect(cardText(card(turn))).toContain('No connectors yet');
    expect(actionTitles(card(turn))).toContain('Connect a new connector');
  });

  test('connectors pages by 20 with "Show more" and flags those under the first notice threshold in red', async () => {
    const now = h.bot.clock.now().getTime();
    const day = 24 * 60 * 60 * 1000;
    await seedConnectors(
      h.bot.store,
      Array.from({ length: 25 }, (_, i) =>
        connectorRecord({
          tenantId: TENANT_A,
          displayName: `Bulk ${String(i).padStart(2, '0')}`,
          createdBy: owner.aadObjectId,
          createdByName: owner.name,
          // Bulk 00 has 10 days left; the others 80.
          authorizedAt: new Date(now - (i === 0 ? 80 : 10) * day).toISOString(),
          createdAt: new Date(now - 100 * day).toISOString(),
        }),
      ),
    );
    const first = await ownerChat.say('connectors');
    const page1 = card(first);
    expect(JSON.stringify(page1).match(/"title":"Status"/g)).toHaveLength(20);
    expect(cardText(page1)).toContain('Bulk 00');
    expect(cardText(page1)).toContain('10 days left');
    expect(JSON.stringify(page1)).toMatch(/"text":"10 days left","color":"Attention"/);
    expect(JSON.stringify(page1)).toMatch(/"text":"80 days left","color":"Default"/);
    const second = await ownerChat.click(page1, 'Show more');
    expect(JSON.stringify(card(second)).match(/"title":"Status"/g)).toHaveLength(5);
    expect(cardText(card(second))).toContain('Bulk 24');
  });

  test('status matches names case-insensitively and answers unknown or ambiguous names with the closest matches', async () => {
    const exact = await ownerChat.say('status bulk 07');
    expect(cardText(card(exact))).toContain('Bulk 07');
    expect(cardText(card(exact))).toContain('Deauthorized on');
    const unknown = await ownerChat.say('status Bolk 7x');
    expect(cardText(card(unknown))).toContain('No connector is called "Bolk 7x"');
    expect(actionTitles(card(unknown)).length).toBeGreaterThan(0);
    const ambiguous = await ownerChat.say('status bulk');
    expect(cardText(card(ambiguous))).toContain('Several connectors match "bulk"');
  });

  test('two connectors sharing a name: the choice buttons name each by id, so both stay reachable', async () => {
    const [box, dropbox] = await seedConnectors(h.bot.store, [
      aConnector(TENANT_A).named('Payroll').ofType('box').createdBy(owner).build(),
      aConnector(TENANT_A).named('Payroll').ofType('dropbox').createdBy(owner).build(),
    ]);
    const [elsewhere] = await seedConnectors(h.bot.store, [
      aConnector(TENANT_C).named('Payroll').ofType('egnyte').createdBy(owner).build(),
    ]);
    const asked = card(await ownerChat.say('status payroll'));
    expect(cardText(asked)).toContain('Several connectors match "payroll"');
    const titles = actionTitles(asked);
    expect([...titles].sort()).toEqual([
      expect.stringMatching(/^Status Payroll \(box, created \d{4}-\d{2}-\d{2} UTC\)$/),
      expect.stringMatching(/^Status Payroll \(dropbox, created \d{4}-\d{2}-\d{2} UTC\)$/),
    ]);
    const boxTitle = titles.find((t) => t.includes('(box'))!;
    const dropboxTitle = titles.find((t) => t.includes('(dropbox'))!;
    // The button runs `status Payroll` with the connector's id: the status of that one, not the choice again.
    const status = card(await ownerChat.click(asked, dropboxTitle));
    expect(cardText(status)).not.toContain('Several connectors match');
    expect(JSON.stringify(status)).toContain(`"connectorId":"${dropbox.id}"`);
    expect(cardText(status)).toContain('Dropbox');

    // A forged id, here another tenant's connector, finds nothing and changes nothing.
    const forgedCard = JSON.parse(JSON.stringify(asked).replace(box.id, elsewhere.id)) as typeof asked;
    const forged = await ownerChat.click(forgedCard, boxTitle);
    expect(forged.replies.map((r) => r.text)).toEqual([
      'The connector this button names is no longer in this tenant, so nothing was changed. Type connectors to see the current ones.',
    ]);
  });

  test('delete asks first (permanent, what it removes, where access is revoked); Keep it changes nothing; confirmed, it and its secrets are gone', async () => {
    const [target] = await seedConnectors(h.bot.store, [
      aConnector(TENANT_A).named('Old Box').ofType('box').createdBy(owner).build(),
    ]);
    await h.bot.store.secrets.put(TENANT_A, target.id, 'v1.sealed');
    const ask = await ownerChat.say('delete old box');
    const confirm = card(ask);
    expect(cardText(confirm)).toContain('permanent and cannot be reversed');
    expect(cardText(confirm)).toContain('removes the connector and its stored keys from this bot');
    expect(cardText(confirm)).toContain("revokes the migration service's access");
    const kept = await ownerChat.click(confirm, 'Keep it', {}, String(ask.replies[0].id));
    expect(cardText(card(kept))).toContain('Nothing was deleted');
    expect(await h.bot.store.connectors.get(TENANT_A, target.id)).toBeDefined();

    const again = await ownerChat.say('delete Old Box');
    const deleted = await ownerChat.click(card(again), 'Delete permanently', {}, String(again.replies[0].id));
    expect(deleted.updates[0].activityId).toBe(String(again.replies[0].id));
    expect(cardText(card(deleted))).toContain('Deleted Old Box');
    expect(cardText(card(deleted))).toContain('security settings');
    expect(await h.bot.store.connectors.get(TENANT_A, target.id)).toBeUndefined();
    expect(await h.bot.store.secrets.get(TENANT_A, target.id)).toBeUndefined();
    const audit = await h.bot.store.audit.list(TENANT_A, { connectorId: target.id });
    expect(audit[0]).toMatchObject({ action: 'connector.deleted', actor: owner.aadObjectId });
    // The same confirmation clicked again is stale: nothing left to delete.
    const stale = await ownerChat.click(confirm, 'Delete permanently');
    expect(stale.replies[0].text).toContain('does not exist in this tenant');
  });

  test('a confirmation made stale by a change to the connector deletes nothing', async () => {
    await seedConnectors(h.bot.store, [
      aConnector(TENANT_A).named('Busy Dropbox').ofType('dropbox').createdBy(owner).build(),
    ]);
    const ask = await ownerChat.say('delete busy dropbox');
    await ownerChat.say('transfer busy dropbox');
    const stale = await ownerChat.click(card(ask), 'Delete permanently');
    expect(stale.replies[0].text).toContain('out of date');
    expect((await ownerChat.say('status busy dropbox')).replies).toHaveLength(1);
  });

  test('a confirmation deletes only the connector it showed: not one deleted and added again under the same id, and only for the person who asked', async () => {
    const [first] = await seedConnectors(h.bot.store, [
      aConnector(TENANT_A).named('Reborn Box').ofType('box').withId('reborn-box').build(),
    ]);
    const ask = await ownerChat.say('delete reborn box');
    // Deleted elsewhere and imported again: same id, version 1 again, a new creation time.
    await h.bot.store.connectors.delete(TENANT_A, first.id);
    const later = new Date(Date.parse(first.createdAt) + 60_000).toISOString();
    await h.bot.store.connectors.create({ ...first, createdAt: later, authorizedAt: later });
    const stale = await ownerChat.click(card(ask), 'Delete permanently');
    expect(stale.replies[0].text).toContain('out of date');
    expect(await h.bot.store.connectors.get(TENANT_A, first.id)).toMatchObject({ createdAt: later });

    // Anyone may manage a connector without a creator (no admin group here), yet the confirmation
    // is the asker's: someone else clicking it is refused and told how to delete it themselves.
    const asked = await ownerChat.say('delete reborn box');
    const someoneElse = h.chat(other, 'personal', TENANT_A);
    const refused = answerError(await someoneElse.click(card(asked), 'Delete permanently'));
    expect(refused?.statusCode).toBe(403);
    expect(refused?.message).toMatch(
      /belongs to the person who asked to delete Reborn Box.*type delete Reborn Box/,
    );
    expect(await h.bot.store.connectors.get(TENANT_A, first.id)).toBeDefined();
    // Nor may they close the asker's question with Keep it (it would replace the card for all).
    const kept = answerError(await someoneElse.click(card(asked), 'Keep it'));
    expect(kept?.statusCode).toBe(403);
    expect(kept?.message).toContain('stays for them to answer');
    const deleted = await ownerChat.click(card(asked), 'Delete permanently');
    expect(cardText(card(deleted))).toContain('Deleted Reborn Box');
    expect(await h.bot.store.connectors.get(TENANT_A, first.id)).toBeUndefined();
  });

  test('storage failing on the audit line after a delete: the card says it is deleted, and that the audit log lacks it', async () => {
    const [target] = await seedConnectors(h.bot.store, [
      aConnector(TENANT_A).named('Unaudited Box').ofType('box').createdBy(owner).build(),
    ]);
    const ask = await ownerChat.say('delete unaudited box');
    const deleted = await withReplaced(
      h.bot.store.audit,
      'append',
      () => async () => {
        throw new StoreUnavailableError(new Error('ECONNRESET'));
      },
      () => ownerChat.click(card(ask), 'Delete permanently'),
    );
    const text = cardText(card(deleted));
    expect(text).toContain('Deleted Unaudited Box');
    expect(text).toContain('the audit log does not show this delete. The delete itself is done.');
    expect(text).not.toContain('could not do that');
    expect(await h.bot.store.connectors.get(TENANT_A, target.id)).toBeUndefined();
  });

  test('a refused transfer names the connector as text: a name written as a markdown link stays text', async () => {
    const day = 24 * 60 * 60 * 1000;
    const old = new Date(h.bot.clock.now().getTime() - 91 * day).toISOString();
    await seedConnectors(h.bot.store, [
      aConnector(TENANT_A)
        .named('[Reauthorize here](https://evil.example)')
        .createdBy(owner)
        .authorizedAt(old)
        .build(),
    ]);
    const turn = await ownerChat.say('transfer [Reauthorize here](https://evil.example)');
    // The deauthorization notice to the creator's chat comes first; then the refusal.
    const refusal = turn.replies[turn.replies.length - 1].text;
    expect(refusal).toBe(
      '"\\[Reauthorize here\\](https://evil.example)" is deauthorized; reauthorize it before recording transfers.',
    );
  });

  test('only the creator may delete; others are told who can', async () => {
    await seedConnectors(h.bot.store, [aConnector(TENANT_A).named('Guarded').ownedBy(owner).build()]);
    const client = h.chat(other, 'channel', TENANT_A);
    const turn = await client.say('delete guarded');
    expect(turn.replies[0].text).toContain('Only Megan Bowen, who created it');
  });

  test('rename explains that a display name cannot change and offers delete and add again', async () => {
    const turn = await ownerChat.say('rename Guarded');
    expect(cardText(card(turn))).toContain('must delete and re-add');
    expect(actionTitles(card(turn))).toContain('Delete and add again');
  });

  test('a connector 90 days without a transfer is deauthorized when loaded, shows the seed error, and refuses transfers', async () => {
    const day = 24 * 60 * 60 * 1000;
    const old = new Date(h.bot.clock.now().getTime() - 91 * day).toISOString();
    const [stale] = await seedConnectors(h.bot.store, [
      aConnector(TENANT_A).named('Dormant').createdBy(owner).authorizedAt(old).build(),
    ]);
    const status = await ownerChat.say('status dormant');
    expect(cardText(card(status))).toContain('Mover automatically deauthorizes connectors');
    // Seeds 002/003: the status of a failing connector says reauthorizing is a good first step.
    expect(cardText(card(status))).toContain(
      'Reauthorizing is also a good first step in trying to resolve most issues with your connectors.',
    );
    expect(actionTitles(card(status))).toContain('Reauthorize');
    expect((await h.bot.store.connectors.get(TENANT_A, stale.id))?.status).toBe('deauthorized');
    const audit = await h.bot.store.audit.list(TENANT_A, { connectorId: stale.id });
    expect(audit.map((a) => a.action)).toContain('connector.deauthorized');
    const transfer = await ownerChat.say('transfer dormant');
    expect(transfer.replies[0].text).toContain('reauthorize it before recording transfers');
  });

  test('storage failing on the audit line after a transfer: the person is told it was done and that the audit log lacks it', async () => {
    const [c] = await seedConnectors(h.bot.store, [
      aConnector(TENANT_A).named('Audited S3').ofType('amazon-s3').createdBy(owner).build(),
    ]);
    const turn = await withReplaced(
      h.bot.store.audit,
      'append',
      () => async () => {
        throw new StoreUnavailableError(new Error('ECONNRESET'));
      },
      () => ownerChat.say('transfer audited s3'),
    );
    const text = turn.replies.map((r) => String(r.text)).join('\n');
    expect(text).toContain('That was done, but storage failed right after, so the audit log lacks it');
    expect(text).not.toContain('could not do that');
    expect((await h.bot.store.connectors.get(TENANT_A, c.id))?.lastTransferAt).toBe(
      h.bot.clock.now().toISOString(),
    );
  });

  test('transfer restarts the 90-day clock', async () => {
    const day = 24 * 60 * 60 * 1000;
    const then = new Date(h.bot.clock.now().getTime() - 60 * day).toISOString();
    const [c] = await seedConnectors(h.bot.store, [
      aConnector(TENANT_A).named('Active S3').ofType('amazon-s3').createdBy(owner).authorizedAt(then).build(),
    ]);
    const turn = await ownerChat.say('transfer active s3');
    expect(turn.replies[0].text).toContain('Transfer recorded for Active S3');
    const stored = await h.bot.store.connectors.get(TENANT_A, c.id);
    expect(stored?.lastTransferAt).toBe(h.bot.clock.now().toISOString());
  });

  test('transfer takes a connector’s whole name (quoted, in any Unicode form): a part of one is offered as a button and records nothing', async () => {
    const [c] = await seedConnectors(h.bot.store, [
      aConnector(TENANT_A).named('Café Lunchroom Box').ofType('box').createdBy(owner).build(),
    ]);
    const partial = await ownerChat.say('transfer lunchroom');
    expect(cardText(card(partial))).toContain('No connector is called "lunchroom"');
    expect(actionTitles(card(partial))).toEqual(['Transfer Café Lunchroom Box']);
    expect((await h.bot.store.connectors.get(TENANT_A, c.id))?.lastTransferAt).toBeUndefined();
    const chosen = await ownerChat.click(card(partial), 'Transfer Café Lunchroom Box');
    expect(chosen.replies[0].text).toContain('Transfer recorded for Café Lunchroom Box');

    // Quotes around the name, and "é" typed as e + combining accent, still name it.
    const quoted = await ownerChat.say('transfer “cafe\u0301 lunchroom box”');
    expect(quoted.replies[0].text).toContain('Transfer recorded for Café Lunchroom Box');
    // Status, which only shows, still takes a part of a name.
    expect(cardText(card(await ownerChat.say('status lunchroom')))).toContain('Café Lunchroom Box');
  });

  test('tenants never see each other’s connectors, by command or by forged card data', async () => {
    const [secret] = await seedConnectors(h.bot.store, [
      aConnector(TENANT_A).named('Tenant A only').createdBy(owner).build(),
    ]);
    const intruder = makeUser();
    const client = h.chat(intruder, 'personal', TENANT_B);
    const status = await client.say('status Tenant A only');
    expect(cardText(card(status))).not.toContain(secret.id);
    expect(cardText(card(status))).toContain('This tenant has no connectors yet');
    const logged = h.bot.logs.length;
    const forged = await client.submitRaw({
      verb: 'connectorDelete',
      connectorId: secret.id,
      version: secret.version,
      confirm: true,
    });
    expect(forged.replies[0].text).toContain('does not exist in this tenant');
    expect(await h.bot.store.connectors.get(TENANT_A, secret.id)).toBeDefined();
    // The attempt leaves a trace naming the tenant it came from and the id it named.
    expect(h.bot.logs.slice(logged)).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'delete refused: no such connector in this tenant',
        tenantId: TENANT_B,
        connectorId: secret.id,
      }),
    );
  });

  test('which names the connector for a Microsoft service, from the seed table', async () => {
    const turn = await ownerChat.say('which SharePoint Online');
    expect(cardText(card(turn))).toContain('SharePoint Online: Office 365 Connector');
    // Seeds 002/003 open with Mover's retirement; each connector says where it is supported today.
    const blob = cardText(card(await ownerChat.say('which connector for Azure Blob?')));
    expect(blob).toContain('Azure Blob Storage: Azure Blob Storage Connector');
    expect(blob).toContain('Mover is now retired for all admin-led migrations.');
    expect(blob).toContain(
      '**Azure Blob Storage Connector**: Migration Manager does not support the migration of Azure Blob Storage',
    );
    expect(blob).not.toContain('OneDrive Consumer');
    const all = await ownerChat.say('which');
    expect(cardText(card(all))).toContain(
      'OneDrive for Business (User): OneDrive for Business (User) Connector',
    );
  });
});
