import * as ACData from 'adaptivecards-templating';
import { CardFactory, type Attachment } from 'botbuilder';

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

/** Declares a template; the JSON stays data, never concatenated with user text. */
export function defineTemplate<TData>(name: string, json: object): CardTemplate<TData> {
  let parsed: ACData.Template | undefined;
  return { name, json, parsed: () => (parsed ??= new ACData.Template(json)) };
}

/** The Adaptive Card JSON of a template bound with its data. */
export function bindCard<TData extends object>(
  template: CardTemplate<TData>,
  data: TData,
): Record<string, unknown> {
  // User-typed text reaches the card only as bound data: the templating engine never
  // evaluates expressions found inside data values, so "${...}" in a display name stays literal.
  return template.parsed().expand({ $root: data }) as Record<string, unknown>;
}

/** A bound card as a Bot Framework attachment, ready to send. */
export function renderCard<TData extends object>(template: CardTemplate<TData>, data: TData): Attachment {
  return CardFactory.adaptiveCard(bindCard(template, data));
}
