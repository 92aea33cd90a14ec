import type { Connector } from '../../../connectors/connector';
import { reviewerNames } from '../../../connectors/consentRequest';
import type { ConsentRequestStore } from '../../../connectors/ports';
import type { DateFormatter } from '../../../util/dates';

/** What `status` says about an Office 365 connector's consent request. */
export interface ConsentStatusView {
  /** The "Admin consent" fact. */
  fact: string;
  /** The alert line of a declined or expired request; '' otherwise. */
  alert: string;
}

/**
 * The "Admin consent" fact and alert from the connector's latest consent request: open (who
 * reviews, until when), declined (by whom, why) or expired, as the request records them.
 */
export async function consentStatusView(
  store: { consentRequests: ConsentRequestStore },
  connector: Connector,
  dates: DateFormatter,
): Promise<ConsentStatusView> {
  const consent = connector.consent;
  if (
    consent?.verifiedAt &&
    connector.status !== 'consent-declined' &&
    connector.status !== 'consent-expired'
  )
    return { fact: `verified ${dates.dateTime(consent.verifiedAt)}`, alert: '' };
  const request = consent?.requestId
    ? await store.consentRequests.get(connector.tenantId, consent.requestId)
    : undefined;
  if (request?.state === 'declined') {
    const by = request.handledBy;
    return {
      fact: `declined by ${by?.name ?? 'a reviewer'} ${dates.dateTime(by?.at)}: ${request.reason ?? ''}`,
      alert: `Admin consent was declined by ${by?.name ?? 'a reviewer'} (reported by the reviewer): ${request.reason ?? ''}. Click Ask again to send the request once more.`,
    };
  }
  if (request?.state === 'expired') {
    return {
      fact: `request expired ${dates.dateTime(request.expiresAt)} without a decision`,
      alert: `The consent request to ${reviewerNames(request)} expired on ${dates.dateTime(request.expiresAt)} without a decision. Click Ask again to send it once more.`,
    };
  }
  if (request?.state === 'open') {
    return {
      fact: `requested from ${reviewerNames(request)} ${dates.dateTime(request.createdAt)}, open until ${dates.dateTime(request.expiresAt)}`,
      alert: '',
    };
  }
  return {
    fact: consent?.requestedFrom
      ? `requested from ${consent.requestedFrom} ${dates.dateTime(consent.requestedAt)}`
      : connector.status === 'awaiting-consent'
        ? 'waiting for a global admin'
        : 'not verified by the bot',
    alert: '',
  };
}
