import { channel, makeUser, personalChat, teamGeneral } from '../../harness/activities';
import { cardText, cardOf } from '../../harness/cards';
import { useHarness } from '../../harness/useHarness';

const TENANT = '22222222-2222-4222-8222-222222222222';

describe('welcome card on install', () => {
  const { h } = useHarness();

  test('personal install: posted once, although Teams sends installationUpdate and conversationUpdate', async () => {
    const user = makeUser();
    const client = h.chat(user, 'personal', TENANT);
    const first = await client.install('add');
    const second = await client.botAdded();
    const third = await client.install('add');
    expect(first.replies).toHaveLength(1);
    expect(cardText(cardOf(first.replies[0]))).toContain('Connector Concierge is here');
    expect(second.replies).toHaveLength(0);
    expect(third.replies).toHaveLength(0);
  });

  test('group chat and team installs each get their own welcome with a tip for that scope', async () => {
    const user = makeUser();
    const chat = h.chat(user, 'groupChat', TENANT);
    const chatTurn = await chat.botAdded();
    expect(cardText(cardOf(chatTurn.replies[0]))).toContain('In this chat, @mention me');

    const teamId = channel(TENANT).teamId!;
    const team = h.chat(user, teamGeneral(TENANT, teamId));
    const teamTurn = await team.install('add');
    expect(cardText(cardOf(teamTurn.replies[0]))).toContain('In this team, @mention me');
    expect((await team.botAdded()).replies).toHaveLength(0);
  });

  test('the install stores the conversation reference; removing the bot forgets it and a reinstall welcomes again', async () => {
    const user = makeUser();
    const conversation = teamGeneral(TENANT, channel(TENANT).teamId!);
    const team = h.chat(user, conversation);
    await team.install('add');
    const stored = await h.bot.store.conversations.get(TENANT, conversation.id);
    expect(stored?.conversationType).toBe('channel');
    expect(stored?.reference.serviceUrl).toBe(h.standIn.url);
    expect(stored?.welcomedAt).toBeDefined();

    await team.install('remove');
    expect(await h.bot.store.conversations.get(TENANT, conversation.id)).toBeUndefined();
    expect((await team.install('add')).replies).toHaveLength(1);
  });

  test('a welcome that Teams refuses is not marked as posted, so the next install event retries it', async () => {
    const user = makeUser();
    const conversation = personalChat(TENANT, user);
    const client = h.chat(user, conversation);
    // 403 is what Teams answers when the user blocked the bot; botbuilder does not retry it.
    const refused = { status: 403, body: { error: { code: 'BotDisabledByAdmin', message: 'blocked' } } };
    h.standIn.program('sendToConversation', refused, { times: 5 });
    h.standIn.program('replyToActivity', refused, { times: 5 });
    const failed = await client.install('add');
    expect(failed.replies).toHaveLength(0);
    expect((await h.bot.store.conversations.get(TENANT, conversation.id))?.welcomedAt).toBeUndefined();
    expect(h.bot.logs.some((l) => l.msg === 'turn failed')).toBe(true);
    h.standIn.reset();
    const retried = await client.botAdded();
    expect(retried.replies).toHaveLength(1);
  });
});
