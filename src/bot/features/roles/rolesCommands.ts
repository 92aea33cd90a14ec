import type { CommandSpec } from '../../chatCommands';

const ROLES_MANIFEST =
  'Check whether your Microsoft 365 admin roles are enough to authorize a connector or grant consent.';

/** The admin roles check and the defined target connections. */
export const ROLES_COMMANDS = {
  roles: {
    name: 'roles',
    aliases: [],
    usage: 'roles [upn] [office365|exchange]',
    description: "An admin account's roles for an Office 365 or Exchange target: present, missing, optional.",
    manifest: { personal: ROLES_MANIFEST, team: ROLES_MANIFEST, groupChat: ROLES_MANIFEST },
  },
  targets: {
    name: 'targets',
    aliases: [],
    usage: 'targets',
    description: 'Defined target connections: admin accounts whose check passed; check again or remove.',
  },
} as const satisfies Record<string, CommandSpec>;
