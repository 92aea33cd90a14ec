import { MessageFactory, type TurnContext } from 'botbuilder';
import {
  consentListCard,
  type ConsentListAction,
  type ConsentListCardData,
} from '../../../cards/consentCards';
import { readerDates } from '../../../util/readerDates';
import { renderCard } from '../../../cards/render';
import { CONSENT_VERBS } from '../../../cards/verbs';
import {
  consentRequestAgeDays,
  reviewerNames,
  type ConsentRequest,
} from '../../../connectors/consentRequest';
import type { DateFormatter } from '../../../util/dates';
import { clickerUpn } from './consentAddressee';
import { reviewsOpenRequest } from './consentAuthorization';
import type { ConsentRequestDeps } from './consentRequests';
import { actorOf, tenantIdOf } from '../../turnInfo';

/** Rows the list shows; Teams limits a card to about 28 KB. */
export const CONSENT_LIST_MAX = 15;

type Row = ConsentListCardData['rows'][number];

function action(
  title: string,
  verb: string,
  request: ConsentRequest,
  style: ConsentListAction['style'] = 'default',
): ConsentListAction {
  return {
    title,
    style,
    verb,
    command: '',
    args: request.connectorId,
    connectorId: request.connectorId,
    requestId: request.id,
  };
}

function stateText(request: ConsentRequest, dates: DateFormatter): string {
  if (request.state === 'open') return `open until ${dates.dateTime(request.expiresAt)}`;
  if (request.state === 'declined') return `declined by ${request.handledBy?.name ?? 'a reviewer'}`;
  return `expired on ${dates.dateTime(request.expiresAt)} without a decision`;
}

function ageText(days: number): string {
  return days === 0 ? 'asked today' : days === 1 ? '1 day' : `${days} days`;
}

/** The person looking at the list: their object id, and their UPN, asked at most once. */
interface ListViewer {
  objectId: string;
  upn(): Promise<string | undefined>;
}

function listViewer(context: TurnContext, deps: ConsentRequestDeps): ListViewer {
  // Asked once, and only when a request still waits for a reviewer known by UPN alone.
  let upn: Promise<string | undefined> | undefined;
  return {
    objectId: actorOf(context).aadObjectId ?? '',
    upn: () => (upn ??= clickerUpn(context, deps.graph, deps.logger)),
  };
}

/** The buttons of one row: Review for a reviewer, Check again or Ask again for the requester. */
async function rowActions(
  request: ConsentRequest,
  viewer: ListViewer,
  newest: boolean,
): Promise<ConsentListAction[]> {
  const actions: ConsentListAction[] = [];
  if (await reviewsOpenRequest(request, viewer.objectId, viewer.upn))
    actions.push(action(`Review ${request.connectorName}`, CONSENT_VERBS.review, request, 'positive'));
  const asked = !!viewer.objectId && request.requester.id === viewer.objectId;
  if (asked && newest && request.state === 'open')
    actions.push(action(`Check again: ${request.connectorName}`, CONSENT_VERBS.check, request));
  if (asked && newest && request.state !== 'open')
    actions.push(action(`Ask again: ${request.connectorName}`, CONSENT_VERBS.askAgain, request, 'positive'));
  return actions;
}

/** Who asked, who reviews, how old; roles, forwards and a decline's reason when there are any. */
function rowFacts(request: ConsentRequest, dates: DateFormatter, now: Date): Row['facts'] {
  const facts = [
    { title: 'Asked by', value: request.requester.name },
    { title: 'Reviewers', value: reviewerNames(request) },
    {
      title: 'Age',
      value: `${ageText(consentRequestAgeDays(request, now))} (asked ${dates.dateTime(request.createdAt)})`,
    },
  ];
  if (request.roles.length > 0) facts.push({ title: 'Roles', value: request.roles.join(', ') });
  if (request.forwards.length > 0)
    facts.push({
      title: 'Forwarded',
      value: request.forwards.map((f) => `${f.from.name} to ${f.to.name}`).join('; '),
    });
  if (request.reason && request.state === 'declined') facts.push({ title: 'Reason', value: request.reason });
  return facts;
}

/** The line above the rows: how many, and whether this viewer may act on any. */
function listSummary(rows: Row[], listed: number): string {
  if (rows.length === 0) return 'No open, declined or expired consent requests in this tenant.';
  const canAct = rows.some((r) => r.actions.length > 0);
  return `${rows.length === 1 ? '1 request' : `${rows.length} requests`}, newest first${listed === CONSENT_LIST_MAX ? ` (the ${CONSENT_LIST_MAX} newest)` : ''}. ${
    canAct
      ? 'Buttons show where you review a request or asked for it.'
      : 'You neither review nor asked for any of them, so the list is read-only for you.'
  }`;
}

/**
 * The `consents` list: the tenant's open, declined and expired consent requests, newest first,
 * with who asked, who reviews and how old each is. Actions only for the people they are for:
 * Review for a reviewer of an open request, Check again or Ask again for the person who asked
 * (on the newest request of a connector); everyone else reads.
 */
export async function showConsents(context: TurnContext, deps: ConsentRequestDeps): Promise<void> {
  const dates = readerDates(context, deps.logger);
  const requests = await deps.store.consentRequests.listByTenant(tenantIdOf(context), {
    states: ['open', 'declined', 'expired'],
    limit: CONSENT_LIST_MAX,
  });
  const now = deps.clock.now();
  const viewer = listViewer(context, deps);
  const newestPerConnector = new Set<string>();
  const rows: Row[] = [];
  for (const request of requests) {
    const newest = !newestPerConnector.has(request.connectorId);
    newestPerConnector.add(request.connectorId);
    rows.push({
      connectorName: request.connectorName,
      stateText: stateText(request, dates),
      color: request.state === 'open' ? 'Accent' : 'Attention',
      facts: rowFacts(request, dates, now),
      actions: await rowActions(request, viewer, newest),
    });
  }
  await context.sendActivity(
    MessageFactory.attachment(
      renderCard(consentListCard, {
        title: 'Consent requests',
        summary: listSummary(rows, requests.length),
        rows,
      }),
    ),
  );
}
