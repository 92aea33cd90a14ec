import { MessageFactory, type Attachment, type TurnContext } from 'botbuilder';
import { randomUUID } from 'node:crypto';
import { md, mdText } from '../../../cards/markdown';
import { renderCard } from '../../../cards/render';
import { CONSENT_VERBS } from '../../../cards/verbs';
import { commandButton, messageCard, messageCardData, type MessageButton } from '../../../cards/messageCard';
import type { Connector } from '../../../connectors/connector';
import {
  approveConsentRequest,
  closeVerifiedConsentRequest,
  openConsentRequest,
  supersedeConsentRequest,
  reviewerNames,
  reviewerOf,
  withReviewerCard,
  type ConsentRequest,
  type ConsentReviewer,
  type ConsentReviewerRole,
} from '../../../connectors/consentRequest';
import type { ConnectorLifecycle } from '../../../connectors/lifecycle';
import { isGraphError } from '../../../graph/errors';
import type { GraphGateway } from '../../../graph/graphGateway';
import { GRAPH_PERMISSIONS } from '../../../graph/graphPermissions';
import { ConcurrencyError } from '../../../connectors/ports';
import { UTC_DATES, type DateFormatter } from '../../../util/dates';
import { consentRequestAttachment, requestViewCard, requestViewerIds } from './consentRequestCard';
import { ANYONE, closedView, waitingView } from './consentRequestViews';
import {
  postWithMention,
  sendPersonalCardOutcome,
  type PersonalCardDeps,
  type PersonalSendFailure,
  type SentCard,
} from './personalCards';
import { conversationTypeOf } from '../../turnInfo';
import type { BotDeps } from '../../deps';

/** Most holders of one role that get the request: a role with more members is usually a group's. */
const MAX_PER_ROLE = 25;

export interface ConsentRequestDeps extends Pick<
  BotDeps,
  'config' | 'store' | 'logger' | 'clock' | 'graph' | 'messenger' | 'teamsUserIds'
> {
  lifecycle: Pick<ConnectorLifecycle, 'audit' | 'recordConsentRequest' | 'recordConsentClosed' | 'get'>;
}

/** The users holding one directory role (groups and service principals are skipped: nobody to message). */
async function roleHolders(
  graph: GraphGateway,
  tenantId: string,
  role: ConsentReviewerRole,
): Promise<ConsentReviewer[]> {
  const assignments = await graph.list<{ principalId: string }>(
    tenantId,
    `/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '${role.id}'`,
    { permission: GRAPH_PERMISSIONS.roleManagementRead, maxItems: 200 },
  );
  const people: ConsentReviewer[] = [];
  for (const principalId of [...new Set(assignments.map((a) => a.principalId))].slice(0, MAX_PER_ROLE)) {
    try {
      const user = await graph.get<{ id: string; displayName?: string; userPrincipalName?: string }>(
        tenantId,
        `/users/${encodeURIComponent(principalId)}?$select=id,displayName,userPrincipalName`,
        { permission: GRAPH_PERMISSIONS.userRead },
      );
      people.push({
        id: user.id,
        upn: user.userPrincipalName,
        name: user.displayName ?? user.userPrincipalName ?? principalId,
        via: 'role',
        role: role.name,
      });
    } catch (err) {
      if (!isGraphError(err, 'GRAPH_NOT_FOUND')) throw err;
    }
  }
  return people;
}

/** Everyone holding the configured reviewer roles, read from Graph (role by role, each person once). */
export async function resolveRoleReviewers(
  deps: Pick<ConsentRequestDeps, 'graph' | 'config'>,
  tenantId: string,
): Promise<ConsentReviewer[]> {
  const all: ConsentReviewer[] = [];
  for (const role of deps.config.consentReviewerRoles)
    all.push(...(await roleHolders(deps.graph, tenantId, role)));
  return all;
}

/** How one reviewer was reached; `failure` says why not 1:1 (kept with a mention too). */
export interface ReviewerDelivery {
  reviewer: ConsentReviewer;
  delivery?: 'direct' | 'installed' | 'mention';
  failure?: PersonalSendFailure;
  /** Not reached, and not @mentioned either: this turn is the requester's 1:1 chat with the bot. */
  personalChat?: boolean;
}

/**
 * Opens a consent request for `reviewers` and sends each of them the request card once: 1:1
 * (installing the app for them when needed), else with an @mention in this conversation. A
 * reviewer known only by UPN cannot be messaged and is listed as not reached. Every card sent
 * is kept on the request, so that the first decision updates them all.
 */
export async function openAndDeliver(
  deps: ConsentRequestDeps,
  context: TurnContext,
  connector: Connector,
  reviewers: ConsentReviewer[],
  roles: string[],
  requester: { id: string; name: string; conversationId?: string; cardActivityId?: string },
): Promise<{ request: ConsentRequest; deliveries: ReviewerDelivery[] }> {
  let request = await deps.store.consentRequests.create(
    openConsentRequest(
      {
        id: randomUUID(),
        tenantId: connector.tenantId,
        connectorId: connector.id,
        connectorName: connector.displayName,
        requester,
        reviewers,
        roles,
      },
      deps.clock.now(),
      deps.config.consentRequestDays,
    ),
  );
  await supersedeOlderRequests(deps, connector, request.id);
  const viewers = await requestViewerIds(deps.teamsUserIds, request);
  const card = consentRequestAttachment(deps, connector, requester.name, request, UTC_DATES, viewers);
  const deliveries: ReviewerDelivery[] = [];
  for (const reviewer of request.reviewers) {
    const { sent, ...reached } = await deliverOne(deps, context, connector, request, reviewer, card);
    deliveries.push({ reviewer, ...reached });
    if (sent?.conversationId && sent.activityId)
      request = withReviewerCard(request, {
        conversationId: sent.conversationId,
        activityId: sent.activityId,
      });
  }
  if (request.cards.length > 0) request = await deps.store.consentRequests.update(request);
  deps.logger.info('consent request opened', {
    requestId: request.id,
    connectorId: connector.id,
    reviewers: request.reviewers.length,
    reached: deliveries.filter((d) => d.delivery).length,
  });
  return { request, deliveries };
}

/**
 * Closes the connector's other open requests as superseded once a newer one exists: an older
 * request must neither decide the connector nor expire into "no decision" news. Their reviewers'
 * cards turn to "replaced"; a request changed meanwhile is left to whoever changed it.
 */
async function supersedeOlderRequests(
  deps: ConsentRequestDeps,
  connector: Connector,
  newerId: string,
): Promise<void> {
  const open = await deps.store.consentRequests.listByTenant(connector.tenantId, {
    connectorId: connector.id,
    states: ['open'],
  });
  for (const older of open.filter((r) => r.id !== newerId)) {
    const moved = supersedeConsentRequest(older, newerId, deps.clock.now());
    if (!moved.ok) continue;
    const saved = await saveRequest(deps, moved.request);
    if (saved === 'conflict') continue;
    deps.logger.info('consent request superseded by a newer one', {
      requestId: saved.id,
      newerRequestId: newerId,
      connectorId: connector.id,
    });
    await deps.lifecycle.audit(
      connector,
      { id: saved.requester.id, name: saved.requester.name },
      'consent.superseded',
      {
        requestId: saved.id,
        newerRequestId: newerId,
      },
    );
    await updateReviewerCards(deps, saved);
  }
}

async function deliverOne(
  deps: ConsentRequestDeps,
  context: TurnContext,
  connector: Connector,
  request: ConsentRequest,
  reviewer: ConsentReviewer,
  card: Attachment,
): Promise<Omit<ReviewerDelivery, 'reviewer'> & { sent?: SentCard }> {
  if (!reviewer.id) return { failure: { kind: 'no-object-id' } };
  const sent: SentCard = {};
  const outcome = await sendPersonalCardOutcome(
    deps as PersonalCardDeps,
    context,
    connector.tenantId,
    reviewer.id,
    card,
    'consent request',
    sent,
  );
  if ('delivery' in outcome) return { delivery: outcome.delivery, sent };
  const { failure } = outcome;
  // A 1:1 chat with the bot has no other member: an @mention there reaches nobody but the clicker.
  if (conversationTypeOf(context) === 'personal') {
    deps.logger.info(
      'consent request not delivered: no 1:1 chat, and no shared conversation to mention them in',
      {
        requestId: request.id,
        failure: failure.kind,
      },
    );
    return { failure, personalChat: true };
  }
  // Everyone in this conversation sees the posted card: it is the read-only view, and the
  // reviewers' clients refresh it into the one with the decisions (consentRequestRefresh.ts).
  const activityId = await postWithMention(
    context,
    { id: reviewer.id, name: reviewer.name },
    requestViewCard(
      waitingView(request, UTC_DATES, ANYONE),
      await requestViewerIds(deps.teamsUserIds, request),
    ),
    mdText`${request.requester.name} needs a global admin to grant consent for the Office 365 Connector.`,
  );
  return {
    delivery: 'mention',
    failure,
    sent: { conversationId: context.activity.conversation.id, activityId },
  };
}

/**
 * The card every reviewer's request turns into once it is closed: who handled it, how, and why.
 * It keeps the request's refresh, so each person's client then shows their own view of it.
 */
export function handledAttachment(
  request: ConsentRequest,
  dates: DateFormatter = UTC_DATES,
  refreshUserIds: string[] = [],
): Attachment {
  return requestViewCard(closedView(request, dates), refreshUserIds);
}

/**
 * Replaces every reviewer's request card with the "handled" card, so that the first decision
 * closes it for all. A card that cannot be updated (the chat is gone) is logged and skipped.
 */
export async function updateReviewerCards(
  deps: Pick<ConsentRequestDeps, 'messenger' | 'store' | 'logger' | 'teamsUserIds'>,
  request: ConsentRequest,
  skipActivityId?: string,
): Promise<number> {
  const card = handledAttachment(request, UTC_DATES, await requestViewerIds(deps.teamsUserIds, request));
  let updated = 0;
  for (const sent of request.cards) {
    if (sent.activityId === skipActivityId) continue;
    const record = await deps.store.conversations.get(request.tenantId, sent.conversationId);
    if (!record) continue;
    try {
      await deps.messenger.updateCard(record.reference, sent.activityId, card);
      updated += 1;
    } catch (err) {
      deps.logger.warn('could not update a reviewer’s consent card', { requestId: request.id, error: err });
    }
  }
  return updated;
}

/** Tells the requester, in the conversation where the wizard ran, what became of their request. */
export async function tellRequester(
  deps: Pick<ConsentRequestDeps, 'messenger' | 'store' | 'logger'>,
  request: ConsentRequest,
  text: string,
  attachment: Attachment,
): Promise<boolean> {
  if (!request.requester.conversationId) return false;
  const record = await deps.store.conversations.get(request.tenantId, request.requester.conversationId);
  if (!record) return false;
  const outcome = await deps.messenger.post(record.reference, MessageFactory.attachment(attachment, text));
  if (outcome.status === 'sent') return true;
  deps.logger.warn('could not tell the requester about their consent request', {
    requestId: request.id,
    status: outcome.status,
    error: outcome.error,
  });
  return false;
}

/** The requester's "Ask again": a new request to the same reviewers. */
export function askAgainButton(connectorId: string): MessageButton {
  return {
    title: 'Ask again',
    style: 'positive',
    verb: CONSENT_VERBS.askAgain,
    command: '',
    args: connectorId,
    wizardId: '',
    move: '',
    connectorId: '',
  };
}

/** The requester's card for a declined or expired request: what happened, why, and Ask again. */
export function closedForRequesterAttachment(
  request: ConsentRequest,
  dates: DateFormatter = UTC_DATES,
): Attachment {
  const declined = request.state === 'declined';
  return renderCard(
    messageCard,
    messageCardData({
      title: declined
        ? `Admin consent declined: ${request.connectorName}`
        : `Consent request expired: ${request.connectorName}`,
      text: declined
        ? md`${request.handledBy?.name ?? 'A reviewer'} declined the admin consent for **${request.connectorName}**. The connector is **consent-declined**: it cannot be used until a reviewer grants consent.`
        : md`Nobody decided on the admin consent for **${request.connectorName}** before the request expired on ${dates.dateTime(request.expiresAt)}. The connector is **consent-expired**.`,
      style: declined ? 'attention' : 'warning',
      facts: [
        ...(declined ? [{ title: 'Reason', value: request.reason ?? '' }] : []),
        { title: 'Reviewers', value: reviewerNames(request) },
        { title: 'Asked', value: dates.dateTime(request.createdAt) },
      ],
      buttons: [askAgainButton(request.connectorId), commandButton('Show consent requests', 'consents')],
    }),
  );
}

/** Writes a request change; a lost race reads it again and tells the caller it changed. */
export async function saveRequest(
  deps: Pick<ConsentRequestDeps, 'store'>,
  request: ConsentRequest,
): Promise<ConsentRequest | 'conflict'> {
  try {
    return await deps.store.consentRequests.update(request);
  } catch (err) {
    if (err instanceof ConcurrencyError) return 'conflict';
    throw err;
  }
}

/**
 * Consent was verified with Graph: the connector's open request is closed as approved, handled
 * by whoever's click or check found it (a reviewer, or the requester's Check again), every
 * reviewer's card turns to "handled by", and the decision is audited.
 */
export async function closeOnVerified(
  deps: Pick<ConsentRequestDeps, 'store' | 'clock' | 'messenger' | 'logger' | 'teamsUserIds'> & {
    lifecycle: Pick<ConnectorLifecycle, 'audit'>;
  },
  connector: Connector,
  actor: { id: string; name?: string },
): Promise<void> {
  const id = connector.consent?.requestId;
  if (!id) return;
  const who = { id: actor.id, name: actor.name ?? actor.id };
  for (let attempt = 0; attempt < 3; attempt++) {
    const request = await deps.store.consentRequests.get(connector.tenantId, id);
    if (!request || request.state !== 'open') return;
    const now = deps.clock.now();
    const moved = reviewerOf(request, who.id)
      ? approveConsentRequest(request, who, now)
      : closeVerifiedConsentRequest(request, who, now);
    if (!moved.ok) return;
    const saved = await saveRequest(deps, moved.request);
    if (saved === 'conflict') continue;
    await deps.lifecycle.audit(connector, who, 'consent.approved', {
      requestId: saved.id,
      reason: 'admin consent verified with Microsoft Graph',
    });
    await updateReviewerCards(deps, saved);
    return;
  }
}

/** Sends the request card to one more reviewer (a forward) and keeps it on the request. */
export async function deliverToReviewer(
  deps: ConsentRequestDeps,
  context: TurnContext,
  connector: Connector,
  request: ConsentRequest,
  reviewer: ConsentReviewer,
): Promise<{ request: ConsentRequest; reached: Omit<ReviewerDelivery, 'reviewer'> }> {
  const viewers = await requestViewerIds(deps.teamsUserIds, request);
  const card = consentRequestAttachment(deps, connector, request.requester.name, request, UTC_DATES, viewers);
  const { sent, ...reached } = await deliverOne(deps, context, connector, request, reviewer, card);
  if (!sent?.conversationId || !sent.activityId) return { request, reached };
  const kept = await saveRequest(
    deps,
    withReviewerCard(request, { conversationId: sent.conversationId, activityId: sent.activityId }),
  );
  return { request: kept === 'conflict' ? request : kept, reached };
}
