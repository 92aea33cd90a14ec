import type { CommandName } from '../../commandParser';

/** What the help card and the app manifest say about each command. */
export interface CommandHelp {
  name: CommandName;
  usage: string;
  description: string;
}

export const COMMAND_HELP: readonly CommandHelp[] = [
  { name: 'help', usage: 'help', description: 'This card: the commands and the connector types.' },
  {
    name: 'connect',
    usage: 'connect <type>',
    description: 'Start the authorization wizard for a new connector (alias: authorize). No type: pick one.',
  },
  {
    name: 'connectors',
    usage: 'connectors',
    description: "This tenant's connectors: status, last transfer, days left.",
  },
  {
    name: 'status',
    usage: 'status <name>',
    description: 'One connector: authorization, consent, expiry, history.',
  },
  {
    name: 'reauthorize',
    usage: 'reauthorize <name>',
    description: 'Run the authorization again; restarts the 90-day clock.',
  },
  {
    name: 'delete',
    usage: 'delete <name>',
    description: 'Delete a connector (asks first; permanent, revokes access).',
  },
  {
    name: 'rename',
    usage: 'rename <name>',
    description: 'Why a display name cannot change, and how to re-add.',
  },
  { name: 'which', usage: 'which <service>', description: 'Which connector serves a Microsoft service.' },
  {
    name: 'diagnose',
    usage: 'diagnose [name]',
    description: 'Troubleshooting checks with Microsoft Graph, each with its fix.',
  },
  {
    name: 'roles',
    usage: 'roles [upn]',
    description: "An admin account's roles: present, missing, optional.",
  },
  {
    name: 'targets',
    usage: 'targets',
    description: 'Defined target connections: verified admin accounts; re-verify or remove.',
  },
  {
    name: 'transfer',
    usage: 'transfer <name>',
    description: 'Record a data transfer now (restarts the 90-day clock).',
  },
  {
    name: 'subscribe',
    usage: 'subscribe',
    description: 'In a channel: post expiry notices for this tenant here.',
  },
  { name: 'unsubscribe', usage: 'unsubscribe', description: 'Stop expiry notices here.' },
  { name: 'cancel', usage: 'cancel', description: 'Cancel the wizard that is open in this conversation.' },
];
