import { personalChat, channel, groupChat, makeUser } from './harness/activities';
import { cardText, actionTitles, cardOf } from './harness/cards';
import { startHarness } from './harness/testBot';
import { TeamsClient, lastCard } from './harness/teamsClient';

const TENANT = '11111111-1111-4111-8111-111111111111';

describe('help and unknown text', () => {
  let h: Awaited<ReturnType<typeof startHarness>>;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  test('help in personal chat answers with a card listing commands and connector types', async () => {
    const user = makeUser();
    const client = new TeamsClient(h.bot.url, h.standIn, user, personalChat(TENANT, user));
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
    const client = new TeamsClient(h.bot.url, h.standIn, user, personalChat(TENANT, user));
    const turn = await client.say('make me a sandwich');
    expect(turn.replies).toHaveLength(1);
    const text = cardText(lastCard(turn));
    expect(text).toContain('I did not understand "make me a sandwich"');
    expect(text).toContain('Commands');
  });

  test('in a channel the @mention is stripped before the command is read', async () => {
    const user = makeUser();
    const client = new TeamsClient(h.bot.url, h.standIn, user, channel(TENANT));
    const turn = await client.say('HELP');
    const text = cardText(lastCard(turn));
    expect(text).not.toContain('I did not understand');
    expect(text).toContain('Commands');
  });

  test('a group chat is served too', async () => {
    const user = makeUser();
    const client = new TeamsClient(h.bot.url, h.standIn, user, groupChat(TENANT));
    const turn = await client.say('help');
    expect(cardText(cardOf(turn.replies[0]))).toContain('Commands');
  });

  test('the conversation reference is kept, written again only when it changes or an hour has passed', async () => {
    const user = makeUser();
    const conversation = personalChat(TENANT, user);
    const client = new TeamsClient(h.bot.url, h.standIn, user, conversation);
    await client.say('help');
    const first = await h.bot.store.conversations.get(TENANT, conversation.id);
    expect(first).toMatchObject({ conversationType: 'personal', userId: user.aadObjectId });
    h.bot.clock.set(new Date(h.bot.clock.now().getTime() + 10 * 60 * 1000));
    await client.say('help');
    expect((await h.bot.store.conversations.get(TENANT, conversation.id))?.updatedAt).toBe(first?.updatedAt);
    h.bot.clock.set(new Date(h.bot.clock.now().getTime() + 61 * 60 * 1000));
    await client.say('help');
    expect((await h.bot.store.conversations.get(TENANT, conversation.id))?.updatedAt).not.toBe(
      first?.updatedAt,
    );
  });
});
