import type { TurnContext } from 'botbuilder';
import { readerDates } from '../../../util/readerDates';
import { reviewerNames, type ConsentReviewer } from '../../../connectors/consentRequest';
import { openAndDeliver, resolveRoleReviewers, type ConsentRequestDeps } from './consentRequests';
import type { ConnectorService } from '../../../connectors/connectorService';
import { actorOf, tenantIdOf } from '../../turnInfo';

/**
 * "Ask again" on a consent-declined or consent-expired connector: a new request to the same
 * reviewers as the last one (role holders read again from Graph), from whoever may manage the
 * connector; the connector waits for consent again.
 */
export async function askAgain(
  context: TurnContext,
  deps: ConsentRequestDeps & { connectors: Pick<ConnectorService, 'mayManage'> },
  data: Record<string, unknown>,
): Promise<void> {
  const id = typeof data.args === 'string' && data.args ? data.args : data.connectorId;
  const tenantId = tenantIdOf(context);
  const connector =
    typeof id === 'string' && id ? await deps.lifecycle.get(tenantId, id.slice(0, 100)) : undefined;
  if (!connector || connector.type !== 'office365') {
    await context.sendActivity('That connector does not exist in this tenant. Nothing was changed.');
    return;
  }
  if (connector.status !== 'consent-declined' && connector.status !== 'consent-expired') {
    await context.sendActivity(
      `${connector.displayName} is ${connector.status}: there is no declined or expired consent request to ask again.`,
    );
    return;
  }
  const permission = await deps.connectors.mayManage(connector, actorOf(context));
  if (!permission.allowed) {
    await deps.messenger.replyPrivately(context, `${permission.reason} Nothing was changed.`);
    return;
  }
  const [last] = await deps.store.consentRequests.listByTenant(tenantId, {
    connectorId: connector.id,
    limit: 1,
  });
  if (!last) {
    await context.sendActivity(
      `I have no earlier consent request for ${connector.displayName}. Type reauthorize ${connector.displayName} to hand it over again.`,
    );
    return;
  }
  let reviewers: ConsentReviewer[] = last.reviewers;
  if (last.roles.length > 0) {
    try {
      // Role holders change: the roles are asked again, the named and forwarded people kept.
      reviewers = [
        ...last.reviewers.filter((r) => r.via !== 'role'),
        ...(await resolveRoleReviewers(deps, tenantId)),
      ];
    } catch (err) {
      deps.logger.warn('could not read the reviewer roles again; asking the same people', { error: err });
    }
  }
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
  const missed = deliveries.filter((d) => !d.delivery).map((d) => d.reviewer.name);
  await context.sendActivity(
    `I asked again for admin consent for ${connector.displayName}: the request went to ${
      reached.map((d) => d.reviewer.name).join(', ') || 'nobody I could reach in Teams'
    }${missed.length > 0 ? ` (not reached: ${missed.join(', ')}; forward them the consent link ${deps.config.adminConsentLink})` : ''}. It expires on ${readerDates(context, deps.logger).dateTime(request.expiresAt)}, and I will tell you here what they decide.`,
  );
}
