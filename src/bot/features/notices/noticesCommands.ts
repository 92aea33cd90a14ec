import type { CommandSpec } from '../../chatCommands';

/** Where expiry notices are posted. */
export const NOTICES_COMMANDS = {
  subscribe: {
    name: 'subscribe',
    aliases: [],
    usage: 'subscribe',
    description:
      "In a channel or group chat: post this tenant's expiry notices here. In 1:1: your own again.",
    manifest: {
      team: "Post this tenant's connector expiry notices in this channel.",
      groupChat: "Post this tenant's connector expiry notices in this chat.",
    },
  },
  unsubscribe: {
    name: 'unsubscribe',
    aliases: [],
    usage: 'unsubscribe',
    description: "Stop expiry notices here (in 1:1: your own connectors' notices).",
    manifest: {
      team: 'Stop posting connector expiry notices in this channel.',
      groupChat: 'Stop posting connector expiry notices in this chat.',
    },
  },
} as const satisfies Record<string, CommandSpec>;
