import type { StatePropertyAccessor } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs/lib/dialogContext';

/** Where the dialog stack lives in a conversation's state. */
export const DIALOG_STATE = 'dialogState';

/**
 * The conversation's dialog state, as botbuilder-dialogs reads it (`get(context, default)`).
 * teams-ai's TurnStateProperty takes the default as its first argument, so a DialogSet over it
 * stored the TurnContext itself as a new conversation's dialog state: its adapter settings and
 * the whole first activity were saved with the stack, then parsed, hashed and written again on
 * every turn. Only `dialogStack` is state; a stored state with anything else (written by an
 * earlier release) is cut back to its stack when read, and saved so at the end of that turn.
 */
export function dialogStateProperty(
  conversation: Record<string, unknown>,
): StatePropertyAccessor<DialogState> {
  return {
    async get(_context, defaultValue?: DialogState): Promise<DialogState> {
      const stored = conversation[DIALOG_STATE] as DialogState | undefined;
      if (stored && typeof stored === 'object') {
        if (Object.keys(stored).some((key) => key !== 'dialogStack'))
          conversation[DIALOG_STATE] = { dialogStack: stored.dialogStack };
      } else {
        conversation[DIALOG_STATE] = defaultValue ?? { dialogStack: [] };
      }
      return conversation[DIALOG_STATE] as DialogState;
    },
    async set(_context, value: DialogState): Promise<void> {
      conversation[DIALOG_STATE] = value;
    },
    async delete(): Promise<void> {
      conversation[DIALOG_STATE] = undefined;
    },
  };
}
