import type { CommandSpec } from '../../chatCommands';

const DIAGNOSE_MANIFEST =
  'Troubleshooting checks with Microsoft Graph (license, consent, provisioning), each with its fix.';

/** The troubleshooting command. */
export const DIAGNOSTICS_COMMANDS = {
  diagnose: {
    name: 'diagnose',
    aliases: [],
    usage: 'diagnose [name]',
    description: 'Troubleshooting checks with Microsoft Graph, each with its fix.',
    manifest: { personal: DIAGNOSE_MANIFEST, team: DIAGNOSE_MANIFEST, groupChat: DIAGNOSE_MANIFEST },
  },
} as const satisfies Record<string, CommandSpec>;
