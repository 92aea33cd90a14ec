import * as path from 'node:path';
import pkg from '../package.json';
import {
  deferUnusedFrameworkModules,
  deferUnusedTeamsAiModules,
  deferUnusedTemplatingModules,
} from './bot/onDemandModules';
import type { Cron } from 'croner';
import type { Server } from 'restify';
import { ConfigError, configWarnings, loadConfig, type Config } from './config/config';
import { AzureStartup, StartupError } from './azure/startup';
import { createSqliteStore } from './store/sqlite';
import type { Store } from './connectors/ports';
import { systemClock } from './util/clock';
import { SecretBox } from './secrets/secretBox';
import { loadSecretsKey, SECRETS_KEY_FILE } from './secrets/secretsKey';
import {
  checkSecretsKey,
  secretsKeyMismatchLine,
  SecretsKeyMismatchError,
  type SecretsKeySource,
} from './secrets/keyCheck';
import { ServiceKeyVerifier } from './verification/keyVerifier';
import { createGraphGateway } from './graph/createGraphGateway';
import { createLogger, type Logger } from './util/logger';
import { routeConsoleToLogger } from './util/libraryConsole';
import { startTelemetry, type TelemetryHandle } from './telemetry/startTelemetry';

/** Azure SDK messages run over several lines (RequestId, Time); a start-up error is one line. */
function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split(/\r?\n/)[0];
}

/** Exits with the variable named when the configuration has a mistake. */
function loadConfigOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

function logConfigWarnings(config: Config, logger: Logger): void {
  for (const warning of configWarnings(config, process.env)) {
    logger.warn(`Configuration warning: ${warning.variable} ${warning.message}`, {
      variable: warning.variable,
    });
  }
}

async function startTelemetryOrExit(config: Config, logger: Logger): Promise<TelemetryHandle> {
  try {
    return await startTelemetry(config.telemetry, logger, {
      name: 'connector-concierge',
      version: pkg.version,
    });
  } catch (err) {
    process.stderr.write(
      `Start-up error: APPLICATIONINSIGHTS_CONNECTION_STRING / OTEL_EXPORTER_OTLP_ENDPOINT: cannot start telemetry: ${firstLine(err)}\n`,
    );
    process.exit(1);
  }
}

/** The Azure store when configured, else SQLite in DATA_DIR; with the Key Vault's secrets key, if any. */
async function openStoreOrExit(
  config: Config,
  logger: Logger,
): Promise<{ store: Store; vaultKey: Buffer | undefined }> {
  const azure = new AzureStartup(config);
  let vaultKey: Buffer | undefined;
  let azureStore: Store | undefined;
  try {
    vaultKey = await azure.secretsKey();
    azureStore = await azure.store(logger);
  } catch (err) {
    process.stderr.write(
      `${err instanceof StartupError ? err.message : `Start-up error: ${firstLine(err)}`}\n`,
    );
    process.exit(1);
  }
  if (azureStore) return { store: azureStore, vaultKey };
  try {
    return { store: createSqliteStore(config.dataDir), vaultKey };
  } catch (err) {
    process.stderr.write(
      `Storage error: DATA_DIR: cannot open the store in ${config.dataDir}: ${(err as Error).message}\n`,
    );
    process.exit(1);
  }
}

function openSecretBoxOrExit(config: Config, vaultKey: Buffer | undefined, logger: Logger): SecretBox {
  try {
    return new SecretBox(
      loadSecretsKey(vaultKey ?? config.secretsKey, config.dataDir, (message) => logger.warn(message)),
    );
  } catch (err) {
    process.stderr.write(`Configuration error: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

/** Where the key came from: the Key Vault, SECRETS_KEY, or the key file in DATA_DIR. */
function secretsKeySource(config: Config): SecretsKeySource {
  if (config.secretsKeyVault) return { kind: 'vault', ...config.secretsKeyVault };
  if (config.secretsKey) return { kind: 'setting' };
  return { kind: 'file', file: path.join(config.dataDir, SECRETS_KEY_FILE) };
}

/** Refuses to start with a key that does not open the stored secrets (one small read). */
async function checkSecretsKeyOrExit(config: Config, store: Store, secretBox: SecretBox): Promise<void> {
  try {
    await checkSecretsKey(store.secrets, secretBox);
  } catch (err) {
    process.stderr.write(
      err instanceof SecretsKeyMismatchError
        ? `Configuration error: ${secretsKeyMismatchLine(secretsKeySource(config))}\n`
        : `Storage error: cannot read a stored secret to check the secrets key: ${firstLine(err)}\n`,
    );
    process.exit(1);
  }
}

interface Running {
  config: Config;
  logger: Logger;
  store: Store;
  telemetry: TelemetryHandle;
  server: Server;
}

function listen({ config, logger, store, telemetry, server }: Running): void {
  server.on('error', (err: NodeJS.ErrnoException) => {
    process.stderr.write(
      `Start-up error: PORT: cannot listen on ${config.host}:${config.port}: ${err.code ?? err.message}\n`,
    );
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    const address = server.address();
    logger.info('Connector Concierge started', {
      mode: config.anonymous ? 'anonymous-local' : 'bot-framework',
      address: `http://${config.host}:${address.port}`,
      store: `${store.kind}:${store.location}`,
      api:
        [config.apiToken ? 'token' : '', config.apiEntraAuth ? 'entra' : ''].filter(Boolean).join('+') ||
        'off',
      scan: config.scanCron,
      telemetry: telemetry.exporters,
      version: pkg.version,
    });
  });
}

/** SIGINT and SIGTERM stop the scan, close the server, the store and telemetry, then exit. */
function stopOnSignals({ logger, store, telemetry, server }: Running, schedule: Cron): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    schedule.stop();
    server.close(() => {
      // Flushes the last spans and metrics; the timer below bounds a collector that hangs.
      void Promise.allSettled([store.close(), telemetry.shutdown()]).finally(() => process.exit(0));
    });
    // Open keep-alive sockets would hold close() forever.
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Entry point: config → telemetry → store → compose (services, bot, server, schedule) → listen. Importing any other module runs nothing. */
async function main(): Promise<void> {
  // Before the bot's modules are loaded, which would load these.
  deferUnusedTeamsAiModules();
  deferUnusedFrameworkModules();
  deferUnusedTemplatingModules();
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  // botbuilder writes refused tokens to stderr with console.error (stacks, signing keys).
  routeConsoleToLogger(logger);
  logConfigWarnings(config, logger);
  // Before anything that makes spans or metrics: they bind to the providers registered here.
  const telemetry = await startTelemetryOrExit(config, logger);
  const { store, vaultKey } = await openStoreOrExit(config, logger);
  const secretBox = openSecretBoxOrExit(config, vaultKey, logger);
  await checkSecretsKeyOrExit(config, store, secretBox);
  const { compose } = await import('./compose');
  // After deferUnusedTemplatingModules, which must see the engine's libraries before it loads.
  (await import('./cards/render')).loadTemplatingEngine();
  const { server, schedule: startSchedule } = compose({
    config,
    store,
    logger,
    clock: systemClock,
    secretBox,
    keyVerifier: new ServiceKeyVerifier(),
    graph: createGraphGateway(config, logger),
    version: pkg.version,
  });

  const running: Running = { config, logger, store, telemetry, server };
  listen(running);
  stopOnSignals(running, startSchedule());
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: reason }));
}

// Whatever start-up did not foresee ends in one line, not an unhandled rejection's stack.
main().catch((err: unknown) => {
  process.stderr.write(`Start-up failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
