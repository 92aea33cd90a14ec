/**
 * Adaptive Card TextBlocks and FactSets render markdown (bold, italic, lists, links), so text from
 * people or Graph must be escaped before it reaches one: a display name such as
 * `[Reauthorize here](https://evil.example)` would otherwise become a link. Card data is escaped
 * by default when it is bound (see render.ts); only {@link Markdown} values, written by the bot,
 * keep their markup.
 */

/** Characters that start or end markup anywhere in a line (CommonMark backslash escapes). */
const INLINE = /[\\`*_~[\]<>]/g;
/** Markup that only counts at the start of a line: headings, quotes, bullets, numbered lists. */
const LINE_START = /^(\s*)([#>+-]|\d+[.)])/gm;

/** The text with every markdown character escaped, so that a card shows it literally. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(INLINE, (ch) => `\\${ch}`)
    .replace(LINE_START, (_all, space: string, marker: string) =>
      /^\d/.test(marker) ? `${space}${marker.slice(0, -1)}\\${marker.slice(-1)}` : `${space}\\${marker}`,
    );
}

const HAS_INLINE = /[\\`*_~[\]<>]/;
const HAS_LINE_START = /^\s*(?:[#>+-]|\d+[.)])/m;

/**
 * Whether {@link escapeMarkdown} would change the text, without building the escaped copy: every
 * match of either pattern gains a backslash, so the text changes exactly when one matches.
 */
export function needsEscaping(text: string): boolean {
  return HAS_INLINE.test(text) || HAS_LINE_START.test(text);
}

/** Markdown written by the bot, bound into cards as it is. Made only by {@link markdown} and {@link md}. */
export class Markdown {
  private constructor(readonly source: string) {}

  /** @internal use {@link markdown} or {@link md}. */
  static of(source: string): Markdown {
    return new Markdown(source);
  }

  toString(): string {
    return this.source;
  }
}

/** Text bound into a card: a plain string (escaped when bound) or the bot's own markdown. */
export type CardText = string | Markdown;

/** The bot's own markdown, e.g. seed wording with bold words. Never pass text from people or Graph. */
export function markdown(botText: string): Markdown {
  return Markdown.of(botText);
}

/** Markdown with values put in escaped: md`Deleting **${name}** is permanent`. */
export function md(strings: TemplateStringsArray, ...values: (string | number | Markdown)[]): Markdown {
  return Markdown.of(interpolate(strings, values, escapeMarkdown));
}

/** A template's text with each value escaped by `escape` (told whether it starts a line), Markdown kept. */
function interpolate(
  strings: TemplateStringsArray,
  values: readonly (string | number | Markdown)[],
  escape: (text: string, atLineStart: boolean) => string,
): string {
  let source = strings[0];
  values.forEach((value, i) => {
    const atLineStart = source === '' || source.endsWith('\n');
    source += value instanceof Markdown ? value.source : escape(String(value), atLineStart);
    source += strings[i + 1];
  });
  return source;
}

/**
 * {@link md} as the plain string a message's `text` takes: Teams reads a bot message's text as
 * markdown, so a name or a Graph message interpolated here cannot turn into a link or emphasis.
 */
export function mdText(strings: TemplateStringsArray, ...values: (string | number | Markdown)[]): string {
  // A value in mid-line cannot start a list or heading ("25.02.2026" after "on "): only its own
  // later lines can. The sentinel keeps escapeMarkdown from treating its start as a line start.
  return interpolate(strings, values, (text, atLineStart) =>
    atLineStart ? escapeMarkdown(text) : escapeMarkdown(`\u0001${text}`).slice(1),
  );
}

/**
 * Lines of code (a PowerShell script) for a TextBlock's text. Teams reads the text as markdown,
 * where a single newline may render as a space: the script would show, and be copied, as one
 * line, and its first line's `#` would make the rest a comment. A blank line between lines keeps
 * each on its own in every renderer; PowerShell does not mind the blank lines.
 */
export function codeLines(code: string): string {
  return code.split('\n').join('\n\n');
}
