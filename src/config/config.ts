import { Cron } from 'croner';
import { isIP } from 'node:net';
import * as path from 'node:path';
import type { LogLevel } from '../util/logger';
import { parseBlobEndpointRule, type BlobEndpointRule } from './blobEndpoints';
import {
  GLOBAL_ADMIN_REVIEWER_ROLE,
  OPTIONAL_REVIEWER_ROLES,
  reviewerRoleByName,
  type ConsentReviewerRole,
} from './consentReviewerRoles';
import {
  ConfigError,
  guid,
  httpsUrl,
  integer,
  integerList,
  isLoopbackHost,
  oneOf,
  positiveNumber,
  read,
  redirectUri,
  type Env,
} from './envValues';

export { ConfigError, isLoopbackHost };

/** Microsoft clouds the bot can target; each picks its own login and Graph hosts. */
export type CloudName = 'global' | 'usgovhigh' | 'dod' | 'china';

/** Every setting the bot reads from its environment, validated and typed. */
export interface Config {
  port: number;
  host: string;
  /** Anonymous local mode: no Bot Framework credentials, loopback only. */
  anonymous: boolean;
  bot: {
    appId?: string;
    appPassword?: string;
    appTenantId?: string;
    appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
    /** Overrides the Bot Framework OpenID metadata document (private clouds, tests). */
    openIdMetadataUrl?: string;
  };
  dataDir: string;
  azureStorageConnectionString?: string;
  /** Storage with an Entra token instead of a connection string (both set, or neither). */
  azureStorageUrls?: { blob: string; table: string };
  /**
   * The identity for Storage and Key Vault: a service principal when all three are set,
   * otherwise DefaultAzureCredential (managed identity; `clientId` picks a user-assigned one).
   */
  azureIdentity: { tenantId?: string; clientId?: string; clientSecret?: string };
  /** SECRETS_KEY read once at start-up from this Key Vault secret. */
  secretsKeyVault?: { url: string; secretName: string };
  cloud: CloudName;
  authorityHost: string;
  graphEndpoint: string;
  graph: { clientId?: string; clientSecret?: string };
  connectorAppId?: string;
  /**
   * The redirect URI registered on the connector app, when the deployment knows one. Without it
   * the direct admin-consent URL carries no redirect_uri and Entra uses the app's own default.
   */
  consentRedirectUri?: string;
  adminConsentLink: string;
  inactivityDays: number;
  /** Days before deauthorization that a notice goes out, largest first. */
  expiryNoticeDays: number[];
  scanCron: string;
  /**
   * How long a notice claimed by a scan stays its own before another scan (or replica) may take
   * it over: the claimer died. Longer than a scan's slowest send, Retry-After waits included.
   */
  noticeLeaseSeconds: number;
  apiToken?: string;
  /**
   * Entra ID access tokens for the bot's app registration are accepted on /api/v1 (each reaching
   * only its own tenant). On by default when MicrosoftAppId is set; API_ENTRA_AUTH=off turns it off.
   */
  apiEntraAuth: boolean;
  /** How long a directory role the bot assigns stays active (a time-bound PIM assignment). */
  roleAssignmentDays: number;
  notifyRps: number;
  /** Hours after a consent request: first the reminder to the admin, then to the requester. */
  consentReminderHours: [number, number];
  /**
   * Roles whose holders may review consent requests: Global Administrator always, then those
   * CONSENT_REVIEWER_ROLES adds.
   */
  consentReviewerRoles: ConsentReviewerRole[];
  /** Days a consent request stays open before it expires (CONSENT_REQUEST_DAYS). */
  consentRequestDays: number;
  adminGroupId?: string;
  teamsAppCatalogId?: string;
  /** 32-byte key, when given by SECRETS_KEY; otherwise a key file in DATA_DIR is used. */
  secretsKey?: Buffer;
  /**
   * Where Azure Blob keys typed into the wizard may be sent to be checked: BLOB_ENDPOINT_SUFFIXES,
   * by default the cloud's own storage suffix.
   */
  blobEndpoints: BlobEndpointRule[];
  logLevel: LogLevel;
  /** Where traces and metrics go; with neither exporter set nothing is exported. */
  telemetry: TelemetryConfig;
}

/** Telemetry exporters: Azure Monitor (Application Insights), an OTLP/HTTP collector, or both. */
export interface TelemetryConfig {
  applicationInsightsConnectionString?: string;
  /** Base URL of an OTLP/HTTP collector; `/v1/traces` and `/v1/metrics` are appended. */
  otlpEndpoint?: string;
  /** How often metrics are exported (OTEL_METRIC_EXPORT_INTERVAL, milliseconds). */
  metricExportIntervalMs: number;
}

/** Login and Graph hosts per national cloud (Microsoft Graph national cloud deployments). */
export const CLOUD_HOSTS: Record<
  CloudName,
  { authorityHost: string; graphEndpoint: string; label: string; blobSuffix: string }
> = {
  global: {
    authorityHost: 'https://login.microsoftonline.com',
    graphEndpoint: 'https://graph.microsoft.com',
    label: 'Microsoft 365 worldwide',
    blobSuffix: 'blob.core.windows.net',
  },
  usgovhigh: {
    authorityHost: 'https://login.microsoftonline.us',
    graphEndpoint: 'https://graph.microsoft.us',
    label: 'US Government GCC High',
    blobSuffix: 'blob.core.usgovcloudapi.net',
  },
  dod: {
    authorityHost: 'https://login.microsoftonline.us',
    graphEndpoint: 'https://dod-graph.microsoft.us',
    label: 'US Government DoD',
    blobSuffix: 'blob.core.usgovcloudapi.net',
  },
  china: {
    authorityHost: 'https://login.chinacloudapi.cn',
    graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
    label: 'China operated by 21Vianet',
    blobSuffix: 'blob.core.chinacloudapi.cn',
  },
};

/** CONSENT_REVIEWER_ROLES: comma-separated role names beside Global Administrator, each one known. */
function consentReviewerRoles(env: Env): ConsentReviewerRole[] {
  const roles = [GLOBAL_ADMIN_REVIEWER_ROLE];
  for (const name of (read(env, 'CONSENT_REVIEWER_ROLES') ?? '').split(',').map((n) => n.trim())) {
    if (!name) continue;
    const role = reviewerRoleByName(name);
    if (!role) {
      throw new ConfigError(
        'CONSENT_REVIEWER_ROLES',
        `unknown role "${name}"; allowed: ${OPTIONAL_REVIEWER_ROLES.map((r) => r.name).join(', ')} (Global Administrator is always included)`,
      );
    }
    if (!roles.includes(role)) roles.push(role);
  }
  return roles;
}

/** A secrets key as SECRETS_KEY (or its Key Vault secret) holds it: 32 bytes in base64; undefined if not. */
export function decodeSecretsKey(raw: string): Buffer | undefined {
  const trimmed = raw.trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  return key.length === 32 ? key : undefined;
}

function parseSecretsKey(env: Env): Buffer | undefined {
  const raw = read(env, 'SECRETS_KEY');
  if (raw === undefined) return undefined;
  const key = decodeSecretsKey(raw);
  if (key === undefined)
    throw new ConfigError('SECRETS_KEY', 'expected 32 bytes encoded as base64 (44 characters)');
  return key;
}

function parseTelemetry(env: Env): TelemetryConfig {
  const connectionString = read(env, 'APPLICATIONINSIGHTS_CONNECTION_STRING');
  if (connectionString !== undefined && !/(^|;)\s*InstrumentationKey=[^;]+/i.test(connectionString)) {
    throw new ConfigError(
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
      'not an Application Insights connection string (expected InstrumentationKey=…;IngestionEndpoint=…)',
    );
  }
  const otlp = read(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (otlp !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(otlp);
    } catch {
      url = undefined;
    }
    // Plain http is usual for a collector beside the bot (a sidecar on localhost:4318).
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new ConfigError(
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        `expected an http:// or https:// URL, got "${otlp}"`,
      );
    }
  }
  return {
    applicationInsightsConnectionString: connectionString,
    otlpEndpoint: otlp?.replace(/\/+$/, ''),
    metricExportIntervalMs: integer(env, 'OTEL_METRIC_EXPORT_INTERVAL', 60_000, 100, 86_400_000),
  };
}

/** AZURE_STORAGE_BLOB_URL and AZURE_STORAGE_TABLE_URL: both or neither, https (a bearer token needs TLS). */
function storageUrls(env: Env, connectionString: string | undefined): Config['azureStorageUrls'] {
  const blob = storageAccountUrl(env, 'AZURE_STORAGE_BLOB_URL');
  const table = storageAccountUrl(env, 'AZURE_STORAGE_TABLE_URL');
  if (blob === undefined && table === undefined) return undefined;
  if (blob === undefined)
    throw new ConfigError('AZURE_STORAGE_BLOB_URL', 'required with AZURE_STORAGE_TABLE_URL');
  if (table === undefined)
    throw new ConfigError('AZURE_STORAGE_TABLE_URL', 'required with AZURE_STORAGE_BLOB_URL');
  if (connectionString !== undefined) {
    throw new ConfigError(
      'AZURE_STORAGE_CONNECTION_STRING',
      'set either it or AZURE_STORAGE_BLOB_URL and AZURE_STORAGE_TABLE_URL (managed identity), not both',
    );
  }
  return { blob, table };
}

/**
 * A storage service's account URL (https://<account>.blob.core.windows.net, or an emulator's
 * path-style one) without query, fragment or credentials: a SAS in the query is a secret the
 * start-up errors would print, and the bot signs in with its Azure identity anyway.
 */
function storageAccountUrl(env: Env, name: string): string | undefined {
  const url = httpsUrl(env, name);
  if (url === undefined) return undefined;
  const parsed = new URL(url);
  if (parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '') {
    throw new ConfigError(
      name,
      'expected the account URL alone, such as https://<account>.blob.core.windows.net: no query (SAS), fragment or credentials; the bot signs in with its Azure identity',
    );
  }
  return url;
}

/** A client secret is only usable with the tenant and the app it belongs to. */
function identity(env: Env): Config['azureIdentity'] {
  const tenantId = guid(env, 'AZURE_TENANT_ID');
  const clientId = guid(env, 'AZURE_CLIENT_ID');
  const clientSecret = read(env, 'AZURE_CLIENT_SECRET');
  if (clientSecret !== undefined && tenantId === undefined)
    throw new ConfigError('AZURE_TENANT_ID', 'required with AZURE_CLIENT_SECRET');
  if (clientSecret !== undefined && clientId === undefined)
    throw new ConfigError('AZURE_CLIENT_ID', 'required with AZURE_CLIENT_SECRET');
  return { tenantId, clientId, clientSecret };
}

/** Key Vault secret names: 1-127 letters, digits and dashes. */
const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;

function keyVault(env: Env): Config['secretsKeyVault'] {
  const url = httpsUrl(env, 'SECRETS_KEY_VAULT_URL');
  const secretName = read(env, 'SECRETS_KEY_SECRET_NAME');
  if (url === undefined) {
    if (secretName !== undefined)
      throw new ConfigError('SECRETS_KEY_VAULT_URL', 'required with SECRETS_KEY_SECRET_NAME');
    return undefined;
  }
  if (secretName === undefined)
    throw new ConfigError('SECRETS_KEY_SECRET_NAME', 'required with SECRETS_KEY_VAULT_URL');
  if (!SECRET_NAME.test(secretName))
    throw new ConfigError(
      'SECRETS_KEY_SECRET_NAME',
      `expected a Key Vault secret name (1-127 letters, digits and dashes), got "${secretName}"`,
    );
  if (read(env, 'SECRETS_KEY') !== undefined)
    throw new ConfigError('SECRETS_KEY', 'set either it or SECRETS_KEY_VAULT_URL, not both');
  return { url, secretName };
}

/**
 * BLOB_ENDPOINT_SUFFIXES: comma-separated host suffixes. A loopback `host:port` (the storage
 * emulator) is accepted only in anonymous local mode, so a deployed bot never sends keys to, or
 * probes, a port on its own machine.
 */
function blobEndpointRules(env: Env, cloud: CloudName, anonymous: boolean): BlobEndpointRule[] {
  const raw = read(env, 'BLOB_ENDPOINT_SUFFIXES');
  if (raw === undefined) return [{ kind: 'suffix', suffix: CLOUD_HOSTS[cloud].blobSuffix }];
  return raw.split(',').map((entry) => {
    const rule = parseBlobEndpointRule(entry);
    if (typeof rule === 'string') throw new ConfigError('BLOB_ENDPOINT_SUFFIXES', rule);
    if (rule.kind === 'loopback' && !anonymous) {
      throw new ConfigError(
        'BLOB_ENDPOINT_SUFFIXES',
        `"${entry.trim()}" is on this machine; loopback entries are only allowed in anonymous local mode (no MicrosoftAppId)`,
      );
    }
    return rule;
  });
}

/**
 * CLOUD. With bot credentials it also picks the Bot Framework the bot signs in to; botbuilder
 * knows the public and US Government ones only, and a bot signed in to the wrong one is refused
 * by every Teams token and sends nothing, so 21Vianet is refused here rather than left silent.
 */
function botCloud(env: Env, anonymous: boolean): CloudName {
  const cloud = cloudOf(env);
  if (cloud === 'china' && !anonymous) {
    throw new ConfigError(
      'CLOUD',
      'china (Microsoft 365 operated by 21Vianet) is not supported with MicrosoftAppId: botbuilder has no Bot Framework endpoints for it',
    );
  }
  return cloud;
}

/** PORT and HOST: where the bot listens. */
function listenAddress(env: Env): Pick<Config, 'port' | 'host'> {
  const port = integer(env, 'PORT', 3978, 1, 65535);
  const host = read(env, 'HOST') ?? '127.0.0.1';
  if (isIP(host) === 0 && host !== 'localhost' && !/^[a-z0-9.-]+$/i.test(host)) {
    throw new ConfigError('HOST', `expected an IP address or host name, got "${host}"`);
  }
  return { port, host };
}

type BotCredentials = Omit<Config['bot'], 'openIdMetadataUrl'>;

/** The Bot Framework app: without MicrosoftAppId the bot runs anonymously, on loopback only. */
function botCredentials(env: Env, host: string): BotCredentials {
  const appId = guid(env, 'MicrosoftAppId');
  const appPassword = read(env, 'MicrosoftAppPassword');
  const appTenantId = guid(env, 'MicrosoftAppTenantId');
  const appType = oneOf(
    env,
    'MicrosoftAppType',
    ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const,
    'MultiTenant',
  );
  const anonymous = appId === undefined;
  if (anonymous && !isLoopbackHost(host)) {
    throw new ConfigError(
      'HOST',
      `anonymous mode (no MicrosoftAppId) only binds to loopback; set MicrosoftAppId to listen on "${host}"`,
    );
  }
  if (!anonymous && appType !== 'UserAssignedMSI' && appPassword === undefined) {
    throw new ConfigError(
      'MicrosoftAppPassword',
      `required when MicrosoftAppId is set (MicrosoftAppType ${appType})`,
    );
  }
  if (!anonymous && appType !== 'MultiTenant' && appTenantId === undefined) {
    throw new ConfigError('MicrosoftAppTenantId', `required when MicrosoftAppType is ${appType}`);
  }
  // botbuilder's credential factory asserts both of these; said here as one line naming the variable.
  if (appType === 'UserAssignedMSI' && anonymous) {
    throw new ConfigError(
      'MicrosoftAppId',
      "required when MicrosoftAppType is UserAssignedMSI (the managed identity's client id)",
    );
  }
  if (appType === 'UserAssignedMSI' && appPassword !== undefined) {
    throw new ConfigError(
      'MicrosoftAppPassword',
      'must not be set when MicrosoftAppType is UserAssignedMSI: the managed identity signs in without a secret',
    );
  }
  return { appId, appPassword, appTenantId, appType };
}

type StorageSettings = Pick<
  Config,
  'azureStorageConnectionString' | 'azureStorageUrls' | 'azureIdentity' | 'secretsKeyVault'
>;

/** How Azure Storage is reached: a connection string, or the service URLs with an Entra identity. */
export type StorageAccess = Pick<
  Config,
  'azureStorageConnectionString' | 'azureStorageUrls' | 'azureIdentity'
>;

/**
 * AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_BLOB_URL + AZURE_STORAGE_TABLE_URL and the
 * identity (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET), validated as the bot does; also
 * read by `npm run migrate-store`, which opens the store the same way.
 */
export function storageAccess(env: Env): StorageAccess {
  const connectionString = read(env, 'AZURE_STORAGE_CONNECTION_STRING');
  if (
    connectionString !== undefined &&
    !/(AccountName|BlobEndpoint|UseDevelopmentStorage)=/i.test(connectionString)
  ) {
    throw new ConfigError('AZURE_STORAGE_CONNECTION_STRING', 'not an Azure Storage connection string');
  }
  return {
    azureStorageConnectionString: connectionString,
    azureStorageUrls: storageUrls(env, connectionString),
    azureIdentity: identity(env),
  };
}

/** Azure Storage (connection string or URLs), the identity it is reached with, and the secrets key's vault. */
function storageSettings(env: Env): StorageSettings {
  const {
    azureStorageConnectionString: connectionString,
    azureStorageUrls,
    azureIdentity,
  } = storageAccess(env);
  const secretsKeyVault = keyVault(env);

  if ((connectionString !== undefined || azureStorageUrls !== undefined) && !secretsKeyVault) {
    if (read(env, 'SECRETS_KEY') === undefined) {
      // Replicas sharing an Azure store must open each other's sealed keys: one key for all.
      const store =
        connectionString !== undefined ? 'AZURE_STORAGE_CONNECTION_STRING' : 'AZURE_STORAGE_BLOB_URL';
      throw new ConfigError(
        'SECRETS_KEY',
        `required with ${store} (or SECRETS_KEY_VAULT_URL), so that every replica uses the same key`,
      );
    }
  }
  return { azureStorageConnectionString: connectionString, azureStorageUrls, azureIdentity, secretsKeyVault };
}

/** INACTIVITY_DAYS and EXPIRY_NOTICE_DAYS: every notice day distinct and before deauthorization. */
function expirySchedule(env: Env): Pick<Config, 'inactivityDays' | 'expiryNoticeDays'> {
  const inactivityDays = integer(env, 'INACTIVITY_DAYS', 90, 1, 3650);
  const expiryNoticeDays = integerList(env, 'EXPIRY_NOTICE_DAYS', '30,14,7,1');
  if (new Set(expiryNoticeDays).size !== expiryNoticeDays.length) {
    throw new ConfigError('EXPIRY_NOTICE_DAYS', 'the same day is listed twice');
  }
  if (expiryNoticeDays.some((d) => d >= inactivityDays)) {
    throw new ConfigError(
      'EXPIRY_NOTICE_DAYS',
      `every day must be less than INACTIVITY_DAYS (${inactivityDays})`,
    );
  }
  expiryNoticeDays.sort((a, b) => b - a);
  return { inactivityDays, expiryNoticeDays };
}

function scanCronExpression(env: Env): string {
  const scanCron = read(env, 'SCAN_CRON') ?? '0 * * * *';
  try {
    new Cron(scanCron, { paused: true }).stop();
  } catch (err) {
    throw new ConfigError('SCAN_CRON', `not a valid cron expression: ${(err as Error).message}`);
  }
  return scanCron;
}

function apiTokenSetting(env: Env): string | undefined {
  const apiToken = read(env, 'API_TOKEN');
  if (apiToken !== undefined && apiToken.length < 16) {
    throw new ConfigError('API_TOKEN', 'must be at least 16 characters');
  }
  return apiToken;
}

function apiEntraAuthSetting(env: Env, anonymous: boolean): boolean {
  const entraAuthSetting = oneOf(env, 'API_ENTRA_AUTH', ['on', 'off'] as const, anonymous ? 'off' : 'on');
  if (entraAuthSetting === 'on' && anonymous) {
    throw new ConfigError(
      'API_ENTRA_AUTH',
      "on needs MicrosoftAppId: the tokens are issued for the bot's app",
    );
  }
  return entraAuthSetting === 'on';
}

function consentReminderHours(env: Env, requestDays: number): Config['consentReminderHours'] {
  const reminders = integerList(env, 'CONSENT_REMINDER_HOURS', '24,72');
  if (reminders.length !== 2 || reminders[0] >= reminders[1]) {
    throw new ConfigError(
      'CONSENT_REMINDER_HOURS',
      'expected two increasing hours: admin reminder, requester reminder',
    );
  }
  // A reminder due after the request expired would never go out: a setting that silently does nothing.
  if (reminders[1] >= requestDays * 24) {
    throw new ConfigError(
      'CONSENT_REMINDER_HOURS',
      `the requester's reminder (${reminders[1]} h) must come before a request expires (CONSENT_REQUEST_DAYS=${requestDays}, ${requestDays * 24} h)`,
    );
  }
  return [reminders[0], reminders[1]];
}

/** Below one send a second, a scan of any size takes hours: a typo, not a setting. */
function notifyRps(env: Env): number {
  const rps = positiveNumber(env, 'NOTIFY_RPS', 30);
  if (rps < 1) throw new ConfigError('NOTIFY_RPS', `expected at least 1 send per second, got "${rps}"`);
  return rps;
}

/** The sign-in host: AZURE_AUTHORITY_HOST, else the cloud's. */
function authorityHostOf(env: Env, cloud: CloudName): string {
  return httpsUrl(env, 'AZURE_AUTHORITY_HOST') ?? CLOUD_HOSTS[cloud].authorityHost;
}

/** CLOUD (default global). */
function cloudOf(env: Env): CloudName {
  return oneOf(env, 'CLOUD', ['global', 'usgovhigh', 'dod', 'china'] as const, 'global');
}

/** The sign-in host of the Azure identity, as the bot reads it (AZURE_AUTHORITY_HOST, else CLOUD's). */
export function azureAuthorityHost(env: Env): string {
  return authorityHostOf(env, cloudOf(env));
}

type GraphSettings = Pick<
  Config,
  'authorityHost' | 'graphEndpoint' | 'graph' | 'connectorAppId' | 'consentRedirectUri'
>;

/**
 * The app Graph is called as: GRAPH_CLIENT_ID/GRAPH_CLIENT_SECRET, each falling back to the bot's.
 * Another app than the bot's needs its own secret: the bot's password would be sent under an id
 * it does not belong to, and every Graph check would fail only when first run.
 */
function graphApp(env: Env, bot: BotCredentials): Config['graph'] {
  const clientId = guid(env, 'GRAPH_CLIENT_ID');
  const clientSecret = read(env, 'GRAPH_CLIENT_SECRET');
  const ownApp = clientId === undefined || clientId.toLowerCase() === bot.appId?.toLowerCase();
  // Without a bot password there is nothing to pair wrongly: Graph then says it is not configured.
  if (!ownApp && clientSecret === undefined && bot.appPassword !== undefined) {
    throw new ConfigError(
      'GRAPH_CLIENT_SECRET',
      "required when GRAPH_CLIENT_ID names another app than MicrosoftAppId (the bot's password belongs to the bot's app)",
    );
  }
  return { clientId: clientId ?? bot.appId, clientSecret: clientSecret ?? bot.appPassword };
}

/** Login and Graph hosts (the cloud's own unless overridden) and the apps Graph is called for. */
function graphSettings(env: Env, cloud: CloudName, bot: BotCredentials): GraphSettings {
  const hosts = CLOUD_HOSTS[cloud];
  return {
    authorityHost: authorityHostOf(env, cloud),
    graphEndpoint: httpsUrl(env, 'GRAPH_ENDPOINT') ?? hosts.graphEndpoint,
    graph: graphApp(env, bot),
    connectorAppId: guid(env, 'CONNECTOR_APP_ID') ?? bot.appId,
    consentRedirectUri: redirectUri(env, 'CONSENT_REDIRECT_URI'),
  };
}

/**
 * Reads and validates the whole configuration once. Throws {@link ConfigError} on the first
 * mistake, naming the variable.
 */
export function loadConfig(env: Env = process.env): Config {
  // The order of these reads is the order mistakes are reported in: the first one throws.
  const { port, host } = listenAddress(env);
  const credentials = botCredentials(env, host);
  const anonymous = credentials.appId === undefined;
  const storage = storageSettings(env);
  const cloud = botCloud(env, anonymous);
  const { inactivityDays, expiryNoticeDays } = expirySchedule(env);
  const scanCron = scanCronExpression(env);
  const apiToken = apiTokenSetting(env);
  const apiEntraAuth = apiEntraAuthSetting(env, anonymous);
  const consentRequestDays = integer(env, 'CONSENT_REQUEST_DAYS', 30, 1, 365);
  const reminderHours = consentReminderHours(env, consentRequestDays);
  const reviewerRoles = consentReviewerRoles(env);
  const adminConsentLink = httpsUrl(env, 'ADMIN_CONSENT_LINK') ?? 'https://aka.ms/office365moverauth';
  const dataDir = path.resolve(read(env, 'DATA_DIR') ?? './data');
  const openIdMetadataUrl = httpsUrl(env, 'BOT_OPENID_METADATA_URL', { loopbackHttp: true });
  const graph = graphSettings(env, cloud, credentials);

  return {
    port,
    host,
    anonymous,
    bot: { ...credentials, openIdMetadataUrl },
    dataDir,
    ...storage,
    cloud,
    ...graph,
    adminConsentLink,
    inactivityDays,
    expiryNoticeDays,
    scanCron,
    noticeLeaseSeconds: integer(env, 'NOTICE_LEASE_SECONDS', 600, 5, 86_400),
    apiToken,
    apiEntraAuth,
    roleAssignmentDays: integer(env, 'ROLE_ASSIGNMENT_DAYS', 30, 1, 365),
    notifyRps: notifyRps(env),
    consentReminderHours: reminderHours,
    consentReviewerRoles: reviewerRoles,
    consentRequestDays,
    adminGroupId: guid(env, 'ADMIN_GROUP_ID'),
    teamsAppCatalogId: guid(env, 'TEAMS_APP_CATALOG_ID'),
    secretsKey: parseSecretsKey(env),
    blobEndpoints: blobEndpointRules(env, cloud, anonymous),
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
    telemetry: parseTelemetry(env),
  };
}

/** The connector app the bot verifies consent for, links to and writes scripts for, or why none. */
export type ConnectorApp = { appId: string; reason?: undefined } | { appId?: undefined; reason: string };

/** The settings that name the bot's own apps. */
export interface OwnApps {
  bot: { appId?: string };
  graph: { clientId?: string };
}

/** The bot's own app ids: MicrosoftAppId and the app it calls Graph as. */
function ownAppIds(config: OwnApps): string[] {
  return [config.bot.appId, config.graph.clientId].filter((id): id is string => id !== undefined);
}

/**
 * CONNECTOR_APP_ID when it names an app other than the bot's own. Its default, the bot's app id,
 * is never the connector (Office 365 Mover) app: a consent granted to the bot says nothing about
 * the connector, so nothing may be verified, linked or scripted against it. Diagnostics still
 * name the bot's app on their consent row, so that the mistake shows.
 */
export function connectorApp(config: OwnApps & Pick<Config, 'connectorAppId'>): ConnectorApp {
  return connectorAppAmong(config.connectorAppId, ownAppIds(config));
}

/** {@link connectorApp} from the configured id and the bot's own ids. */
export function connectorAppAmong(appId: string | undefined, ownIds: readonly string[]): ConnectorApp {
  if (!appId) return { reason: 'CONNECTOR_APP_ID is not configured for this bot.' };
  if (ownIds.some((id) => id.toLowerCase() === appId.toLowerCase())) {
    return {
      reason: `CONNECTOR_APP_ID is not set to the connector app: it is this bot's own app id (${appId}), and a consent granted to the bot says nothing about the Office 365 Mover app.`,
    };
  }
  return { appId };
}

/** A setting that is valid but probably wrong: start-up logs it once, naming the variable. */
export interface ConfigWarning {
  variable: string;
  message: string;
}

/**
 * Settings that start the bot but turn a feature off. CONNECTOR_APP_ID falls back to the bot's
 * own app id, which is never the connector (Office 365 Mover) app: {@link connectorApp} then
 * gives no app, so consent is never verified against the wrong one.
 */
export function configWarnings(config: Config, env: Env = process.env): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const credentials = config.graph.clientId !== undefined && config.graph.clientSecret !== undefined;
  if (!credentials) return warnings;
  const configured = read(env, 'CONNECTOR_APP_ID');
  // Set, yet no connector app: it is one of the bot's own ids.
  const sameAsBot = config.connectorAppId !== undefined && connectorApp(config).appId === undefined;
  if (configured === undefined || sameAsBot) {
    warnings.push({
      variable: 'CONNECTOR_APP_ID',
      message: `${configured === undefined ? 'is not set' : "equals the bot's own app id"}: the admin consent check, the direct admin-consent URL, the revocation check and Entra's sign-in evidence are off, because the bot's own app (${config.connectorAppId ?? 'none'}) is not the connector app the migration service uses; the consent row of diagnostics names the bot's app. Set CONNECTOR_APP_ID to the connector app's id (the Office 365 Mover app in your tenant's Enterprise applications).`,
    });
  }
  return warnings;
}
