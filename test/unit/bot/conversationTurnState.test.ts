import { MemoryStorage, TestAdapter, TurnContext } from 'botbuilder';
import { ConversationTurnState } from '../../../src/bot/conversationTurnState';

function turn(): TurnContext {
  return new TurnContext(new TestAdapter(), {
    type: 'message',
    channelId: 'msteams',
    recipient: { id: '28:bot', name: 'bot' },
    conversation: { id: 'a:conv', isGroup: false, name: '', conversationType: 'personal' },
    from: { id: '29:user', name: 'Adele' },
    text: 'help',
  } as never);
}

describe('turn state without a user scope', () => {
  test('loads and saves the conversation row alone, and reads it back on the next turn', async () => {
    const storage = new MemoryStorage();
    const reads = jest.spyOn(storage, 'read');
    const first = new ConversationTurnState();
    await first.load(turn(), storage);
    expect(reads.mock.calls).toEqual([[['msteams/28:bot/conversations/a:conv']]]);
    (first.conversation as Record<string, unknown>).kept = 'yes';
    await first.save(turn(), storage);

    const again = new ConversationTurnState();
    await again.load(turn(), storage);
    expect((again.conversation as Record<string, unknown>).kept).toBe('yes');
    expect(Object.keys(await storage.read(['msteams/28:bot/users/29:user']))).toEqual([]);
  });

  test('the user scope is empty and refuses what a feature would write to it, rather than losing it', async () => {
    const state = new ConversationTurnState();
    await state.load(turn(), new MemoryStorage());
    expect(state.user).toEqual({});
    expect(() => {
      (state.user as Record<string, unknown>).signedIn = 'graph';
    }).toThrow(TypeError);
    expect(() => {
      state.user = { signedIn: 'graph' };
    }).toThrow(/no per-user state/);
  });

  test('saves the conversation row only when it changed, and deletes it once deleted', async () => {
    const key = 'msteams/28:bot/conversations/a:conv';
    const storage = new MemoryStorage();
    await storage.write({ [key]: { step: 1 } });
    const writes = jest.spyOn(storage, 'write');
    const deletes = jest.spyOn(storage, 'delete');

    const unchanged = new ConversationTurnState();
    await unchanged.load(turn(), storage);
    await unchanged.save(turn(), storage);
    expect(writes).not.toHaveBeenCalled();

    const changed = new ConversationTurnState();
    await changed.load(turn(), storage);
    (changed.conversation as Record<string, unknown>).step = 2;
    await changed.save(turn(), storage);
    expect(writes).toHaveBeenCalledTimes(1);
    expect(Object.entries(writes.mock.calls[0][0])).toEqual([[key, expect.objectContaining({ step: 2 })]]);
    // Without a prototype, so that V8 makes no hidden class per conversation key (see keyedItems).
    expect(Object.getPrototypeOf(writes.mock.calls[0][0])).toBeNull();
    expect((await storage.read([key]))[key]).toMatchObject({ step: 2 });

    const deleted = new ConversationTurnState();
    await deleted.load(turn(), storage);
    deleted.deleteConversationState();
    await deleted.save(turn(), storage);
    expect(deletes.mock.calls).toEqual([[[key]]]);
    expect(writes).toHaveBeenCalledTimes(1);
    expect(Object.keys(await storage.read([key]))).toEqual([]);
  });

  test('a save before the state is loaded is refused as teams-ai refuses it', async () => {
    await expect(new ConversationTurnState().save(turn(), new MemoryStorage())).rejects.toThrow(/loaded/);
  });

  test('an activity without a sender is refused as teams-ai refuses it', async () => {
    const context = turn();
    (context.activity as { from?: unknown }).from = undefined;
    await expect(new ConversationTurnState().load(context, new MemoryStorage())).rejects.toThrow(
      /missing context.activity.from.id/,
    );
  });
});
