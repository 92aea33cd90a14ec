import type { CommandSpec } from '../../chatCommands';

/** Where expiry notices are posted. */
export const NOTICES_COMMANDS = {
  subscribe: {
    name: 'subscribe',
    aliases: [],
    usage: 'subscribe',
    description: 'In a channel: post expiry notices for this tenant here.',
    manifest: {
      team: "Post this tenant's connector expiry notices in this channel.",
      groupChat: "Post this tenant's connector expiry notices in this chat.",
    },
  },
  unsubscribe: {
    name: 'unsubscribe',
    aliases: [],
    usage: 'unsubscribe',
    description: 'Stop expiry notices here.',
    manifest: {
      team: 'Stop posting connector expiry notices in this channel.',
      groupChat: 'Stop posting connector expiry notices in this chat.',
    },
  },
} as const satisfies Record<string, CommandSpec>;
