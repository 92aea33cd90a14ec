import { SpanKind } from '@opentelemetry/api';
import type { Middleware, TurnContext } from 'botbuilder';
import type { Telemetry } from '../telemetry/telemetry';

/** Where the command router leaves the command a turn ran, for the turn's span and metrics. */
const TURN_COMMAND = Symbol('concierge.turnCommand');

/** Verbs come from card data a client sends: anything unusual is counted as "other". */
const VERB_SHAPE = /^[A-Za-z][A-Za-z0-9._:-]{0,39}$/;

/** Records the command this turn runs (called by the command router). */
export function noteTurnCommand(context: TurnContext, command: string): void {
  context.turnState.set(TURN_COMMAND, command);
}

/** The verb of a card button click (Action.Execute invoke or Action.Submit), if this turn is one. */
function cardVerb(context: TurnContext): string | undefined {
  const { activity } = context;
  const value = activity.value as { verb?: unknown; action?: { verb?: unknown } } | undefined;
  let verb: unknown;
  if (activity.type === 'invoke' && activity.name === 'adaptiveCard/action') verb = value?.action?.verb;
  else if (activity.type === 'message' && !activity.text && value && typeof value === 'object')
    verb = value.verb;
  else return undefined;
  return typeof verb === 'string' && VERB_SHAPE.test(verb) ? verb : 'other';
}

/**
 * botbuilder middleware that wraps each turn in a span (active for the whole turn, so Graph and
 * storage spans nest under it) and counts it by command, with its latency. Without a tracing SDK
 * there is no span; with no metrics SDK either (telemetry off) the counting is no-op calls.
 */
export class TurnTelemetryMiddleware implements Middleware {
  constructor(
    private readonly telemetry: Telemetry,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    // continueConversation runs the middleware too: a proactive send is not a turn, and it is
    // measured by the sender's own span.
    if (context.activity.type === 'event' && context.activity.name === 'ContinueConversation') return next();
    const started = this.now();
    const verb = cardVerb(context);
    if (verb) this.telemetry.recordCardAction(verb);
    const fallback = verb ? 'card-action' : String(context.activity.type ?? 'unknown');
    let outcome: 'ok' | 'error' = 'ok';
    try {
      // Without a tracing SDK the span would be a no-op one: the turn runs without that layer
      // (a context copy and two more promises per turn), and is still counted below.
      if (!this.telemetry.tracing) return await next();
      await this.telemetry.inSpan(
        'turn',
        {
          kind: SpanKind.SERVER,
          attributes: {
            'concierge.activity.type': String(context.activity.type ?? 'unknown'),
            ...(verb ? { 'concierge.card.verb': verb } : {}),
          },
        },
        async (span) => {
          try {
            await next();
          } finally {
            const command = this.commandOf(context) ?? fallback;
            span.updateName(`turn ${command}`);
            span.setAttribute('concierge.command', command);
          }
        },
      );
    } catch (err) {
      outcome = 'error';
      throw err;
    } finally {
      this.telemetry.recordTurn(this.commandOf(context) ?? fallback, this.now() - started, outcome);
    }
  }

  private commandOf(context: TurnContext): string | undefined {
    const command = context.turnState.get(TURN_COMMAND) as unknown;
    return typeof command === 'string' ? command : undefined;
  }
}
