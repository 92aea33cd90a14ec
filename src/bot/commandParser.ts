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
 * Removes what Teams wraps around a command: the <at>…</at> mentions before it (the bot's, when
 * the adapter did not strip it), HTML tags and entities from the compose box, zero-width
 * characters and extra white space. A mention after the command word is someone the command is
 * about (`roles @Megan Bowen`): it stays as the name, so the command sees it was given one.
 */
export function normalizeMessageText(text: string): string {
  return text
    .replace(/^(?:[\s\u00a0]|&nbsp;)*(?:<at>[^<]*<\/at>(?:[\s\u00a0]|&nbsp;)*)+/i, ' ')
    .replace(/<at>([^<]*)<\/at>/gi, ' $1 ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&quot;/gi, '"')
    .replace(/&#0*39;|&apos;/gi, "'")
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&amp;/gi, '&')
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
