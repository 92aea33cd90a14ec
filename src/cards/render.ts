import type * as ACData from 'adaptivecards-templating';
import { CardFactory, type Attachment } from 'botbuilder';
import { createRequire } from 'node:module';
import { BoundedMap } from '../util/boundedMap';
import { escapeMarkdown, Markdown } from './markdown';
import { forUniversalActions } from './universalActions';

/** A card layout (JSON template) tied to the shape of the data it is bound with. */
export interface CardTemplate<TData> {
  readonly name: string;
  readonly json: object;
  /**
   * The parsed template, made on first use. Parsing every `${…}` expression is by far the
   * costliest part of a card (about 14 ms), and `expand` is synchronous and keeps no state
   * between calls, so one parsed template serves every turn.
   */
  readonly parsed: () => ACData.Template;
  /** Phantom field: keeps TData in the type so that a template only binds its own data. */
  readonly _data?: TData;
}

const load = createRequire(__filename);
let engine: typeof ACData | undefined;

/**
 * The templating engine (with adaptive-expressions and its ANTLR parser, a fifth of the bot's
 * start-up) is loaded with the first card rather than when the process starts.
 */
function templating(): typeof ACData {
  return (engine ??= load('adaptivecards-templating') as typeof ACData);
}

/** Declares a template; the JSON stays data, never concatenated with user text. */
export function defineTemplate<TData>(name: string, json: object): CardTemplate<TData> {
  let parsed: ACData.Template | undefined;
  return { name, json, parsed: () => (parsed ??= new (templating().Template)(json)) };
}

/** Cards bound per template that are kept for binding the same data again. */
export const BOUND_CARDS_KEPT = 8;

/** Recently bound cards, by template and the JSON of their data (see {@link bindCard}). */
const boundCards = new WeakMap<CardTemplate<object>, BoundedMap<string, string>>();

/**
 * Card data as the templating engine takes it: every {@link Markdown} turned into its source, and,
 * when `escape` is set, every plain string escaped for markdown.
 */
function prepared(value: unknown, escape: boolean): unknown {
  if (typeof value === 'string') return escape ? escapeMarkdown(value) : value;
  if (value instanceof Markdown) return value.source;
  if (Array.isArray(value)) return value.map((v) => prepared(v, escape));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prepared(v, escape)]));
  }
  return value;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  !!value && typeof value === 'object' && !Array.isArray(value);

/**
 * The card bound with raw data, with the places a client renders as markdown (TextBlock text,
 * FactSet titles and values) taken from the card bound with escaped data. Everything else
 * (submit data, input values, URLs, button titles) keeps the text as typed. `$when` and `$data`
 * only test counts, flags and emptiness, which escaping keeps, so both cards have one shape;
 * where they would not, the escaped one wins.
 */
function withMarkdownEscaped(raw: unknown, escaped: unknown): unknown {
  if (Array.isArray(raw)) {
    if (!Array.isArray(escaped) || escaped.length !== raw.length) return escaped;
    return raw.map((item, i) => withMarkdownEscaped(item, escaped[i]));
  }
  if (!isObject(raw)) return raw;
  if (!isObject(escaped) || escaped.type !== raw.type) return escaped;
  const out: Json = {};
  for (const [key, value] of Object.entries(raw)) {
    if (raw.type === 'TextBlock' && key === 'text') out[key] = escaped[key];
    else if (raw.type === 'FactSet' && key === 'facts' && Array.isArray(value)) out[key] = escaped[key];
    else out[key] = withMarkdownEscaped(value, escaped[key]);
  }
  return out;
}

/**
 * The Adaptive Card JSON of a template bound with its data. This is where text from people and
 * Graph is escaped for markdown: plain strings are shown literally wherever a client would
 * render markdown; only {@link Markdown} values (the bot's own wording) keep their markup.
 */
export function bindCard<TData extends object>(
  template: CardTemplate<TData>,
  data: TData,
  options: BindOptions = {},
): Record<string, unknown> {
  // A card bound once (a notice for one conversation) is neither looked up nor kept: keeping it
  // would only hold its JSON past the young generation (see BindOptions).
  if (options.once) return expandCard(template.parsed(), data) as Record<string, unknown>;
  // Expanding is the costly part of a turn's card and a pure function of the data, so the last
  // few cards of each template are kept as JSON (a copy per use: callers may change theirs).
  const key = JSON.stringify(data, dataKey);
  let kept = boundCards.get(template);
  if (!kept) boundCards.set(template, (kept = new BoundedMap(BOUND_CARDS_KEPT)));
  let card = kept.get(key);
  if (card === undefined) {
    card = JSON.stringify(expandCard(template.parsed(), data));
    kept.set(key, card);
  }
  return JSON.parse(card) as Record<string, unknown>;
}

/** How a card is bound. */
export interface BindOptions {
  /**
   * The data is bound this once (an expiry digest for one conversation), so the card is not
   * kept for binding the same data again: during a fan-out, keeping each digest's JSON for the
   * next few bindings only carried it, and the copies, into V8's old generation.
   */
  once?: boolean;
}

/** Tells plain strings from {@link Markdown} in a cache key: they bind differently. */
function dataKey(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return `s${value}`;
  if (value instanceof Markdown) return `m${value.source}`;
  return value;
}

function expandCard(parsed: ACData.Template, data: object): unknown {
  // User-typed text reaches the card only as bound data: the templating engine never
  // evaluates expressions found inside data values, so "${...}" in a display name stays literal.
  const raw = parsed.expand({ $root: prepared(data, false) }) as unknown;
  // Nothing to escape: the escaped card would be the raw one.
  if (!changedByEscaping(data)) return forUniversalActions(raw as Record<string, unknown>);
  const escaped = parsed.expand({ $root: prepared(data, true) }) as unknown;
  return forUniversalActions(withMarkdownEscaped(raw, escaped) as Record<string, unknown>);
}

/** True when some plain string in the data reads differently once escaped for markdown. */
function changedByEscaping(value: unknown): boolean {
  if (typeof value === 'string') return escapeMarkdown(value) !== value;
  if (value instanceof Markdown) return false;
  if (Array.isArray(value)) return value.some(changedByEscaping);
  if (value && typeof value === 'object') return Object.values(value).some(changedByEscaping);
  return false;
}

/** A bound card as a Bot Framework attachment, ready to send. */
export function renderCard<TData extends object>(
  template: CardTemplate<TData>,
  data: TData,
  options?: BindOptions,
): Attachment {
  return CardFactory.adaptiveCard(bindCard(template, data, options));
}
