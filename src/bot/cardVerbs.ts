import type { TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Logger } from '../util/logger';
import { CardActionError, onExecute, type CardAnswer } from './universalActions';

/** What a verb's `parse` makes of a card's submitted data: the typed data, or why it is refused. */
export type CardDataResult<TData> = { data: TData } | { error: string };

/**
 * One card button's verb: how its data is checked and what the click does. Cards are data from
 * the client (a stale card, a forged payload), so `parse` runs before `handle` and refuses what
 * it cannot use with a sentence the person can act on. `handle` answers the Action.Execute with
 * a card (it replaces the one clicked, for that person), a short message, or nothing when it
 * replied in the conversation itself (see {@link CardAnswer}).
 */
export interface CardVerb<TData> {
  verb: string;
  parse(data: unknown): CardDataResult<TData>;
  handle(context: TurnContext, state: TurnState, data: TData): Promise<CardAnswer>;
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
  handle: (context: TurnContext, state: TurnState, data: TData) => Promise<CardAnswer>,
): CardVerb<TData> {
  return { verb, parse, handle };
}

/** A verb whose handler reads the submitted fields itself. */
export function recordVerb(
  verb: string,
  handle: (context: TurnContext, state: TurnState, data: Record<string, unknown>) => Promise<CardAnswer>,
): CardVerb<Record<string, unknown>> {
  return { verb, parse: cardRecord, handle };
}

/**
 * Registers card verbs with the application as Universal Actions (teams-ai's
 * `actionExecute`): the one place that knows how a card click arrives. Every click is answered
 * in its invoke response; refused data and failures are invoke errors with a plain sentence,
 * logged with the verb (src/bot/universalActions.ts).
 */
export function registerCardVerbs(app: Application<TurnState>, verbs: CardVerbs, logger: Logger): void {
  for (const verb of verbs) {
    onExecute(
      app,
      verb.verb,
      async (context, state, data) => {
        const parsed = verb.parse(data);
        if ('error' in parsed) throw new CardActionError(400, parsed.error);
        return verb.handle(context, state, parsed.data);
      },
      logger,
    );
  }
}
