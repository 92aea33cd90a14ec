import { ActivityTypes, INVOKE_RESPONSE_KEY, type TurnContext } from 'botbuilder';
import { randomUUID } from 'node:crypto';
import { AuditNotWrittenError, ConcurrencyError, StoreUnavailableError } from '../connectors/ports';
import type { Logger } from '../util/logger';
import { answerInvokeError } from './invokeResponses';
import { MissingTenantError } from './turnInfo';

/**
 * The error a turn failed with: a wizard's failure reaches the handler wrapped by botbuilder-dialogs
 * (DialogContextError, the original in `error`), which would otherwise hide a storage outage or a
 * lost race behind "something went wrong".
 */
export function rootTurnError(error: unknown): unknown {
  const wrapped = error as { name?: unknown; error?: unknown } | undefined;
  return wrapped?.name === 'DialogContextError' && wrapped.error instanceof Error ? wrapped.error : error;
}

/**
 * Saving the conversation's state failed after the turn's handler had run: what the handler did
 * (a record written, a card sent) stands, and only where the conversation is (a wizard's step,
 * kept card keys) was not stored. Thrown by ConversationTurnState.save with the store's error.
 */
export class TurnStateSaveError extends Error {
  constructor(readonly cause: unknown) {
    super(
      `the conversation state was not saved after the turn: ${(cause as Error)?.message ?? String(cause)}`,
    );
    this.name = 'TurnStateSaveError';
  }

  /** Another turn or replica wrote the state first (both stores say "eTag conflict", as botbuilder's do). */
  get lostRace(): boolean {
    return (
      /eTag conflict/i.test((this.cause as Error)?.message ?? '') || this.cause instanceof ConcurrencyError
    );
  }
}

/** True for errors that mean the store could not be reached, whatever the adapter threw. */
export function isStorageFailure(thrown: unknown): boolean {
  const error = rootTurnError(thrown);
  if (error instanceof StoreUnavailableError) return true;
  const code = (error as { code?: unknown })?.code;
  return (
    typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|CORRUPT|NOTADB|READONLY|FULL)/.test(code)
  );
}

/** What the person is told when a turn fails; the reference ties their report to the log line. */
export function turnErrorMessage(thrown: unknown, reference: string): string {
  const error = rootTurnError(thrown);
  // The handler finished, so "could not do that" would be false: say what was and was not kept.
  if (error instanceof TurnStateSaveError) {
    const why = error.lostRace
      ? 'another message in this conversation changed it at the same moment'
      : isStorageFailure(error.cause)
        ? 'storage was unavailable'
        : `something went wrong (reference ${reference})`;
    return `That was done, but I could not save where this conversation is afterwards: ${why}. If a wizard card is open here, its next click may be refused as out of date: then start it again with the same command, or type status with the connector’s name to see what is stored.`;
  }
  if (error instanceof AuditNotWrittenError)
    return 'That was done, but storage failed right after, so the audit log lacks it, and I may not have finished what comes after it. Type status with the connector’s name to see what is stored before you try again.';
  if (isStorageFailure(error))
    return 'Storage is unavailable right now, so I could not do that. Try again in a minute.';
  if (error instanceof ConcurrencyError) {
    return 'That was changed at the same moment by another click or person, so I did not apply it again. Look at the latest card, or type status with the connector’s name.';
  }
  if (error instanceof MissingTenantError) {
    return 'I only work inside a Microsoft 365 tenant in Teams, and this message did not say which tenant it came from.';
  }
  // Not "nothing was changed": an error part-way through a turn cannot promise that.
  return `Sorry, something went wrong on my side and I could not finish that. Look at the latest card, or type status with the connector’s name, before you try again; if it keeps happening, give your admin this reference: ${reference}.`;
}

/** The status of a failed turn, as an invoke's answer gives it. */
export function turnErrorStatus(thrown: unknown): number {
  const error = rootTurnError(thrown);
  if (error instanceof TurnStateSaveError)
    return error.lostRace ? 409 : isStorageFailure(error.cause) ? 503 : 500;
  if (isStorageFailure(error)) return 503;
  if (error instanceof ConcurrencyError) return 409;
  if (error instanceof MissingTenantError) return 400;
  return 500;
}

/**
 * The one turn-error handler: logs the failure with a reference, tells the person, and never
 * throws (a failed reply is logged too), so a bad turn cannot take the process down. A failed
 * invoke (a card click or refresh, a typeahead) is answered in the invoke, which only the person
 * whose client sent it sees: a post would reach the whole conversation, once for every viewer
 * whose client refreshes a card in a channel.
 */
export function createTurnErrorHandler(logger: Logger) {
  return async (context: TurnContext, thrown: Error): Promise<void> => {
    const error = rootTurnError(thrown) as Error;
    const reference = randomUUID().slice(0, 8);
    const activity = context.activity;
    // An eTag conflict is two clicks (or replicas) meeting on one record: expected, not a fault.
    const lostRace =
      error instanceof ConcurrencyError || (error instanceof TurnStateSaveError && error.lostRace);
    const log = lostRace ? logger.warn : logger.error;
    log('turn failed', {
      reference,
      error,
      activityType: activity?.type,
      conversationId: activity?.conversation?.id,
      stack:
        error instanceof MissingTenantError ||
        lostRace ||
        isStorageFailure(error) ||
        (error instanceof TurnStateSaveError && isStorageFailure(error.cause))
          ? undefined
          : error?.stack,
    });
    try {
      const message = turnErrorMessage(error, reference);
      if (activity?.type !== ActivityTypes.Invoke) await context.sendActivity(message);
      else if (!context.turnState.get(INVOKE_RESPONSE_KEY))
        await answerInvokeError(context, turnErrorStatus(error), message);
    } catch (sendError) {
      logger.warn('could not tell the person about the failed turn', { reference, error: sendError });
    }
  };
}
