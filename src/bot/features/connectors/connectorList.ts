import { MessageFactory, type Attachment, type TurnContext } from 'botbuilder';
import { daysText } from '../../../util/format';
import {
  connectorListCard,
  type ConnectorListCardData,
  type ConnectorRow,
  type TextColor,
} from '../../../cards/connectorsCards';
import { renderCard } from '../../../cards/render';
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

function connectorRow(
  deps: ConnectorsFeatureDeps,
  connector: Connector,
  dates: DateFormatter,
  mayManage: MayManage,
): ConnectorRow {
  const { config, clock } = deps;
  const firstNotice = Math.max(...config.expiryNoticeDays);
  const days = daysUntilExpiry(connector, config.inactivityDays, clock.now());
  const deauthorized = connector.status === 'deauthorized';
  return {
    id: connector.id,
    version: connector.version,
    displayName: connector.displayName,
    typeName: connectorType(connector.type).name,
    status: connector.status,
    statusColor: STATUS_COLORS[connector.status],
    stateText: describeState(connector, dates.dateTime),
    lastTransfer: dates.dateTime(connector.lastTransferAt),
    daysLeft: deauthorized
      ? 'reauthorize to use'
      : days === undefined
        ? 'no clock yet'
        : `${daysText(days)} left`,
    daysColor: deauthorized || (days !== undefined && days < firstNotice) ? 'Attention' : 'Default',
    canManage: mayManage(connector),
    askOwner: askOwner(deps, connector, mayManage(connector), 'reauthorize or delete it'),
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
  await context.sendActivity(
    MessageFactory.attachment(
      renderCard(
        connectorListCard,
        listCardData(deps, context, page.items, page.next ?? '', {
          continued: !!cursor,
          userIds: await refreshUsers(deps, context, page.items),
          deletedNote: '',
          mayManage: await readerMayManage(deps, context, page.items, 'posted'),
        }),
      ),
    ),
  );
}

function listCardData(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  connectors: Connector[],
  next: string,
  view: { continued: boolean; userIds: string[] | undefined; deletedNote: string; mayManage: MayManage },
): ConnectorListCardData {
  const { config } = deps;
  const firstNotice = Math.max(...config.expiryNoticeDays);
  const dates = readerDates(context, deps.logger);
  return {
    title: view.continued ? 'Connectors (continued)' : 'Connectors of this tenant',
    summary: `Deauthorized after ${config.inactivityDays} days without a transfer. Red: under ${firstNotice} days left.${view.deletedNote}`,
    rows: connectors.map((c) => connectorRow(deps, c, dates, view.mayManage)),
    buttons: next ? [{ title: 'Show more', command: 'connectors', args: `more ${next}` }] : [],
    readOnly: connectors.some((c) => !view.mayManage(c)),
    refresh: {
      connectorIds: connectors.map((c) => c.id),
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
  const deletions = (await Promise.all(gone.map((id) => deletionOf(deps.store, tenantId, id)))).filter(
    (d): d is { by: string; at: string } => !!d,
  );
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
  return renderCard(
    connectorListCard,
    listCardData(deps, context, connectors, next, {
      continued: data.page === 'more',
      userIds: await refreshUsers(deps, context, connectors),
      deletedNote,
      mayManage: await readerMayManage(deps, context, connectors, 'answer'),
    }),
  );
}
