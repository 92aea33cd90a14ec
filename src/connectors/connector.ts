import { DAY_MS } from '../util/clock';
import type { ConnectorTypeId } from './catalog';
import type { Provenance } from './provenance';

/** Where a connector is in its life (DESIGN.md "Record"). */
export type ConnectorStatus =
  'authorizing' | 'awaiting-consent' | 'consent-declined' | 'consent-expired' | 'authorized' | 'deauthorized';

/** The admin-consent hand-over of an office365 connector. */
export interface ConsentState {
  /** Who was asked (display name or UPN, as shown to people). */
  requestedFrom?: string;
  /** Entra object id of the global admin who was asked; only they may report consent. */
  requestedFromId?: string;
  /**
   * The UPN the request was addressed to. When no object id could be resolved for it, only a
   * person whose Entra UPN matches may report consent.
   */
  requestedFromUpn?: string;
  requestedAt?: string;
  verifiedAt?: string;
  /** How the request reached the admin: a 1:1 chat, after installing the app for them, or an @mention. */
  delivery?: 'direct' | 'installed' | 'mention';
  /** Who asked, and where: the requester is told there when consent is verified. */
  requestedBy?: string;
  requesterConversationId?: string;
  /** The wizard card in the requester's conversation, updated to "done". */
  requesterCardActivityId?: string;
  /** The consent request (reviewers, decision, deadline) of the latest hand-over. */
  requestId?: string;
  /** Who finished steps 1 to 4 in Mover (the wizard's owner): reported, never checked by the bot. */
  stepsReportedBy?: { id: string; name?: string };
}

/** A connector: the link between the migration service and one cloud account. */
export interface Connector {
  id: string;
  tenantId: string;
  type: ConnectorTypeId;
  displayName: string;
  status: ConnectorStatus;
  /** Entra object id (aadObjectId) of the person who created it; absent for imported ones. */
  createdBy?: string;
  createdByName?: string;
  createdAt: string;
  authorizedAt?: string;
  lastTransferAt?: string;
  consent?: ConsentState;
  /** Microsoft cloud of an office365 connector. */
  cloud?: string;
  /** Whether stored keys were checked against the service (azure-blob) or only by format. */
  keysVerified?: boolean;
  /**
   * How the authorization state is known: verified by the bot (and how) or reported (by whom).
   * Absent while nothing is claimed (awaiting consent). Older rows get it derived on read.
   */
  provenance?: Provenance;
  /**
   * When the inactivity rule deauthorized it, while its deauthorization notice has not yet
   * reached every place it goes: the expiry index keeps the connector so the next scan retries
   * the notice. Meaningful only with status `deauthorized`.
   */
  announcementDueSince?: string;
  /** Optimistic-concurrency version; the store refuses a write made from an older read. */
  version: number;
}

/** A connector id: 1..100 of letters, digits and `._:-` (the bot's UUIDs, or an import's own id). */
export const CONNECTOR_ID_PATTERN = '^[A-Za-z0-9._:-]{1,100}$';
const CONNECTOR_ID = new RegExp(CONNECTOR_ID_PATTERN);

/** True for a string in the connector-id format; nothing else is ever looked up. */
export function isConnectorId(value: unknown): value is string {
  return typeof value === 'string' && CONNECTOR_ID.test(value);
}

/**
 * The moment the 90-day clock started: the later of the last transfer and the last
 * authorization, since reauthorizing restarts the clock too. Never authorized: no clock.
 */
export function clockStart(connector: Pick<Connector, 'lastTransferAt' | 'authorizedAt'>): Date | undefined {
  // Read for every listed, scanned and shown connector: no arrays for two values.
  const { lastTransferAt, authorizedAt } = connector;
  const transfer = typeof lastTransferAt === 'string' ? Date.parse(lastTransferAt) : undefined;
  const authorized = typeof authorizedAt === 'string' ? Date.parse(authorizedAt) : undefined;
  if (transfer === undefined) return authorized === undefined ? undefined : new Date(authorized);
  return new Date(authorized === undefined ? transfer : Math.max(transfer, authorized));
}

/**
 * The connector's place in the expiry index (its clock start, ms), or undefined when the index
 * does not hold it: live connectors (authorized or awaiting consent), and deauthorized ones whose
 * notice is still owed, so the scan never reads the rest.
 */
export function expiryIndexClock(connector: Connector): number | undefined {
  const live = connector.status === 'authorized' || connector.status === 'awaiting-consent';
  const owed = connector.status === 'deauthorized' && connector.announcementDueSince !== undefined;
  return live || owed ? clockStart(connector)?.getTime() : undefined;
}

/** When the connector is deauthorized for inactivity: clock start + inactivityDays. */
export function expiresAt(
  connector: Pick<Connector, 'lastTransferAt' | 'authorizedAt'>,
  inactivityDays: number,
): Date | undefined {
  const start = clockStart(connector);
  return start ? new Date(start.getTime() + inactivityDays * DAY_MS) : undefined;
}

/**
 * Whether the inactivity rule has deauthorized the connector by `now` (seeds 002/003: no transfer
 * for the inactivity period), whether or not anything has recorded it yet.
 */
export function isPastInactivityLimit(
  connector: Pick<Connector, 'status' | 'lastTransferAt' | 'authorizedAt'>,
  inactivityDays: number,
  now: Date,
): boolean {
  if (connector.status !== 'authorized' && connector.status !== 'awaiting-consent') return false;
  const expiry = expiresAt(connector, inactivityDays);
  return expiry !== undefined && now.getTime() >= expiry.getTime();
}

/**
 * The connector as the inactivity rule makes it at `now`, for views that write nothing: one whose
 * period ran out reads as deauthorized before the next change records it, so a card never shows
 * "0 days left" or offers a transfer the rule would refuse.
 */
export function asRuleMakesIt(connector: Connector, inactivityDays: number, now: Date): Connector {
  return isPastInactivityLimit(connector, inactivityDays, now)
    ? { ...connector, status: 'deauthorized' }
    : connector;
}

/** Whole days left before deauthorization (0 when due or past), or undefined without a clock. */
export function daysUntilExpiry(
  connector: Pick<Connector, 'lastTransferAt' | 'authorizedAt'>,
  inactivityDays: number,
  now: Date,
): number | undefined {
  const expiry = expiresAt(connector, inactivityDays);
  if (!expiry) return undefined;
  return Math.max(0, Math.ceil((expiry.getTime() - now.getTime()) / DAY_MS));
}

/**
 * Seeds 002/003: what a deauthorized connector says (the deauthorization rule), and what to do.
 * The bot knows the transfers recorded here, not Mover's own records: it says which it went by.
 */
export function deauthorizedMessage(inactivityDays: number): string {
  return `No transfer is recorded for this connector in the last ${inactivityDays} days, and Mover automatically deauthorizes connectors that haven't transferred any data in that time. Reauthorize it to use it again.`;
}
