import type { DeauthorizedNoticeCardData, RefreshTarget } from '../cards/noticeCards';
import { connectorType } from '../connectors/catalog';
import type { Connector, ConnectorStatus } from '../connectors/connector';
import { describeState, reporterName } from '../connectors/provenance';
import type { DateFormatter } from '../util/dates';

export interface DeauthorizedViewOptions {
  inactivityDays: number;
  now: Date;
  dates: DateFormatter;
  /** Whether this viewer may manage the connector (creator or admin group). */
  canManage: boolean;
  /** "Ask the owner: …", for a viewer who may not. */
  owner: string;
  refresh: RefreshTarget;
  /** True on a refreshed card: it says when it was current. */
  refreshed: boolean;
}

/**
 * Who brought a connector back, from its provenance: who reported it (the bot did not check) or
 * how it was verified.
 */
function reauthorizedText(connector: Connector, dates: DateFormatter): string {
  const p = connector.provenance;
  if (p?.kind === 'reported') {
    return `Reauthorization reported by ${reporterName(p)} on ${dates.dateTime(p.at)}, not verified.`;
  }
  return `Reauthorized: ${describeState(connector, dates.dateTime)}.`;
}

/** The last transfer recorded through the bot, or that none was. */
export function lastRecordedTransfer(connector: Connector, dates: DateFormatter): string {
  return connector.lastTransferAt ? dates.dateTime(connector.lastTransferAt) : 'none recorded here';
}

/**
 * Headlines for a connector that left `deauthorized` without being authorized again: someone
 * started a reauthorization that is not finished, or it ended without consent. None of them
 * may read "reauthorized".
 */
const NOT_YET_REAUTHORIZED: Partial<Record<ConnectorStatus, (name: string) => string>> = {
  authorizing: (name) => `Reauthorization of ${name} started, not finished`,
  'awaiting-consent': (name) => `Reauthorization of ${name} started: waiting for admin consent`,
  'consent-declined': (name) => `${name} is still not authorized: admin consent was declined`,
  'consent-expired': (name) => `${name} is still not authorized: the admin consent request expired`,
};

/**
 * The deauthorization notice of connector `id` as this viewer should see it now: still
 * deauthorized, reauthorized since (by whom), a reauthorization under way or refused, or
 * deleted (by whom, when).
 */
export function deauthorizedView(
  id: string,
  connector: Connector | undefined,
  deleted: { by: string; at: string } | undefined,
  options: DeauthorizedViewOptions,
): DeauthorizedNoticeCardData {
  const { dates } = options;
  const common = {
    id,
    refresh: options.refresh,
    asOf: options.refreshed ? `Current as of ${dates.dateTime(options.now.toISOString())}.` : '',
  };
  if (!connector) {
    return {
      ...common,
      headline: 'This deauthorized connector was deleted',
      style: 'default',
      text: deleted ? `Deleted by ${deleted.by} on ${dates.dateTime(deleted.at)}.` : 'It no longer exists.',
      facts: [],
      canReauthorize: false,
      askOwner: '',
    };
  }
  const facts = [
    { title: 'Type', value: connectorType(connector.type).name },
    // The bot knows only the transfers recorded through it, not Mover's own.
    { title: 'Last recorded transfer', value: lastRecordedTransfer(connector, dates) },
    { title: 'Authorized', value: dates.dateTime(connector.authorizedAt) },
    { title: 'Status', value: describeState(connector, dates.dateTime) },
  ];
  const notYet = NOT_YET_REAUTHORIZED[connector.status];
  if (notYet) {
    return {
      ...common,
      headline: notYet(connector.displayName),
      style: 'default',
      text: 'It is not authorized again yet. The status below is the one recorded here.',
      facts,
      // Until it is authorized, starting over is still the way back.
      canReauthorize: options.canManage,
      askOwner: options.canManage ? '' : `${options.owner} to reauthorize it.`,
    };
  }
  if (connector.status === 'authorized') {
    return {
      ...common,
      headline: `${connector.displayName} was reauthorized`,
      style: 'good',
      text: reauthorizedText(connector, dates),
      facts,
      canReauthorize: false,
      askOwner: '',
    };
  }
  return {
    ...common,
    headline: `${connector.displayName} was deauthorized`,
    style: 'attention',
    text: `Connectors are automatically deauthorized if they haven't transferred any data in the last ${options.inactivityDays} days. If you try to load a deauthorized connector, an error message appears, along with a prompt to reauthorize the connector.`,
    facts,
    canReauthorize: options.canManage,
    askOwner: options.canManage ? '' : `${options.owner} to reauthorize it.`,
  };
}
