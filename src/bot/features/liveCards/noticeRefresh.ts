import type { Attachment, TurnContext } from 'botbuilder';
import { deauthorizedNoticeCard } from '../../../cards/noticeCards';
import { readerDates } from '../../../util/readerDates';
import { renderCard } from '../../../cards/render';
import { deauthorizedView } from '../../../notify/deauthorizedView';
import { askOwnerText } from '../../../notify/digestView';
import { isConnectorId } from '../../../connectors/connector';
import { NOTICE_REFRESH_VERB } from '../../../notify/expiryScanner';
import type { BotDeps } from '../../deps';
import { actorOf, tenantIdOf } from '../../turnInfo';
import { CardActionError, dataProblem } from '../../universalActions';
import { recordVerb, type CardVerb } from '../../cardVerbs';
import { deletionOf, managerIds } from './cardViewers';

/**
 * The deauthorization notice as the person who opened it should see it now: one read of the
 * connector (the audit log only once it is gone), nothing written.
 */
async function noticeNow(
  context: TurnContext,
  data: Record<string, unknown>,
  deps: BotDeps,
): Promise<Attachment> {
  const tenantId = tenantIdOf(context);
  const id = data.connectorId as string;
  const connector = await deps.services.connectors.get(tenantId, id);
  const deleted = connector ? undefined : await deletionOf(deps.store, tenantId, id);
  if (!connector && !deleted) {
    deps.logger.warn('notice refresh names a connector this tenant never had', { tenantId });
    throw new CardActionError(
      404,
      'This card names a connector that is not in your tenant, so it shows nothing.',
    );
  }
  const allowed = connector
    ? (await deps.services.connectors.mayManage(connector, actorOf(context))).allowed
    : false;
  return renderCard(
    deauthorizedNoticeCard,
    deauthorizedView(id, connector, deleted, {
      inactivityDays: deps.config.inactivityDays,
      now: deps.clock.now(),
      dates: readerDates(context, deps.logger),
      canManage: allowed,
      owner: connector ? askOwnerText(connector, !!deps.config.adminGroupId) : '',
      refresh: {
        verb: NOTICE_REFRESH_VERB,
        userIds: connector ? await managerIds(deps, tenantId, [connector]) : [],
      },
      refreshed: true,
    }),
  );
}

/** The deauthorization notice's refresh verb. */
export function noticeRefreshVerb(deps: BotDeps): CardVerb<Record<string, unknown>> {
  return recordVerb(NOTICE_REFRESH_VERB, async (context, _state, data) => {
    const problem = dataProblem(data, ['connectorId']);
    if (problem) throw new CardActionError(400, problem);
    // Checked before the read: a malformed id would reach the store as a key (Azure: a 400).
    if (!isConnectorId(data.connectorId)) {
      throw new CardActionError(400, 'This card does not name a connector I know, so it shows nothing.');
    }
    return noticeNow(context, data, deps);
  });
}
