import type { Storage, StoreItems } from 'botbuilder';
import { Dialog } from 'botbuilder-dialogs/lib/dialog';
import { DialogContainer } from 'botbuilder-dialogs/lib/dialogContainer';
import { BOT, makeUser } from '../../harness/activities';
import { cardText } from '../../harness/cards';
import type { TeamsClient } from '../../harness/teamsClient';
import { useHarness } from '../../harness/useHarness';
import { clickOn, newTenant, startWizard, wizardData } from './wizardDriver';

/** teams-ai's storage key of a conversation's state. */
function conversationKey(client: TeamsClient): string {
  return `msteams/${BOT.id}/conversations/${client.conversation.id}`;
}

describe('what a wizard keeps in conversation state', () => {
  const { h } = useHarness();

  async function storedDialogState(client: TeamsClient): Promise<Record<string, unknown>> {
    const key = conversationKey(client);
    const items = await h.bot.store.state.read([key]);
    return (items[key] as { dialogState: Record<string, unknown> }).dialogState;
  }

  test('only the dialog stack: nothing of the turn (its activity, the adapter) is stored with it', async () => {
    const client = h.chat(makeUser(), 'personal', newTenant());
    const name = await startWizard(client, 'box');
    const stored = await storedDialogState(client);
    expect(Object.keys(stored)).toEqual(['dialogStack']);
    expect(JSON.stringify(stored)).toContain(wizardData(name.card).wizardId);
    await clickOn(client, name, 'Next', { displayName: 'Kept lean' });
    expect(Object.keys(await storedDialogState(client))).toEqual(['dialogStack']);
  });

  test("a turn reads and writes its conversation's state alone: the bot keeps nothing per user", async () => {
    const client = h.chat(makeUser(), 'personal', newTenant());
    const name = await startWizard(client, 'box');
    // The store is behind a Proxy (guardStore), where jest.spyOn hands back the wrapper rather
    // than its mock: the two methods are replaced on the storage itself, then deleted to restore.
    const storage = h.bot.store.state as Storage & Record<string, unknown>;
    const { read, write } = storage;
    const reads: string[][] = [];
    const writes: string[][] = [];
    storage.read = (keys: string[]) => (reads.push(keys), read(keys));
    storage.write = (changes: StoreItems) => (writes.push(Object.keys(changes)), write(changes));
    try {
      const step = await clickOn(client, name, 'Next', { displayName: 'One row' });
      expect(wizardData(step.card).page).not.toBe(wizardData(name.card).page);
      // teams-ai's default state would also read `msteams/<bot>/users/<user id>`, a row never written.
      expect(reads).toEqual([[conversationKey(client)]]);
      expect(writes).toEqual([[conversationKey(client)]]);
    } finally {
      const own = storage as Partial<Storage>;
      delete own.read;
      delete own.write;
    }
  });

  test('a dialog state stored by an earlier release, with the turn around its stack, goes on and is cut back', async () => {
    const client = h.chat(makeUser(), 'personal', newTenant());
    const name = await startWizard(client, 'box');
    // What an earlier release stored: teams-ai's TurnStateProperty took the TurnContext for the
    // default value, so the context's fields were saved around the dialog stack.
    const key = conversationKey(client);
    const items = await h.bot.store.state.read([key]);
    const state = items[key] as { dialogState: Record<string, unknown> };
    state.dialogState = {
      _respondedRef: { responded: true },
      _turnState: {},
      _activity: {
        type: 'message',
        text: 'connect box',
        from: { id: client.user.id, name: client.user.name },
      },
      _adapter: { botFrameworkAuthConfig: {} },
      ...state.dialogState,
    };
    await h.bot.store.state.write({ [key]: state });

    const step = await clickOn(client, name, 'Next', { displayName: 'Migrated' });
    expect(wizardData(step.card).wizardId).toBe(wizardData(name.card).wizardId);
    expect(cardText(step.card)).not.toContain('out of date');
    expect(wizardData(step.card).page).not.toBe(wizardData(name.card).page);
    expect(Object.keys(await storedDialogState(client))).toEqual(['dialogStack']);
  });

  test('a step goes on to the next page without raising a dialog event (no wizard dialog handles one)', async () => {
    const client = h.chat(makeUser(), 'personal', newTenant());
    const name = await startWizard(client, 'box');
    const events = [
      jest.spyOn(Dialog.prototype, 'onDialogEvent'),
      jest.spyOn(DialogContainer.prototype, 'onDialogEvent'),
    ];
    try {
      const step = await clickOn(client, name, 'Next', { displayName: 'No events' });
      expect(wizardData(step.card).wizardId).toBe(wizardData(name.card).wizardId);
      expect(wizardData(step.card).page).not.toBe(wizardData(name.card).page);
      for (const spy of events) expect(spy).not.toHaveBeenCalled();
    } finally {
      events.forEach((spy) => spy.mockRestore());
    }
  });
});
