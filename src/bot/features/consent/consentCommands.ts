import type { CommandSpec } from '../../chatCommands';

/** The consent requests' chat command. */
export const CONSENT_COMMANDS = {
  consents: {
    name: 'consents',
    aliases: [],
    usage: 'consents',
    description: 'Consent requests: open, declined, expired; who asked, who reviews, your actions.',
    manifest: {
      personal:
        'Consent requests of this tenant: open, declined and expired, who asked, who reviews, and what you can do.',
    },
  },
} as const satisfies Record<string, CommandSpec>;
