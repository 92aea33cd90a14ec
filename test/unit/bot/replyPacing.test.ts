import { makeUser, personalChat } from '../../harness/activities';
import { TeamsClient } from '../../harness/teamsClient';
import { startHarness } from '../../harness/testBot';
import { cardOf, cardText } from '../../harness/cards';
import { connectorRecord, seedConnectors } from '../../support/connectorFixtures';

const TENANT = '77777777-7777-4777-8777-777777777777';

describe('Bot Connector attempts of a turn', () => {
  let h: Awaited<ReturnType<typeof startHarness>>;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });
  beforeEach(() => h.standIn.reset());

  test('a reply answered 429 again and again is retried after each Retry-After until it is delivered once', async () => {
    const user = makeUser();
    const client = new TeamsClient(h.bot.url, h.standIn, user, personalChat(TENANT, user));
    // Four refusals in a row: more than the connector client's own retry policy (three retries)
    // would ever try, so the reply only arrives when it is retried through the rate limiter.
    const refused = 4;
    for (const route of ['replyToActivity', 'sendToConversation'] as const)
      h.standIn.program(
        route,
        { status: 429, headers: { 'Retry-After': '0.2' }, body: { error: { code: 'Throttled' } } },
        { times: refused, match: (c) => c.conversationId === client.conversation.id },
      );
    const turn = await client.say('help');
    expect(turn.status).toBe(200);
    const attempts = [...h.standIn.callsTo('replyToActivity'), ...h.standIn.callsTo('sendToConversation')]
      .filter((c) => c.conversationId === client.conversation.id)
      .sort((a, b) => a.at - b.at);
    expect(attempts.map((c) => c.status)).toEqual([...Array(refused).fill(429), 200]);
    // Each retry waited the 200 ms the refusal asked for.
    for (let i = 1; i < attempts.length; i++)
      expect(attempts[i].at - attempts[i - 1].at).toBeGreaterThanOrEqual(190);
    expect(turn.replies).toHaveLength(1);
    expect(JSON.stringify(turn.replies[0])).not.toMatch(/something went wrong/i);
  });

  test('a reply of text beyond ASCII goes out as its UTF-8 bytes and arrives whole, resent after a 429 too', async () => {
    const user = makeUser();
    const client = new TeamsClient(h.bot.url, h.standIn, user, personalChat(TENANT, user));
    const name = 'Überweisungen – Zürich 📁 経理';
    await seedConnectors(h.bot.store, [connectorRecord({ tenantId: TENANT, displayName: name })]);
    h.standIn.program(
      'replyToActivity',
      { status: 429, headers: { 'Retry-After': '0.1' }, body: { error: { code: 'Throttled' } } },
      { times: 1, match: (c) => c.conversationId === client.conversation.id },
    );
    const turn = await client.say('connectors');
    const attempts = h.standIn
      .callsTo('replyToActivity')
      .filter((c) => c.conversationId === client.conversation.id);
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    for (const attempt of attempts) expect(JSON.stringify(attempt.body)).toContain(name);
    expect(cardText(cardOf(turn.replies.at(-1)!))).toContain(name);
  });
});
