import { markdown, mdText } from '../../../cards/markdown';
import type { TurnContext } from 'botbuilder';
import { readerDates } from '../../../util/readerDates';
import { reviewerNames, type ConsentRequest, type ConsentReviewer } from '../../../connectors/consentRequest';
import type { Connector } from '../../../connectors/connector';
import {
  openAndDeliver,
  resolveRoleReviewers,
  type ConsentRequestDeps,
  type ReviewerDelivery,
} from './consentRequests';
import type { ConnectorService } from '../../../connectors/connectorService';
import { actorOf, tenantIdOf } from '../../turnInfo';

type AskAgainDeps = ConsentRequestDeps & { connectors: Pick<ConnectorService, 'mayManage'> };

/**
 * The connector an Ask again names and its last consent request, when it may be asked again by
 * this person; undefined once they were told why not.
 */
async function askAgainTarget(
  context: TurnContext,
  deps: AskAgainDeps,
  data: Record<string, unknown>,
): Promise<{ connector: Connector; last: ConsentRequest } | undefined> {
  const id = typeof data.args === 'string' && data.args ? data.args : data.connectorId;
  const tenantId = tenantIdOf(context);
  const connector =
    typeof id === 'string' && id ? await deps.lifecycle.get(tenantId, id.slice(0, 100)) : undefined;
  if (!connector || connector.type !== 'office365') {
    await context.sendActivity('That connector does not exist in this tenant. Nothing was changed.');
    return undefined;
  }
  if (connector.status !== 'consent-declined' && connector.status !== 'consent-expired') {
    await context.sendActivity(
      mdText`${connector.displayName} is ${connector.status}: there is no declined or expired consent request to ask again.`,
    );
    return undefined;
  }
  const permission = await deps.connectors.mayManage(connector, actorOf(context));
  if (!permission.allowed) {
    await deps.messenger.replyPrivately(context, mdText`${permission.reason} Nothing was changed.`);
    return undefined;
  }
  const [last] = await deps.store.consentRequests.listByTenant(tenantId, {
    connectorId: connector.id,
    limit: 1,
  });
  if (!last) {
    await context.sendActivity(
      mdText`I have no earlier consent request for ${connector.displayName}. Type reauthorize ${connector.displayName} to hand it over again.`,
    );
    return undefined;
  }
  return { connector, last };
}

/** The last request's reviewers, with the role holders read again from Graph (they change). */
async function reviewersAgain(
  deps: AskAgainDeps,
  tenantId: string,
  last: ConsentRequest,
): Promise<ConsentReviewer[]> {
  if (last.roles.length === 0) return last.reviewers;
  try {
    // The roles are asked again, the named and forwarded people kept.
    return [
      ...last.reviewers.filter((r) => r.via !== 'role'),
      ...(await resolveRoleReviewers(deps, tenantId)),
    ];
  } catch (err) {
    deps.logger.warn('could not read the reviewer roles again; asking the same people', { error: err });
    return last.reviewers;
  }
}

/** What the person who asked again is told: whom the request reached, whom not, and the deadline. */
function askedAgainText(
  context: TurnContext,
  deps: AskAgainDeps,
  connector: Connector,
  request: ConsentRequest,
  deliveries: ReviewerDelivery[],
): string {
  const reached = deliveries.filter((d) => d.delivery).map((d) => d.reviewer.name);
  const missed = deliveries.filter((d) => !d.delivery).map((d) => d.reviewer.name);
  // Names are the directory's and people's text: escaped, so a name cannot post a link.
  const notReached =
    missed.length > 0
      ? mdText` (not reached: ${missed.join(', ')}; forward them the consent link ${deps.config.adminConsentLink})`
      : '';
  return mdText`I asked again for admin consent for ${connector.displayName}: the request went to ${
    reached.join(', ') || 'nobody I could reach in Teams'
  }${markdown(notReached)}. It expires on ${readerDates(context, deps.logger).dateTime(request.expiresAt)}, and I will tell you here what they decide.`;
}

/**
 * "Ask again" on a consent-declined or consent-expired connector: a new request to the same
 * reviewers as the last one (role holders read again from Graph), from whoever may manage the
 * connector; the connector waits for consent again.
 */
export async function askAgain(
  context: TurnContext,
  deps: AskAgainDeps,
  data: Record<string, unknown>,
): Promise<void> {
  const target = await askAgainTarget(context, deps, data);
  if (!target) return;
  const { connector, last } = target;
  const reviewers = await reviewersAgain(deps, connector.tenantId, last);
  const actor = actorOf(context);
  const { request, deliveries } = await openAndDeliver(deps, context, connector, reviewers, last.roles, {
    id: actor.id,
    name: actor.name,
    conversationId: context.activity.conversation.id,
  });
  const reached = deliveries.filter((d) => d.delivery);
  const single = request.reviewers.length === 1 ? request.reviewers[0] : undefined;
  await deps.lifecycle.recordConsentRequest(
    connector,
    {
      requestedFrom: reviewerNames(request),
      requestedFromId: single?.id,
      requestedFromUpn: single?.upn,
      requestedBy: actor.id,
      requesterConversationId: context.activity.conversation.id,
      requesterCardActivityId: undefined,
      requestId: request.id,
      verifiedAt: undefined,
      delivery: reached.find((d) => d.delivery !== 'mention')?.delivery ?? reached[0]?.delivery,
    },
    actor,
  );
  await context.sendActivity(askedAgainText(context, deps, connector, request, deliveries));
}
