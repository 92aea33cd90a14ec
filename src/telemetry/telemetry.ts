import {
  context,
  metrics,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Counter,
  type Histogram,
  type MeterProvider,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';

/** The instrumentation scope of every span and metric the bot makes. */
export const INSTRUMENTATION_SCOPE = 'connector-concierge';

/** How a proactive send attempt ended, as counted by `concierge.notices`. */
export type NoticeOutcome = 'sent' | 'throttled' | 'failed' | 'gone';

/**
 * The bot's spans and metrics over the OpenTelemetry API. Built from whatever providers are
 * registered when it is made: without an SDK (telemetry off) they are the API's no-op ones, so
 * every call below costs a few function calls and exports nothing.
 */
export class Telemetry {
  /**
   * False when no tracing SDK was registered before this was made (telemetry off): every span
   * would be a no-op one, so per-call wrappers (instrumentStore) can be left out.
   */
  readonly tracing: boolean;
  private readonly tracer: Tracer;
  private readonly turns: Counter;
  private readonly turnDuration: Histogram;
  private readonly cardActions: Counter;
  private readonly notices: Counter;
  private readonly scanDuration: Histogram;
  private readonly connectorsChecked: Counter;
  private readonly graphCalls: Counter;

  constructor(meterProvider: MeterProvider, tracerProvider: TracerProvider) {
    this.tracer = tracerProvider.getTracer(INSTRUMENTATION_SCOPE);
    this.tracing =
      !(tracerProvider instanceof ProxyTracerProvider) ||
      tracerProvider.getDelegateTracer(INSTRUMENTATION_SCOPE) !== undefined;
    const meter = meterProvider.getMeter(INSTRUMENTATION_SCOPE);
    this.turns = meter.createCounter('concierge.turns', {
      description: 'Turns handled, by command (or card action, or activity type) and outcome',
    });
    this.turnDuration = meter.createHistogram('concierge.turn.duration', {
      description: 'Time to handle a turn, by command',
      unit: 'ms',
    });
    this.cardActions = meter.createCounter('concierge.card_actions', {
      description: 'Card buttons clicked, by verb',
    });
    this.notices = meter.createCounter('concierge.notices', {
      description: 'Proactive send attempts: sent, throttled (429), failed, gone (403/404)',
    });
    this.scanDuration = meter.createHistogram('concierge.scan.duration', {
      description: 'Time an expiry scan took',
      unit: 'ms',
    });
    this.connectorsChecked = meter.createCounter('concierge.scan.connectors_checked', {
      description: 'Connectors the expiry scans looked at',
    });
    this.graphCalls = meter.createCounter('concierge.graph.calls', {
      description: 'Microsoft Graph requests sent, by method and HTTP status (or "error": no answer)',
    });
  }

  /** Over the globally registered providers (no-op ones unless telemetry was started). */
  static fromGlobals(): Telemetry {
    return new Telemetry(metrics.getMeterProvider(), trace.getTracerProvider());
  }

  /**
   * Runs `fn` inside a span that is the active one for everything `fn` awaits, so spans made
   * further down (Graph, storage, sends) become its children. A throw marks the span as an error
   * and is rethrown unchanged.
   */
  async inSpan<T>(
    name: string,
    options: { kind?: SpanKind; attributes?: Attributes },
    fn: (span: Span) => Promise<T>,
  ): Promise<T> {
    const span = this.tracer.startSpan(name, {
      kind: options.kind ?? SpanKind.INTERNAL,
      attributes: options.attributes,
    });
    try {
      return await context.with(trace.setSpan(context.active(), span), () => fn(span));
    } catch (err) {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: err instanceof Error ? err.message : String(err),
      });
      throw err;
    } finally {
      span.end();
    }
  }

  /** One handled turn; `command` is the command name, "card-action", or the activity type. */
  recordTurn(command: string, durationMs: number, outcome: 'ok' | 'error'): void {
    this.turns.add(1, { command, outcome });
    this.turnDuration.record(durationMs, { command });
  }

  recordCardAction(verb: string): void {
    this.cardActions.add(1, { verb });
  }

  recordNotice(outcome: NoticeOutcome): void {
    this.notices.add(1, { outcome });
  }

  recordScan(durationMs: number, connectorsChecked: number): void {
    this.scanDuration.record(durationMs);
    this.connectorsChecked.add(connectorsChecked);
  }

  /** One Graph request; `status` is the HTTP status, or "error" when no answer came. */
  recordGraphCall(method: string, status: number | 'error'): void {
    this.graphCalls.add(1, { 'http.request.method': method, status: String(status) });
  }
}
