import { mdText } from '../../../cards/markdown';
import { MessageFactory, TeamsInfo, type Attachment, TurnContext } from 'botbuilder';
import { renderCard } from '../../../cards/render';
import { consentCheckButton } from '../../../cards/wizardCards';
import { messageCardData, messageCard } from '../../../cards/messageCard';
import type { Connector } from '../../../connectors/connector';
import type {
  ConsentAddressees,
  ConsentCheckResult,
  ConsentHandoverPort,
  DirectoryPerson,
  HandoverResult,
  RoleReport,
} from '../../../dialogs/flows/consentPort';
import { RoleDirectory } from '../../../directoryRoles/directory';
import { isGraphError } from '../../../graph/errors';
import { GRAPH_PERMISSIONS } from '../../../graph/graphPermissions';
import { GLOBAL_ADMINISTRATOR, SHAREPOINT_ADMINISTRATOR } from '../../../directoryRoles/requirements';
import { GUID } from '../../../util/ids';
import type { BotDeps } from '../../deps';
import { consentRequestAttachment } from './consentRequestCard';
import {
  closedForRequesterAttachment,
  openAndDeliver,
  type ConsentRequestDeps,
  type ReviewerDelivery,
  resolveRoleReviewers,
  tellRequester,
  updateReviewerCards,
} from './consentRequests';
import { reviewerNames, type ConsentRequest, type ConsentReviewer } from '../../../connectors/consentRequest';
import type { ConsentReminderCards } from '../../../notify/expiryScanner';
import { UTC_DATES } from '../../../util/dates';
import { readerDates } from '../../../util/readerDates';

export { consentRequestAttachment } from './consentRequestCard';
export { postWithMention, type PersonalCardDeps, type SentCard } from './personalCards';
import { personalFailureText } from './personalCards';

interface GraphUser {
  id: string;
  displayName?: string;
  userPrincipalName?: string;
}

const reviewerLabel = (r: ConsentReviewer) => (r.upn && r.upn !== r.name ? `${r.name} (${r.upn})` : r.name);

/** "Adele Admin (Teams did not accept the message (HTTP 429); it may work later)", one per reviewer. */
const withWhy = (ds: ReviewerDelivery[]) =>
  ds
    .map(
      (d) =>
        `${reviewerLabel(d.reviewer)} (${d.failure ? personalFailureText(d.failure) : 'no reason given'})`,
    )
    .join(', ');

/** What the requester is told about whom the request reached, and how. */
function handoverSentences(
  deliveries: ReviewerDelivery[],
  request: ConsentRequest,
  texts: { now: string; expires: string; forward: string; link: string },
): string[] {
  const { now, expires, forward } = texts;
  const direct = deliveries.filter((d) => d.delivery === 'direct' || d.delivery === 'installed');
  const mentioned = deliveries.filter((d) => d.delivery === 'mention');
  const unknown = deliveries.filter((d) => !d.delivery && d.failure?.kind === 'no-object-id');
  const unreached = deliveries.filter((d) => !d.delivery && d.failure?.kind !== 'no-object-id');
  const sentences: string[] = [];
  if (direct.length > 0) {
    const installed = direct.some((d) => d.delivery === 'installed');
    sentences.push(
      `I sent the consent request to ${direct.map((d) => reviewerLabel(d.reviewer)).join(', ')} in a 1:1 chat on ${now}${installed ? ' (I installed myself for them first)' : ''}.`,
    );
  }
  if (mentioned.length > 0) {
    sentences.push(
      `I could not reach ${withWhy(mentioned)} in a 1:1 chat, so I posted the request here with an @mention. If they do not see it, ${forward}.`,
    );
  }
  if (unreached.length > 0) {
    // In the requester's 1:1 chat with the bot nobody else would see an @mention.
    sentences.push(
      `I could not send the request to ${withWhy(unreached)} in a 1:1 chat${unreached.some((d) => d.personalChat) ? ', and an @mention in this chat would not reach them (only you and I are in it)' : ''}. The request is recorded, but it has not reached them: share the consent link ${texts.link} with them yourself (or run this from a channel they are in), and click Check again once consent is granted.`,
    );
  }
  if (unknown.length > 0) {
    sentences.push(
      `I could not find ${unknown.map((d) => reviewerLabel(d.reviewer)).join(', ')} in Teams, so I could not send them the request: ${forward}, and click Check again once consent is granted. Only they can decide on it once they sign in to Teams.`,
    );
  }
  if (direct.length + mentioned.length > 0) {
    sentences.push(
      `${request.reviewers.length > 1 ? 'The first of them to decide closes it for all. ' : ''}I will tell you here when consent is verified, declined or forwarded; the request expires on ${expires}.`,
    );
  }
  return sentences;
}

/** How the request reached its reviewers, best first; undefined when it reached nobody. */
function handoverDelivery(deliveries: ReviewerDelivery[]): HandoverResult['delivery'] {
  if (deliveries.some((d) => d.delivery === 'installed')) return 'installed';
  if (deliveries.some((d) => d.delivery === 'direct')) return 'direct';
  if (deliveries.some((d) => d.delivery === 'mention')) return 'mention';
  return undefined;
}

export interface ConsentHandoverDeps extends Pick<
  BotDeps,
  'messenger' | 'graph' | 'config' | 'logger' | 'store' | 'clock' | 'teamsUserIds'
> {
  /** Records how the consent request reached the reviewers, and audits its decisions. */
  lifecycle: ConsentRequestDeps['lifecycle'];
  /** The Graph consent check that records a passing consent (consentFeature's verifyConsent). */
  verifyConsent(
    connector: Connector,
    actor: { id: string; name?: string },
  ): Promise<
    | { kind: 'verified'; connector: Connector }
    | { kind: 'pending'; message: string; missing: { permission: string; allows: string }[] }
    | { kind: 'unavailable'; message: string }
  >;
}

/**
 * Hands the admin consent of an Office 365 connector to a global admin (seed 000, steps 5 to 9):
 * a proactive 1:1 card; if the bot is not installed for them, it installs itself with Graph and
 * tries once more; failing that, it asks in the requester's conversation with an @mention.
 */
export class ConsentHandover implements ConsentHandoverPort {
  constructor(private readonly deps: ConsentHandoverDeps) {}

  graphMissingSettings(): string[] {
    return this.deps.graph.configured ? [] : this.deps.graph.missingSettings();
  }

  async checkConsent(connector: Connector, actor: { id: string; name: string }): Promise<ConsentCheckResult> {
    const outcome = await this.deps.verifyConsent(connector, actor);
    if (outcome.kind === 'verified') {
      return { kind: 'verified', connector: outcome.connector, message: '', missing: [] };
    }
    this.deps.logger.info('consent not verified at the end of the wizard', {
      connectorId: connector.id,
      outcome: outcome.kind,
    });
    return {
      kind: outcome.kind,
      connector,
      message: outcome.message,
      missing: outcome.kind === 'pending' ? outcome.missing : [],
    };
  }

  async adminRolesOf(tenantId: string, userId: string): Promise<RoleReport> {
    if (!this.deps.graph.configured) {
      return {
        kind: 'not-configured',
        reason: `Microsoft Graph is not configured for this bot (set ${this.deps.graph.missingSettings().join(' and ')})`,
      };
    }
    if (!GUID.test(userId)) {
      return { kind: 'failed', reason: 'Teams did not give me your Microsoft Entra object id.' };
    }
    try {
      const held = await new RoleDirectory(this.deps.graph, this.deps.logger).heldRoles(tenantId, userId);
      return {
        kind: 'known',
        globalAdmin: held.tenantWide.includes(GLOBAL_ADMINISTRATOR.id),
        sharePointAdmin: held.tenantWide.includes(SHAREPOINT_ADMINISTRATOR.id),
      };
    } catch (err) {
      this.deps.logger.warn('could not read the admin roles for step 5', { error: err });
      return { kind: 'failed', reason: (err as Error).message };
    }
  }

  async listGlobalAdmins(tenantId: string): Promise<DirectoryPerson[]> {
    // Global Administrator is the one role that can grant tenant-wide consent.
    const assignments = await this.deps.graph.list<{ principalId: string }>(
      tenantId,
      `/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '${GLOBAL_ADMINISTRATOR.id}'`,
      { permission: GRAPH_PERMISSIONS.roleManagementRead, maxItems: 200 },
    );
    const people: DirectoryPerson[] = [];
    for (const principalId of [...new Set(assignments.map((a) => a.principalId))].slice(0, 25)) {
      try {
        const user = await this.deps.graph.get<GraphUser>(
          tenantId,
          `/users/${encodeURIComponent(principalId)}?$select=id,displayName,userPrincipalName`,
          { permission: GRAPH_PERMISSIONS.userRead },
        );
        people.push({
          id: user.id,
          name: user.displayName ?? user.userPrincipalName ?? principalId,
          upn: user.userPrincipalName ?? '',
        });
      } catch (err) {
        // A role held by a group or a service principal is no user to message; anything else
        // (a refused permission, throttling) is for the caller to report.
        if (!isGraphError(err, 'GRAPH_NOT_FOUND')) throw err;
      }
    }
    return people;
  }

  async resolvePerson(
    context: TurnContext,
    tenantId: string,
    idOrUpn: string,
  ): Promise<DirectoryPerson | undefined> {
    if (this.deps.graph.configured) {
      try {
        const user = await this.deps.graph.get<GraphUser>(
          tenantId,
          `/users/${encodeURIComponent(idOrUpn)}?$select=id,displayName,userPrincipalName`,
          { permission: GRAPH_PERMISSIONS.userRead },
        );
        return { id: user.id, name: user.displayName ?? idOrUpn, upn: user.userPrincipalName ?? idOrUpn };
      } catch (err) {
        this.deps.logger.info('directory lookup failed', { error: err });
      }
    }
    try {
      // The Teams roster accepts an Entra object id or a UPN.
      const member = await TeamsInfo.getMember(context, idOrUpn);
      return {
        id: member.aadObjectId,
        name: member.name ?? idOrUpn,
        upn: member.userPrincipalName ?? idOrUpn,
      };
    } catch {
      return undefined;
    }
  }

  reviewerRoleNames(): string[] {
    return this.deps.config.consentReviewerRoles.map((r) => r.name);
  }

  /** The reviewers to send the request to, or why there are none to send it to. */
  private async reviewersFor(
    connector: Connector,
    addressees: ConsentAddressees,
  ): Promise<ConsentReviewer[] | string> {
    const { logger, config } = this.deps;
    if (addressees.kind !== 'roles') {
      return addressees.people.map((p) => ({
        id: p.id || undefined,
        upn: p.upn || undefined,
        name: p.name,
        via: 'named' as const,
      }));
    }
    let reviewers: ConsentReviewer[];
    try {
      reviewers = await resolveRoleReviewers(this.deps, connector.tenantId);
    } catch (err) {
      logger.warn('could not list the holders of the reviewer roles', { error: err });
      return `I could not list who holds ${this.reviewerRoleNames().join(', ')}: ${(err as Error).message} Forward a global admin the consent link ${config.adminConsentLink} and steps 6 to 9 below, and click Check again once they have granted consent.`;
    }
    if (reviewers.length === 0) {
      return `Microsoft Graph lists no user holding ${this.reviewerRoleNames().join(', ')} in your tenant, so I could not send the request. Forward a global admin the consent link ${config.adminConsentLink} and steps 6 to 9 below.`;
    }
    return reviewers;
  }

  async sendRequest(
    context: TurnContext,
    connector: Connector,
    addressees: ConsentAddressees,
    requester: { id: string; name: string },
    cardActivityId?: string,
  ): Promise<HandoverResult> {
    const { logger, config } = this.deps;
    const forward = `forward them the consent link ${config.adminConsentLink} and steps 6 to 9 below`;
    const reviewers = await this.reviewersFor(connector, addressees);
    if (typeof reviewers === 'string')
      return this.unsent(connector, requester, context, cardActivityId, reviewers);
    const { request, deliveries } = await openAndDeliver(
      this.deps,
      context,
      connector,
      reviewers,
      addressees.kind === 'roles' ? this.reviewerRoleNames() : [],
      {
        ...requester,
        // The full id, as conversation tracking records it, so the reference is found again.
        conversationId: context.activity.conversation.id,
        cardActivityId,
      },
    );
    const dates = readerDates(context, logger);
    const sentences = handoverSentences(deliveries, request, {
      now: dates.dateTime(this.deps.clock.now()),
      expires: dates.dateTime(request.expiresAt),
      forward,
      link: config.adminConsentLink,
    });
    const delivery = handoverDelivery(deliveries);
    logger.info('consent request handed over', { connectorId: connector.id, delivery: delivery ?? 'none' });
    const single = request.reviewers.length === 1 ? request.reviewers[0] : undefined;
    const updated = await this.deps.lifecycle.recordConsentRequest(
      connector,
      {
        requestedFrom: request.reviewers.map(reviewerLabel).join(', '),
        requestedFromId: single?.id,
        requestedFromUpn: single?.upn,
        requestedBy: requester.id,
        requesterConversationId: context.activity.conversation.id,
        requesterCardActivityId: cardActivityId,
        requestId: request.id,
        delivery,
      },
      requester,
    );
    return { delivery, detail: sentences.join(' '), connector: updated };
  }

  /**
   * Records a hand-over that reached nobody (no request was opened), so the connector still
   * waits, the requester hears of a later verification, and nothing names anyone as asked.
   */
  private async unsent(
    connector: Connector,
    requester: { id: string; name: string },
    context: TurnContext,
    cardActivityId: string | undefined,
    detail: string,
  ): Promise<HandoverResult> {
    const updated = await this.deps.lifecycle.recordConsentRequest(
      connector,
      {
        requestedBy: requester.id,
        requesterConversationId: context.activity.conversation.id,
        requesterCardActivityId: cardActivityId,
      },
      requester,
    );
    return { delivery: undefined, detail, connector: updated };
  }
}

/**
 * Tells the requester, in the conversation where the wizard ran, that consent is verified. True
 * only when it reached them (their wizard card turned to done, or the news was posted); false
 * when there is no conversation to tell them in, or Teams refused both.
 */
export async function notifyRequester(
  deps: Pick<BotDeps, 'store' | 'logger' | 'messenger'>,
  connector: Connector,
  attachment: Attachment,
  text: string,
): Promise<boolean> {
  const consent = connector.consent;
  if (!consent?.requesterConversationId) return false;
  const record = await deps.store.conversations.get(connector.tenantId, consent.requesterConversationId);
  if (!record) {
    deps.logger.warn(
      'could not tell the requester that consent is verified: their conversation is not known',
      {
        connectorId: connector.id,
      },
    );
    return false;
  }
  let updated = false;
  if (consent.requesterCardActivityId) {
    try {
      await deps.messenger.updateCard(record.reference, consent.requesterCardActivityId, attachment);
      updated = true;
    } catch (err) {
      deps.logger.warn('could not update the wizard card; posting it instead', { error: err });
    }
  }
  // The card itself only when it could not replace the wizard's card; the news either way.
  // Once, without the sender's retries: the turn that verified consent waits for this.
  try {
    await deps.messenger.continueIn(record.reference, async (context) => {
      await context.sendActivity(updated ? text : MessageFactory.attachment(attachment, text));
    });
    return true;
  } catch (err) {
    deps.logger.warn('could not tell the requester that consent is verified', { error: err });
    return updated;
  }
}

/**
 * The consent reminders the scanner sends (the request again to each reviewer, a nudge to the
 * requester) and what an expired request does: the requester is told with Ask again, and every
 * reviewer's card turns to "expired".
 */
export function consentReminderCards(
  deps: Pick<ConsentHandoverDeps, 'config' | 'graph' | 'messenger' | 'store' | 'logger' | 'teamsUserIds'>,
): ConsentReminderCards {
  return {
    toAdmin(connector: Connector, request?: ConsentRequest) {
      return MessageFactory.attachment(
        consentRequestAttachment(
          deps,
          connector,
          request?.requester.name ?? (connector.consent?.requestedBy ? 'A SharePoint admin' : 'An admin'),
          request,
        ),
        mdText`Reminder: the Office 365 Connector ${connector.displayName} is still waiting for admin consent: no decision is recorded, and Microsoft Graph did not show the consent when I checked just now (or could not be asked).`,
      );
    },
    toRequester(connector: Connector, request?: ConsentRequest) {
      const who = request ? reviewerNames(request) : (connector.consent?.requestedFrom ?? 'The global admin');
      return MessageFactory.attachment(
        renderCard(
          messageCard,
          messageCardData({
            title: `Still waiting for admin consent: ${connector.displayName}`,
            text: `${who} ${request && request.reviewers.length > 1 ? 'have' : 'has'} not answered yet (asked ${UTC_DATES.dateTime(connector.consent?.requestedAt)}${request ? `; the request expires on ${UTC_DATES.dateTime(request.expiresAt)}` : ''}), and the consent is not verified: Microsoft Graph did not show it when I checked just now, or could not be asked. Remind them, or forward the consent link ${deps.config.adminConsentLink} to another global admin. If it was granted since, click Check again.`,
            style: 'warning',
            buttons: [consentCheckButton(connector.id)],
          }),
        ),
      );
    },
    async expired(request: ConsentRequest) {
      await updateReviewerCards(deps, request);
      return tellRequester(
        deps,
        request,
        mdText`Your consent request for ${request.connectorName} expired without a decision.`,
        closedForRequesterAttachment(request),
      );
    },
  };
}
