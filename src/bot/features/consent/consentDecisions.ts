import { MessageFactory, type TurnContext } from 'botbuilder';
import { escapeMarkdown, markdown, md, mdText } from '../../../cards/markdown';
import { readerDates } from '../../../util/readerDates';
import { UTC_DATES } from '../../../util/dates';
import { renderCard } from '../../../cards/render';
import { CONSENT_VERBS } from '../../../cards/verbs';
import { consentCheckButton } from '../../../cards/wizardCards';
import { messageCard, messageCardData } from '../../../cards/messageCard';
import { cloudOfUpn } from '../../../connectors/clouds';
import {
  declineConsentRequest,
  forwardConsentRequest,
  REPLACED_MESSAGE,
  reviewerOf,
  type ConsentRequest,
} from '../../../connectors/consentRequest';
import type { DirectoryPerson } from '../../../dialogs/flows/consentPort';
import { checkReviewer } from './consentAuthorization';
import { consentRequestAttachment, requestViewCard, requestViewerIds } from './consentRequestCard';
import { ANYONE, waitingView } from './consentRequestViews';
import {
  closedForRequesterAttachment,
  deliverToReviewer,
  saveRequest,
  tellRequester,
  updateReviewerCards,
  type ConsentRequestDeps,
  type ReviewerDelivery,
} from './consentRequests';
import { personalFailureText } from './personalCards';
import { recordVerb } from '../../cardVerbs';
import { chatCommand, type FeatureTables } from '../../chatCommands';
import { CONSENT_COMMANDS } from './consentCommands';
import { askAgain } from './consentAskAgain';
import type { ConnectorService } from '../../../connectors/connectorService';
import { showConsents } from './consentList';
import { consentRequestViewVerb } from './consentRequestRefresh';
import { conversationTypeOf, tenantIdOf } from '../../turnInfo';

export interface ConsentDecisionDeps extends ConsentRequestDeps {
  /** Who may ask again for a connector's consent (its creator, the admin group); the refresh's read. */
  connectors: Pick<ConnectorService, 'mayManage' | 'get'>;
  /** Finds a person by Entra object id or UPN (Graph, else the Teams roster). */
  resolvePerson(
    context: TurnContext,
    tenantId: string,
    idOrUpn: string,
  ): Promise<DirectoryPerson | undefined>;
}

type CardData = Record<string, unknown>;

const text = (data: CardData, key: string, max: number) =>
  typeof data[key] === 'string' ? (data[key] as string).slice(0, max) : '';

/**
 * Answers only the clicker: a refusal or a mistake never shows in a shared conversation. Every
 * caller passes plain text, which may quote names and reasons people typed: escaped here, once.
 */
function privately(context: TurnContext, deps: ConsentDecisionDeps, message: string): Promise<void> {
  return deps.messenger.replyPrivately(context, escapeMarkdown(message));
}

/**
 * The request a card names, from this turn's tenant (never from card data), with the clicker
 * checked as one of its reviewers. Undefined after answering privately why not.
 */
async function reviewerRequest(
  context: TurnContext,
  deps: ConsentDecisionDeps,
  data: CardData,
): Promise<{ request: ConsentRequest; actor: { id: string; name: string } } | undefined> {
  const id = text(data, 'requestId', 100);
  const request = id ? await deps.store.consentRequests.get(tenantIdOf(context), id) : undefined;
  if (!request) {
    await privately(
      context,
      deps,
      'That consent request does not exist in this tenant. Nothing was changed.',
    );
    return undefined;
  }
  const check = await checkReviewer(context, request, deps);
  if (!check.allowed) {
    deps.logger.warn('consent request action refused', { requestId: request.id, state: request.state });
    await privately(context, deps, check.message);
    return undefined;
  }
  // Only the connector's current request decides it: an older one (handed over again since, by
  // a reauthorization or Ask again) must not decline or forward what someone else now reviews.
  const connector = await deps.lifecycle.get(request.tenantId, request.connectorId);
  if (!connector) {
    deps.logger.info('consent request action refused: connector deleted', { requestId: request.id });
    await privately(
      context,
      deps,
      `The connector ${request.connectorName} no longer exists (it was deleted), so this consent request has nothing left to decide. Nothing was changed.`,
    );
    return undefined;
  }
  if (connector.consent?.requestId !== request.id) {
    deps.logger.info('consent request action refused: replaced by a newer request', {
      requestId: request.id,
      currentRequestId: connector.consent?.requestId,
      connectorId: connector.id,
    });
    await privately(context, deps, REPLACED_MESSAGE);
    return undefined;
  }
  return { request: check.request, actor: check.actor };
}

/** Decline: a reason is required; the connector becomes consent-declined and the requester is told why. */
export async function declineRequest(
  context: TurnContext,
  deps: ConsentDecisionDeps,
  data: CardData,
): Promise<void> {
  const found = await reviewerRequest(context, deps, data);
  if (!found) return;
  const moved = declineConsentRequest(
    found.request,
    found.actor,
    text(data, 'declineReason', 2000),
    deps.clock.now(),
  );
  if (!moved.ok) {
    deps.logger.info('consent decline refused', { requestId: found.request.id, code: moved.code });
    await privately(context, deps, `${moved.message} Nothing was changed.`);
    return;
  }
  const saved = await saveOrSayConflict(context, deps, moved.request);
  if (!saved) return;
  await deps.lifecycle.recordConsentClosed(
    saved.tenantId,
    saved.connectorId,
    'consent-declined',
    found.actor,
    {
      requestId: saved.id,
      reason: saved.reason,
    },
  );
  await updateReviewerCards(deps, saved);
  const told = await tellRequester(
    deps,
    saved,
    mdText`${found.actor.name} declined admin consent for ${saved.connectorName}: ${saved.reason ?? ''}`,
    closedForRequesterAttachment(saved, readerDates(context, deps.logger)),
  );
  await context.sendActivity(
    mdText`You declined the consent request for ${saved.connectorName}.${told ? ` I told ${saved.requester.name}, with your reason.` : ''}`,
  );
}

/** The admin a forward names (picked or typed), or undefined once the clicker was told why not. */
async function forwardTarget(
  context: TurnContext,
  deps: ConsentDecisionDeps,
  data: CardData,
): Promise<{ id?: string; upn?: string; name: string } | undefined> {
  const typed = text(data, 'forwardUpn', 300).trim();
  const picked = text(data, 'forwardTo', 100).trim();
  if (!typed && !picked) {
    await privately(
      context,
      deps,
      'Choose the admin to forward to, or type their account. Nothing was changed.',
    );
    return undefined;
  }
  if (typed && (typed.length > 254 || cloudOfUpn(typed).kind === 'invalid')) {
    await privately(context, deps, 'That account name does not look like user@domain. Nothing was changed.');
    return undefined;
  }
  const tenantId = tenantIdOf(context);
  const person = await deps.resolvePerson(context, tenantId, typed || picked);
  if (!person && !typed) {
    await privately(context, deps, 'I could not find that person in your directory. Nothing was changed.');
    return undefined;
  }
  // A typed UPN nobody could resolve is kept as such: bound to an object id on their first click.
  return person
    ? { id: person.id || undefined, upn: person.upn || undefined, name: person.name }
    : { upn: typed, name: typed };
}

/** How the forwarded request reached the new reviewer, for the one who forwarded it. */
function forwardedWhere(reached: Omit<ReviewerDelivery, 'reviewer'>, consentLink: string): string {
  const why = reached.failure ? personalFailureText(reached.failure) : '';
  if (reached.delivery === 'mention')
    return `I could not reach them in a 1:1 chat (${why}), so I posted it here with an @mention.`;
  if (reached.delivery) return 'I sent it to them in a 1:1 chat.';
  if (reached.failure?.kind === 'no-object-id')
    return `I could not find them in Teams: forward them the consent link ${consentLink}.`;
  return `I could not send it to them in a 1:1 chat (${why})${reached.personalChat ? ', and an @mention in this chat would not reach them' : ''}: forward them the consent link ${consentLink}.`;
}

/** Forward: another admin (people picker or typed UPN) becomes a reviewer and gets the card. */
export async function forwardRequest(
  context: TurnContext,
  deps: ConsentDecisionDeps,
  data: CardData,
): Promise<void> {
  const found = await reviewerRequest(context, deps, data);
  if (!found) return;
  const to = await forwardTarget(context, deps, data);
  if (!to) return;
  const moved = forwardConsentRequest(found.request, found.actor, to, deps.clock.now());
  if (!moved.ok) {
    await privately(context, deps, `${moved.message} Nothing was changed.`);
    return;
  }
  const saved = await saveOrSayConflict(context, deps, moved.request);
  if (!saved) return;
  const connector = await deps.lifecycle.get(saved.tenantId, saved.connectorId);
  const reviewer = saved.reviewers[saved.reviewers.length - 1];
  if (!connector) {
    // Deleted between the check above and now: the forward is kept, but nothing is sent for it.
    deps.logger.info('consent forward not delivered: connector deleted', { requestId: saved.id });
    await privately(
      context,
      deps,
      `The connector ${saved.connectorName} was deleted meanwhile, so I sent ${reviewer.name} nothing.`,
    );
    return;
  }
  const { reached } = await deliverToReviewer(deps, context, connector, saved, reviewer);
  const delivery = reached.delivery;
  await deps.lifecycle.audit(
    { tenantId: saved.tenantId, id: saved.connectorId },
    found.actor,
    'consent.forwarded',
    {
      requestId: saved.id,
      to: reviewer.upn ?? reviewer.name,
      toId: reviewer.id,
      delivery: delivery ?? 'not delivered',
    },
  );
  await tellRequester(
    deps,
    saved,
    mdText`${found.actor.name} forwarded your consent request for ${saved.connectorName} to ${reviewer.name}.`,
    renderCard(
      messageCard,
      messageCardData({
        title: `Consent request forwarded: ${saved.connectorName}`,
        text: md`${found.actor.name} forwarded it to **${reviewer.name}**${reviewer.upn && reviewer.upn !== reviewer.name ? ` (${reviewer.upn})` : ''}, who can now decide on it too. I will tell you here when consent is verified or declined.`,
        style: 'accent',
        buttons: [consentCheckButton(saved.connectorId)],
      }),
    ),
  );
  await context.sendActivity(
    mdText`You forwarded the consent request for ${saved.connectorName} to ${reviewer.name}. ${markdown(forwardedWhere(reached, deps.config.adminConsentLink))}`,
  );
}

/**
 * "Review" from the `consents` list: the request card again, here, for a reviewer; kept on the
 * request so that a decision elsewhere updates it too.
 */
export async function reviewRequest(
  context: TurnContext,
  deps: ConsentDecisionDeps,
  data: CardData,
): Promise<void> {
  const found = await reviewerRequest(context, deps, data);
  if (!found) return;
  const connector = await deps.lifecycle.get(found.request.tenantId, found.request.connectorId);
  if (!connector) {
    await privately(context, deps, 'That connector no longer exists. Nothing was changed.');
    return;
  }
  const viewers = await requestViewerIds(deps.teamsUserIds, found.request);
  // Where others read along, the posted card is the read-only view and the reviewers' clients
  // refresh it into the decisions; in a 1:1 chat its only reader is the reviewer.
  const card =
    conversationTypeOf(context) === 'personal'
      ? consentRequestAttachment(
          deps,
          connector,
          found.request.requester.name,
          found.request,
          UTC_DATES,
          viewers,
        )
      : requestViewCard(waitingView(found.request, UTC_DATES, ANYONE), viewers);
  const sent = await context.sendActivity(MessageFactory.attachment(card));
  if (sent?.id && reviewerOf(found.request, found.actor.id)) {
    await saveRequest(deps, {
      ...found.request,
      cards: [
        ...found.request.cards,
        { conversationId: context.activity.conversation.id, activityId: sent.id },
      ],
    });
  }
}

/**
 * The consent requests' card verbs (the reviewer's Decline and Forward, Review from the list,
 * the requester's Ask again, the request card's refresh) and the `consents` command.
 */
export function consentRequestsFeature(deps: ConsentDecisionDeps): FeatureTables {
  return {
    commands: [chatCommand(CONSENT_COMMANDS.consents, (context) => showConsents(context, deps))],
    verbs: [
      recordVerb(CONSENT_VERBS.decline, (context, _state, data) => declineRequest(context, deps, data)),
      recordVerb(CONSENT_VERBS.forward, (context, _state, data) => forwardRequest(context, deps, data)),
      recordVerb(CONSENT_VERBS.review, (context, _state, data) => reviewRequest(context, deps, data)),
      recordVerb(CONSENT_VERBS.askAgain, (context, _state, data) => askAgain(context, deps, data)),
      consentRequestViewVerb(deps),
    ],
  };
}

/** Saves a decided request; a concurrent change wins, and the clicker is told privately. */
async function saveOrSayConflict(
  context: Parameters<typeof privately>[0],
  deps: Parameters<typeof saveRequest>[0] & Parameters<typeof privately>[1],
  request: Parameters<typeof saveRequest>[1],
): Promise<Exclude<Awaited<ReturnType<typeof saveRequest>>, 'conflict'> | undefined> {
  const saved = await saveRequest(deps, request);
  if (saved !== 'conflict') return saved;
  await privately(
    context,
    deps,
    'Someone else acted on this request at the same moment. Nothing was changed: look at it again.',
  );
  return undefined;
}
