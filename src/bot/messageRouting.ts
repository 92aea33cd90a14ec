import { ActivityTypes, type TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import { RUN_COMMAND_VERB } from '../cards/verbs';
import { COMMAND_NAMES, parseCommand, type CommandName } from './commandParser';
import type { CommandRouter } from './commandRouter';
import type { BotDeps } from './deps';
import { sendHelp } from './features/help/helpFeature';
import { noteTurnCommand } from './turnTelemetry';
import { cardVerb, type CardDataResult, type CardVerb } from './cardVerbs';
import { isConnectorId } from '../connectors/connector';
import { nameConnectorById } from './connectorResolver';

const HINT_TEXT_LIMIT = 80;

function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && (COMMAND_NAMES as readonly string[]).includes(value);
}

/** A command button's data: a command this bot serves and the rest of its line. */
interface CommandButtonData {
  command: CommandName;
  args: string;
  /** The connector the button names by id, when it names one ('' for none). */
  connectorId: string;
}

/**
 * Longest rest-of-line a command button may carry. Longer than a typed line (MAX_COMMAND_LENGTH):
 * a "Show more" button carries the store's cursor, and the Azure store's, made from an 80-character
 * name in a non-Latin script, runs past a thousand characters. Cut short, it would not decode and
 * the list would start again at page one.
 */
export const MAX_BUTTON_ARGS = 4_000;

/** @internal exported for its unit test. */
export function parseCommandButton(data: unknown): CardDataResult<CommandButtonData> {
  const fields = (data ?? {}) as { command?: unknown; args?: unknown; connectorId?: unknown };
  if (!isCommandName(fields.command)) {
    return { error: 'That button asks for something I do not know. Type help for the commands.' };
  }
  const args = typeof fields.args === 'string' ? fields.args.slice(0, MAX_BUTTON_ARGS) : '';
  const id = fields.connectorId;
  if (id !== undefined && id !== '' && !isConnectorId(id)) {
    return { error: 'That button names a connector in a way I do not know, so nothing was changed.' };
  }
  return { data: { command: fields.command, args, connectorId: isConnectorId(id) ? id : '' } };
}

async function runCommand(
  router: CommandRouter,
  deps: BotDeps,
  context: TurnContext,
  state: TurnState,
  name: CommandName,
  args: string,
): Promise<void> {
  noteTurnCommand(context, name);
  const handler = router.get(name);
  if (!handler) {
    await sendHelp(context, router, deps, `I cannot do "${name}" yet. Here is what I can do:`);
    return;
  }
  await handler(context, state, args);
}

/** The verb of card buttons that run a chat command: the same handler as the typed command. */
export function runCommandVerb(router: CommandRouter, deps: BotDeps): CardVerb<CommandButtonData> {
  return cardVerb(RUN_COMMAND_VERB, parseCommandButton, (context, state, data) => {
    if (data.connectorId) nameConnectorById(context, data.connectorId);
    return runCommand(router, deps, context, state, data.command, data.args);
  });
}

/**
 * Routes typed commands to their handlers. Registered after every card verb, so it also answers
 * card submits that no verb claimed (stale or forged cards).
 */
export function registerMessageRouting(
  app: Application<TurnState>,
  router: CommandRouter,
  deps: BotDeps,
): void {
  app.activity(ActivityTypes.Message, async (context, state) => {
    const value = context.activity.value as Record<string, unknown> | undefined;
    if (!context.activity.text && value && typeof value === 'object') {
      deps.logger.warn('card submit with no handler', { verb: String(value.verb ?? '').slice(0, 60) });
      await context.sendActivity(
        'This card is out of date or was not sent by me, so nothing was changed. Type help to start again.',
      );
      return;
    }
    const parsed = parseCommand(context.activity.text);
    if (parsed.name === 'unknown') {
      noteTurnCommand(context, 'unknown');
      const shown =
        parsed.text.length > HINT_TEXT_LIMIT ? `${parsed.text.slice(0, HINT_TEXT_LIMIT)}…` : parsed.text;
      const hint = shown
        ? `I did not understand "${shown}". Here is what I can do:`
        : 'Send me a command. Here is what I can do:';
      await sendHelp(context, router, deps, hint);
      return;
    }
    await runCommand(router, deps, context, state, parsed.name, parsed.args);
  });
}
