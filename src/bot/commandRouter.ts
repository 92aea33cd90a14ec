import type { ChatCommand, CommandHandler } from './chatCommands';
import type { CommandName } from './commandCatalog';

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

  /** Registers the rows of command tables. */
  registerAll(commands: readonly ChatCommand<CommandName>[]): void {
    for (const command of commands) this.register(command.name, command.handler);
  }

  get(name: CommandName): CommandHandler | undefined {
    return this.handlers.get(name);
  }
}
