import { loadConfig } from '../../../src/config/config';
import { errorOf } from './configErrorOf';

describe('telemetry settings', () => {
  test('off by default, with metrics every minute when on', () => {
    expect(loadConfig({}).telemetry).toEqual({
      applicationInsightsConnectionString: undefined,
      otlpEndpoint: undefined,
      metricExportIntervalMs: 60_000,
    });
  });

  test('an Application Insights connection string and an OTLP endpoint are read, the endpoint without its trailing slash', () => {
    const telemetry = loadConfig({
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        'InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318/',
      OTEL_METRIC_EXPORT_INTERVAL: '15000',
    }).telemetry;
    expect(telemetry.applicationInsightsConnectionString).toMatch(/^InstrumentationKey=/);
    expect(telemetry.otlpEndpoint).toBe('http://localhost:4318');
    expect(telemetry.metricExportIntervalMs).toBe(15_000);
  });

  test.each([
    [
      { APPLICATIONINSIGHTS_CONNECTION_STRING: 'IngestionEndpoint=https://x/' },
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
    ],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_METRIC_EXPORT_INTERVAL: 'soon' }, 'OTEL_METRIC_EXPORT_INTERVAL'],
  ])('a bad value %j stops start-up naming %s', (env, variable) => {
    const err = errorOf(env as Record<string, string>);
    expect(err.variable).toBe(variable);
    expect(err.message.startsWith(`${variable}: `)).toBe(true);
  });
});
