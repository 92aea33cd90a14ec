import type { DigestRow, ExpiryDigestCardData, RefreshTarget } from '../cards/noticeCards';
import { connectorType } from '../connectors/catalog';
import { clockStart, daysUntilExpiry, expiresAt, type Connector } from '../connectors/connector';
import { describeState, reporterName } from '../connectors/provenance';
import type { DateFormatter } from '../util/dates';
import { lastRecordedTransfer } from './deauthorizedView';
import { nextThreshold } from './thresholds';

/** One notice of a digest: the connector as it is now (undefined once deleted) and what was announced. */
export interface DigestEntry {
  id: string;
  periodStart: string;
  threshold: number;
  connector: Connector | undefined;
  /** For a deleted connector: who deleted it and when, from the audit log. */
  deleted?: { by: string; at: string };
}

/** "Ask Ada Lovelace, who created it, or a connector admin": who a read-only viewer should turn to. */
export function askOwnerText(connector: Connector, adminGroupSet: boolean): string {
  const creator = connector.createdByName ? `${connector.createdByName}, who created it,` : undefined;
  if (creator && adminGroupSet) return `Ask the owner: ${creator} or a member of the connector admins group`;
  if (creator) return `Ask the owner: ${creator}`;
  return adminGroupSet ? 'Ask the owner: a member of the connector admins group' : 'Ask the owner';
}

/** How one person sees the digest. */
export interface DigestViewer {
  /** Whether this viewer may act on the connector (creator or admin group). */
  canManage(connector: Connector): boolean;
  /** "Ask Ada Lovelace, who created it" for the rows they may not act on. */
  owner(connector: Connector): string;
}

export interface DigestViewOptions {
  inactivityDays: number;
  /** EXPIRY_NOTICE_DAYS, largest first: which notice a row's snooze skips. */
  noticeDays: readonly number[];
  now: Date;
  dates: DateFormatter;
  viewer: DigestViewer;
  refresh: RefreshTarget;
  /** Notices the posted card could not list (Teams' card size). */
  hidden: number;
  /** True on a refreshed card: it says when it was current. */
  refreshed: boolean;
}

const rule = (inactivityDays: number) =>
  `Connectors are automatically deauthorized if they haven't transferred any data in the last ${inactivityDays} days. At zero days the connector is deauthorized: loading it shows an error and a prompt to reauthorize it. A recorded transfer restarts the clock; this bot also counts from a reauthorization, which Mover's pages do not name.`;

/** What restarted a connector's clock after the notice's period began, in words; '' if nothing did. */
export function restartedBy(connector: Connector, periodStart: string, dates: DateFormatter): string {
  const start = clockStart(connector);
  if (!start || start.getTime() <= new Date(periodStart).getTime()) return '';
  const reauthorized =
    connector.authorizedAt && new Date(connector.authorizedAt).getTime() === start.getTime();
  if (reauthorized) {
    const p = connector.provenance;
    if (p?.kind === 'reported') {
      return `Reauthorization reported by ${reporterName(p)} on ${dates.dateTime(p.at)}, not verified.`;
    }
    return `Reauthorized on ${dates.dateTime(connector.authorizedAt)} (${describeState(connector, dates.dateTime)}).`;
  }
  return `A transfer was recorded on ${dates.dateTime(connector.lastTransferAt)}, so the clock restarted.`;
}

function row(entry: DigestEntry, options: DigestViewOptions): DigestRow {
  const { dates, inactivityDays, now, viewer } = options;
  const next = nextThreshold(entry.threshold, options.noticeDays);
  const base = {
    id: entry.id,
    periodStart: entry.periodStart,
    threshold: entry.threshold,
    // What "Skip the N-day notice" does: the next notice of this period is not sent (noticesFeature, noticeSnooze).
    snoozeTitle: next === undefined ? '' : `Skip the ${next}-day notice`,
  };
  const c = entry.connector;
  if (!c) {
    return {
      ...base,
      displayName: 'Deleted connector',
      typeName: '',
      daysLeft: 'deleted',
      color: 'Default',
      detail: entry.deleted
        ? `Deleted by ${entry.deleted.by} on ${dates.dateTime(entry.deleted.at)}.`
        : 'This connector no longer exists.',
      actions: 'none',
      askOwner: '',
    };
  }
  const mayManage = viewer.canManage(c);
  const askOwner = mayManage ? '' : `${viewer.owner(c)} to reauthorize it or record a transfer.`;
  const typeName = connectorType(c.type).name;
  const expiry = expiresAt(c, inactivityDays);
  if (c.status === 'deauthorized') {
    return {
      ...base,
      displayName: c.displayName,
      typeName,
      daysLeft: 'deauthorized',
      color: 'Attention',
      detail: `Deauthorized: ${inactivityDays} days with no recorded transfer ran out on ${dates.dateTime(expiry)}. ${describeState(c, dates.dateTime)}.`,
      actions: mayManage ? 'reauthorize' : 'none',
      askOwner: mayManage ? '' : `${viewer.owner(c)} to reauthorize it.`,
    };
  }
  const days = daysUntilExpiry(c, inactivityDays, now) ?? 0;
  const restarted = restartedBy(c, entry.periodStart, dates);
  const detail = `${describeState(c, dates.dateTime)} · last recorded transfer: ${lastRecordedTransfer(c, dates)} · deauthorized on ${dates.dateTime(expiry)}`;
  return {
    ...base,
    displayName: c.displayName,
    typeName,
    daysLeft: days === 1 ? '1 day left' : `${days} days left`,
    color: days <= 7 ? 'Attention' : 'Default',
    detail: restarted ? `${restarted} ${detail}` : detail,
    // Once the clock restarted, this notice's transfer and snooze no longer apply.
    actions: !mayManage ? 'none' : restarted ? 'reauthorize' : 'all',
    askOwner: restarted ? '' : askOwner,
  };
}

/** As posted every notice was due, listed or not: the title counts them all. */
function postedTitle(total: number): string {
  return total === 1 ? 'A connector expires soon' : `${total} connectors expire soon`;
}

/**
 * A refresh reads only the listed connectors: the title counts those still counting down and,
 * when some could not be listed, says it counted the shown ones only.
 */
function refreshedTitle(counting: number, shown: number, hidden: number): string {
  const expire = counting === 1 ? 'expires' : 'expire';
  if (hidden > 0) {
    return counting === 0
      ? `Expiry notice: none of the ${shown} shown here is still counting down`
      : `Expiry notice: ${counting} of the ${shown} shown here still ${expire} soon`;
  }
  if (counting === 0) return 'Expiry notice: nothing left counting down';
  return counting === 1
    ? 'Expiry notice: 1 connector still expires soon'
    : `Expiry notice: ${counting} connectors still expire soon`;
}

function moreText(hidden: number, refreshed: boolean): string {
  if (hidden === 0) return '';
  return refreshed
    ? `…and ${hidden} more that this card could not list, not checked again here. Type connectors to see them all.`
    : `…and ${hidden} more. Type connectors to see them all.`;
}

/** The expiry digest as `viewer` should see it now. */
export function digestView(entries: DigestEntry[], options: DigestViewOptions): ExpiryDigestCardData {
  const rows = entries.map((e) => row(e, options));
  const counting = entries.filter(
    (e) =>
      e.connector &&
      e.connector.status !== 'deauthorized' &&
      !restartedBy(e.connector, e.periodStart, options.dates),
  ).length;
  const title = options.refreshed
    ? refreshedTitle(counting, entries.length, options.hidden)
    : postedTitle(entries.length + options.hidden);
  return {
    title,
    rule: rule(options.inactivityDays),
    rows,
    more: moreText(options.hidden, options.refreshed),
    asOf: options.refreshed ? `Current as of ${options.dates.dateTime(options.now.toISOString())}.` : '',
    readOnly: entries.some((e) => e.connector && !options.viewer.canManage(e.connector)),
    refresh: {
      ...options.refresh,
      rows: entries.map((e) => ({ id: e.id, periodStart: e.periodStart, threshold: e.threshold })),
      hidden: options.hidden,
    },
  };
}
