import { makeUser, type TeamsUser } from '../../harness/activities';
import { actionTitles, cardOf, cardText } from '../../harness/cards';
import { startHarness, type Harness } from '../../harness/testBot';
import { shownCard, TeamsClient } from '../../harness/teamsClient';
import { expectValidCard } from '../../support/cardValidation';

const TENANT = '12121212-1212-4212-8212-121212121212';
const TOKEN = 'api-token-'.padEnd(40, 'p');
const DAY_MS = 24 * 60 * 60 * 1000;

const shown = shownCard;

describe('connectors say whether their state was verified or reported', () => {
  let h: Harness;
  let ada: TeamsUser;
  let client: TeamsClient;

  beforeAll(async () => {
    h = await startHarness({ env: { API_TOKEN: TOKEN } });
    ada = makeUser('Ada Lovelace', 'ada@contoso.onmicrosoft.com');
    client = h.chat(ada, 'personal', TENANT);
  });
  afterAll(async () => h.stop());

  const api = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${h.bot.url}/api/v1/tenants/${TENANT}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    });
    return { status: res.status, body: await res.json() };
  };

  test('a sign-in wizard ends with what the person confirms, and the connector is recorded as reported by them', async () => {
    const started = await client.say('connect box');
    const id = String(started.replies[0].id);
    let turn = await client.click(shown(started), 'Next', { displayName: 'Finance Box' }, id);
    turn = await client.click(shown(turn), 'Next', {}, id);
    const last = shown(turn);
    expect(actionTitles(last)[0]).toBe('I confirm I signed in and allowed access');
    expect(cardText(last)).toContain('I cannot see your sign-in to Box');
    expect(cardText(last)).toContain('authorized, reported by you and not verified');
    const done = shown(await client.click(last, 'I confirm I signed in and allowed access', {}, id));
    expectValidCard(done);
    expect(cardText(done)).toMatch(/Status: authorized, reported by Ada Lovelace on .+, not verified/);

    const [connector] = (await h.bot.store.connectors.list(TENANT)).items.filter(
      (c) => c.displayName === 'Finance Box',
    );
    expect(connector.provenance).toEqual({
      kind: 'reported',
      by: ada.aadObjectId,
      byName: 'Ada Lovelace',
      at: h.bot.clock.now().toISOString(),
    });

    const list = cardOf((await client.say('connectors')).replies[0]);
    expectValidCard(list);
    expect(cardText(list)).toMatch(/authorized, reported by Ada Lovelace on .+, not verified/);
    const status = cardOf((await client.say('status finance box')).replies[0]);
    expect(cardText(status)).toMatch(/Status: authorized, reported by Ada Lovelace on .+, not verified/);

    const viaApi = await api(`/connectors/${connector.id}`);
    expect(viaApi.status).toBe(200);
    expect(viaApi.body.provenance).toMatchObject({ kind: 'reported', byName: 'Ada Lovelace' });
    expect(viaApi.body.state).toMatch(/^authorized, reported by Ada Lovelace on \d{4}-.+, not verified$/);
  });

  test('an imported connector is reported by the import; the API and status say so', async () => {
    const created = await api('/connectors', {
      method: 'POST',
      body: JSON.stringify({ type: 'dropbox', displayName: 'Imported Dropbox' }),
    });
    expect(created.status).toBe(201);
    const listed = await api('/connectors');
    const imported = listed.body.items.find(
      (c: { displayName: string }) => c.displayName === 'Imported Dropbox',
    );
    expect(imported.provenance).toMatchObject({ kind: 'reported', by: 'api' });
    expect(imported.state).toContain('reported by the management API (import)');
    const status = cardOf((await client.say('status imported dropbox')).replies[0]);
    expect(cardText(status)).toContain('reported by the management API (import)');
  });

  test('the expiry digest says how each connector’s state is known', async () => {
    const subscriber = h.chat(ada, 'channel', TENANT);
    await subscriber.say('subscribe');
    h.standIn.reset();
    h.bot.clock.set(new Date(h.bot.clock.now().getTime() + 61 * DAY_MS));
    await h.bot.scanner.scan();
    const digests = h.standIn
      .posted(subscriber.conversation.channelId!)
      .map((a) => cardOf(a))
      .filter((c) => cardText(c).includes('expire soon'));
    expect(digests.length).toBeGreaterThanOrEqual(1);
    expectValidCard(digests[0]);
    expect(cardText(digests[0])).toMatch(
      /Finance Box[\s\S]*authorized, reported by Ada Lovelace on .+, not verified/,
    );
  });
});
