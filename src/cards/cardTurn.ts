import type { Attachment, TurnContext } from 'botbuilder';

/**
 * A turn started by a card button, seen from the code that answers it. Lives beside the cards
 * so that dialogs can answer a click without importing bot code.
 */

const ANSWER_KEY = Symbol('cardTurn.answer');

/** True when this turn is a Universal Action (Action.Execute invoke or an automatic refresh). */
export function isCardExecute(context: TurnContext): boolean {
  const { activity } = context;
  return activity.type === 'invoke' && activity.name === 'adaptiveCard/action';
}

/** True when Teams sent this Execute on its own (the card was opened), not on a click. */
export function isAutomaticRefresh(context: TurnContext): boolean {
  return isCardExecute(context) && (context.activity.value as { trigger?: unknown })?.trigger === 'automatic';
}

/**
 * The data of the button clicked: an Execute's `action.data` (with its verb), or a submitted
 * message's `value`. Empty when the turn is not a card action.
 */
export function cardActionData(context: TurnContext): Record<string, unknown> {
  const value = context.activity.value as Record<string, unknown> | undefined;
  if (!value || typeof value !== 'object') return {};
  if (isCardExecute(context)) {
    const action = value.action as { verb?: unknown; data?: unknown } | undefined;
    const data =
      action?.data && typeof action.data === 'object' ? (action.data as Record<string, unknown>) : {};
    return { ...data, verb: action?.verb };
  }
  return value;
}

/**
 * Makes `attachment` this Execute's answer when it replaces the card clicked (`cardActivityId`,
 * or the clicked card when not given): Teams then swaps the card for the person who clicked,
 * with no message update that a second click could race. False when the turn is not an Execute
 * on that card, so the caller updates or posts as before.
 */
export function answerInPlace(
  context: TurnContext,
  attachment: Attachment,
  cardActivityId?: string,
): boolean {
  if (!isCardExecute(context)) return false;
  if (cardActivityId && cardActivityId !== context.activity.replyToId) return false;
  context.turnState.set(ANSWER_KEY, attachment);
  return true;
}

/** The card a handler answered in place, if any. */
export function answeredCard(context: TurnContext): Attachment | undefined {
  return context.turnState.get(ANSWER_KEY) as Attachment | undefined;
}
