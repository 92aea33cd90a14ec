// From its module, not the package index, which also loads teams-ai's AI half (test/integration/startupImports.test.ts).
import { TurnState, type DefaultUserState } from '@microsoft/teams-ai/lib/TurnState';
import type { Storage, TurnContext } from 'botbuilder';
import { keyedItems } from '../store/keyedItems';
import { TurnStateSaveError } from './turnErrors';

/**
 * What `state.user` is: nothing, and nothing can be added. teams-ai looks in it on every turn
 * for a sign-in in progress; the bot uses no teams-ai sign-in and keeps nothing per user.
 */
const NO_USER_STATE: DefaultUserState = Object.freeze({});

/**
 * teams-ai's turn state with its conversation and temp scopes only. The bot keeps everything a
 * turn needs in the conversation (dialog state, wizard ends, kept card keys), yet teams-ai's
 * default reads a user row on every turn, a second lookup of a row never written, which also
 * made each read a two-key transaction (and on Azure, a second blob request). The user scope
 * is frozen and empty rather than kept in memory: a feature that comes to write per-user state
 * fails on its first test (a TypeError in strict mode) instead of losing it when the turn ends.
 */
export class ConversationTurnState extends TurnState {
  override get user(): DefaultUserState {
    return NO_USER_STATE;
  }

  override set user(_value: DefaultUserState) {
    throw new TypeError('Connector Concierge keeps no per-user state: keep it in state.conversation.');
  }

  /**
   * What teams-ai's save does for the one scope this state stores, with the write's items made
   * by {@link keyedItems}: the base builds them as `{}` given the conversation's key, which has V8
   * derive a hidden class per conversation (1.5% of a wizard step's main thread in perf). The
   * base saves when there is nothing of ours to save: before the state is loaded, without a
   * storage, or if a user scope is ever stored again (onComputeStorageKeys names the only keys).
   */
  override async save(context: TurnContext, storage?: Storage): Promise<void> {
    try {
      await this.saveConversation(context, storage);
    } catch (err) {
      // The handler has run by now: its failure message must not say nothing was done.
      throw new TurnStateSaveError(err);
    }
  }

  private async saveConversation(context: TurnContext, storage?: Storage): Promise<void> {
    const conversation = this.getScope('conversation');
    if (!storage || !conversation?.storageKey || this.getScope('user')) return super.save(context, storage);
    if (conversation.isDeleted) return storage.delete([conversation.storageKey]);
    if (!conversation.hasChanged) return;
    const changes = keyedItems();
    changes[conversation.storageKey] = conversation.value;
    await storage.write(changes);
  }

  protected override async onComputeStorageKeys(context: TurnContext): Promise<Record<string, string>> {
    // The base checks the activity (channel, bot, conversation and sender ids) and names the keys.
    const { conversation } = await super.onComputeStorageKeys(context);
    return { conversation };
  }
}
