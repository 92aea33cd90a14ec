import { escapeMarkdown } from '../cards/markdown';
import type { Attachment, TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import { randomUUID } from 'node:crypto';
import { answeredCard, isCardExecute } from '../cards/cardTurn';
import { CARD_DATA_VERSION } from '../cards/universalActions';
import { ConcurrencyError } from '../connectors/ports';
import type { Logger } from '../util/logger';
import {
  cardResponse,
  errorResponse,
  messageResponse,
  sendInvokeResponse,
  type AdaptiveCardInvokeResponse,
} from './invokeResponses';
import { isStorageFailure, turnErrorMessage } from './turnErrors';
import { MissingTenantError } from './turnInfo';

/**
 * A click the bot refuses: bad or foreign data, or a person not allowed to act. The message is
 * a plain sentence for the person; nothing was changed.
 */
export class CardActionError extends Error {
  readonly code = 'CARD_ACTION_REFUSED';
  constructor(
    readonly statusCode: 400 | 403 | 404 | 409 | 410,
    message: string,
  ) {
    super(message);
    this.name = 'CardActionError';
  }
}

/**
 * What a card verb's handler answers: a card (it replaces the one clicked, for that person), a
 * short message, or nothing when it replied in the conversation itself. A handler may also
 * answer through `answerInPlace` (src/cards/cardTurn.ts), as shared code such as `replaceCard` does.
 */
export type CardAnswer = Attachment | string | void;

/** Handles one card verb; `data` is the button's data with its `verb`. */
export type CardVerbHandler = (
  context: TurnContext,
  state: TurnState,
  data: Record<string, unknown>,
) => Promise<CardAnswer>;

export interface ExecuteOptions {
  /** Data fields the verb cannot work without; a click missing one is refused. */
  requires?: readonly string[];
}

const MAX_FIELD = 200;

/** Why this click's data cannot be served, or undefined when it can. */
export function dataProblem(
  data: Record<string, unknown>,
  requires: readonly string[] = [],
): string | undefined {
  if (data.cardVersion !== CARD_DATA_VERSION) {
    return 'This card comes from an earlier version of Connector Concierge, so nothing was changed. Type help to get a current card.';
  }
  for (const field of requires) {
    const value = data[field];
    if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_FIELD) {
      return `This button did not say which ${field === 'connectorId' ? 'connector' : field} it is for, so nothing was changed. Type help to get a current card.`;
    }
  }
  return undefined;
}

/** The invoke response for what the handler answered. */
function answerResponse(context: TurnContext, answer: CardAnswer): AdaptiveCardInvokeResponse {
  if (typeof answer === 'string') return messageResponse(answer);
  const card = answer ?? answeredCard(context);
  if (card) return cardResponse(card.content as Record<string, unknown>);
  return messageResponse(
    context.responded ? 'My answer is in the conversation.' : 'Received; nothing else to show.',
  );
}

/** The invoke error response for a failed handler; unexpected failures are logged with a reference. */
export function failureResponse(error: unknown, logger: Logger, verb: string): AdaptiveCardInvokeResponse {
  if (error instanceof CardActionError) {
    logger.info('card action refused', { verb, status: error.statusCode, reason: error.message });
    return errorResponse(error.statusCode, error.message);
  }
  const reference = randomUUID().slice(0, 8);
  const expected =
    error instanceof ConcurrencyError || error instanceof MissingTenantError || isStorageFailure(error);
  (expected ? logger.warn : logger.error)('card action failed', {
    verb,
    reference,
    error,
    stack: expected ? undefined : (error as Error)?.stack,
  });
  const status = error instanceof ConcurrencyError ? 409 : isStorageFailure(error) ? 503 : 500;
  return errorResponse(
    error instanceof MissingTenantError ? 400 : status,
    turnErrorMessage(error, reference),
  );
}

/**
 * Registers a card verb as a teams-ai Universal Action route. The invoke response is always
 * sent here, never by teams-ai: its default for a card carrying `refresh` is to update the
 * message for everyone, which would show one person's view to the whole conversation.
 */
export function onExecute(
  app: Application<TurnState>,
  verb: string,
  handler: CardVerbHandler,
  logger: Logger,
  options: ExecuteOptions = {},
): void {
  app.adaptiveCards.actionExecute(verb, async (context, state, data: Record<string, unknown>) => {
    let response: AdaptiveCardInvokeResponse;
    const problem = dataProblem(data, options.requires);
    if (problem) {
      logger.info('card action refused', { verb, reason: problem });
      response = errorResponse(400, problem);
    } else {
      try {
        response = answerResponse(context, await handler(context, state, { ...data, verb }));
      } catch (err) {
        response = failureResponse(err, logger, verb);
      }
    }
    await sendInvokeResponse(context, response);
    // teams-ai sends nothing more: the invoke response is already queued.
    return '';
  });
}

/**
 * Answers any Action.Execute no feature claimed with an invoke error, instead of the adapter's
 * silent 501. Register after every feature.
 */
export function registerUnknownVerbs(app: Application<TurnState>, logger: Logger): void {
  app.adaptiveCards.actionExecute(
    async (context) => context.activity.type === 'invoke' && context.activity.name === 'adaptiveCard/action',
    async (context) => {
      const action = (context.activity.value as { action?: { verb?: unknown } } | undefined)?.action;
      logger.warn('card action with no handler', { verb: String(action?.verb ?? '').slice(0, 60) });
      await sendInvokeResponse(
        context,
        errorResponse(
          400,
          'This button is not one I know (the card is out of date or was not sent by me), so nothing was changed. Type help to start again.',
        ),
      );
      return '';
    },
  );
}

/**
 * Refuses a click or command. In an Action.Execute the refusal is the invoke's error answer,
 * which only the person who clicked sees and which ends the handler; a typed command gets it
 * as a reply. `message` is plain text (it may quote names): the invoke's answer shows it as it
 * is, and the reply, which Teams reads as markdown, gets it escaped.
 */
export async function refuse(
  context: TurnContext,
  statusCode: CardActionError['statusCode'],
  message: string,
): Promise<void> {
  if (isCardExecute(context)) throw new CardActionError(statusCode, message);
  await context.sendActivity(escapeMarkdown(message));
}
