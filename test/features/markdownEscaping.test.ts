import { makeUser } from '../harness/activities';
import { cardOf, unescapeMarkdown, type Card } from '../harness/cards';
import { startHarness, type Harness } from '../harness/testBot';
import { shownCard, TeamsClient } from '../harness/teamsClient';
import { connectorRecord, seedConnectors } from '../support/connectorFixtures';
import { HOSTILE, hostileMarkup, markdownPlaces } from '../support/markdownCheck';
import { clickOn, startWizard } from './wizard/wizardDriver';

const TENANT = '7a7a7a7a-7a7a-4a7a-8a7a-7a7a7a7a7a7a';
const API_TOKEN = 'api-token-'.padEnd(40, 'x');
const LINK_NAME = '[Reauthorize here](https://evil.example)';

/** Fails naming the place when any markdown place of the card renders markup from HOSTILE. */
function expectLiteral(card: Card, shown: string): void {
  const places = markdownPlaces(card);
  expect(places.some((text) => unescapeMarkdown(text).includes(shown))).toBe(true);
  for (const text of places) expect({ text, markup: hostileMarkup(text) }).toEqual({ text, markup: [] });
  expect(places.join('\n')).not.toMatch(/(^|[^\\])\[Reauthorize here\]\(/);
}

describe('text from people never becomes card markup', () => {
  let h: Harness;
  const owner = makeUser(HOSTILE, 'megan@contoso.onmicrosoft.com');
  let ownerChat: TeamsClient;

  beforeAll(async () => {
    h = await startHarness({
      env: { API_TOKEN },
      timing: { now: () => performance.now(), sleep: async () => undefined },
    });
    ownerChat = h.chat(owner, 'personal', TENANT);
  });
  afterAll(async () => h.stop());

  test('a display name and a creator name that look like links show literally on the status card', async () => {
    await seedConnectors(h.bot.store, [
      connectorRecord({
        tenantId: TENANT,
        displayName: LINK_NAME,
        type: 'box',
        createdBy: owner.aadObjectId,
        createdByName: HOSTILE,
      }),
    ]);
    const status = await ownerChat.say('status reauthorize here');
    const card = shownCard(status);
    expectLiteral(card, LINK_NAME);
    expectLiteral(card, HOSTILE);
  });

  test('a plain-text reply naming a link-like connector shows the name literally (Teams reads message text as markdown)', async () => {
    // transfer records at once, so it takes the whole name (a part only offers a button).
    const turn = await ownerChat.say(`transfer ${LINK_NAME}`);
    const text = String(turn.replies.at(-1)?.text);
    expect(text).toMatch(/^Transfer recorded for \\\[Reauthorize here\\\]\(https:\/\/evil\.example\)\. /);
    expect(unescapeMarkdown(text)).toContain(`Transfer recorded for ${LINK_NAME}.`);
    expect({ text, markup: hostileMarkup(text) }).toEqual({ text, markup: [] });
  });

  test('cancel by someone else names the wizard’s link-like owner literally', async () => {
    const channelClient = h.chat(owner, 'channel', TENANT);
    await channelClient.say('connect box');
    const other = makeUser('Other person');
    const refused = await channelClient.as(other).say('cancel');
    const text = refused.replies.map((r) => String(r.text ?? '')).join('\n');
    expect(unescapeMarkdown(text)).toContain(`Only ${HOSTILE}, who started this wizard`);
    expect(hostileMarkup(text)).toEqual([]);
  });

  test('a command argument that looks like a link shows literally', async () => {
    const turn = await ownerChat.say(`status ${HOSTILE.split('\n')[0]} zzz`);
    expectLiteral(shownCard(turn), '[Reauthorize here](https://evil.example) **bold**');
  });

  test('the expiry digest shows a link-like display name literally', async () => {
    const channelClient = h.chat(owner, 'channel', TENANT);
    await channelClient.say('subscribe');
    const day = 24 * 60 * 60 * 1000;
    const then = new Date(h.bot.clock.now().getTime() - 61 * day).toISOString();
    await seedConnectors(h.bot.store, [
      connectorRecord({
        tenantId: TENANT,
        displayName: `${LINK_NAME} digest`,
        createdBy: owner.aadObjectId,
        createdAt: then,
        authorizedAt: then,
      }),
    ]);
    h.standIn.reset();
    const report = await h.bot.scanner.scan();
    expect(report.sent).toBeGreaterThan(0);
    const digests = h.standIn
      .posted(channelClient.conversation.channelId!)
      .map((a) => cardOf(a))
      .filter((c) => JSON.stringify(c).includes('digest'));
    expect(digests.length).toBeGreaterThan(0);
    for (const digest of digests) expectLiteral(digest, `${LINK_NAME} digest`);
  });

  test('a display name with a bidirectional control character is refused with a clear message', async () => {
    for (const bidi of ['\u202E', '\u2066']) {
      const screen = await startWizard(ownerChat, 'box');
      const refused = await clickOn(ownerChat, screen, 'Next', { displayName: `invoice${bidi}fdp.exe` });
      expect(unescapeMarkdown(JSON.stringify(refused.card))).toContain(
        'A display name cannot contain bidirectional control characters',
      );
      await clickOn(ownerChat, refused, 'Cancel');
    }
    expect(h.bot.logs.filter((l) => l.msg === 'display name refused')).toHaveLength(2);
    expect(await h.bot.store.connectors.list(TENANT, { limit: 50 })).not.toMatchObject({
      items: expect.arrayContaining([
        expect.objectContaining({ displayName: expect.stringContaining('fdp') }),
      ]),
    });
  });

  test('the management API refuses a display name with a bidirectional control character', async () => {
    const response = await fetch(`${h.bot.url}/api/v1/tenants/${TENANT}/connectors`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'box', displayName: 'invoice\u202Efdp.exe' }),
    });
    expect(response.status).toBe(422);
    expect(JSON.stringify(await response.json())).toContain('bidirectional control characters');
  });
});
