import type { TurnContext } from 'botbuilder';
import {
  bindReviewer,
  closedMessage,
  reviewerNames,
  reviewerOf,
  unboundReviewer,
  type ConsentRequest,
} from '../../../connectors/consentRequest';
import type { GraphGateway } from '../../../graph/graphGateway';
import type { ConsentRequestStore } from '../../../connectors/ports';
import type { Logger } from '../../../util/logger';
import { clickerUpn } from './consentAddressee';
import { actorOf } from '../../turnInfo';

/** May the clicker decide on (approve, decline, forward) a request, and as whom. */
export type ReviewerCheck =
  | { allowed: true; request: ConsentRequest; actor: { id: string; name: string } }
  | { allowed: false; message: string };

/**
 * Only an addressed reviewer may decide, recognised by Entra object id. A reviewer the request
 * knows only by a typed UPN is bound on their first click: the clicker's UPN as the Teams roster
 * or Graph reports it (never from the activity or card data) must match, and their object id is
 * then recorded, so the request is never open to anyone. A closed request refuses everyone.
 */
export async function checkReviewer(
  context: TurnContext,
  request: ConsentRequest,
  deps: { graph: GraphGateway; logger: Logger; store: { consentRequests: ConsentRequestStore } },
  what: 'approve' | 'act' = 'act',
): Promise<ReviewerCheck> {
  if (request.state !== 'open') return { allowed: false, message: closedMessage(request) };
  const from = actorOf(context);
  // Only an Entra object id identifies a reviewer; a channel account id never does.
  const actor = { id: from.aadObjectId ?? '', name: from.name };
  const refused: ReviewerCheck = {
    allowed: false,
    message:
      what === 'approve'
        ? `Only ${reviewerNames(request)} can report this consent. Nothing was changed.`
        : `Only ${reviewerNames(request)} can act on this consent request. Nothing was changed.`,
  };
  if (!actor.id) return refused;
  if (reviewerOf(request, actor.id)) return { allowed: true, request, actor };
  if (!request.reviewers.some((r) => !r.id)) return refused;
  const upn = await clickerUpn(context, deps.graph, deps.logger);
  if (!upn || !unboundReviewer(request, upn)) return refused;
  const bound = await deps.store.consentRequests.update(bindReviewer(request, upn, actor.id));
  deps.logger.info('consent reviewer bound to their Entra object id on first click', {
    requestId: request.id,
  });
  return { allowed: true, request: bound, actor };
}

/**
 * Whether the person with `objectId` reviews an open request: by object id, or as a reviewer
 * known by UPN alone still to be bound, whose UPN `upnOf` reads (only then). Changes nothing.
 */
export async function reviewsOpenRequest(
  request: ConsentRequest,
  objectId: string,
  upnOf: () => Promise<string | undefined>,
): Promise<boolean> {
  if (request.state !== 'open' || !objectId) return false;
  if (reviewerOf(request, objectId)) return true;
  if (!request.reviewers.some((r) => !r.id)) return false;
  const upn = await upnOf();
  return !!upn && !!unboundReviewer(request, upn);
}
