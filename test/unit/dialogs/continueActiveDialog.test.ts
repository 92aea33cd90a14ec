import { TestAdapter, TurnContext } from 'botbuilder';
import { Dialog, DialogTurnStatus, type DialogTurnResult } from 'botbuilder-dialogs/lib/dialog';
import { DialogContext } from 'botbuilder-dialogs/lib/dialogContext';
import { DialogContextError } from 'botbuilder-dialogs/lib/dialogContextError';
import { DialogSet } from 'botbuilder-dialogs/lib/dialogSet';
import { continueActiveDialog } from '../../../src/dialogs/continueActiveDialog';

function turn(): TurnContext {
  return new TurnContext(new TestAdapter(), {
    type: 'message',
    channelId: 'msteams',
    conversation: { id: 'c', isGroup: false, conversationType: 'personal', name: '' },
  });
}

/** Counts its turns; fails on the turn it is told to. */
class Counting extends Dialog {
  failWith?: Error;
  override async beginDialog(dc: DialogContext): Promise<DialogTurnResult> {
    return this.continueDialog(dc);
  }
  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    if (this.failWith) throw this.failWith;
    const state = dc.activeDialog!.state as { turns?: number };
    state.turns = (state.turns ?? 0) + 1;
    return Dialog.EndOfTurn;
  }
}

function contextWith(dialog: Dialog, stack: { id: string; state: object }[]): DialogContext {
  const set = new DialogSet();
  set.add(dialog);
  return new DialogContext(set, turn(), { dialogStack: stack });
}

describe('continuing the active dialog without a dialog event', () => {
  test('continues the active dialog as continueDialog does, and raises no dialog event', async () => {
    const events = jest.spyOn(Dialog.prototype, 'onDialogEvent');
    try {
      const dialog = new Counting('counting');
      const dc = contextWith(dialog, [{ id: 'counting', state: {} }]);
      const twin = contextWith(dialog, [{ id: 'counting', state: {} }]);

      const result = await continueActiveDialog(dc);
      expect(events).not.toHaveBeenCalled();
      expect(await twin.continueDialog()).toEqual(result);
      expect(events).toHaveBeenCalled();
      expect(dc.activeDialog!.state).toEqual(twin.activeDialog!.state);
      expect(dc.activeDialog!.state).toEqual({ turns: 1 });
    } finally {
      events.mockRestore();
    }
  });

  test('answers an empty stack with the empty status', async () => {
    const dc = contextWith(new Counting('counting'), []);
    expect(await continueActiveDialog(dc)).toEqual({ status: DialogTurnStatus.empty });
  });

  test("hands on a dialog's failure with the dialog stack, as continueDialog does", async () => {
    const dialog = new Counting('counting');
    dialog.failWith = new Error('the step failed');
    const dc = contextWith(dialog, [{ id: 'counting', state: {} }]);
    const failure = await continueActiveDialog(dc).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(DialogContextError);
    expect((failure as DialogContextError).error).toBe(dialog.failWith);
    expect((failure as DialogContextError).dialogContext.stack).toEqual([{ id: 'counting', state: {} }]);
  });

  test('refuses a stack naming a dialog the set does not have', async () => {
    const dc = contextWith(new Counting('counting'), [{ id: 'gone', state: {} }]);
    await expect(continueActiveDialog(dc)).rejects.toThrow(/no dialog "gone"/);
  });
});
