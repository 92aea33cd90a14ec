import type { CommandSpec } from '../../chatCommands';

/** The help feature's commands. */
export const HELP_COMMANDS = {
  help: {
    name: 'help',
    aliases: ['?'],
    usage: 'help',
    description: 'This card: the commands and the connector types.',
    manifest: {
      personal: 'Show what Connector Concierge can do and how to use each command.',
      team: 'Show what Connector Concierge can do and how to use each command.',
      groupChat: 'Show what Connector Concierge can do and how to use each command.',
    },
  },
} as const satisfies Record<string, CommandSpec>;
