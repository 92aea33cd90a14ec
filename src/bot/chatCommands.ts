import type { TurnContext } from 'botbuilder';
import type { TurnState } from '@microsoft/teams-ai';
import type { CardVerbs } from './cardVerbs';
import type { CommandName } from './commandCatalog';

/** The Teams scopes a command can be offered in by the app manifest's command lists. */
export type ManifestScope = 'personal' | 'team' | 'groupChat';

/**
 * What the app manifest offers for a command in each scope's command list (Teams shows these as
 * suggestions). The manifest allows 10 commands per scope and 128 characters per description.
 */
export type ManifestEntry = Partial<Record<ManifestScope, string>>;

/** What a chat command is, apart from what it does: the parser, help card and manifest read this. */
export interface CommandSpec<TName extends string = string> {
  name: TName;
  /** Other words that run the command (`authorize` for `connect`). */
  aliases: readonly string[];
  usage: string;
  /** The help card's line. */
  description: string;
  /** The manifest's description per scope it is offered in; absent: typed only, not suggested. */
  manifest?: ManifestEntry;
}

/** Handles one chat command; `args` is the rest of the line after the command word. */
export type CommandHandler = (context: TurnContext, state: TurnState, args: string) => Promise<void>;

/** A row of a feature's command table. */
export interface ChatCommand<TName extends string = string> extends CommandSpec<TName> {
  handler: CommandHandler;
}

/** A spec bound to its handler. */
export function chatCommand<TName extends string>(
  spec: CommandSpec<TName>,
  handler: CommandHandler,
): ChatCommand<TName> {
  return { ...spec, handler };
}

/** What a feature folder gives the bot: its command table and its card verbs. */
export interface FeatureTables {
  commands: readonly ChatCommand<CommandName>[];
  verbs: CardVerbs;
}
