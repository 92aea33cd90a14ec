/**
 * A consent request: the admin-consent hand-over of one connector as a record with reviewers,
 * a decision, a deadline and a history, like Microsoft Entra's admin consent workflow. Pure: the
 * transitions take the time and the actor and return a new record or the reason they refuse.
 */

/**
 * Where a request is: waiting, or closed by a decision, by its deadline, or by a newer request
 * for the same connector (`superseded`: a reauthorization or Ask again handed it over anew), or
 * whose connector was deleted (`withdrawn`).
 */
export type ConsentRequestState = 'open' | 'approved' | 'declined' | 'expired' | 'superseded' | 'withdrawn';

export {
  GLOBAL_ADMIN_REVIEWER_ROLE,
  OPTIONAL_REVIEWER_ROLES,
  reviewerRoleByName,
  type ConsentReviewerRole,
} from '../config/consentReviewerRoles';

/** Someone a request is addressed to. */
export interface ConsentReviewer {
  /** Entra object id; absent while only a typed UPN is known (bound on their first click). */
  id?: string;
  upn?: string;
  name: string;
  /** Named by the requester, holding a reviewer role, or forwarded to by another reviewer. */
  via: 'named' | 'role' | 'forwarded';
  /** The role's name, for `via: 'role'`. */
  role?: string;
}

/** A person, as recorded in the history. */
export interface ConsentActor {
  id: string;
  name: string;
}

/** One forward: a reviewer added another admin. */
export interface ConsentForward {
  from: ConsentActor;
  to: ConsentReviewer;
  at: string;
}

/** The card a reviewer received, so that a decision can update it to "handled by". */
export interface ReviewerCard {
  conversationId: string;
  activityId: string;
}

/**
 * A reviewer said they granted consent, and Microsoft Graph did not confirm it (yet): what the
 * request's cards show until a check passes. Reported, never verified.
 */
export interface ConsentReport {
  by: ConsentActor;
  at: string;
  /** What the Graph check found: consent still missing, or the check could not run. */
  check: 'pending' | 'unavailable';
}

export interface ConsentRequest {
  id: string;
  tenantId: string;
  connectorId: string;
  connectorName: string;
  /** Who asked, and where the wizard ran: they are told the outcome there. */
  requester: ConsentActor & { conversationId?: string; cardActivityId?: string };
  reviewers: ConsentReviewer[];
  /** The roles whose holders were addressed, when the requester chose "everyone holding". */
  roles: string[];
  state: ConsentRequestState;
  /** Why it was declined (required), or what closed it otherwise. */
  reason?: string;
  /** Who decided, and when; for `expired`, the deadline. */
  handledBy?: ConsentActor & { at: string };
  forwards: ConsentForward[];
  /** The latest "I have granted consent" that Graph did not confirm, while the request is open. */
  report?: ConsentReport;
  createdAt: string;
  expiresAt: string;
  cards: ReviewerCard[];
  /** Optimistic-concurrency version; the store refuses a write made from an older read. */
  version: number;
}

/** Why a transition was refused. */
export type ConsentRefusal =
  'NOT_OPEN' | 'NOT_REVIEWER' | 'REASON_REQUIRED' | 'REASON_TOO_LONG' | 'FORWARD_TO_REVIEWER' | 'NOT_DUE';

export type ConsentTransition =
  { ok: true; request: ConsentRequest } | { ok: false; code: ConsentRefusal; message: string };

/** Longest decline reason kept; it is shown on cards. */
export const MAX_REASON = 500;

const DAY_MS = 24 * 60 * 60 * 1000;

function sameUpn(a?: string, b?: string): boolean {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}

function sameReviewer(a: ConsentReviewer, b: ConsentReviewer): boolean {
  return (!!a.id && a.id === b.id) || sameUpn(a.upn, b.upn);
}

/** Reviewers with duplicates (the same id or UPN) dropped, first mention kept: each is asked once. */
export function uniqueReviewers(reviewers: readonly ConsentReviewer[]): ConsentReviewer[] {
  const kept: ConsentReviewer[] = [];
  for (const r of reviewers) if (!kept.some((k) => sameReviewer(k, r))) kept.push(r);
  return kept;
}

/** Opens a request that expires `days` after `now`. */
export function openConsentRequest(
  input: Pick<ConsentRequest, 'id' | 'tenantId' | 'connectorId' | 'connectorName' | 'requester' | 'roles'> & {
    reviewers: ConsentReviewer[];
  },
  now: Date,
  days: number,
): ConsentRequest {
  const reviewers = uniqueReviewers(input.reviewers);
  if (reviewers.length === 0) throw new Error('a consent request needs at least one reviewer');
  return {
    ...input,
    reviewers,
    state: 'open',
    forwards: [],
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + days * DAY_MS).toISOString(),
    cards: [],
    version: 0,
  };
}

/**
 * The reviewer `actor` is, by Entra object id only: a reviewer known by UPN alone must first be
 * bound to an id with {@link bindReviewer}, so a typed UPN never opens the request to anyone.
 */
export function reviewerOf(request: ConsentRequest, actorId: string): ConsentReviewer | undefined {
  return actorId ? request.reviewers.find((r) => r.id === actorId) : undefined;
}

/** Reviewers known only by UPN, waiting for their first click to be bound. */
export function unboundReviewer(request: ConsentRequest, upn: string): ConsentReviewer | undefined {
  return request.reviewers.find((r) => !r.id && sameUpn(r.upn, upn));
}

/**
 * Binds a UPN-only reviewer to the Entra object id the directory (or the Teams roster) reports
 * for that UPN. Unchanged when no reviewer waits for that UPN.
 */
export function bindReviewer(request: ConsentRequest, upn: string, id: string): ConsentRequest {
  if (!id || !unboundReviewer(request, upn)) return request;
  return {
    ...request,
    reviewers: request.reviewers.map((r) => (!r.id && sameUpn(r.upn, upn) ? { ...r, id } : r)),
  };
}

function refuseUnlessActing(request: ConsentRequest, actor: ConsentActor): ConsentTransition | undefined {
  if (request.state !== 'open') {
    return { ok: false, code: 'NOT_OPEN', message: closedMessage(request) };
  }
  if (!reviewerOf(request, actor.id)) {
    return {
      ok: false,
      code: 'NOT_REVIEWER',
      message: `Only the people this consent request was sent to can act on it (${reviewerNames(request)}).`,
    };
  }
  return undefined;
}

/** Consent verified with Microsoft Graph after `actor` granted it: closed for every reviewer. */
export function approveConsentRequest(
  request: ConsentRequest,
  actor: ConsentActor,
  now: Date,
): ConsentTransition {
  const refused = refuseUnlessActing(request, actor);
  if (refused) return refused;
  return { ok: true, request: close(request, 'approved', actor, now) };
}

/**
 * Consent verified with Graph by someone who is not a reviewer (the requester's Check again,
 * `status`): the request is closed as approved, handled by whoever checked, since Graph is the
 * evidence and not the click.
 */
export function closeVerifiedConsentRequest(
  request: ConsentRequest,
  actor: ConsentActor,
  now: Date,
): ConsentTransition {
  if (request.state !== 'open') return { ok: false, code: 'NOT_OPEN', message: closedMessage(request) };
  return { ok: true, request: close(request, 'approved', actor, now) };
}

/** Declined by a reviewer, with the reason the requester will read. */
export function declineConsentRequest(
  request: ConsentRequest,
  actor: ConsentActor,
  reason: string,
  now: Date,
): ConsentTransition {
  const refused = refuseUnlessActing(request, actor);
  if (refused) return refused;
  const text = reason.trim();
  if (!text) {
    return {
      ok: false,
      code: 'REASON_REQUIRED',
      message: 'Type a reason to decline: the person who asked reads it.',
    };
  }
  if (text.length > MAX_REASON) {
    return {
      ok: false,
      code: 'REASON_TOO_LONG',
      message: `A reason can have at most ${MAX_REASON} characters.`,
    };
  }
  return { ok: true, request: { ...close(request, 'declined', actor, now), reason: text } };
}

/** A reviewer forwards the request to another admin, who becomes a reviewer; it stays open. */
export function forwardConsentRequest(
  request: ConsentRequest,
  actor: ConsentActor,
  to: Omit<ConsentReviewer, 'via' | 'role'>,
  now: Date,
): ConsentTransition {
  const refused = refuseUnlessActing(request, actor);
  if (refused) return refused;
  const target: ConsentReviewer = { ...to, via: 'forwarded' };
  if (request.reviewers.some((r) => sameReviewer(r, target))) {
    return {
      ok: false,
      code: 'FORWARD_TO_REVIEWER',
      message: `${to.name} already reviews this request.`,
    };
  }
  return {
    ok: true,
    request: {
      ...request,
      reviewers: [...request.reviewers, target],
      forwards: [...request.forwards, { from: actor, to: target, at: now.toISOString() }],
    },
  };
}

/**
 * A reviewer reported granting consent and the Graph check did not confirm it: the request
 * stays open (Graph is the evidence, not the click) and remembers who said so, when, and what
 * the check found.
 */
export function reportConsentGranted(
  request: ConsentRequest,
  actor: ConsentActor,
  check: ConsentReport['check'],
  now: Date,
): ConsentTransition {
  const refused = refuseUnlessActing(request, actor);
  if (refused) return refused;
  return { ok: true, request: { ...request, report: { by: actor, at: now.toISOString(), check } } };
}

/** True when an open request has reached its deadline. */
export function isConsentRequestDue(request: ConsentRequest, now: Date): boolean {
  return request.state === 'open' && now.getTime() >= new Date(request.expiresAt).getTime();
}

/** The deadline passed without a decision. */
export function expireConsentRequest(request: ConsentRequest, now: Date): ConsentTransition {
  if (request.state !== 'open') return { ok: false, code: 'NOT_OPEN', message: closedMessage(request) };
  if (!isConsentRequestDue(request, now)) {
    return { ok: false, code: 'NOT_DUE', message: `The request runs until ${request.expiresAt}.` };
  }
  return {
    ok: true,
    request: {
      ...request,
      state: 'expired',
      reason: 'no reviewer decided before the deadline',
      handledBy: undefined,
    },
  };
}

/**
 * A newer request for the same connector was opened: this one no longer decides anything and
 * never expires into "no decision" news. `replacedBy` is the newer request's id.
 */
export function supersedeConsentRequest(
  request: ConsentRequest,
  replacedBy: string,
  now: Date,
): ConsentTransition {
  return closeUndecided(
    request,
    'superseded',
    `replaced by a newer consent request (${replacedBy}) on ${now.toISOString()}`,
  );
}

/** An open request closed with nobody's decision (replaced, or its connector gone). */
function closeUndecided(
  request: ConsentRequest,
  state: 'superseded' | 'withdrawn',
  reason: string,
): ConsentTransition {
  if (request.state !== 'open') return { ok: false, code: 'NOT_OPEN', message: closedMessage(request) };
  return { ok: true, request: { ...request, state, reason, handledBy: undefined } };
}

/**
 * Its connector was deleted: there is nothing left to consent to, so the request neither waits
 * for reviewers nor expires into "no decision" news.
 */
export function withdrawConsentRequest(request: ConsentRequest, now: Date): ConsentTransition {
  return closeUndecided(request, 'withdrawn', `its connector was deleted (${now.toISOString()})`);
}

/** What a request whose connector was deleted says to whoever clicks it. */
export const WITHDRAWN_MESSAGE =
  'This consent request was withdrawn: its connector was deleted, so there is nothing left to consent to. Nothing was changed.';

/** Remembers a card sent to a reviewer. */
export function withReviewerCard(request: ConsentRequest, card: ReviewerCard): ConsentRequest {
  return { ...request, cards: [...request.cards, card] };
}

/** Reviewer names for a sentence: "Adele Admin, Bob Boss". */
export function reviewerNames(request: Pick<ConsentRequest, 'reviewers'>): string {
  return request.reviewers.map((r) => r.name).join(', ');
}

/** What a request that is no longer its connector's current one says to whoever clicks it. */
export const REPLACED_MESSAGE =
  'This consent request was replaced by a newer one for the same connector (it was handed over again), so it no longer decides anything. Nothing was changed: use the newest request, or type status with the connector’s name.';

/** What a closed request says to whoever still clicks it. */
export function closedMessage(request: ConsentRequest): string {
  switch (request.state) {
    case 'approved':
      return `This consent request was already handled by ${request.handledBy?.name ?? 'a reviewer'}: consent is verified.`;
    case 'declined':
      return `This consent request was already declined by ${request.handledBy?.name ?? 'a reviewer'}.`;
    case 'expired':
      return `This consent request expired on ${request.expiresAt.slice(0, 10)} (UTC) without a decision.`;
    case 'superseded':
      return REPLACED_MESSAGE;
    case 'withdrawn':
      return WITHDRAWN_MESSAGE;
    default:
      return 'This consent request is still open.';
  }
}

/** Whole days since the request was made (0 on the first day). */
export function consentRequestAgeDays(request: Pick<ConsentRequest, 'createdAt'>, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - new Date(request.createdAt).getTime()) / DAY_MS));
}

function close(
  request: ConsentRequest,
  state: 'approved' | 'declined',
  actor: ConsentActor,
  now: Date,
): ConsentRequest {
  return { ...request, state, handledBy: { ...actor, at: now.toISOString() } };
}
