// From its module, not the package index, which also loads teams-ai's AI half (test/integration/startupImports.test.ts).
import { TurnState, type DefaultUserState } from '@microsoft/teams-ai/lib/TurnState';
import type { TurnContext } from 'botbuilder';

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

  protected override async onComputeStorageKeys(context: TurnContext): Promise<Record<string, string>> {
    // The base checks the activity (channel, bot, conversation and sender ids) and names the keys.
    const { conversation } = await super.onComputeStorageKeys(context);
    return { conversation };
  }
}
