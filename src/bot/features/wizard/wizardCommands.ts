import type { CommandSpec } from '../../chatCommands';

const CONNECT_MANIFEST =
  'Start the step-by-step authorization wizard for a new connector, e.g. connect office365.';
const REAUTHORIZE_MANIFEST =
  "Run a connector's authorization again; this renews it, and renews a deauthorized one.";

/** The authorization wizard's commands. */
export const WIZARD_COMMANDS = {
  connect: {
    name: 'connect',
    aliases: ['authorize'],
    usage: 'connect <type>',
    description: 'Start the authorization wizard for a new connector (alias: authorize). No type: pick one.',
    manifest: { personal: CONNECT_MANIFEST, team: CONNECT_MANIFEST, groupChat: CONNECT_MANIFEST },
  },
  reauthorize: {
    name: 'reauthorize',
    aliases: [],
    usage: 'reauthorize <name>',
    description: 'Run the authorization again (renews a deauthorized connector).',
    manifest: { personal: REAUTHORIZE_MANIFEST, team: REAUTHORIZE_MANIFEST, groupChat: REAUTHORIZE_MANIFEST },
  },
  cancel: {
    name: 'cancel',
    aliases: [],
    usage: 'cancel',
    description: 'Cancel the wizard that is open in this conversation.',
  },
} as const satisfies Record<string, CommandSpec>;
