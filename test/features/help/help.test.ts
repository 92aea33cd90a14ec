import { personalChat, makeUser } from '../../harness/activities';
import { cardText, actionTitles, cardOf } from '../../harness/cards';
import { lastCard } from '../../harness/teamsClient';
import { useHarness } from '../../harness/useHarness';
import { REFERENCE_KEPT_IDLE_MS } from '../../../src/bot/conversationTracking';

const TENANT = '11111111-1111-4111-8111-111111111111';

describe('help and unknown text', () => {
  const { h } = useHarness();

  test('help in personal chat answers with a card listing commands and connector types', async () => {
    const user = makeUser();
    const client = h.chat(user, 'personal', TENANT);
    const turn = await client.say('help');
    expect(turn.status).toBe(200);
    expect(turn.replies).toHaveLength(1);
    const text = cardText(lastCard(turn));
    expect(text).toContain('help');
    expect(text).toContain('office365');
    expect(text).toContain('Which connector to use for each Microsoft service');
    expect(text).toContain('azure-blob');
    expect(actionTitles(lastCard(turn))).toContain('Connect a new connector');
  });

  test('unknown text gets a hint and the help card, never silence', async () => {
    const user = makeUser();
    const client = h.chat(user, 'personal', TENANT);
    const turn = await client.say('make me a sandwich');
    expect(turn.replies).toHaveLength(1);
    const text = cardText(lastCard(turn));
    expect(text).toContain('I did not understand "make me a sandwich"');
    expect(text).toContain('Commands');
  });

  test('help after a hinted card and before one: each `help` is the plain card, each hint its own', async () => {
    const client = h.chat(makeUser(), 'personal', TENANT);
    const hinted = await client.say('brew coffee');
    const first = await client.say('help');
    const second = await h.chat(makeUser(), 'channel', TENANT).say('help');
    const later = await client.say('make tea');
    expect(cardText(lastCard(hinted))).toContain('I did not understand "brew coffee"');
    for (const plain of [first, second]) {
      expect(cardText(lastCard(plain))).not.toContain('I did not understand');
      expect(JSON.stringify(lastCard(plain))).toBe(JSON.stringify(lastCard(first)));
    }
    expect(cardText(lastCard(later))).toContain('I did not understand "make tea"');
    expect(cardText(lastCard(later))).not.toContain('brew coffee');
  });

  test('in a channel the @mention is stripped before the command is read', async () => {
    const user = makeUser();
    const client = h.chat(user, 'channel', TENANT);
    const turn = await client.say('HELP');
    const text = cardText(lastCard(turn));
    expect(text).not.toContain('I did not understand');
    expect(text).toContain('Commands');
  });

  test('a group chat is served too', async () => {
    const user = makeUser();
    const client = h.chat(user, 'groupChat', TENANT);
    const turn = await client.say('help');
    expect(cardText(cardOf(turn.replies[0]))).toContain('Commands');
  });

  test('the conversation reference is kept, written again when it changes, after an hour, or when a quiet conversation wakes', async () => {
    const user = makeUser();
    const conversation = personalChat(TENANT, user);
    const client = h.chat(user, conversation);
    const later = (ms: number) => h.bot.clock.set(new Date(h.bot.clock.now().getTime() + ms));
    const updatedAt = async () => (await h.bot.store.conversations.get(TENANT, conversation.id))?.updatedAt;
    await client.say('help');
    const first = await h.bot.store.conversations.get(TENANT, conversation.id);
    expect(first).toMatchObject({ conversationType: 'personal', userId: user.aadObjectId });
    // A conversation going on (turns less than the kept idle time apart) writes nothing more...
    for (let waited = 0; waited < 60 * 60 * 1000 - REFERENCE_KEPT_IDLE_MS; waited += REFERENCE_KEPT_IDLE_MS) {
      later(REFERENCE_KEPT_IDLE_MS);
      await client.say('help');
      expect(await updatedAt()).toBe(first?.updatedAt);
    }
    // ...until an hour has passed.
    later(REFERENCE_KEPT_IDLE_MS);
    await client.say('help');
    const second = await updatedAt();
    expect(second).not.toBe(first?.updatedAt);
    // A conversation quiet for long enough is forgotten, and written again when it wakes.
    later(2 * REFERENCE_KEPT_IDLE_MS + 1);
    await client.say('help');
    expect(await updatedAt()).not.toBe(second);
  });
});
