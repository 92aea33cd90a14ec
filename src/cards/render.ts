import type * as ACData from 'adaptivecards-templating';
import { CardFactory, type Attachment } from 'botbuilder';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { BoundedMap } from '../util/boundedMap';
import { escapeMarkdown, Markdown, needsEscaping } from './markdown';
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
  /**
   * Where the data holds the people whose clients refresh the card (`refresh.userIds` of the
   * card), when the template uses that field there and nowhere else; see {@link bindCard}.
   */
  readonly viewersPath?: readonly string[];
  /** Phantom field: keeps TData in the type so that a template only binds its own data. */
  readonly _data?: TData;
}

const load = createRequire(__filename);
let engine: typeof ACData | undefined;

/**
 * The templating engine with adaptive-expressions and its ANTLR parser. The bot loads it at
 * start-up ({@link loadTemplatingEngine}): every configuration binds every card through it.
 * Anything else that binds a card (tests, the card samples) loads it with its first card.
 */
function templating(): typeof ACData {
  return (engine ??= load('adaptivecards-templating') as typeof ACData);
}

/**
 * Loads the templating engine now, so that the first card turn does not wait for it (about
 * 0.4 s) and what it loads is part of the bot's resting heap rather than of its first turns.
 */
export function loadTemplatingEngine(): void {
  templating();
}

/** Declares a template; the JSON stays data, never concatenated with user text. */
export function defineTemplate<TData>(name: string, json: object): CardTemplate<TData> {
  let parsed: ACData.Template | undefined;
  return {
    name,
    json,
    parsed: () => (parsed ??= new (templating().Template)(json)),
    viewersPath: viewersPathOf(json),
  };
}

const WHOLE_PATH = /^\$\{([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\}$/;

/**
 * The data path bound to the card's `refresh.userIds` ("${refresh.userIds}" → refresh, userIds),
 * when the template names that path exactly once: then no `$when` or text depends on it, and the
 * rest of the card is the same whoever it is refreshed for.
 */
function viewersPathOf(json: object): string[] | undefined {
  const refresh = (json as { refresh?: { userIds?: unknown } }).refresh;
  const match = typeof refresh?.userIds === 'string' ? WHOLE_PATH.exec(refresh.userIds) : null;
  if (!match) return undefined;
  return JSON.stringify(json).split(match[1]).length === 2 ? match[1].split('.') : undefined;
}

/** Cards bound per template that are kept for binding the same data again. */
export const BOUND_CARDS_KEPT = 8;

type Card = Record<string, unknown>;

/** Recently bound cards (frozen), by template and the JSON of their data (see {@link sharedCard}). */
const boundCards = new WeakMap<CardTemplate<object>, BoundedMap<string, Card>>();

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
 * The Adaptive Card JSON of a template bound with its data, a copy the caller may change. This
 * is where text from people and Graph is escaped for markdown: plain strings are shown literally
 * wherever a client would render markdown; only {@link Markdown} values (the bot's own wording)
 * keep their markup.
 */
export function bindCard<TData extends object>(
  template: CardTemplate<TData>,
  data: TData,
  options: BindOptions = {},
): Record<string, unknown> {
  const card = sharedCard(template, data, options);
  return options.once ? card : (JSON.parse(JSON.stringify(card)) as Card);
}

/**
 * The bound card as {@link bindCard} makes it, frozen and shared with everyone who binds the same
 * data (unless bound `once`). Expanding is the costly part of a turn's card (milliseconds for a
 * page of 20 connectors) and a pure function of the data, so the last few cards of each template
 * are kept; a card sent as it is needs no copy of its own. Who the card refreshes for is left out
 * of what is kept and set on a shallow copy: otherwise each person's `connectors` in their 1:1
 * chat would expand the same page again.
 */
function sharedCard<TData extends object>(
  template: CardTemplate<TData>,
  data: TData,
  options: BindOptions,
): Card {
  // A card bound once (a notice for one conversation) is neither looked up nor kept: keeping it
  // would only hold its JSON past the young generation (see BindOptions).
  if (options.once) return expandCard(template, data) as Card;
  const values = options.slots && slotValues(template, data, options.slots);
  const slotted = values
    ? { ...data, ...Object.fromEntries(options.slots!.map((name, i) => [name, slot(i)])) }
    : data;
  const path = template.viewersPath;
  const shared = path ? withoutValueAt(slotted, path) : slotted;
  const kept = keptExpansion(template, cacheKey(shared), () => shared);
  // The slots are filled in the kept card, before the viewers are set: the viewers' ids are no slot.
  const card = values ? filled(kept, values) : kept;
  return path ? withRefreshUserIds(card, valueAt(data, path)) : card;
}

/** The card kept for the template under `key`, expanded from `data()` and kept when there is none. */
function keptExpansion(template: CardTemplate<object>, key: string, data: () => object): Card {
  let kept = boundCards.get(template);
  if (!kept) boundCards.set(template, (kept = new BoundedMap(BOUND_CARDS_KEPT)));
  let card = kept.get(key);
  if (card === undefined) {
    card = deepFreeze(expandCard(template, data())) as Card;
    kept.set(key, card);
    keptCards.add(card);
  }
  return card;
}

/**
 * A card named by what it is made of rather than by its data, for a feature whose card data
 * costs more to build (and to key by its JSON) than its inputs take to name: a page of 20
 * connectors is tens of kilobytes of data from a few kilobytes of records.
 */
export interface KeyedCard<TData> {
  /**
   * Names everything the card shows except who it refreshes for: two calls with equal keys must
   * bind equal data. The feature that builds the data builds its key beside it (the records as
   * stored, the reader's date format, what the clock changes on the card, the reader's rights).
   */
  key: string;
  /** The card data, built only when no card is kept under the key. */
  data: () => TData;
  /**
   * Who the card refreshes for, set on each copy as {@link bindCard} sets the data's own; only
   * for a template that names them in one place (see {@link CardTemplate.viewersPath}).
   */
  viewers: unknown;
}

/**
 * {@link renderCard} for a card given by {@link KeyedCard}: the kept card bound from the same
 * key is sent again without building its data.
 */
export function renderKeyedCard<TData extends object>(
  template: CardTemplate<TData>,
  keyed: KeyedCard<TData>,
): Attachment {
  return CardFactory.adaptiveCard(withRefreshUserIds(keptKeyedCard(template, keyed), keyed.viewers));
}

/** The kept card of a {@link KeyedCard}, without its viewers. */
function keptKeyedCard<TData extends object>(template: CardTemplate<TData>, keyed: KeyedCard<TData>): Card {
  const path = template.viewersPath;
  // Without one place for the viewers, they would be bound into the card the key names.
  if (!path) throw new Error(`card ${template.name} does not name its viewers in one place: render its data`);
  // 'k' keeps these keys apart from the data keys ('m', 'p') of the same template.
  return keptExpansion(template, `k${keyed.key}`, () => withoutValueAt(keyed.data(), path));
}

/**
 * {@link renderKeyedCard} with the bytes of the card's JSON as sent, for a feature that must
 * keep its card under Teams' limit: measured from the kept card's JSON (see {@link cardJson}),
 * which is made once and is what the Bot Connector request then carries, so an unchanged card
 * is not serialized again, neither to be measured nor to be sent.
 */
export function renderMeasuredKeyedCard<TData extends object>(
  template: CardTemplate<TData>,
  keyed: KeyedCard<TData>,
): { attachment: Attachment; bytes: number } {
  const card = withRefreshUserIds(keptKeyedCard(template, keyed), keyed.viewers);
  const json = cardJson(card);
  const bytes = json
    ? json.reduce((sum, part) => sum + part.length, 0)
    : Buffer.byteLength(JSON.stringify(card));
  return { attachment: CardFactory.adaptiveCard(card), bytes };
}

/** Every card kept by {@link keptExpansion}: frozen all the way down, so its JSON never changes. */
const keptCards = new WeakSet<Card>();

/** A kept card with its viewers set ({@link withRefreshUserIds}): the kept card and those viewers. */
const viewerCopies = new WeakMap<Card, { kept: Card; userIds: readonly unknown[] }>();

/** The UTF-8 JSON of each kept card sent as it is, made the first time it is asked for. */
const wholeJson = new WeakMap<Card, Buffer>();

/**
 * A kept card's UTF-8 JSON on either side of the viewers' ids, for the copies that set them:
 * `before + JSON(userIds) + after` is the JSON of `{ ...kept, refresh: { ...refresh, userIds } }`.
 * Null when the kept card cannot be split so (no refresh object, or text that holds the mark).
 */
const viewersJson = new WeakMap<Card, { before: Buffer; after: Buffer } | null>();

/** Stands for the viewers' ids while a kept card's JSON is split around them; no card holds it. */
const VIEWERS_STAND_IN = `\uE004viewers-${randomUUID()}\uE004`;
const VIEWERS_MARK = JSON.stringify(VIEWERS_STAND_IN);

function splitAroundViewers(kept: Card): { before: Buffer; after: Buffer } | null {
  let split = viewersJson.get(kept);
  if (split !== undefined) return split;
  split = null;
  const refresh = kept.refresh;
  if (isObject(refresh)) {
    const marked = JSON.stringify({ ...kept, refresh: { ...refresh, userIds: VIEWERS_STAND_IN } });
    const parts = marked.split(VIEWERS_MARK);
    if (parts.length === 2) split = { before: Buffer.from(parts[0]), after: Buffer.from(parts[1]) };
  }
  viewersJson.set(kept, split);
  return split;
}

/** Whether {@link cardJson} gives this object's JSON: a kept card, or one with its viewers set. */
export function hasCardJson(content: unknown): boolean {
  return isObject(content) && (keptCards.has(content) || viewerCopies.has(content));
}

/**
 * The JSON of a card that {@link renderCard} or {@link renderKeyedCard} sends as it is (a kept
 * card, or a kept card with its viewers' ids), as UTF-8 parts to be sent one after the other;
 * undefined for any other object. The kept card's share is serialized once and kept beside it
 * (outside the JavaScript heap): a page of 20 connectors is about 25 KB of JSON, which
 * `JSON.stringify` took about 150 µs to write on every turn that sent it.
 */
export function cardJson(content: unknown): readonly Buffer[] | undefined {
  if (!isObject(content)) return undefined;
  if (keptCards.has(content)) {
    let whole = wholeJson.get(content);
    if (!whole) wholeJson.set(content, (whole = Buffer.from(JSON.stringify(content))));
    return [whole];
  }
  const copy = viewerCopies.get(content);
  const split = copy && splitAroundViewers(copy.kept);
  return split ? [split.before, Buffer.from(JSON.stringify(copy.userIds)), split.after] : undefined;
}

/** Stands for a slot's value in a kept card: private-use characters, apart from the escaping tokens. */
const SLOT_START = '\uE002';
const SLOT_END = '\uE003';
const SLOT = /\uE002(\d+)\uE003/g;
const slot = (index: number) => `${SLOT_START}${index}${SLOT_END}`;

interface SlotValues {
  raw: string[];
  escaped: string[];
}

/**
 * The values of the slots as typed and escaped, or undefined when this data or template cannot
 * use them: a value that is not a non-empty string, or holds a placeholder character.
 */
function slotValues(
  template: CardTemplate<object>,
  data: object,
  names: readonly string[],
): SlotValues | undefined {
  const raw: string[] = [];
  for (const name of names) {
    const value = (data as Json)[name];
    if (typeof value !== 'string' || value === '' || /[\uE000-\uE003]/.test(value)) return undefined;
    raw.push(value);
  }
  return slotsUsable(template.json, names) ? { raw, escaped: raw.map(escapeMarkdown) } : undefined;
}

/** Whether each template shows each set of slot fields only as they are, by its JSON. */
const usableSlots = new WeakMap<object, Map<string, boolean>>();

/**
 * True when every `${…}` of the template that names a slot field is that field alone
 * (`${name}` or `${$root.name}`): then the field's value lands in the card unchanged, in a whole
 * value or in text, wherever the placeholder does, and no `$when`, count or comparison depends on it.
 */
function slotsUsable(json: object, names: readonly string[]): boolean {
  let known = usableSlots.get(json);
  if (!known) usableSlots.set(json, (known = new Map()));
  const key = names.join(',');
  let usable = known.get(key);
  if (usable === undefined) {
    const text = JSON.stringify(json);
    usable = names.every((name) => {
      const mention = new RegExp(String.raw`(^|[^\w$])${name.replace(/[$]/g, '\\$')}(?![\w$])`);
      return [...text.matchAll(EXPRESSION)].every(
        ([, body]) => !mention.test(body) || body === name || body === `$root.${name}`,
      );
    });
    known.set(key, usable);
  }
  return usable;
}

/**
 * Where a kept card holds slot placeholders: an object or array on the way to one, as a shallow
 * copy that is not frozen (V8 copies a frozen object several times slower), with the places below
 * it under their keys; for a text, its parts around the placeholders (the slots' indexes at odd
 * positions) and whether a client renders it as markdown. Found once per kept
 * card, so that filling a card copies only the objects along these paths instead of walking the
 * whole card on every binding.
 */
interface SlotPath {
  base: Json | unknown[];
  places: Map<string, SlotPath | SlotText>;
}

interface SlotText {
  parts: string[];
  markdown: boolean;
}

/** The slot paths of each kept card; null for a card without a placeholder. */
const slotPathsOf = new WeakMap<object, SlotPath | null>();

/** The places under `node` that hold a placeholder, or undefined when none does. */
function slotPath(node: unknown, markdown: boolean): SlotPath | undefined {
  if (!node || typeof node !== 'object') return undefined;
  let places: SlotPath['places'] | undefined;
  for (const key of Object.keys(node)) {
    const value = (node as Json)[key];
    const inMarkdown = markdown || isMarkdownPlace(node, key, value);
    if (typeof value === 'string') {
      if (value.includes(SLOT_START))
        (places ??= new Map()).set(key, { parts: value.split(SLOT), markdown: inMarkdown });
    } else {
      const below = slotPath(value, inMarkdown);
      if (below) (places ??= new Map()).set(key, below);
    }
  }
  if (!places) return undefined;
  return { base: Array.isArray(node) ? [...(node as unknown[])] : { ...(node as Json) }, places };
}

/**
 * The kept card with the slots' values in place (escaped in TextBlock text and FactSet facts, as
 * typed elsewhere): the objects holding a placeholder are copied, the rest shared, all frozen.
 */
function filled(card: Card, values: SlotValues): Card {
  let path = slotPathsOf.get(card);
  if (path === undefined) slotPathsOf.set(card, (path = slotPath(card, false) ?? null));
  return path ? (filledAt(path, values) as Card) : card;
}

function filledAt({ base, places }: SlotPath, values: SlotValues): object {
  const copy = (Array.isArray(base) ? base.slice() : { ...base }) as Json;
  for (const [key, place] of places) {
    if ('places' in place) copy[key] = filledAt(place, values);
    else {
      const texts = place.markdown ? values.escaped : values.raw;
      const { parts } = place;
      let text = parts[0];
      for (let i = 1; i < parts.length; i += 2) text += texts[Number(parts[i])] + parts[i + 1];
      copy[key] = text;
    }
  }
  return Object.freeze(copy);
}

/** Freezes a card all the way down, so that a change to a shared one fails where it is made. */
function deepFreeze(value: unknown): unknown {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function valueAt(data: object, path: readonly string[]): unknown {
  let value: unknown = data;
  for (const key of path) value = isObject(value) ? value[key] : undefined;
  return value;
}

/** A shallow copy of the data along `path`, with the value at its end left out. */
function withoutValueAt(data: object, path: readonly string[]): object {
  const [key, ...rest] = path;
  const value = (data as Json)[key];
  if (value === undefined) return data;
  if (rest.length === 0) return { ...data, [key]: undefined };
  return isObject(value) ? { ...data, [key]: withoutValueAt(value, rest) } : data;
}

/**
 * The shared card with its refresh as the template binds it for these people: a list of ids is
 * copied in; anything else leaves no `userIds` (see forUniversalActions), as the shared card has.
 */
function withRefreshUserIds(card: Card, userIds: unknown): Card {
  const refresh = card.refresh;
  if (!isObject(refresh) || !Array.isArray(userIds)) return card;
  const ids = Object.freeze([...(userIds as unknown[])]);
  const copy = Object.freeze({ ...card, refresh: Object.freeze({ ...refresh, userIds: ids }) });
  if (keptCards.has(card)) viewerCopies.set(copy, { kept: card, userIds: ids });
  return copy;
}

/** How a card is bound. */
export interface BindOptions {
  /**
   * The data is bound this once (an expiry digest for one conversation), so the card is not
   * kept for binding the same data again: during a fan-out, keeping each digest's JSON for the
   * next few bindings only carried it, and the copies, into V8's old generation.
   */
  once?: boolean;
  /**
   * Top-level string fields that set cards otherwise alike apart (a wizard's id and its starter's
   * name on every step card): the card is expanded and kept with a placeholder in each, and each
   * binding puts its own values in, escaped where a client renders markdown and as typed
   * elsewhere. Used only where the template shows those fields as they are (see
   * {@link slotsUsable}); otherwise the card is bound as without them.
   */
  slots?: readonly string[];
}

/**
 * The data as a cache key. Plain strings and {@link Markdown} bind differently. A Markdown's JSON
 * is `{"source":…}`, so the plain JSON tells the two apart when no other object of the data could
 * read the same (one with a `source` field, or a `toJSON` of its own): such data, nearly all, is
 * keyed by its plain JSON, with no call back per value. Otherwise each string is tagged as
 * Markdown or plain. The leading letter keeps the two kinds of key apart.
 */
function cacheKey(data: object): string {
  return jsonTellsMarkdown(data) ? `p${JSON.stringify(data)}` : `m${JSON.stringify(data, dataKey)}`;
}

/** True when nothing in the data but a {@link Markdown} can serialize as `{"source":…}`. */
function jsonTellsMarkdown(value: unknown): boolean {
  if (!value || typeof value !== 'object' || value instanceof Markdown) return true;
  if (Array.isArray(value)) return value.every(jsonTellsMarkdown);
  if ('source' in value || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  for (const v of Object.values(value)) if (!jsonTellsMarkdown(v)) return false;
  return true;
}

/** Tells plain strings from {@link Markdown} in a cache key: they bind differently. */
function dataKey(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return `s${value}`;
  if (value instanceof Markdown) return `m${value.source}`;
  return value;
}

function expandCard(template: CardTemplate<object>, data: object): unknown {
  const parsed = template.parsed();
  if (singlePass(template.json)) {
    const card = expandedOnce(parsed, data);
    if (card !== undefined) return forUniversalActions(card as Record<string, unknown>);
  }
  return forUniversalActions(expandedTwice(parsed, data) as Record<string, unknown>);
}

/**
 * The card bound with raw data, with the markdown places taken from the card bound with escaped
 * data (see {@link withMarkdownEscaped}): two expansions when some string reads differently escaped.
 */
function expandedTwice(parsed: ACData.Template, data: object): unknown {
  // User-typed text reaches the card only as bound data: the templating engine never
  // evaluates expressions found inside data values, so "${...}" in a display name stays literal.
  const raw = parsed.expand({ $root: prepared(data, false) }) as unknown;
  // Nothing to escape: the escaped card would be the raw one.
  if (!changedByEscaping(data)) return raw;
  const escaped = parsed.expand({ $root: prepared(data, true) }) as unknown;
  return withMarkdownEscaped(raw, escaped);
}

/** Marks a data string that escaping changes, by its index: private-use characters no text holds. */
const TOKEN_START = '\uE000';
const TOKEN_END = '\uE001';
const TOKEN = /\uE000(\d+)\uE001/g;

/**
 * The same card as {@link expandedTwice} from one expansion, or undefined when this data needs
 * the two. Each string that escaping changes is bound as a token; after expanding, a token in a
 * markdown place becomes the escaped string and anywhere else the string as typed. That is the
 * two-expansion card only when the template uses such strings just as whole values, inside text,
 * or compared with a literal escaping keeps (see {@link singlePass}); a list put into text is
 * joined with commas, each token in place of its string.
 */
function expandedOnce(parsed: ACData.Template, data: object): unknown {
  const strings: string[] = [];
  const bound = tokenized(data, strings);
  if (bound === undefined) return undefined;
  const card = parsed.expand({ $root: bound }) as unknown;
  if (strings.length === 0) return card;
  untokenize(card, strings, strings.map(escapeMarkdown));
  return card;
}

/** The data as bound in one pass (see {@link expandedOnce}); undefined if some text holds a token character. */
function tokenized(value: unknown, strings: string[]): unknown {
  if (typeof value === 'string') {
    if (value.includes(TOKEN_START) || value.includes(TOKEN_END)) return undefined;
    if (!needsEscaping(value)) return value;
    strings.push(value);
    return `${TOKEN_START}${strings.length - 1}${TOKEN_END}`;
  }
  if (value instanceof Markdown) return tokenized(value.source, []) === undefined ? undefined : value.source;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const bound = tokenized(item, strings);
      if (bound === undefined && item !== undefined) return undefined;
      out.push(bound);
    }
    return out;
  }
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const [key, item] of Object.entries(value)) {
      const bound = tokenized(item, strings);
      if (bound === undefined && item !== undefined) return undefined;
      out[key] = bound;
    }
    return out;
  }
  return value;
}

/**
 * Puts the strings back in place of their tokens (escaped in TextBlock text and FactSet facts,
 * as typed elsewhere), changing the card.
 */
function untokenize(node: unknown, strings: string[], escaped: string[], markdown = false): void {
  const values = node as Json | unknown[];
  for (const key of Object.keys(values)) {
    const value = (values as Json)[key];
    if (typeof value === 'string') {
      if (!value.includes(TOKEN_START)) continue;
      const texts = markdown || isMarkdownPlace(node, key, value) ? escaped : strings;
      (values as Json)[key] = value.replace(TOKEN, (_token, index: string) => texts[Number(index)]);
    } else if (value && typeof value === 'object') {
      untokenize(value, strings, escaped, markdown || isMarkdownPlace(node, key, value));
    }
  }
}

/** The places a client renders as markdown, as {@link withMarkdownEscaped} takes them. */
function isMarkdownPlace(node: unknown, key: string, value: unknown): boolean {
  if (!isObject(node)) return false;
  return (
    (node.type === 'TextBlock' && key === 'text') ||
    (node.type === 'FactSet' && key === 'facts' && Array.isArray(value))
  );
}

/** Whether each template can be bound in one pass, by its JSON. */
const singlePassTemplates = new WeakMap<object, boolean>();

function singlePass(json: object): boolean {
  let known = singlePassTemplates.get(json);
  if (known === undefined) singlePassTemplates.set(json, (known = usesStringsPlainly(json, '')));
  return known;
}

const PATH = String.raw`\$?[A-Za-z_][\w$]*(?:\.[A-Za-z_$][\w$]*)*`;
/** Expressions where a string escaping changes acts as one escaping keeps would (see {@link singlePass}). */
const PLAIN_TERM = new RegExp(
  String.raw`^(?:!?${PATH}|${PATH} (?:==|!=) '([^'\\]*)'|count\(${PATH}\) (?:==|!=|>|<|>=|<=) 0)$`,
);
const EXPRESSION = /\$\{([^{}]*)\}/g;

/**
 * True when every `${…}` of the template is a data path, a path compared with a literal that
 * escaping keeps, a count compared with 0 (a string's count is its length, which a token does not
 * keep; its emptiness it does), or these joined with && or ||: then a token
 * stands where its string would in every value and every `$when`, and a card's shape and its
 * `type`s do not depend on which strings are tokens.
 */
function usesStringsPlainly(node: unknown, key: string): boolean {
  if (typeof node === 'string') {
    if (node.includes(TOKEN_START) || node.includes(TOKEN_END)) return false;
    const expressions = [...node.matchAll(EXPRESSION)];
    if (expressions.length === 0) return !node.includes('${');
    if (key === 'type' || node.replace(EXPRESSION, '').includes('${')) return false;
    return expressions.every(([, body]) => body.split(/ && | \|\| /).every(plainTerm));
  }
  if (Array.isArray(node)) return node.every((item) => usesStringsPlainly(item, key));
  if (isObject(node)) {
    return Object.entries(node).every(
      ([name, value]) => !name.includes('${') && usesStringsPlainly(value, name),
    );
  }
  return true;
}

function plainTerm(term: string): boolean {
  const match = PLAIN_TERM.exec(term.trim());
  if (!match) return false;
  const literal = match[1];
  return literal === undefined || (!needsEscaping(literal) && !literal.includes(TOKEN_START));
}

/** True when some plain string in the data reads differently once escaped for markdown. */
function changedByEscaping(value: unknown): boolean {
  if (typeof value === 'string') return needsEscaping(value);
  if (value instanceof Markdown) return false;
  if (Array.isArray(value)) return value.some(changedByEscaping);
  if (value && typeof value === 'object') return Object.values(value).some(changedByEscaping);
  return false;
}

/**
 * A bound card as a Bot Framework attachment, ready to send. Its content may be shared with
 * other turns and is frozen: a caller that wants to change a card binds its own with {@link bindCard}.
 */
export function renderCard<TData extends object>(
  template: CardTemplate<TData>,
  data: TData,
  options: BindOptions = {},
): Attachment {
  // Sent as it is (serialized, never changed), so the shared card goes out without a copy.
  return CardFactory.adaptiveCard(sharedCard(template, data, options));
}
