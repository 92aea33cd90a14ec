import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TelemetryConfig } from '../config/config';
import type { Logger } from '../util/logger';

/** What index.ts keeps of a started telemetry pipeline. */
export interface TelemetryHandle {
  /** "off", or the exporters in use, for the start-up line. */
  readonly exporters: string;
  /** Flushes what is buffered and stops the exporters; bounded by the exporters' own timeouts. */
  shutdown(): Promise<void>;
}

const OFF: TelemetryHandle = { exporters: 'off', shutdown: async () => undefined };

/** The SDK's own complaints (an export that failed, a collector that refused) as warnings in our log. */
function diagLogger(logger: Logger): DiagLogger {
  const log =
    (level: 'warn' | 'error') =>
    (message: string, ...args: unknown[]) =>
      logger[level](
        'telemetry: ' + message,
        args.length ? { detail: args.map(String).join(' ') } : undefined,
      );
  return {
    error: log('error'),
    warn: log('warn'),
    info: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
  };
}

/** The OTLP/HTTP span processor and metric reader, when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
interface OtlpPipelines {
  spanProcessors: BatchSpanProcessor[];
  metricReaders: PeriodicExportingMetricReader[];
}

async function otlpPipelines(config: TelemetryConfig): Promise<OtlpPipelines> {
  const { BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { PeriodicExportingMetricReader } = await import('@opentelemetry/sdk-metrics');
  const interval = config.metricExportIntervalMs;
  const spanProcessors: BatchSpanProcessor[] = [];
  const metricReaders: PeriodicExportingMetricReader[] = [];
  if (config.otlpEndpoint) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http');
    spanProcessors.push(
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${config.otlpEndpoint}/v1/traces` })),
    );
    metricReaders.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${config.otlpEndpoint}/v1/metrics` }),
        exportIntervalMillis: interval,
        exportTimeoutMillis: Math.min(interval, 30_000),
      }),
    );
  }
  return { spanProcessors, metricReaders };
}

/**
 * The Azure Monitor SDK's reporting about itself, which it sends to Microsoft's own ingestion
 * resources and settings service rather than to the operator's Application Insights: off, as
 * PRIVACY.md promises, unless the operator has set one of these variables themselves.
 */
export const SDK_SELF_REPORTING_OFF: Readonly<Record<string, string>> = {
  APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
  APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
  APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
};

/** Sets {@link SDK_SELF_REPORTING_OFF} in `env` where unset; the exporters read them from there. */
export function turnOffSdkSelfReporting(env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(SDK_SELF_REPORTING_OFF)) env[name] ??= value;
}

/** The Azure Monitor distro, carrying the OTLP pipelines too when both exporters are set. */
async function startAzureMonitor(
  config: TelemetryConfig,
  connectionString: string,
  resource: Resource,
  { spanProcessors, metricReaders }: OtlpPipelines,
): Promise<TelemetryHandle> {
  turnOffSdkSelfReporting();
  const { useAzureMonitor, shutdownAzureMonitor } = await import('@azure/monitor-opentelemetry');
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    resource,
    spanProcessors,
    metricReaders,
    enableLiveMetrics: false,
    instrumentationOptions: {
      http: { enabled: false },
      azureSdk: { enabled: false },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
      bunyan: { enabled: false },
      winston: { enabled: false },
      console: { enabled: false },
    },
  });
  return {
    exporters: config.otlpEndpoint ? 'azure-monitor,otlp' : 'azure-monitor',
    shutdown: () => shutdownAzureMonitor(),
  };
}

/** Only OTLP: the SDK's own tracer and meter providers, registered as the global ones. */
async function startOtlpProviders(
  resource: Resource,
  { spanProcessors, metricReaders }: OtlpPipelines,
): Promise<TelemetryHandle> {
  const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  const { MeterProvider } = await import('@opentelemetry/sdk-metrics');
  const { metrics } = await import('@opentelemetry/api');
  const tracerProvider = new NodeTracerProvider({ resource, spanProcessors });
  // register() also installs the AsyncLocalStorage context manager that nests spans.
  tracerProvider.register();
  const meterProvider = new MeterProvider({ resource, readers: metricReaders });
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    exporters: 'otlp',
    async shutdown() {
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}

/**
 * Registers the OpenTelemetry SDK as the global tracer and meter providers when an exporter is
 * configured: the Azure Monitor distro for APPLICATIONINSIGHTS_CONNECTION_STRING, OTLP/HTTP
 * (JSON) for OTEL_EXPORTER_OTLP_ENDPOINT, both when both are set. With neither it loads no SDK
 * module and registers nothing, so the API stays no-op and nothing leaves the process.
 *
 * Spans go out in batches and metrics periodically, from timers of their own: a slow or failing
 * endpoint delays nothing in a turn, it only costs the dropped telemetry (and a warning line).
 * The distro's automatic instrumentations (http, databases, loggers) stay off: the bot makes
 * its own spans, so they would only duplicate them.
 */
export async function startTelemetry(
  config: TelemetryConfig,
  logger: Logger,
  service: { name: string; version: string },
): Promise<TelemetryHandle> {
  if (!config.applicationInsightsConnectionString && !config.otlpEndpoint) return OFF;
  diag.setLogger(diagLogger(logger), DiagLogLevel.WARN);

  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const resource = resourceFromAttributes({
    'service.name': service.name,
    'service.version': service.version,
  });
  const pipelines = await otlpPipelines(config);
  if (config.applicationInsightsConnectionString) {
    return startAzureMonitor(config, config.applicationInsightsConnectionString, resource, pipelines);
  }
  return startOtlpProviders(resource, pipelines);
}
