import type { Attachment, TurnContext } from 'botbuilder';
import { consentHandledCard } from '../../../cards/consentCards';
import { renderCard } from '../../../cards/render';
import { CONSENT_VERBS } from '../../../cards/verbs';
import type { Connector } from '../../../connectors/connector';
import type { ConnectorService } from '../../../connectors/connectorService';
import type { ConsentRequest } from '../../../connectors/consentRequest';
import type { DateFormatter } from '../../../util/dates';
import { readerDates } from '../../../util/readerDates';
import { recordVerb, type CardVerb } from '../../cardVerbs';
import { actorOf, tenantIdOf } from '../../turnInfo';
import { CardActionError, dataProblem } from '../../universalActions';
import { deletionOf } from '../liveCards/cardViewers';
import { clickerUpn } from './consentAddressee';
import { reviewsOpenRequest } from './consentAuthorization';
import { consentRequestAttachment, requestViewCard, requestViewerIds } from './consentRequestCard';
import type { ConsentRequestDeps } from './consentRequests';
import { closedView, deletedView, replacedView, waitingView } from './consentRequestViews';

export interface ConsentRefreshDeps extends Pick<
  ConsentRequestDeps,
  'config' | 'store' | 'logger' | 'graph' | 'teamsUserIds'
> {
  /** Reads the request's connector as stored (nothing deauthorized or written on the way). */
  connectors: Pick<ConnectorService, 'get'>;
}

type CardData = Record<string, unknown>;

/**
 * The request and its connector a refresh names, read together from this turn's tenant (never
 * the card's). A request this tenant does not have, or a card whose connector is not the
 * request's, is refused: the card is forged, foreign or garbled.
 */
async function readRequest(
  deps: ConsentRefreshDeps,
  context: TurnContext,
  data: CardData,
): Promise<{ request: ConsentRequest; connector: Connector | undefined }> {
  const tenantId = tenantIdOf(context);
  // Both ids were checked as short non-empty strings (dataProblem) before this read.
  const [request, connector] = await Promise.all([
    deps.store.consentRequests.get(tenantId, data.requestId as string),
    deps.connectors.get(tenantId, data.connectorId as string),
  ]);
  if (!request) {
    deps.logger.warn('consent request refresh names a request this tenant does not have', { tenantId });
    throw new CardActionError(
      404,
      'This card names a consent request that is not in your tenant, so it shows nothing.',
    );
  }
  if (data.connectorId !== request.connectorId) {
    deps.logger.warn('consent request refresh names another connector than its request', {
      tenantId,
      requestId: request.id,
    });
    throw new CardActionError(
      400,
      'This card does not match its consent request, so it shows nothing. Type consents to see the requests.',
    );
  }
  return { request, connector };
}

/** The open request as this person should see it: the reviewer's controls, or read-only. */
async function openView(
  deps: ConsentRefreshDeps,
  context: TurnContext,
  request: ConsentRequest,
  connector: Connector,
  dates: DateFormatter,
): Promise<Attachment> {
  const viewers = await requestViewerIds(deps.teamsUserIds, request);
  const latest = connector.consent?.requestId;
  if (latest && latest !== request.id) {
    return requestViewCard(
      replacedView(request, connector.consent?.requestedAt ?? request.createdAt, dates),
      viewers,
    );
  }
  const objectId = actorOf(context).aadObjectId ?? '';
  if (await reviewsOpenRequest(request, objectId, () => clickerUpn(context, deps.graph, deps.logger))) {
    return consentRequestAttachment(deps, connector, request.requester.name, request, dates, viewers);
  }
  const asked = !!objectId && objectId === request.requester.id;
  return requestViewCard(waitingView(request, dates, { checkAgain: asked, askAgain: false }), viewers);
}

/**
 * A consent request card as it stands now for the person who opened it, from one read of the
 * request and its connector (the audit log only once the connector is gone). Writes nothing.
 */
async function requestNow(
  deps: ConsentRefreshDeps,
  context: TurnContext,
  data: CardData,
): Promise<Attachment> {
  const { request, connector } = await readRequest(deps, context, data);
  const dates = readerDates(context, deps.logger);
  if (!connector) {
    const deleted = await deletionOf(deps.store, request.tenantId, request.connectorId);
    return renderCard(consentHandledCard, deletedView(request, deleted, dates));
  }
  if (request.state === 'open') return openView(deps, context, request, connector, dates);
  const asked = actorOf(context).aadObjectId === request.requester.id;
  const stillClosed = connector.status === 'consent-declined' || connector.status === 'consent-expired';
  return requestViewCard(
    closedView(request, dates, {
      checkAgain: false,
      askAgain: asked && stillClosed && connector.consent?.requestId === request.id,
    }),
    await requestViewerIds(deps.teamsUserIds, request),
  );
}

/** The consent request card's refresh verb (automatic when the card is shown, or its Refresh button). */
export function consentRequestViewVerb(deps: ConsentRefreshDeps): CardVerb<CardData> {
  return recordVerb(CONSENT_VERBS.view, async (context, _state, data) => {
    const problem = dataProblem(data, ['requestId', 'connectorId']);
    if (problem) {
      deps.logger.info('consent request refresh refused', { reason: problem });
      throw new CardActionError(400, problem);
    }
    return requestNow(deps, context, data);
  });
}
