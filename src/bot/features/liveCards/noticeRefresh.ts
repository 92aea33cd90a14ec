import type { Attachment, TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import { deauthorizedNoticeCard } from '../../../cards/noticeCards';
import { readerDates } from '../../../util/readerDates';
import { renderCard } from '../../../cards/render';
import { deauthorizedView } from '../../../notify/deauthorizedView';
import { askOwnerText } from '../../../notify/digestView';
import { NOTICE_REFRESH_VERB } from '../../../notify/expiryScanner';
import type { BotDeps } from '../../deps';
import { canManage } from '../../managePermission';
import { tenantIdOf } from '../../turnInfo';
import { CardActionError, onExecute } from '../../universalActions';
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
  const connector = await deps.store.connectors.get(tenantId, id);
  const deleted = connector ? undefined : await deletionOf(deps.store, tenantId, id);
  if (!connector && !deleted) {
    deps.logger.warn('notice refresh names a connector this tenant never had', { tenantId });
    throw new CardActionError(
      404,
      'This card names a connector that is not in your tenant, so it shows nothing.',
    );
  }
  const allowed = connector ? (await canManage(connector, context, deps)).allowed : false;
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

/** Serves the deauthorization notice's refresh. */
export function registerNoticeRefresh(app: Application<TurnState>, deps: BotDeps): void {
  onExecute(
    app,
    NOTICE_REFRESH_VERB,
    (context, _state, data) => noticeNow(context, data, deps),
    deps.logger,
    {
      requires: ['connectorId'],
    },
  );
}
