/**
 * What every Universal Action (Action.Execute) card shares: the version of the data the bot
 * puts on its buttons, and the line an old Teams client shows instead of the card.
 */

/**
 * Stamped on every Action.Execute (and refresh) the bot renders. A click carrying another
 * number comes from a card an earlier release posted, whose data the handlers may no longer
 * read the same way; it is refused rather than guessed at.
 */
export const CARD_DATA_VERSION = 2;

/** Shown by clients too old for Action.Execute (Adaptive Cards 1.4+), after the card's own summary. */
export const UPDATE_TEAMS_TEXT = 'Update Microsoft Teams to see this card and use its buttons.';

type Json = Record<string, unknown>;

/**
 * A `refresh` whose data named no `userIds` is left without them (binding leaves the unbound
 * expression text): Teams then refreshes the card for every member of a conversation of at most
 * 60, such as a person's 1:1 with the bot. `userIds: []` would turn automatic refresh off.
 */
function withoutUnboundUserIds(card: Json): void {
  const refresh = card.refresh as Json | undefined;
  if (refresh && 'userIds' in refresh && !Array.isArray(refresh.userIds)) delete refresh.userIds;
}

function stamp(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(stamp);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const record = node as Json;
  if (record.type === 'Action.Execute') {
    const data = record.data && typeof record.data === 'object' ? (record.data as Json) : {};
    record.data = { ...data, cardVersion: CARD_DATA_VERSION };
  }
  for (const value of Object.values(record)) stamp(value);
}

/**
 * Prepares a bound card for Universal Actions: every Action.Execute's data (including the
 * refresh action's) carries {@link CARD_DATA_VERSION}, a refresh without people has no
 * `userIds`, and the fallback text asks an old client to update; a refresh its template left
 * out is removed. Mutates and returns the card.
 */
export function forUniversalActions(card: Json): Json {
  // A template's `$when` leaves a dropped refresh as null; Teams wants an object or nothing.
  if (card.refresh === null) delete card.refresh;
  stamp(card);
  withoutUnboundUserIds(card);
  const summary = typeof card.fallbackText === 'string' ? card.fallbackText.trim() : '';
  const joined = /[.!?:]$/.test(summary) ? `${summary} ` : `${summary}. `;
  card.fallbackText = summary ? `${joined}${UPDATE_TEAMS_TEXT}` : UPDATE_TEAMS_TEXT;
  return card;
}
