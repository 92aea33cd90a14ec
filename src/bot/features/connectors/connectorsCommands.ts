import type { CommandSpec } from '../../chatCommands';

const LIST_MANIFEST = "List this tenant's connectors: status, last transfer and days until deauthorization.";
const STATUS_MANIFEST =
  "Show a connector's authorization state, last transfer and days left before it is deauthorized.";
const WHICH_MANIFEST = 'Which connector to use for a Microsoft service, e.g. which SharePoint Online.';

/** The commands that list, show and manage connectors. */
export const CONNECTORS_COMMANDS = {
  connectors: {
    name: 'connectors',
    aliases: ['list', 'ls'],
    usage: 'connectors',
    description: "This tenant's connectors: status, last transfer, days left.",
    manifest: { personal: LIST_MANIFEST, team: LIST_MANIFEST, groupChat: LIST_MANIFEST },
  },
  status: {
    name: 'status',
    aliases: [],
    usage: 'status <name>',
    description: 'One connector: authorization, consent, expiry, history.',
    manifest: { personal: STATUS_MANIFEST, team: STATUS_MANIFEST, groupChat: STATUS_MANIFEST },
  },
  delete: {
    name: 'delete',
    aliases: [],
    usage: 'delete <name>',
    description:
      'Delete a connector from this bot (asks first; permanent). Revoke access in the migration app.',
    manifest: {
      personal:
        'Delete a connector from this bot after you confirm (permanent). Revoking its access is done in the migration app.',
    },
  },
  rename: {
    name: 'rename',
    aliases: [],
    usage: 'rename <name>',
    description: 'Why a display name cannot change, and how to re-add.',
    manifest: {
      personal:
        "Explains why a connector's display name cannot change, and offers to delete and add it again.",
    },
  },
  which: {
    name: 'which',
    aliases: [],
    usage: 'which [service]',
    description: 'Which connector serves a Microsoft service; without one, the whole table.',
    manifest: { team: WHICH_MANIFEST },
  },
  transfer: {
    name: 'transfer',
    aliases: [],
    usage: 'transfer <name>',
    description: 'Record a data transfer now (restarts the 90-day clock).',
    manifest: {
      groupChat: 'Record a data transfer for a connector now; this restarts its 90-day inactivity clock.',
    },
  },
} as const satisfies Record<string, CommandSpec>;
