/** Helpers to read Adaptive Cards the bot sent and to act on them as a Teams client would. */

export type Card = Record<string, unknown>;
export type CardAction = Record<string, unknown> & { type: string; title?: string };

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

/** The Adaptive Cards attached to an activity the bot sent. */
export function cardsOf(activity: Record<string, unknown> | undefined): Card[] {
  const attachments = (activity?.attachments as { contentType?: string; content?: Card }[] | undefined) ?? [];
  return attachments.filter((a) => a.contentType === ADAPTIVE && a.content).map((a) => a.content!);
}

/** The single card of an activity; fails when there is none. */
export function cardOf(activity: Record<string, unknown> | undefined): Card {
  const cards = cardsOf(activity);
  if (cards.length === 0)
    throw new Error(`no Adaptive Card in activity: ${JSON.stringify(activity)?.slice(0, 300)}`);
  return cards[0];
}

function walk(node: unknown, visit: (n: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    node.forEach((n) => walk(n, visit));
    return;
  }
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  visit(record);
  for (const value of Object.values(record)) walk(value, visit);
}

/**
 * Every button on the card, including those in action sets, select actions and show-cards; not
 * the `refresh` clause's action, which a client runs itself (see TeamsClient.open).
 */
export function actionsOf(card: Card): CardAction[] {
  const actions: CardAction[] = [];
  const { refresh: _refresh, ...shown } = card;
  walk(shown, (n) => {
    if (typeof n.type === 'string' && n.type.startsWith('Action.')) actions.push(n as CardAction);
  });
  return actions;
}

/** Titles of the card's actions, in order. */
export function actionTitles(card: Card): string[] {
  return actionsOf(card).map((a) => a.title ?? '');
}

/** Finds an action by its title (exact, then case-insensitive); fails listing the titles there are. */
export function findAction(card: Card, title: string): CardAction {
  const actions = actionsOf(card);
  const action =
    actions.find((a) => a.title === title) ??
    actions.find((a) => a.title?.toLowerCase() === title.toLowerCase());
  if (!action) throw new Error(`no action "${title}" on the card; it has: ${actionTitles(card).join(', ')}`);
  return action;
}

/** Every input element with its id. */
export function inputsOf(card: Card): Record<string, unknown>[] {
  const inputs: Record<string, unknown>[] = [];
  walk(card, (n) => {
    if (typeof n.type === 'string' && n.type.startsWith('Input.') && typeof n.id === 'string') inputs.push(n);
  });
  return inputs;
}

/**
 * The values a client submits: each input's default (`value`, or valueOff for toggles),
 * overridden by what the person typed.
 */
export function inputValues(card: Card, typed: Record<string, string> = {}): Record<string, string> {
  const values: Record<string, string> = {};
  for (const input of inputsOf(card)) {
    const id = input.id as string;
    if (input.value !== undefined) values[id] = String(input.value);
    else if (input.type === 'Input.Toggle') values[id] = String(input.valueOff ?? 'false');
  }
  return { ...values, ...typed };
}

/** Markdown text as it reads once rendered: backslash escapes removed (CommonMark). */
export function unescapeMarkdown(text: string): string {
  return text.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/**
 * All the text a person sees on the card (TextBlocks, facts, table cells), joined by newlines.
 * Markdown escapes are removed, as a client renders them; markup such as **bold** stays.
 */
export function cardText(card: Card): string {
  const parts: string[] = [];
  walk(card, (n) => {
    if (n.type === 'TextBlock') parts.push(unescapeMarkdown(String(n.text ?? '')));
    if (n.type === 'TextRun') parts.push(String(n.text ?? ''));
    if (typeof n.title === 'string' && typeof n.value === 'string' && n.type === undefined) {
      parts.push(`${unescapeMarkdown(n.title)}: ${unescapeMarkdown(n.value)}`);
    }
  });
  return parts.join('\n');
}

/** The URLs the card's Action.OpenUrl buttons open, in order. */
export function openUrls(card: Card): string[] {
  return actionsOf(card)
    .filter((a) => a.type === 'Action.OpenUrl')
    .map((a) => String((a as { url?: unknown }).url ?? ''));
}
