import type { TableClient } from '@azure/data-tables';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import type { Logger } from '../../util/logger';
import type { Store } from '../../connectors/ports';
import { AzureAuditLog } from './auditLog';
import { migrateNoticeLedger } from './ledgerMigration';
import type { AzureTransport } from '../../azure/identity';
import { deniedAs } from './access';
import { accountOf, blobOptions, tableClient, type StorageAccount } from './clients';
import { AzureConnectorStore, AzureSecretStore } from './connectorStore';
import { AzureConversationStore } from './conversationStore';
import { guard, isMissingContainer, isUnavailable, settleAll } from './errors';
import { guardStore } from '../guardStore';
import { httpStatusOf } from '../../util/httpStatus';
import { AzureNoticeLedger } from './noticeLedger';
import { ScanLease } from './scanLease';
import { AzureStateStorage } from './stateStorage';
import { AzureSubscriptionStore } from './subscriptionStore';
import { AzureTargetStore } from './targetStore';
import { AzureConsentRequestStore } from './consentRequestStore';

export interface AzureStoreOptions {
  /**
   * Starts every table and container name, so that several stores (or tests) can share an
   * account: lower-case letters and digits, starting with a letter. Default "concierge".
   */
  prefix?: string;
  /** Scan lease duration in seconds (15-60). Default 30. */
  leaseSeconds?: number;
  /** Extra trusted CA for an HTTPS endpoint of its own (in-process tests). */
  transport?: AzureTransport;
}

/** The token scope of Azure Storage (Tables and Blobs alike). */
const STORAGE_SCOPE = 'https://storage.azure.com/.default';

/** How long ping() waits for an answer. */
const PING_TIMEOUT_MS = 3_000;

/** The prefix of every table and container name unless the caller gives another one. */
export const DEFAULT_PREFIX = 'concierge';

/** The tables of a store: `<prefix><suffix>`, e.g. conciergeConnectors. */
export const TABLE_SUFFIXES = {
  connectors: 'Connectors',
  expiry: 'Expiry',
  consent: 'Consent',
  conversations: 'Conversations',
  subscriptions: 'Subscriptions',
  optOuts: 'OptOuts',
  notices: 'Notices',
  snoozes: 'Snoozes',
  audit: 'Audit',
  targets: 'Targets',
  consentRequests: 'ConsentRequests',
} as const;

/** The blob containers of a store: turn and dialog state, and the scan lease. */
export function containerNames(prefix: string): { state: string; leases: string } {
  return { state: `${prefix}-bot-state`, leases: `${prefix}-leases` };
}

/** Refuses a prefix Azure would refuse in a table or container name. */
export function checkPrefix(prefix: string): void {
  if (!/^[a-z][a-z0-9]{2,40}$/.test(prefix)) throw new Error(`invalid Azure store prefix "${prefix}"`);
}

type StoreTables = Record<keyof typeof TABLE_SUFFIXES, TableClient>;

/** Clients for every table of the store (nothing is sent yet). */
function storeTables(account: StorageAccount, prefix: string, transport?: AzureTransport): StoreTables {
  const table = (kind: keyof typeof TABLE_SUFFIXES) =>
    tableClient(account, `${prefix}${TABLE_SUFFIXES[kind]}`, transport);
  return {
    connectors: table('connectors'),
    expiry: table('expiry'),
    consent: table('consent'),
    conversations: table('conversations'),
    subscriptions: table('subscriptions'),
    optOuts: table('optOuts'),
    notices: table('notices'),
    snoozes: table('snoozes'),
    audit: table('audit'),
    targets: table('targets'),
    consentRequests: table('consentRequests'),
  };
}

/** The store's blob side: the state and lease containers, and BlobsStorage over the state one. */
interface StoreBlobs {
  stateContainer: ContainerClient;
  leaseContainer: ContainerClient;
  blobs: BlobsStorage;
}

function storeBlobs(account: StorageAccount, prefix: string, transport?: AzureTransport): StoreBlobs {
  const pipeline = blobOptions(transport);
  const blobService =
    typeof account === 'string'
      ? BlobServiceClient.fromConnectionString(account, pipeline)
      : new BlobServiceClient(account.blobUrl, account.credential, pipeline);
  const containers = containerNames(prefix);
  const stateContainer = blobService.getContainerClient(containers.state);
  const leaseContainer = blobService.getContainerClient(containers.leases);
  const blobs =
    typeof account === 'string'
      ? new BlobsStorage(account, stateContainer.containerName, { storagePipelineOptions: pipeline })
      : // BlobsStorage takes a container URL and a TokenCredential in place of a connection string.
        new BlobsStorage(
          '',
          '',
          { storagePipelineOptions: pipeline },
          stateContainer.url,
          account.credential,
        );
  return { stateContainer, leaseContainer, blobs };
}

/** Creates the tables and containers that are missing. */
async function createMissing(
  account: StorageAccount,
  tables: StoreTables,
  blobSide: StoreBlobs,
): Promise<void> {
  // A 403 to a token means a missing role: said so at start-up, naming it.
  const denied =
    typeof account === 'string'
      ? <T>(_service: 'table' | 'blob', request: Promise<T>) => request
      : <T>(service: 'table' | 'blob', request: Promise<T>) =>
          deniedAs(service, service === 'table' ? account.tableUrl : account.blobUrl, request);
  // An identity that cannot get a token fails here, once, with the sign-in service's reason
  // (not as "storage is unavailable": Storage was never asked).
  if (typeof account !== 'string') await account.credential.getToken(STORAGE_SCOPE);
  await guard(async () => {
    await settleAll([
      ...Object.values(tables).map((t) => denied('table', t.createTable())),
      denied('blob', blobSide.stateContainer.createIfNotExists()),
      denied('blob', blobSide.leaseContainer.createIfNotExists()),
    ]);
    // BlobsStorage creates its container on first use and keeps that promise, a failed one too;
    // using it once here, while the container is known to exist, settles it for good.
    await denied('blob', blobSide.blobs.read([]));
  });
}

/**
 * One cheap read of a real table and of the state container; an absent entity is an answer, an
 * absent table is a damaged store.
 */
function pingStorage(connectorsTable: TableClient, stateContainer: ContainerClient): Promise<void> {
  return guard(async () => {
    const abortSignal = AbortSignal.timeout(PING_TIMEOUT_MS);
    await settleAll([
      connectorsTable.getEntity('~ping', '~ping', { abortSignal }).catch((err) => {
        if (httpStatusOf(err) !== 404 || isMissingContainer(err)) throw err;
      }),
      stateContainer.getProperties({ abortSignal }),
    ]);
  });
}

/**
 * The Azure store: Table storage for records (tables `<prefix>Connectors`, `<prefix>Expiry`,
 * `<prefix>Consent`, `<prefix>Conversations`, `<prefix>Subscriptions`, `<prefix>OptOuts`,
 * `<prefix>Notices`, `<prefix>Snoozes`, `<prefix>Audit`, `<prefix>Targets`, `<prefix>ConsentRequests`), BlobsStorage in `<prefix>-bot-state` for turn and dialog
 * state, and a blob lease in `<prefix>-leases` for scan leadership. Creates what is missing;
 * rejects with StoreUnavailableError when the account cannot be reached, and, for a token
 * account, with StorageAccessDeniedError when a service refuses the identity (403).
 * `account` is a connection string or the service URLs with a token credential.
 */
export async function createAzureStore(
  account: StorageAccount,
  logger?: Logger,
  options: AzureStoreOptions = {},
): Promise<Store> {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  checkPrefix(prefix);
  const tables = storeTables(account, prefix, options.transport);
  const blobSide = storeBlobs(account, prefix, options.transport);
  const { stateContainer, leaseContainer, blobs } = blobSide;
  await createMissing(account, tables, blobSide);
  await guard(() => migrateNoticeLedger(tables.notices, logger));

  const connectors = new AzureConnectorStore(tables.connectors, tables.expiry, tables.consent);
  return {
    kind: 'azure',
    location: accountOf(account),
    state: guardStore(new AzureStateStorage(blobs), isUnavailable),
    conversations: guardStore(new AzureConversationStore(tables.conversations), isUnavailable),
    connectors: guardStore(connectors, isUnavailable),
    secrets: guardStore(new AzureSecretStore(tables.connectors), isUnavailable),
    audit: guardStore(new AzureAuditLog(tables.audit, tables.notices), isUnavailable),
    subscriptions: guardStore(
      new AzureSubscriptionStore(tables.subscriptions, tables.optOuts),
      isUnavailable,
    ),
    notices: guardStore(new AzureNoticeLedger(tables.notices, tables.snoozes), isUnavailable),
    targets: guardStore(new AzureTargetStore(tables.targets), isUnavailable),
    consentRequests: guardStore(new AzureConsentRequestStore(tables.consentRequests), isUnavailable),
    scanLeadership: new ScanLease(leaseContainer, 'expiry-scanner', options.leaseSeconds ?? 30, logger),
    ping: () => pingStorage(tables.connectors, stateContainer),
    async close() {
      // HTTP clients hold no connection that needs closing.
    },
  };
}
