import type { Attachment, TurnContext } from 'botbuilder';
import { expiryDigestCard, type DigestRefreshData } from '../../../cards/noticeCards';
import { readerDates } from '../../../util/readerDates';
import { renderKeyedCard } from '../../../cards/render';
import { daysUntilExpiry, isConnectorId } from '../../../connectors/connector';
import {
  askOwnerText,
  digestView,
  type DigestEntry,
  type DigestViewOptions,
} from '../../../notify/digestView';
import { DIGEST_MAX_ROWS, DIGEST_REFRESH_VERB } from '../../../notify/expiryScanner';
import type { BotDeps } from '../../deps';
import { tenantIdOf } from '../../turnInfo';
import { CardActionError } from '../../universalActions';
import { recordVerb, type CardVerb } from '../../cardVerbs';
import { deletionOf, manageableIds, managerIds } from './cardViewers';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/;

/** The digest's refresh data, checked: it comes from a client and may be forged. */
export function digestRefreshData(data: Record<string, unknown>): DigestRefreshData {
  const rows = data.rows;
  const hidden = data.hidden;
  const valid =
    Array.isArray(rows) &&
    rows.length > 0 &&
    rows.length <= DIGEST_MAX_ROWS &&
    rows.every(
      (r) =>
        !!r &&
        typeof r === 'object' &&
        isConnectorId((r as { id?: unknown }).id) &&
        typeof (r as { periodStart?: unknown }).periodStart === 'string' &&
        ISO_TIME.test((r as { periodStart: string }).periodStart) &&
        typeof (r as { threshold?: unknown }).threshold === 'number',
    ) &&
    typeof hidden === 'number' &&
    Number.isInteger(hidden) &&
    hidden >= 0;
  if (!valid) {
    throw new CardActionError(
      400,
      'This card does not say which notices it shows, so there is nothing to refresh.',
    );
  }
  return { rows: rows as DigestRefreshData['rows'], hidden: hidden as number };
}

/**
 * The digest as the person who opened it should see it now: one read of the tenant's
 * connectors, nothing written. Deleted connectors say by whom and when (the audit log).
 */
async function digestNow(
  context: TurnContext,
  data: Record<string, unknown>,
  deps: BotDeps,
): Promise<Attachment> {
  const tenantId = tenantIdOf(context);
  const { rows, hidden } = digestRefreshData(data);
  const found = await deps.services.connectors.currentByIds(
    tenantId,
    rows.map((r) => r.id),
  );
  const entries: DigestEntry[] = [];
  for (const r of rows) {
    const connector = found.get(r.id);
    const deleted = connector ? undefined : await deletionOf(deps.store, tenantId, r.id);
    if (!connector && !deleted) {
      deps.logger.warn('digest refresh names a connector this tenant never had', { tenantId });
      throw new CardActionError(
        404,
        'This card names connectors that are not in your tenant, so it shows nothing.',
      );
    }
    entries.push({ ...r, connector, deleted });
  }
  const connectors = [...found.values()];
  const manageable = await manageableIds(context, connectors, deps);
  const adminGroupSet = !!deps.config.adminGroupId;
  const options: DigestViewOptions = {
    inactivityDays: deps.config.inactivityDays,
    noticeDays: deps.config.expiryNoticeDays,
    now: deps.clock.now(),
    dates: readerDates(context, deps.logger),
    viewer: {
      canManage: (c) => manageable.has(c.id),
      owner: (c) => askOwnerText(c, adminGroupSet),
    },
    refresh: { verb: DIGEST_REFRESH_VERB, userIds: await managerIds(deps, tenantId, connectors) },
    hidden,
    refreshed: true,
  };
  return renderKeyedCard(expiryDigestCard, {
    key: digestCardKey(entries, options, adminGroupSet),
    data: () => digestView(entries, options),
    viewers: options.refresh.userIds,
  });
}

/**
 * Everything {@link digestView} shows but who the card refreshes for: each notice with its
 * connector whole, as stored (or who deleted it), its days left and whether this reader may act
 * on it; the reader's date format and the minute the card says it is current as of; the
 * settings the card states. Who to ask follows from the connector and whether an admin group is set.
 */
export function digestCardKey(
  entries: DigestEntry[],
  options: DigestViewOptions,
  adminGroupSet: boolean,
): string {
  const { dates, inactivityDays, now, viewer } = options;
  return JSON.stringify([
    inactivityDays,
    adminGroupSet,
    dates.timeZone,
    dates.locale ?? null,
    options.refreshed ? dates.dateTime(now) : null,
    options.hidden,
    options.refresh.verb,
    entries.map((e) => {
      const c = e.connector;
      return [
        e.id,
        e.periodStart,
        e.threshold,
        e.deleted ?? null,
        c ?? null,
        c ? (daysUntilExpiry(c, inactivityDays, now) ?? null) : null,
        c ? viewer.canManage(c) : null,
      ];
    }),
  ]);
}

/** The expiry digest's refresh verb (automatic when it is shown, or its Refresh button). */
export function digestRefreshVerb(deps: BotDeps): CardVerb<Record<string, unknown>> {
  return recordVerb(DIGEST_REFRESH_VERB, (context, _state, data) => digestNow(context, data, deps));
}
