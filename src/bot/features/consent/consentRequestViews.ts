import type { ConsentHandledCardData } from '../../../cards/consentCards';
import { markdown, md } from '../../../cards/markdown';
import { reviewerNames, type ConsentRequest } from '../../../connectors/consentRequest';
import { UTC_DATES, type DateFormatter } from '../../../util/dates';
import { forwardFacts, reportFacts } from './consentRequestCard';

/** What the person looking at a consent request card may do with it, beside reading it. */
export interface RequestViewer {
  /** The requester's Check again on an open request. */
  checkAgain: boolean;
  /** The requester's Ask again on a closed request that is still the connector's latest. */
  askAgain: boolean;
}

/** A card seen by everyone (a proactive update): no person's own buttons. */
export const ANYONE: RequestViewer = { checkAgain: false, askAgain: false };

type Fact = { title: string; value: string };

function baseFacts(request: ConsentRequest): Fact[] {
  return [
    { title: 'Connector', value: request.connectorName },
    { title: 'Requested by', value: request.requester.name },
    { title: 'Reviewers', value: reviewerNames(request) },
  ];
}

function live(
  request: ConsentRequest,
  view: Pick<ConsentHandledCardData, 'title' | 'text' | 'style' | 'facts'>,
  viewer: RequestViewer,
): ConsentHandledCardData {
  return {
    ...view,
    requestId: request.id,
    connectorId: request.connectorId,
    // Named by the sender, who can look up Teams ids (requestViewerIds); none until then.
    refreshUserIds: [],
    ...viewer,
  };
}

/**
 * A closed request as a card: verified (the only way a request is approved is the Graph consent
 * check), declined with its reason, or expired. The reason is the reviewer's text: it is bound
 * as data and escaped.
 */
export function closedView(
  request: ConsentRequest,
  dates: DateFormatter = UTC_DATES,
  viewer: RequestViewer = ANYONE,
): ConsentHandledCardData {
  const by = request.handledBy;
  const name = by?.name ?? 'a reviewer';
  const facts = [...baseFacts(request), ...forwardFacts(request, dates)];
  // Graph shows that a tenant-wide grant exists, not who made it: an approved request names
  // whose check found it, never a person as the one who granted it.
  if (by) {
    facts.push({
      title: request.state === 'approved' ? 'Checked' : 'Handled',
      value: `by ${by.name} on ${dates.dateTime(by.at)}`,
    });
  }
  if (request.state === 'approved') {
    return live(
      request,
      {
        title: 'Consent verified with Microsoft Graph',
        text: md`Consent verified with Microsoft Graph on ${dates.dateTime(by?.at)}, when ${name} checked: admin consent for **${request.connectorName}** is granted. Nothing more to do.`,
        style: 'good',
        facts,
      },
      { ...viewer, checkAgain: false, askAgain: false },
    );
  }
  if (request.state === 'declined') {
    return live(
      request,
      {
        title: `Handled by ${name}: declined`,
        text: md`Declined by ${name} on ${dates.dateTime(by?.at)}: ${request.reason ?? ''}`,
        style: 'attention',
        facts: [...facts, { title: 'Reason', value: request.reason ?? '' }],
      },
      { ...viewer, checkAgain: false },
    );
  }
  if (request.state === 'withdrawn') {
    return live(
      request,
      {
        title: 'Withdrawn: the connector was deleted',
        text: md`**${request.connectorName}** was deleted from this bot, so there is nothing left to consent to. Nothing needs doing here.`,
        style: 'default',
        facts,
      },
      { ...viewer, checkAgain: false, askAgain: false },
    );
  }
  if (request.state === 'superseded') {
    return live(
      request,
      {
        title: 'Replaced by a newer request',
        text: md`The consent for **${request.connectorName}** was handed over again, so this request no longer decides anything. The newer request went to its reviewers separately.`,
        style: 'default',
        facts,
      },
      { ...viewer, checkAgain: false, askAgain: false },
    );
  }
  return live(
    request,
    {
      title: 'Expired without a decision',
      text: md`Expired on ${dates.dateTime(request.expiresAt)}: nobody decided on the admin consent for **${request.connectorName}** before the deadline. ${markdown(viewer.askAgain ? 'You can ask again.' : 'The person who asked can ask again.')}`,
      style: 'warning',
      facts,
    },
    { ...viewer, checkAgain: false },
  );
}

/**
 * An open request for someone who cannot decide on it: who it waits for, what happened so far
 * (forwards, a reported grant Graph did not confirm), and no button that changes anything but
 * the requester's Check again.
 */
export function waitingView(
  request: ConsentRequest,
  dates: DateFormatter,
  viewer: RequestViewer,
): ConsentHandledCardData {
  return live(
    request,
    {
      title: `Waiting for ${reviewerNames(request)}`,
      text: md`${request.requester.name} asked on ${dates.dateTime(request.createdAt)} for admin consent for **${request.connectorName}**. Only the reviewers can decide on it here; the request expires on ${dates.dateTime(request.expiresAt)}.`,
      style: 'accent',
      facts: [
        ...baseFacts(request),
        ...forwardFacts(request, dates),
        ...reportFacts(request, dates),
        { title: 'Expires', value: dates.dateTime(request.expiresAt) },
      ],
    },
    { ...viewer, askAgain: false },
  );
}

/**
 * An open request the connector no longer waits on: a later hand-over (reauthorize) sent a new
 * one. Deciding on this one would not change the connector.
 */
export function replacedView(
  request: ConsentRequest,
  requestedAt: string,
  dates: DateFormatter,
): ConsentHandledCardData {
  return live(
    request,
    {
      title: 'Replaced by a newer request',
      text: md`A newer consent request for **${request.connectorName}** was sent on ${dates.dateTime(requestedAt)}; this one no longer decides anything. Type consents to see it.`,
      style: 'default',
      facts: baseFacts(request),
    },
    ANYONE,
  );
}

/** The request's connector is gone: deleted by whom and when (the audit log), when known. */
export function deletedView(
  request: ConsentRequest,
  deleted: { by: string; at: string } | undefined,
  dates: DateFormatter,
): ConsentHandledCardData {
  return {
    title: `Connector deleted: ${request.connectorName}`,
    text: deleted
      ? md`**${request.connectorName}** was deleted by ${deleted.by} on ${dates.dateTime(deleted.at)}, so this consent request no longer applies.`
      : md`**${request.connectorName}** is no longer in this tenant, so this consent request no longer applies.`,
    style: 'warning',
    facts: baseFacts(request),
    requestId: '',
    connectorId: request.connectorId,
    refreshUserIds: [],
    checkAgain: false,
    askAgain: false,
  };
}
