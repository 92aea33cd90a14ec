import type { TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Logger } from '../util/logger';

/** What a verb's `parse` makes of a card's submitted data: the typed data, or why it is refused. */
export type CardDataResult<TData> = { data: TData } | { error: string };

/**
 * One card button's verb: how its submitted data is checked and what the click does. Cards are
 * data from the client (a stale card, a forged payload), so `parse` runs before `handle` and
 * refuses what it cannot use with a sentence the person can act on.
 */
export interface CardVerb<TData> {
  verb: string;
  parse(data: unknown): CardDataResult<TData>;
  handle(context: TurnContext, state: TurnState, data: TData): Promise<void>;
}

/** A verb list of any data types; each verb's parse and handle agree on their own type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CardVerbs = readonly CardVerb<any>[];

/** The submitted fields as a record; a card's data is always an object when its verb matched. */
export function cardRecord(data: unknown): CardDataResult<Record<string, unknown>> {
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return {
      error:
        'This card is out of date or was not sent by me, so nothing was changed. Type help to start again.',
    };
  }
  return { data: data as Record<string, unknown> };
}

/** A verb whose data `parse` types before `handle` sees it. */
export function cardVerb<TData>(
  verb: string,
  parse: (data: unknown) => CardDataResult<TData>,
  handle: (context: TurnContext, state: TurnState, data: TData) => Promise<void>,
): CardVerb<TData> {
  return { verb, parse, handle };
}

/** A verb whose handler reads the submitted fields itself. */
export function recordVerb(
  verb: string,
  handle: (context: TurnContext, state: TurnState, data: Record<string, unknown>) => Promise<void>,
): CardVerb<Record<string, unknown>> {
  return { verb, parse: cardRecord, handle };
}

/**
 * Registers card verbs with the application: the one place that knows how a card click arrives
 * (today Action.Submit), so that moving to Action.Execute changes this function only. Refused
 * data is answered in the conversation and logged with the verb, never thrown.
 */
export function registerCardVerbs(app: Application<TurnState>, verbs: CardVerbs, logger: Logger): void {
  for (const verb of verbs) {
    app.adaptiveCards.actionSubmit(verb.verb, async (context, state, data: unknown) => {
      const parsed = verb.parse(data);
      if ('error' in parsed) {
        logger.warn('card data refused', { verb: verb.verb, reason: parsed.error });
        await context.sendActivity(parsed.error);
        return;
      }
      await verb.handle(context, state, parsed.data);
    });
  }
}
