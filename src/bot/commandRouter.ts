import type { TurnContext } from 'botbuilder';
import type { TurnState } from '@microsoft/teams-ai';
import type { CommandName } from './commandParser';

/** Handles one chat command; `args` is the rest of the line after the command word. */
export type CommandHandler = (context: TurnContext, state: TurnState, args: string) => Promise<void>;

/**
 * Maps command names to the features that serve them, so that a typed command and a card
 * button that runs a command reach the same handler.
 */
export class CommandRouter {
  private readonly handlers = new Map<CommandName, CommandHandler>();

  register(name: CommandName, handler: CommandHandler): void {
    if (this.handlers.has(name)) throw new Error(`command ${name} is registered twice`);
    this.handlers.set(name, handler);
  }

  get(name: CommandName): CommandHandler | undefined {
    return this.handlers.get(name);
  }
}
