import { mdText } from '../../../cards/markdown';
import { MessageFactory, type Attachment, type TurnContext } from 'botbuilder';
import { isGraphError } from '../../../graph/errors';
import { StoreUnavailableError } from '../../../connectors/ports';
import type { DirectoryRole } from '../../../directoryRoles/requirements';
import { replaceCard } from '../../cardReplies';
import { actorOf, tenantIdOf } from '../../turnInfo';
import { assignRoles, permanentFallbackOf, resultsCard, type RoleOutcome } from './roleAssignment';
import {
  approvalExpiresAt,
  approvalKey,
  decisionId,
  DECISION_LEASE_MS,
  type ApprovalRequest,
} from './rolesApproval';
import { auditTurn } from '../../turnAudit';
import { ROLES_VERBS, str, type RolesShared } from './rolesShared';
import { readerDates } from '../../../util/readerDates';
import { recordVerb, type CardVerbs } from '../../cardVerbs';

/** Loads an approval request of this tenant for the clicker, who must be the addressed admin. */
const loadRequest = async (shared: RolesShared, context: TurnContext, data: Record<string, unknown>) => {
  const { store, logger } = shared;
  const tenantId = tenantIdOf(context);
  const id = str(data.requestId, 64);
  const items = id ? await store.state.read([approvalKey(tenantId, id)]) : {};
  const request = items[approvalKey(tenantId, id)] as ApprovalRequest | undefined;
  if (!request) {
    await context.sendActivity('That role request does not exist in this tenant. Nothing was changed.');
    return undefined;
  }
  const actor = actorOf(context);
  if (actor.id !== request.approver.id) {
    logger.warn('role approval clicked by someone it was not sent to', { requestId: request.id });
    await context.sendActivity(
      mdText`Only ${request.approver.name} can decide this request. Nothing was changed.`,
    );
    return undefined;
  }
  if (request.status === 'deciding') {
    const claimed = request.claimedAt ? new Date(request.claimedAt).getTime() : 0;
    if (shared.clock.now().getTime() - claimed < DECISION_LEASE_MS) {
      await context.sendActivity(
        `This request is being decided right now (since ${readerDates(context, logger).dateTime(request.claimedAt)}). Nothing was changed.`,
      );
      return undefined;
    }
    // The decision that claimed it never finished (the process stopped): it is offered again.
    logger.info('resuming a role decision that was interrupted', {
      requestId: request.id,
      claimedAt: request.claimedAt,
    });
    return request;
  }
  if (request.status !== 'pending') {
    await context.sendActivity(
      `This request was already decided${request.decidedAt ? ` on ${readerDates(context, logger).dateTime(request.decidedAt)}` : ''}. Nothing was changed.`,
    );
    return undefined;
  }
  return request;
};

/** Tells the requester, in the conversation where they asked, what the admin decided. */
const tellRequester = async (
  shared: RolesShared,
  request: ApprovalRequest,
  attachment: Attachment,
  text: string,
) => {
  const { store, logger, messenger } = shared;
  const record = await store.conversations.get(request.tenantId, request.requesterConversationId);
  if (!record) return;
  // Once, without the sender's retries: the turn that decided waits for this.
  try {
    await messenger.continueIn(record.reference, async (ctx) => {
      await ctx.sendActivity(MessageFactory.attachment(attachment, text));
    });
  } catch (err) {
    logger.warn('could not tell the requester about the role decision', { error: err });
  }
};

type Decision = { role: ApprovalRequest['roles'][number]; approve: boolean; decided: boolean };

/** Whether the approver still holds a role that may assign roles; answers when not. */
async function mayStillAssign(shared: RolesShared, context: TurnContext): Promise<boolean> {
  let assigner: DirectoryRole | undefined;
  try {
    assigner = await shared.askerAssigner(context);
  } catch (err) {
    if (!isGraphError(err)) throw err;
    await context.sendActivity(mdText`I could not confirm your roles: ${err.message} Nothing was changed.`);
    return false;
  }
  if (!assigner) {
    await context.sendActivity(
      'Your direct role assignments no longer show Global Administrator or Privileged Role Administrator, so you cannot approve roles. Nothing was changed.',
    );
    return false;
  }
  return true;
}

/** Claims the request, so that a second click (or a second replica) cannot decide it again. */
async function claimRequest(
  shared: RolesShared,
  context: TurnContext,
  request: ApprovalRequest,
): Promise<boolean> {
  try {
    await shared.store.state.write({
      [approvalKey(request.tenantId, request.id)]: {
        ...request,
        status: 'deciding',
        claimedAt: shared.clock.now().toISOString(),
      },
    });
    return true;
  } catch (err) {
    // An outage is not someone else's claim: the turn's error handler says storage is down.
    if (err instanceof StoreUnavailableError) throw err;
    await context.sendActivity('This request is being decided already. Nothing was changed.');
    return false;
  }
}

/** Assigns the approved roles and audits the declined ones; gives the claim back if that fails. */
async function carryOut(
  shared: RolesShared,
  context: TurnContext,
  request: ApprovalRequest,
  decisions: Decision[],
  data: Record<string, unknown>,
  stored: Omit<ApprovalRequest, 'eTag'>,
): Promise<RoleOutcome[]> {
  const approver = actorOf(context);
  const base = { requestId: request.id, kind: request.kind, requestedBy: request.requester.id };
  const approved = decisions.filter((d) => d.approve).map((d) => d.role);
  const outcomes: RoleOutcome[] = [];
  try {
    if (approved.length > 0) {
      const assigned = await assignRoles(
        shared,
        context,
        request.account,
        approved,
        { ...base, approvedBy: approver.id },
        { kind: request.kind, permanentFallback: permanentFallbackOf(data) },
      );
      outcomes.push(...assigned);
    }
    for (const d of decisions.filter((x) => !x.approve)) {
      outcomes.push({ role: d.role, result: 'declined', detail: `by ${approver.name}` });
      await auditTurn(shared, context, 'role.declined', {
        ...base,
        accountId: request.account.id,
        accountUpn: request.account.upn,
        roleId: d.role.id,
        roleName: d.role.name,
      });
    }
  } catch (err) {
    // Give the claim back so that the admin can decide again; what was assigned is audited.
    await shared.store.state.write({ [approvalKey(request.tenantId, request.id)]: { ...stored, eTag: '*' } });
    throw err;
  }
  return outcomes;
}

/** Records the decision, shows it on the admin's card and tells the requester. */
async function reportDecision(
  shared: RolesShared,
  context: TurnContext,
  request: ApprovalRequest,
  stored: Omit<ApprovalRequest, 'eTag'>,
  outcomes: RoleOutcome[],
  approvedCount: number,
): Promise<void> {
  const decidedAt = shared.clock.now().toISOString();
  await shared.store.state.write({
    [approvalKey(request.tenantId, request.id)]: {
      ...stored,
      status: 'decided',
      decidedAt,
      outcomes,
      eTag: '*',
    },
  });
  const approver = actorOf(context);
  const summary = `${approver.name} ${approvedCount === 0 ? 'declined' : 'decided on'} the roles for ${request.account.upn}.`;
  const card = (title: string) =>
    resultsCard(shared, title, summary, outcomes, request.account, request.kind);
  await replaceCard(context, card(`Your decision on roles for ${request.account.name}`), shared.logger);
  // The card binds the summary as data; the message's own text is markdown, so it is escaped.
  await tellRequester(
    shared,
    request,
    card(`Roles for ${request.account.name}`),
    mdText`${approver.name} ${approvedCount === 0 ? 'declined' : 'decided on'} the roles for ${request.account.upn}.`,
  );
}

/** The approval card's submit: every role approved or declined, then carried out once. */
async function decide(
  shared: RolesShared,
  context: TurnContext,
  data: Record<string, unknown>,
  declineAll: boolean,
): Promise<void> {
  const request = await loadRequest(shared, context, data);
  if (!request) return;
  const decisions: Decision[] = request.roles.map((role) => ({
    role,
    approve: !declineAll && data[decisionId(role)] === 'approve',
    decided: declineAll || data[decisionId(role)] === 'approve' || data[decisionId(role)] === 'decline',
  }));
  if (decisions.some((d) => !d.decided)) {
    await context.sendActivity('Approve or decline every role, then submit again. Nothing was changed yet.');
    return;
  }
  const expires = approvalExpiresAt(request, shared.config.consentRequestDays);
  if (decisions.some((d) => d.approve) && shared.clock.now() >= expires) {
    shared.logger.info('role approval refused: the request is too old', {
      requestId: request.id,
      createdAt: request.createdAt,
    });
    await context.sendActivity(
      mdText`This request was sent on ${readerDates(context, shared.logger).dateTime(request.createdAt)}, more than ${String(shared.config.consentRequestDays)} days ago (CONSENT_REQUEST_DAYS), so it can no longer be approved: ask ${request.requester.name} to send it again, so that ${request.account.upn} and its roles are checked afresh. Nothing was assigned; Decline all still closes it.`,
    );
    return;
  }
  if (decisions.some((d) => d.approve) && !(await mayStillAssign(shared, context))) return;
  if (!(await claimRequest(shared, context, request))) return;
  const { eTag: _etag, claimedAt: _claimed, ...claimless } = request;
  const stored: Omit<ApprovalRequest, 'eTag'> = { ...claimless, status: 'pending' };
  const outcomes = await carryOut(shared, context, request, decisions, data, stored);
  await reportDecision(shared, context, request, stored, outcomes, decisions.filter((d) => d.approve).length);
}

/** The approve and decline buttons of the approval card a global admin got. */
export function rolesDecisionVerbs(shared: RolesShared): CardVerbs {
  return [
    recordVerb(ROLES_VERBS.approve, (context, _state, data) => decide(shared, context, data, false)),
    recordVerb(ROLES_VERBS.decline, (context, _state, data) => decide(shared, context, data, true)),
  ];
}
