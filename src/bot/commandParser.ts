import { COMMAND_SPECS, type CommandName } from './commandCatalog';

export type { CommandName };

/** The chat commands of DESIGN.md, from the features' command tables. */
export const COMMAND_NAMES: readonly CommandName[] = COMMAND_SPECS.map((spec) => spec.name);

/** A parsed chat message: a known command and the rest of the line, or unknown text. */
export type ParsedCommand = { name: CommandName; args: string } | { name: 'unknown'; text: string };

/** Other words for commands (`authorize` for `connect`), from the command tables. */
const ALIASES: ReadonlyMap<string, CommandName> = new Map(
  COMMAND_SPECS.flatMap((spec) => spec.aliases.map((alias): [string, CommandName] => [alias, spec.name])),
);

/** Longest text a command line may have; anything longer is not a command. */
export const MAX_COMMAND_LENGTH = 500;

/**
 * Removes what Teams wraps around a command: <at>…</at> mentions (when the adapter did not
 * strip them), HTML tags and entities from the compose box, and extra white space.
 */
export function normalizeMessageText(text: string): string {
  return text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/[\s\u00a0]+/g, ' ')
    .trim();
}

/** Parses a message into a command. Command words are case-insensitive; arguments keep their case. */
export function parseCommand(text: string | undefined): ParsedCommand {
  const clean = normalizeMessageText(text ?? '');
  if (clean.length === 0 || clean.length > MAX_COMMAND_LENGTH) return { name: 'unknown', text: clean };
  const [first, ...rest] = clean.split(' ');
  const word = first.toLowerCase().replace(/^\//, '');
  const name = ALIASES.get(word) ?? COMMAND_NAMES.find((c) => c === word);
  if (!name) return { name: 'unknown', text: clean };
  return { name, args: rest.join(' ').trim() };
}
