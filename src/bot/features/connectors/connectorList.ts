import { MessageFactory, type Attachment, type TurnContext } from 'botbuilder';
import { daysText } from '../../../util/format';
import {
  connectorListCard,
  type ConnectorListCardData,
  type ConnectorRow,
  type TextColor,
} from '../../../cards/connectorsCards';
import { CARD_BYTES_BUDGET } from '../../../cards/diagnosticsCards';
import { renderCard, renderMeasuredKeyedCard } from '../../../cards/render';
import { commandButton, messageCardData, messageCard } from '../../../cards/messageCard';
import { connectorType } from '../../../connectors/catalog';
import { daysUntilExpiry, type Connector } from '../../../connectors/connector';
import { describeState } from '../../../connectors/provenance';
import { readerDates } from '../../../util/readerDates';
import type { DateFormatter } from '../../../util/dates';
import { actorOf, tenantIdOf } from '../../turnInfo';
import { CardActionError } from '../../universalActions';
import { deletionOf } from '../liveCards/cardViewers';
import type { ConnectorsFeatureDeps } from './connectorsDeps';
import { askOwner, readerMayManage, refreshUsers, type MayManage } from './readerView';
import { lastRecordedTransfer } from '../../../notify/deauthorizedView';

/** The connector list's refresh verb. */
export const LIST_REFRESH_VERB = 'connectorListRefresh';

/** Rows a connectors card shows before "Show more". */
export const CONNECTORS_PAGE_SIZE = 20;

const STATUS_COLORS: Record<Connector['status'], TextColor> = {
  authorized: 'Default',
  'awaiting-consent': 'Accent',
  'consent-declined': 'Attention',
  'consent-expired': 'Attention',
  authorizing: 'Accent',
  deauthorized: 'Attention',
};

/** A listed connector with what this reader sees of it now. */
interface ListedConnector {
  connector: Connector;
  /** Whole days left (see daysUntilExpiry), the one thing on a row that the clock changes. */
  days: number | undefined;
  canManage: boolean;
}

function connectorRow(
  deps: ConnectorsFeatureDeps,
  listed: ListedConnector,
  dates: DateFormatter,
): ConnectorRow {
  const { connector, days, canManage } = listed;
  const firstNotice = Math.max(...deps.config.expiryNoticeDays);
  const deauthorized = connector.status === 'deauthorized';
  return {
    id: connector.id,
    version: connector.version,
    displayName: connector.displayName,
    typeName: connectorType(connector.type).name,
    status: connector.status,
    statusColor: STATUS_COLORS[connector.status],
    stateText: describeState(connector, dates.dateTime),
    lastTransfer: lastRecordedTransfer(connector, dates),
    daysLeft: deauthorized
      ? 'reauthorize to use'
      : days === undefined
        ? 'no clock yet'
        : `${daysText(days)} left`,
    daysColor: deauthorized || (days !== undefined && days < firstNotice) ? 'Attention' : 'Default',
    canManage,
    askOwner: askOwner(deps, connector, canManage, 'reauthorize or delete it'),
  };
}

/** `connectors [more <cursor>]`: one page of the tenant's connectors. */
export async function listConnectors(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  args: string,
): Promise<void> {
  const tenantId = tenantIdOf(context);
  const actor = actorOf(context);
  const cursor = args.startsWith('more ') ? args.slice(5).trim() : undefined;
  // Each listed connector is deauthorized first when its 90 days are up.
  const page = await deps.connectors.listPage(tenantId, actor, { limit: CONNECTORS_PAGE_SIZE, cursor });
  if (page.items.length === 0 && !cursor) {
    await context.sendActivity(
      MessageFactory.attachment(
        renderCard(
          messageCard,
          messageCardData({
            title: 'No connectors yet',
            text: 'This tenant has no connectors. A connector is the link to your cloud storage accounts: authorize one to set up a transfer.',
            buttons: [commandButton('Connect a new connector', 'connect', '', 'positive')],
          }),
        ),
      ),
    );
    return;
  }
  const card = await fittedList(
    deps,
    context,
    page.items,
    page.next ?? '',
    {
      continued: !!cursor,
      notes: '',
      deletedIds: [],
      mayManage: await readerMayManage(deps, context, page.items, 'posted'),
    },
    'page',
  );
  await context.sendActivity(MessageFactory.attachment(card));
}

interface ListView {
  continued: boolean;
  userIds: string[] | undefined;
  /** Sentences after the summary: who deleted a listed connector, rows moved to "Show more". */
  notes: string;
  /**
   * Connectors this card listed that were deleted since: its refresh keeps naming them, so that
   * every later refresh says again who deleted them rather than dropping the row unexplained.
   */
  deletedIds: string[];
  mayManage: MayManage;
}

/**
 * The list card as this reader sees it now. Its data is built only when no card is kept under
 * its key (listCardKey): a page read again unchanged, by the same reader, the same day, sends
 * the card bound last time.
 */
function listCard(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  connectors: Connector[],
  next: string,
  view: ListView,
): { attachment: Attachment; bytes: number } {
  const dates = readerDates(context, deps.logger);
  const now = deps.clock.now();
  const listed = connectors.map((connector) => ({
    connector,
    days: daysUntilExpiry(connector, deps.config.inactivityDays, now),
    canManage: view.mayManage(connector),
  }));
  return renderMeasuredKeyedCard(connectorListCard, {
    key: listCardKey(deps, dates, listed, next, view),
    data: () => listCardData(deps, dates, listed, next, view),
    viewers: view.userIds,
  });
}

/**
 * Everything the list card shows but who it refreshes for: each record whole, as stored (so any
 * change gives another card, a connector deleted and imported again under its id included),
 * its days left and whether this reader may manage it, the reader's date format, the page and
 * the settings the card states.
 */
export function listCardKey(
  deps: Pick<ConnectorsFeatureDeps, 'config'>,
  dates: DateFormatter,
  listed: ListedConnector[],
  next: string,
  view: Omit<ListView, 'userIds' | 'mayManage'>,
): string {
  const { config } = deps;
  return JSON.stringify([
    config.inactivityDays,
    config.expiryNoticeDays,
    !!config.adminGroupId,
    dates.timeZone,
    dates.locale ?? null,
    view.continued,
    next,
    view.notes,
    view.deletedIds,
    listed.map((l) => [l.days ?? null, l.canManage, l.connector]),
  ]);
}

function listCardData(
  deps: ConnectorsFeatureDeps,
  dates: DateFormatter,
  listed: ListedConnector[],
  next: string,
  view: ListView,
): ConnectorListCardData {
  const { config } = deps;
  const firstNotice = Math.max(...config.expiryNoticeDays);
  return {
    title: view.continued ? 'Connectors (continued)' : 'Connectors of this tenant',
    summary: `Deauthorized after ${config.inactivityDays} days without a transfer. Red: under ${firstNotice} days left.${view.notes}`,
    rows: listed.map((l) => connectorRow(deps, l, dates)),
    buttons: next ? [{ title: 'Show more', command: 'connectors', args: `more ${next}` }] : [],
    readOnly: listed.some((l) => !l.canManage),
    refresh: {
      connectorIds: [...listed.map((l) => l.connector.id), ...view.deletedIds],
      next,
      page: view.continued ? 'more' : 'first',
      userIds: view.userIds,
    },
  };
}

/**
 * The connector list as it is now, for Teams' refresh: one read of the listed connectors as
 * stored (the audit log only for those gone since), nothing written.
 */
export async function listNow(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<Attachment> {
  const ids = data.connectorIds;
  const next = typeof data.next === 'string' ? data.next : '';
  if (
    !Array.isArray(ids) ||
    ids.length === 0 ||
    ids.length > CONNECTORS_PAGE_SIZE ||
    !ids.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 100)
  ) {
    throw new CardActionError(400, 'This card does not say which connectors it lists, so it cannot refresh.');
  }
  const tenantId = tenantIdOf(context);
  const found = await deps.connectors.currentByIds(tenantId, ids as string[]);
  const gone = (ids as string[]).filter((id) => !found.has(id));
  const deletions = (
    await Promise.all(
      gone.map(async (id) => {
        const deletion = await deletionOf(deps.store, tenantId, id);
        return deletion && { id, ...deletion };
      }),
    )
  ).filter((d): d is { id: string; by: string; at: string } => !!d);
  if (found.size === 0 && deletions.length === 0) {
    throw new CardActionError(
      404,
      'This card names connectors that are not in your tenant, so it shows nothing.',
    );
  }
  const dates = readerDates(context, deps.logger);
  const deletedNote = deletions
    .map((d) => ` A connector on this card was deleted by ${d.by} on ${dates.dateTime(d.at)}.`)
    .join('');
  const connectors = (ids as string[]).flatMap((id) => found.get(id) ?? []);
  return fittedList(
    deps,
    context,
    connectors,
    next,
    {
      continued: data.page === 'more',
      notes: deletedNote,
      deletedIds: deletions.map((d) => d.id),
      mayManage: await readerMayManage(deps, context, connectors, 'answer'),
    },
    'refresh',
  );
}

/**
 * The list card within Teams' card limit, for a page posted or a card refreshed. Long names, a
 * reader who may not manage (the "ask the owner" text on each row), a deletion note, the reader's
 * date format and up to 60 people to refresh for can make 20 rows more than Teams takes, and a
 * card posted by a release that did not measure lists 20 rows whatever their size; Teams shows no
 * answer over the limit, so a refreshing reader would keep a stale card. The card keeps the first
 * rows that fit, its refresh lists only those, and its "Show more" starts with the ones it left
 * out; a refreshed card says how many moved there.
 */
async function fittedList(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  connectors: Connector[],
  next: string,
  view: Omit<ListView, 'userIds'>,
  kind: 'page' | 'refresh',
): Promise<Attachment> {
  let shown = connectors;
  let after = next;
  for (;;) {
    const moved = connectors.length - shown.length;
    const card = listCard(deps, context, shown, after, {
      ...view,
      notes: view.notes + (kind === 'refresh' && moved > 0 ? movedNote(moved) : ''),
      userIds: await refreshUsers(deps, context, shown),
    });
    if (card.bytes <= CARD_BYTES_BUDGET || shown.length <= 1) return card.attachment;
    const fewer = Math.max(
      1,
      Math.min(shown.length - 1, Math.floor((shown.length * CARD_BYTES_BUDGET) / card.bytes)),
    );
    deps.logger.info(`connector list ${kind} cut to fit a Teams card`, {
      rows: shown.length,
      fewer,
      bytes: card.bytes,
    });
    shown = shown.slice(0, fewer);
    after = deps.connectors.cursorAfter(shown[fewer - 1]);
  }
}

/** Why a refreshed list shows fewer rows than the card it replaces. */
function movedNote(moved: number): string {
  const which = moved === 1 ? '1 connector this card listed is' : `${moved} connectors this card listed are`;
  return ` ${which} now under Show more: Teams limits the size of a card.`;
}
