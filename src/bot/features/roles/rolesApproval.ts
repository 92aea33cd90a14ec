import { randomUUID } from 'node:crypto';
import type { Attachment, TurnContext } from 'botbuilder';
import { renderCard } from '../../../cards/render';
import { rolesApprovalCard, type RolesApprovalCardData } from '../../../cards/rolesCards';
import type { DirectoryPerson } from '../../../dialogs/flows/consentPort';
import { isGraphError } from '../../../graph/errors';
import { APPROVER_NOTE } from '../../../directoryRoles/accountCheck';
import {
  assignerRole,
  requirementAssigning,
  targetKindLabel,
  type DirectoryRole,
  type TargetKind,
} from '../../../directoryRoles/requirements';
import { personalFailureText, postWithMention, sendPersonalCardOutcome } from '../consent/personalCards';
import { replaceCard } from '../../cardReplies';
import { actorOf, conversationTypeOf, tenantIdOf } from '../../turnInfo';
import { durationText, type RoleOutcome } from './roleAssignment';
import { auditTurn } from '../../turnAudit';
import { str, type RolesShared } from './rolesShared';
import { UTC_DATES } from '../../../util/dates';
import { md, mdText } from '../../../cards/markdown';

/** A request for a global admin to approve roles, kept in bot state until it is decided. */
export interface ApprovalRequest {
  id: string;
  tenantId: string;
  kind: TargetKind;
  account: { id: string; upn: string; name: string };
  roles: DirectoryRole[];
  requester: { id: string; name: string };
  /** Where the requester asked: they are told there when the admin decides. */
  requesterConversationId: string;
  approver: { id: string; name: string; upn: string };
  createdAt: string;
  status: 'pending' | 'deciding' | 'decided';
  /** When a decision claimed the request; a claim older than {@link DECISION_LEASE_MS} died with its process. */
  claimedAt?: string;
  decidedAt?: string;
  outcomes?: RoleOutcome[];
  eTag?: string;
}

/**
 * How long a decision may hold its claim. Assigning a few roles takes seconds; a claim older than
 * this was left by a process that stopped (a crash, a restart) before it finished, so the admin
 * may decide again. Assigning is idempotent (roles already held are skipped).
 */
export const DECISION_LEASE_MS = 10 * 60 * 1000;

/**
 * When a request may no longer be approved: CONSENT_REQUEST_DAYS after it was sent, the same window
 * as a consent request. The account and its roles were checked when it was sent; after that long
 * the requester asks again, so that they are checked afresh. Declining stays possible.
 */
export function approvalExpiresAt(request: Pick<ApprovalRequest, 'createdAt'>, days: number): Date {
  return new Date(Date.parse(request.createdAt) + days * 24 * 60 * 60 * 1000);
}

const STATE_PREFIX = 'roles-approval';
export const approvalKey = (tenantId: string, id: string) => `${STATE_PREFIX}/${tenantId}/${id}`;

/** Decision input ids carry the role template id. */
export const decisionId = (role: DirectoryRole) => `decision-${role.id}`;

/** The global admin the asker picked, confirmed with Graph to be one. */
const resolveApprover = async (
  shared: RolesShared,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<DirectoryPerson | string> => {
  const { directory } = shared;
  const tenantId = tenantIdOf(context);
  const pickedId = str(data.approverId, 64);
  const typedUpn = str(data.approverUpn);
  if (pickedId) {
    const admins = await shared.globalAdmins.listGlobalAdmins(tenantId);
    const admin = admins.find((a) => a.id === pickedId);
    return admin ?? 'The person you chose is not a global admin of this tenant. Nothing was sent.';
  }
  if (typedUpn) {
    const person = await directory.account(tenantId, typedUpn);
    if (!person) return `There is no account ${typedUpn} in this tenant. Nothing was sent.`;
    if (!assignerRole(person.roleIds)) {
      return `${person.upn} is neither a Global Administrator nor a Privileged Role Administrator, so they cannot approve roles. Nothing was sent.`;
    }
    return { id: person.id, name: person.displayName, upn: person.upn };
  }
  return 'Choose the global admin who approves. Nothing was sent.';
};

/** The approval card's data: who asks, for which account and target, and each role with why. */
function approvalCardData(
  shared: RolesShared,
  request: ApprovalRequest,
  askerName: string,
  approverIds: string[],
): RolesApprovalCardData {
  return {
    requestId: request.id,
    title: `Approve directory roles for ${request.account.name}`,
    text: md`${askerName} asks you, as a global admin, to approve Microsoft Entra roles for **${request.account.upn}**, the admin account of a ${targetKindLabel(request.kind)} target connection. Approve or decline each role.`,
    facts: [
      { title: 'Requested by', value: askerName },
      { title: 'Admin account', value: `${request.account.name} (${request.account.upn})` },
      { title: 'Target', value: targetKindLabel(request.kind) },
      { title: 'Tenant', value: request.tenantId },
      { title: 'Requested', value: UTC_DATES.dateTime(request.createdAt) },
      {
        title: 'Answer by',
        value: `${UTC_DATES.dateTime(approvalExpiresAt(request, shared.config.consentRequestDays).toISOString())} (CONSENT_REQUEST_DAYS); later the requester asks again`,
      },
      { title: 'Duration', value: `${durationText(shared, UTC_DATES)} (time-bound, ROLE_ASSIGNMENT_DAYS)` },
    ],
    roles: request.roles.map((role) => ({
      inputId: decisionId(role),
      label: role.name,
      why: whyOf(request.kind, role),
    })),
    note: APPROVER_NOTE,
    // No userIds when the bot has not seen the approver in Teams yet: in their 1:1 (the usual
    // delivery) Teams then refreshes the card for its one member (src/cards/universalActions.ts).
    refresh: {
      verb: ROLES_APPROVAL_REFRESH_VERB,
      userIds: approverIds.length > 0 ? approverIds : undefined,
    },
  };
}

/** The approver's Teams user id (`29:…`) when the bot has seen them, for the card's refresh. */
const approverTeamsIds = (shared: RolesShared, request: ApprovalRequest) =>
  shared.teamsUserIds.lookup(request.tenantId, [request.approver.id]);

/** The card a global admin approves roles on, for a request still open. */
export const approvalCard = async (shared: RolesShared, request: ApprovalRequest) =>
  renderCard(
    rolesApprovalCard,
    approvalCardData(shared, request, request.requester.name, await approverTeamsIds(shared, request)),
  );

/** The verb of a roles approval card's refresh (src/bot/features/roles/rolesApprovalView.ts). */
export const ROLES_APPROVAL_REFRESH_VERB = 'rolesApprovalView';

/**
 * Sends the card to the approver in 1:1 (installing the bot for them if needed), else posts it
 * here with an @mention. In the asker's own 1:1 chat with the bot a mention reaches nobody, so
 * then nothing is posted and the asker is told the request has not reached the approver, and why.
 */
async function deliverApproval(
  shared: RolesShared,
  context: TurnContext,
  request: ApprovalRequest,
  card: Attachment,
): Promise<{
  delivery: 'direct' | 'installed' | 'mention' | 'not delivered';
  detail: string;
  reached: boolean;
}> {
  const { approver, requester } = request;
  const outcome = await sendPersonalCardOutcome(
    shared,
    context,
    request.tenantId,
    approver.id,
    card,
    'role approval request',
  );
  if ('delivery' in outcome) {
    return {
      delivery: outcome.delivery,
      reached: true,
      detail: `I sent the request to ${approver.name} in a 1:1 chat${outcome.delivery === 'installed' ? ' (I installed myself for them first)' : ''}. I will tell you here when they decide.`,
    };
  }
  const why = personalFailureText(outcome.failure);
  if (conversationTypeOf(context) === 'personal') {
    shared.logger.info(
      'role approval request not delivered: no 1:1 chat with the approver, asked in a personal chat',
      {
        requestId: request.id,
        failure: outcome.failure.kind,
      },
    );
    return {
      delivery: 'not delivered',
      reached: false,
      detail: `The request has not reached ${approver.name}: I could not send it to them in a 1:1 chat (${why}), and an @mention in this chat would reach nobody but you. Ask for the roles from a channel or group chat ${approver.name} is in, or ask them to assign the roles in the Microsoft Entra admin center.`,
    };
  }
  await postWithMention(
    context,
    { id: approver.id, name: approver.name },
    card,
    mdText`${requester.name} asks you to approve directory roles for ${request.account.upn}.`,
  );
  return {
    delivery: 'mention',
    reached: true,
    detail: `I could not reach ${approver.name} in a 1:1 chat (${why}), so I posted the request here with an @mention. I will tell you here when they decide.`,
  };
}

/** The global admin the asker chose, or undefined once the asker was told why it cannot be them. */
async function approverOf(
  shared: RolesShared,
  context: TurnContext,
  data: Record<string, unknown>,
  askerObjectId: string | undefined,
): Promise<(DirectoryPerson & { id: string }) | undefined> {
  let approver: DirectoryPerson | string;
  try {
    approver = await resolveApprover(shared, context, data);
  } catch (err) {
    if (!isGraphError(err)) throw err;
    await context.sendActivity(mdText`I could not confirm the global admin: ${err.message}`);
    return undefined;
  }
  if (typeof approver === 'string') {
    await context.sendActivity(approver);
    return undefined;
  }
  if (!approver.id || approver.id === askerObjectId) {
    await context.sendActivity('You cannot approve your own request. Choose another global admin.');
    return undefined;
  }
  return { ...approver, id: approver.id };
}

/** Sends the chosen roles to a global admin to approve, and tells the asker where it went. */
export const requestApproval = async (
  shared: RolesShared,
  context: TurnContext,
  data: Record<string, unknown>,
  what: {
    kind: TargetKind;
    account: { id: string; upn: string; displayName: string };
    roles: DirectoryRole[];
  },
) => {
  const { store, clock, logger, message } = shared;
  const tenantId = tenantIdOf(context);
  const asker = actorOf(context);
  const approver = await approverOf(shared, context, data, asker.aadObjectId);
  if (!approver) return;
  const request: ApprovalRequest = {
    id: randomUUID(),
    tenantId,
    kind: what.kind,
    account: { id: what.account.id, upn: what.account.upn, name: what.account.displayName },
    roles: what.roles,
    requester: { id: asker.id, name: asker.name },
    requesterConversationId: context.activity.conversation.id,
    approver: { id: approver.id, name: approver.name, upn: approver.upn },
    createdAt: clock.now().toISOString(),
    status: 'pending',
  };
  await store.state.write({ [approvalKey(tenantId, request.id)]: { ...request, eTag: '*' } });
  const card = renderCard(
    rolesApprovalCard,
    approvalCardData(shared, request, asker.name, await approverTeamsIds(shared, request)),
  );
  const { delivery, detail, reached } = await deliverApproval(shared, context, request, card);
  await auditTurn(shared, context, 'roles.approval-requested', {
    requestId: request.id,
    kind: request.kind,
    accountId: request.account.id,
    accountUpn: request.account.upn,
    roles: request.roles.map((r) => r.name),
    approverId: approver.id,
    delivery,
  });
  await replaceCard(
    context,
    reached
      ? message(`Roles for ${request.account.name} sent for approval`, detail, 'accent', {
          facts: request.roles.map((r) => ({ title: r.name, value: 'waiting for approval' })),
        })
      : message(`Roles for ${request.account.name}: not sent for approval`, detail, 'warning', {
          facts: request.roles.map((r) => ({
            title: r.name,
            value: 'not assigned; the approver was not reached',
          })),
        }),
    logger,
  );
};

const whyOf = (kind: TargetKind, role: DirectoryRole): string => {
  const requirement = requirementAssigning(kind, role.id);
  return requirement ? `Needed to ${requirement.purpose}. ${requirement.why}` : role.name;
};
