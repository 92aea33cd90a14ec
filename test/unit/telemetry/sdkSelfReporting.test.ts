import * as fs from 'node:fs';
import * as path from 'node:path';
import { SDK_SELF_REPORTING_OFF, turnOffSdkSelfReporting } from '../../../src/telemetry/startTelemetry';

describe('the Azure Monitor SDK reports nothing about itself to Microsoft', () => {
  test('the variables set are the ones the installed exporter reads to turn statsbeat and SDK stats off', () => {
    // The exporter's package exports no constants: read them from its installed source.
    const exporterDir = path.dirname(require.resolve('@azure/monitor-opentelemetry-exporter/package.json'));
    const constants = fs.readFileSync(
      path.join(exporterDir, 'dist', 'commonjs', 'Declarations', 'Constants.js'),
      'utf8',
    );
    const read = (name: string) => new RegExp(`const ${name} = "([A-Z_]+)"`).exec(constants)?.[1];
    expect(Object.keys(SDK_SELF_REPORTING_OFF).sort()).toEqual(
      [
        read('ENV_DISABLE_STATSBEAT'),
        read('LEGACY_ENV_DISABLE_STATSBEAT'),
        read('ENV_DISABLE_SDKSTATS'),
      ].sort(),
    );
  });

  test('unset variables are turned on; one the operator set stays as they set it', () => {
    const env: NodeJS.ProcessEnv = { APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'false' };
    turnOffSdkSelfReporting(env);
    expect(env).toEqual({
      APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'false',
    });
  });
});
