import { ActivityTypes, type TurnContext } from 'botbuilder';

/** The content types Teams reads in an `adaptiveCard/action` invoke response. */
export const INVOKE_RESPONSE_TYPES = {
  card: 'application/vnd.microsoft.card.adaptive',
  message: 'application/vnd.microsoft.activity.message',
  error: 'application/vnd.microsoft.error',
} as const;

/** The body of an `adaptiveCard/action` invoke response (Universal Actions). */
export type AdaptiveCardInvokeResponse =
  | { statusCode: 200; type: typeof INVOKE_RESPONSE_TYPES.card; value: Record<string, unknown> }
  | { statusCode: 200; type: typeof INVOKE_RESPONSE_TYPES.message; value: string }
  | {
      statusCode: number;
      type: typeof INVOKE_RESPONSE_TYPES.error;
      value: { code: string; message: string };
    };

/** The card replaces the one clicked, for the person who clicked (or whose client refreshed). */
export function cardResponse(card: Record<string, unknown>): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: INVOKE_RESPONSE_TYPES.card, value: card };
}

/** A short line Teams shows under the card; the card itself stays as it is. */
export function messageResponse(text: string): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: INVOKE_RESPONSE_TYPES.message, value: text };
}

/** Error codes by status, as the Universal Actions error response names them. */
const ERROR_CODES: Record<number, string> = {
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Gone',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

/** The click failed or was refused; Teams shows `message` to the person who clicked. */
export function errorResponse(statusCode: number, message: string): AdaptiveCardInvokeResponse {
  return {
    statusCode,
    type: INVOKE_RESPONSE_TYPES.error,
    value: { code: ERROR_CODES[statusCode] ?? 'BadRequest', message },
  };
}

/**
 * Queues the invoke response of this turn. The HTTP status is always 200: the outcome is in
 * the body's `statusCode`, which is what Teams reads for Universal Actions.
 */
export async function sendInvokeResponse(
  context: TurnContext,
  response: AdaptiveCardInvokeResponse,
): Promise<void> {
  await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: response } });
}

/**
 * Answers a failed or refused invoke in the invoke itself, which only the person whose client
 * sent it sees. Universal Actions (adaptiveCard/action) read the outcome from the body, so their
 * HTTP status is 200; other invokes read it from the HTTP status.
 */
export async function answerInvokeError(
  context: TurnContext,
  status: number,
  message: string,
): Promise<void> {
  const http = context.activity.name === 'adaptiveCard/action' ? 200 : status;
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: { status: http, body: errorResponse(status, message) },
  });
}
