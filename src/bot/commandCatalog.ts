import { CONNECTORS_COMMANDS } from './features/connectors/connectorsCommands';
import { DIAGNOSTICS_COMMANDS } from './features/diagnostics/diagnosticsCommands';
import { HELP_COMMANDS } from './features/help/helpCommands';
import { NOTICES_COMMANDS } from './features/notices/noticesCommands';
import { ROLES_COMMANDS } from './features/roles/rolesCommands';
import { WIZARD_COMMANDS } from './features/wizard/wizardCommands';

/**
 * Every chat command of every feature, in the order the help card lists them. Each feature's
 * commands file is the one place a command's words are written; the parser, the help card and
 * the manifest test read them from here.
 */
export const COMMAND_SPECS = [
  HELP_COMMANDS.help,
  WIZARD_COMMANDS.connect,
  CONNECTORS_COMMANDS.connectors,
  CONNECTORS_COMMANDS.status,
  WIZARD_COMMANDS.reauthorize,
  CONNECTORS_COMMANDS.delete,
  CONNECTORS_COMMANDS.rename,
  CONNECTORS_COMMANDS.which,
  DIAGNOSTICS_COMMANDS.diagnose,
  ROLES_COMMANDS.roles,
  ROLES_COMMANDS.targets,
  CONNECTORS_COMMANDS.transfer,
  NOTICES_COMMANDS.subscribe,
  NOTICES_COMMANDS.unsubscribe,
  WIZARD_COMMANDS.cancel,
] as const;

/** The name of a chat command. */
export type CommandName = (typeof COMMAND_SPECS)[number]['name'];

/** Every feature's command table, for checks that each command is in the list above once. */
export const FEATURE_COMMAND_TABLES = [
  HELP_COMMANDS,
  WIZARD_COMMANDS,
  CONNECTORS_COMMANDS,
  DIAGNOSTICS_COMMANDS,
  ROLES_COMMANDS,
  NOTICES_COMMANDS,
] as const;
