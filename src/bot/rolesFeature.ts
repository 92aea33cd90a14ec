import { randomUUID } from 'node:crypto';
import { MessageFactory, type Attachment, type TurnContext } from 'botbuilder';
import type { Application, TeamsAdapter, TurnState } from '@microsoft/teams-ai';
import { formatDateTime } from '../cards/format';
import type { TextColor } from '../cards/registryCards';
import { renderCard } from '../cards/render';
import {
  rolesApprovalCard,
  rolesAssignCard,
  rolesCheckCard,
  targetsListCard,
  type RoleRow,
  type RolesCheckCardData,
  type TargetRow,
} from '../cards/rolesCards';
import { commandButton, messageCardData, wizardMessageCard, type BoxStyle } from '../cards/wizardCards';
import { cloudLabel, isMicrosoftCloud } from '../connectors/clouds';
import type { ConsentHandoverPort, DirectoryPerson } from '../dialogs/flows/consentPort';
import { isGraphError } from '../graph/errors';
import {
  APPROVER_NOTE,
  DIRECT_ASSIGNMENTS_NOTE,
  licenceDetail,
  MFA_NOTE,
  parseRolesArgs,
  type AccountFindings,
} from '../roles/accountCheck';
import { checkAdminAccount, RoleDirectory, type AccountCheck } from '../roles/directory';
import {
  assignableRoles,
  assignerRole,
  DEFAULT_TARGET_KIND,
  isTargetKind,
  manualRoles,
  requirementAssigning,
  TARGET_KINDS,
  targetKindLabel,
  type DirectoryRole,
  type RequirementResult,
  type TargetKind,
} from '../roles/requirements';
import type { TargetConnection } from '../store/ports';
import type { CommandRouter } from './commandRouter';
import { postWithMention, sendPersonalCard } from './consentHandover';
import type { BotDeps } from './deps';
import { actorOf, tenantIdOf } from './turnInfo';

/** Card verbs of the roles check, role assignment and approval, and the target connections card. */
export const ROLES_VERBS = {
  check: 'rolesCheck',
  assignOpen: 'rolesAssignOpen',
  assign: 'rolesAssign',
  assignCancel: 'rolesAssignCancel',
  approve: 'rolesApprove',
  decline: 'rolesDecline',
  reverify: 'targetReverify',
  remove: 'targetRemove',
} as const;

export interface RolesFeatureDeps extends BotDeps {
  adapter: TeamsAdapter;
  /** The tenant's Global Administrators, as the consent hand-over lists them. */
  globalAdmins: Pick<ConsentHandoverPort, 'listGlobalAdmins'>;
}

/** A request for a global admin to approve roles, kept in bot state until it is decided. */
interface ApprovalRequest {
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
  decidedAt?: string;
  outcomes?: RoleOutcome[];
  eTag?: string;
}

/** What happened to one role. */
interface RoleOutcome {
  role: DirectoryRole;
  result: 'assigned' | 'already held' | 'failed' | 'not tried' | 'declined';
  detail?: string;
}

const STATE_PREFIX = 'roles-approval';
const approvalKey = (tenantId: string, id: string) => `${STATE_PREFIX}/${tenantId}/${id}`;

const str = (value: unknown, max = 254): string =>
  typeof value === 'string' ? value.trim().slice(0, max) : '';

/** Role toggle and decision input ids carry the role template id. */
const toggleId = (role: DirectoryRole) => `role-${role.id}`;
const decisionId = (role: DirectoryRole) => `decision-${role.id}`;

const KIND_CHOICES = TARGET_KINDS.map((k) => ({ title: k.label, value: k.id }));

const OUTCOME_TEXT: Record<RoleOutcome['result'], string> = {
  assigned: 'assigned',
  'already held': 'already held: nothing to do',
  failed: 'not assigned',
  'not tried': 'not tried',
  declined: 'declined',
};

/**
 * `roles [upn] [office365|exchange]` (seed 004's target connection check, updated), assigning
 * the missing roles (by the asker when they may, else approved by a global admin), and
 * `targets`, the defined target connections.
 */
export function registerRoles(
  app: Application<TurnState>,
  router: CommandRouter,
  deps: RolesFeatureDeps,
): void {
  const { store, clock, config, logger } = deps;
  const directory = new RoleDirectory(deps.graph);
  const cloud = isMicrosoftCloud(config.cloud) ? config.cloud : 'global';

  const notConfigured = (): string | undefined =>
    deps.graph.configured
      ? undefined
      : `I cannot check roles with Microsoft Graph: set ${deps.graph.missingSettings().join(' and ')}.`;

  const audit = (context: TurnContext, action: string, detail: Record<string, unknown>) => {
    const who = actorOf(context);
    return store.audit.append({
      tenantId: tenantIdOf(context),
      at: clock.now().toISOString(),
      actor: who.id,
      actorName: who.name,
      action,
      detail,
    });
  };

  /** Replaces the card the button was on, or posts when Teams refuses the update. */
  const replaceCard = async (context: TurnContext, attachment: Attachment) => {
    const id = context.activity.replyToId;
    if (id) {
      try {
        await context.updateActivity({ type: 'message', id, attachments: [attachment] });
        return;
      } catch (err) {
        logger.warn('card update failed; posting instead', { error: err });
      }
    }
    await context.sendActivity(MessageFactory.attachment(attachment));
  };

  const message = (title: string, text: string, style: BoxStyle = 'default', extra = {}) =>
    renderCard(wizardMessageCard, messageCardData({ title, text, style, ...extra }));

  // ----------------------------------------------------------------------------------------- check

  const roleRow = (result: RequirementResult, upn: string): RoleRow => {
    const { requirement, state, heldAs } = result;
    const why = `Needed to ${requirement.purpose}. ${requirement.why}`;
    switch (state) {
      case 'present':
        return { name: requirement.name, status: `held as ${heldAs?.name ?? requirement.name}`, why };
      case 'missing':
        return {
          name: requirement.name,
          status:
            requirement.assign.via === 'graph'
              ? `not assigned (I would assign ${requirement.assign.role.name})`
              : 'not assigned',
          why,
        };
      case 'optional':
        return { name: requirement.name, status: `not assigned; only to ${requirement.purpose}`, why };
      case 'unverifiable':
        return {
          name: requirement.name,
          status: 'cannot be checked with Microsoft Graph',
          why: `${why} ${requirement.assign.via === 'exchange' ? requirement.assign.how(upn) : ''}`.trim(),
        };
    }
  };

  const checkCardData = (
    check: AccountCheck,
    kind: TargetKind,
    subject: string,
    defined: boolean,
  ): RolesCheckCardData => {
    const base: RolesCheckCardData = {
      title: 'Target connection check',
      subtitle: `${targetKindLabel(kind)} · ${cloudLabel(cloud)} · checked ${formatDateTime(clock.now().toISOString())}`,
      verdict: '',
      verdictStyle: 'attention',
      problems: [],
      facts: [],
      present: [],
      missing: [],
      optional: [],
      notes: [{ text: MFA_NOTE }],
      subject,
      kind,
      kindChoices: KIND_CHOICES,
      canAssign: false,
      defined: false,
    };
    switch (check.outcome) {
      case 'unavailable':
        return {
          ...base,
          verdict: 'I could not check the account',
          verdictStyle: 'warning',
          problems: [{ text: check.message }],
        };
      case 'wrong-cloud':
        return {
          ...base,
          verdict: 'The check failed: the account is in another cloud',
          problems: [{ text: check.message }],
          facts: [
            { title: 'Admin account', value: check.upn },
            { title: 'Its cloud', value: check.detail },
            { title: 'This bot’s cloud', value: `${cloudLabel(cloud)} (CLOUD=${cloud})` },
          ],
        };
      case 'not-found':
        return {
          ...base,
          verdict: 'The check failed: no such account',
          problems: [
            {
              text: `There is no account ${check.upn} in this tenant. Check the spelling; the admin account must belong to this tenant.`,
            },
          ],
        };
      case 'checked':
        break;
    }
    const { findings, otherRoles, scopedRoles } = check;
    const { account, results } = findings;
    const notes = [{ text: DIRECT_ASSIGNMENTS_NOTE }];
    if (scopedRoles.length > 0) {
      notes.push({
        text: `Assigned on a narrower scope only (an administrative unit or one object), which does not count: ${scopedRoles.join(', ')}.`,
      });
    }
    notes.push({ text: MFA_NOTE });
    const facts = [
      { title: 'Admin account', value: `${account.displayName} (${account.upn})` },
      { title: 'Cloud', value: `${findings.cloud.ok ? '' : '✗ '}${findings.cloud.detail}` },
      { title: 'Sign-in', value: account.accountEnabled ? 'enabled' : '✗ blocked' },
      { title: 'Licensed', value: `${findings.licensed ? '' : '✗ '}${licenceDetail(kind, account)}` },
    ];
    if (otherRoles.length > 0) facts.push({ title: 'Other roles', value: otherRoles.join(', ') });
    return {
      ...base,
      title: `Roles of ${account.displayName}`,
      verdict: findings.passed
        ? `The check passed: ${account.upn} can be the admin account of your ${targetKindLabel(kind)} target.${defined ? ' It is saved as a defined target connection.' : ''}`
        : 'The check failed',
      verdictStyle: findings.passed ? 'good' : 'attention',
      problems: findings.problems.map((text) => ({ text })),
      facts,
      present: results.filter((r) => r.state === 'present').map((r) => roleRow(r, account.upn)),
      missing: results.filter((r) => r.state === 'missing').map((r) => roleRow(r, account.upn)),
      optional: results
        .filter((r) => r.state === 'optional' || r.state === 'unverifiable')
        .map((r) => roleRow(r, account.upn)),
      notes,
      subject: account.id,
      canAssign: assignableRoles(results).length > 0,
      defined,
    };
  };

  /** Saves (or refreshes) the target connection of a passing check. */
  const defineTarget = async (context: TurnContext, findings: AccountFindings): Promise<TargetConnection> => {
    const tenantId = tenantIdOf(context);
    const actor = actorOf(context);
    const id = `${findings.kind}:${findings.account.id}`;
    const existing = await store.targets.get(tenantId, id);
    const now = clock.now().toISOString();
    const roles = await directory.roleNames(tenantId, findings.account.roleIds);
    const target: TargetConnection = {
      tenantId,
      id,
      kind: findings.kind,
      cloud: findings.cloud.ok ? findings.cloud.cloud : cloud,
      adminId: findings.account.id,
      adminUpn: findings.account.upn,
      adminName: findings.account.displayName,
      roles,
      verifiedAt: now,
      verifiedBy: actor.id,
      verifiedByName: actor.name,
      createdAt: existing?.createdAt ?? now,
      createdBy: existing?.createdBy ?? actor.id,
    };
    await store.targets.put(target);
    await audit(context, existing ? 'target.verified' : 'target.defined', {
      targetId: id,
      kind: findings.kind,
      adminUpn: target.adminUpn,
      roles,
    });
    return target;
  };

  /** Runs the check, saves a passing target, and answers with the roles card. */
  /** A defined target whose account no longer passes is flagged (the first reason kept), not removed. */
  const flagTarget = async (context: TurnContext, targetId: string, failure: string) => {
    const target = await store.targets.get(tenantIdOf(context), targetId);
    if (!target) return;
    await store.targets.put({
      ...target,
      failedAt: clock.now().toISOString(),
      failure: failure.slice(0, 300),
    });
    await audit(context, 'target.verify-failed', { targetId, kind: target.kind, failure });
  };

  /** Runs the check, saves a passing target (or flags a failing one), and answers with the roles card. */
  const runCheck = async (
    context: TurnContext,
    subject: string,
    kind: TargetKind,
    answer: 'send' | 'replace' = 'send',
    knownTargetId?: string,
  ): Promise<AccountCheck | undefined> => {
    const missing = notConfigured();
    if (missing) {
      await context.sendActivity(missing);
      return undefined;
    }
    const check = await checkAdminAccount(directory, cloud, tenantIdOf(context), subject, kind);
    let defined = false;
    if (check.outcome === 'checked' && check.findings.passed) {
      await defineTarget(context, check.findings);
      defined = true;
    } else if (check.outcome === 'checked') {
      const { findings } = check;
      await flagTarget(context, `${kind}:${findings.account.id}`, findings.problems[0] ?? 'the check failed');
    } else if (knownTargetId && check.outcome !== 'unavailable') {
      // Graph being unreachable says nothing about the account; a missing account or wrong cloud does.
      await flagTarget(
        context,
        knownTargetId,
        check.outcome === 'not-found' ? `there is no account ${check.upn} any more` : check.message,
      );
    }
    logger.info('roles checked', {
      outcome: check.outcome,
      kind,
      passed: check.outcome === 'checked' ? check.findings.passed : false,
    });
    const card = renderCard(rolesCheckCard, checkCardData(check, kind, subject, defined));
    if (answer === 'replace') await replaceCard(context, card);
    else await context.sendActivity(MessageFactory.attachment(card));
    return check;
  };

  router.register('roles', async (context, _state, args) => {
    const parsed = parseRolesArgs(args);
    if ('error' in parsed) {
      await context.sendActivity(parsed.error);
      return;
    }
    const subject = parsed.upn ?? actorOf(context).aadObjectId;
    if (!subject) {
      await context.sendActivity(
        'I cannot tell which account you sign in with here. Type roles followed by the admin account, e.g. roles admin@contoso.onmicrosoft.com.',
      );
      return;
    }
    await runCheck(context, subject, parsed.kind ?? DEFAULT_TARGET_KIND);
  });

  const kindOf = (data: Record<string, unknown>): TargetKind =>
    isTargetKind(data.kind) ? data.kind : DEFAULT_TARGET_KIND;

  app.adaptiveCards.actionSubmit(
    ROLES_VERBS.check,
    async (context, _state, data: Record<string, unknown>) => {
      const subject = str(data.subject);
      if (!subject) {
        await context.sendActivity(
          'That card does not say which account to check. Type roles to start again.',
        );
        return;
      }
      await runCheck(context, subject, kindOf(data), 'replace');
    },
  );

  // ---------------------------------------------------------------------------------------- assign

  /** The account and the roles it can be given, checked again with Graph (never taken from the card). */
  const loadForAssignment = async (context: TurnContext, data: Record<string, unknown>) => {
    const missing = notConfigured();
    if (missing) {
      await context.sendActivity(missing);
      return undefined;
    }
    const subject = str(data.subject);
    if (!subject) {
      await context.sendActivity(
        'That card does not say which account to assign roles to. Type roles again.',
      );
      return undefined;
    }
    const kind = kindOf(data);
    const check = await checkAdminAccount(directory, cloud, tenantIdOf(context), subject, kind);
    if (check.outcome !== 'checked') {
      await context.sendActivity(
        MessageFactory.attachment(renderCard(rolesCheckCard, checkCardData(check, kind, subject, false))),
      );
      return undefined;
    }
    if (!check.findings.cloud.ok) {
      await context.sendActivity(check.findings.cloud.message);
      return undefined;
    }
    return { kind, findings: check.findings, offer: assignableRoles(check.findings.results) };
  };

  /** The asker's assigning role (Global or Privileged Role Administrator), from their direct assignments. */
  const askerAssigner = async (context: TurnContext): Promise<DirectoryRole | undefined> => {
    const id = actorOf(context).aadObjectId;
    if (!id) return undefined;
    return assignerRole((await directory.heldRoles(tenantIdOf(context), id)).tenantWide);
  };

  app.adaptiveCards.actionSubmit(
    ROLES_VERBS.assignOpen,
    async (context, _state, data: Record<string, unknown>) => {
      const loaded = await loadForAssignment(context, data);
      if (!loaded) return;
      const { kind, findings, offer } = loaded;
      const { account } = findings;
      const manual = manualRoles(findings.results, account.upn);
      if (offer.length === 0) {
        await context.sendActivity(
          `${account.upn} already holds every role I can assign for a ${targetKindLabel(kind)} target.`,
        );
        return;
      }
      let assigner: DirectoryRole | undefined;
      let approvers: DirectoryPerson[] = [];
      try {
        assigner = await askerAssigner(context);
        if (!assigner) approvers = await deps.globalAdmins.listGlobalAdmins(tenantIdOf(context));
      } catch (err) {
        if (!isGraphError(err)) throw err;
        await context.sendActivity(`I could not read who may assign roles: ${err.message}`);
        return;
      }
      const asker = actorOf(context);
      approvers = approvers.filter((p) => p.id && p.id !== asker.aadObjectId);
      await context.sendActivity(
        MessageFactory.attachment(
          renderCard(rolesAssignCard, {
            title: `Assign missing roles to ${account.displayName}`,
            subtitle: `${account.upn} · ${targetKindLabel(kind)}`,
            modeText: assigner
              ? `You are a ${assigner.name}: I assign the checked roles to ${account.upn} with Microsoft Graph and report each result. Optional roles are unchecked; check them only if you need what they are for. Every assignment is recorded in the audit log.`
              : `Assigning directory roles takes a Global Administrator or a Privileged Role Administrator, and your direct role assignments show neither. Choose a global admin: I send them the checked roles, and they approve or decline each one. Their account only approves: it is not used for the migration.`,
            modeStyle: assigner ? 'accent' : 'warning',
            subject: account.id,
            kind,
            roles: offer.map((o) => ({
              inputId: toggleId(o.role),
              label: `${o.role.name} (${o.checkedByDefault ? 'required' : `optional: only to ${o.requirement.purpose}`})`,
              title: `Assign ${o.role.name}`,
              value: o.checkedByDefault ? ('true' as const) : ('false' as const),
              why: o.requirement.why,
            })),
            manual: manual.map((m) => ({ name: m.name, how: m.how })),
            approvers: assigner
              ? []
              : approvers.map((p) => ({
                  title: p.upn ? `${p.name} (${p.upn})` : p.name,
                  value: p.id as string,
                })),
            approver: approvers[0]?.id ?? '',
            askApproverUpn: !assigner && approvers.length === 0,
            submitTitle: assigner ? 'Assign checked roles' : 'Send for approval',
          }),
        ),
      );
    },
  );

  app.adaptiveCards.actionSubmit(ROLES_VERBS.assignCancel, async (context) => {
    await replaceCard(context, message('Nothing was assigned', 'The account’s roles are as they were.'));
  });

  /**
   * Assigns roles one by one with Graph, skipping those already held, auditing each. After a 403
   * (the app lacks RoleManagement.ReadWrite.Directory) the rest are not tried.
   */
  const assignRoles = async (
    context: TurnContext,
    account: { id: string; upn: string },
    roles: DirectoryRole[],
    auditDetail: Record<string, unknown>,
  ): Promise<RoleOutcome[]> => {
    const tenantId = tenantIdOf(context);
    let held: Set<string>;
    try {
      held = new Set((await directory.heldRoles(tenantId, account.id)).tenantWide);
    } catch (err) {
      if (!isGraphError(err)) throw err;
      return roles.map((role) => ({ role, result: 'not tried' as const, detail: err.message }));
    }
    const outcomes: RoleOutcome[] = [];
    let stop: string | undefined;
    for (const role of roles) {
      const detail = {
        ...auditDetail,
        accountId: account.id,
        accountUpn: account.upn,
        roleId: role.id,
        roleName: role.name,
      };
      if (held.has(role.id)) {
        outcomes.push({ role, result: 'already held' });
        continue;
      }
      if (stop) {
        outcomes.push({ role, result: 'not tried', detail: stop });
        continue;
      }
      try {
        await directory.assign(tenantId, account.id, role.id);
        outcomes.push({ role, result: 'assigned' });
        await audit(context, 'role.assigned', detail);
      } catch (err) {
        if (!isGraphError(err)) throw err;
        outcomes.push({ role, result: 'failed', detail: err.message });
        await audit(context, 'role.assignment-failed', {
          ...detail,
          code: err.code,
          permission: err.permission,
          status: err.status,
        });
        if (err.code === 'GRAPH_FORBIDDEN')
          stop = `the same permission is missing (${err.permission ?? 'see above'})`;
      }
    }
    logger.info('roles assigned', {
      results: outcomes.map((o) => o.result),
    });
    return outcomes;
  };

  const outcomeFacts = (outcomes: RoleOutcome[]) =>
    outcomes.map((o) => ({
      title: o.role.name,
      value: `${OUTCOME_TEXT[o.result]}${o.detail ? `: ${o.detail}` : ''}`,
    }));

  const resultsCard = (
    title: string,
    text: string,
    outcomes: RoleOutcome[],
    account: { upn: string },
    kind: TargetKind,
    paragraphs: string[] = [],
  ) => {
    const failed = outcomes.some((o) => o.result === 'failed');
    return message(title, text, failed ? 'warning' : 'good', {
      facts: outcomeFacts(outcomes),
      paragraphs: [
        ...paragraphs,
        ...(outcomes.some((o) => o.result === 'assigned')
          ? [
              'A new role can take a few minutes to apply. Check the account again to define its target connection.',
            ]
          : []),
      ].map((p) => ({ text: p })),
      buttons: [commandButton('Check again', 'roles', `${account.upn} ${kind}`, 'positive')],
    });
  };

  app.adaptiveCards.actionSubmit(
    ROLES_VERBS.assign,
    async (context, _state, data: Record<string, unknown>) => {
      const loaded = await loadForAssignment(context, data);
      if (!loaded) return;
      const { kind, findings, offer } = loaded;
      const { account } = findings;
      const chosen = offer.filter(
        (o) => data[toggleId(o.role)] === 'true' || data[toggleId(o.role)] === true,
      );
      if (chosen.length === 0) {
        await context.sendActivity('No role was checked, so nothing was assigned.');
        return;
      }
      const roles = chosen.map((o) => o.role);
      let assigner: DirectoryRole | undefined;
      try {
        assigner = await askerAssigner(context);
      } catch (err) {
        if (!isGraphError(err)) throw err;
        await context.sendActivity(`I could not read who may assign roles: ${err.message}`);
        return;
      }
      if (assigner) {
        const outcomes = await assignRoles(context, account, roles, { kind, assignedAs: assigner.name });
        const assigned = outcomes.filter((o) => o.result === 'assigned').length;
        await replaceCard(
          context,
          resultsCard(
            `Roles for ${account.displayName}`,
            `${assigned} of ${outcomes.length} role${outcomes.length === 1 ? '' : 's'} assigned to ${account.upn}.`,
            outcomes,
            account,
            kind,
          ),
        );
        return;
      }
      await requestApproval(context, data, { kind, account, roles });
    },
  );

  // -------------------------------------------------------------------------------------- approval

  /** The global admin the asker picked, confirmed with Graph to be one. */
  const resolveApprover = async (
    context: TurnContext,
    data: Record<string, unknown>,
  ): Promise<DirectoryPerson | string> => {
    const tenantId = tenantIdOf(context);
    const pickedId = str(data.approverId, 64);
    const typedUpn = str(data.approverUpn);
    if (pickedId) {
      const admins = await deps.globalAdmins.listGlobalAdmins(tenantId);
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

  const requestApproval = async (
    context: TurnContext,
    data: Record<string, unknown>,
    what: {
      kind: TargetKind;
      account: { id: string; upn: string; displayName: string };
      roles: DirectoryRole[];
    },
  ) => {
    const tenantId = tenantIdOf(context);
    const asker = actorOf(context);
    let approver: DirectoryPerson | string;
    try {
      approver = await resolveApprover(context, data);
    } catch (err) {
      if (!isGraphError(err)) throw err;
      await context.sendActivity(`I could not confirm the global admin: ${err.message}`);
      return;
    }
    if (typeof approver === 'string') {
      await context.sendActivity(approver);
      return;
    }
    if (!approver.id || approver.id === asker.aadObjectId) {
      await context.sendActivity('You cannot approve your own request. Choose another global admin.');
      return;
    }
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
    const card = renderCard(rolesApprovalCard, {
      requestId: request.id,
      title: `Approve directory roles for ${request.account.name}`,
      text: `${asker.name} asks you, as a global admin, to approve Microsoft Entra roles for **${request.account.upn}**, the admin account of a ${targetKindLabel(request.kind)} target connection. Approve or decline each role.`,
      facts: [
        { title: 'Requested by', value: asker.name },
        { title: 'Admin account', value: `${request.account.name} (${request.account.upn})` },
        { title: 'Target', value: targetKindLabel(request.kind) },
        { title: 'Tenant', value: tenantId },
        { title: 'Requested', value: formatDateTime(request.createdAt) },
      ],
      roles: request.roles.map((role) => ({
        inputId: decisionId(role),
        label: role.name,
        why: whyOf(request.kind, role),
      })),
      note: APPROVER_NOTE,
    });
    const delivery = await sendPersonalCard(
      deps,
      context,
      tenantId,
      approver.id,
      card,
      'role approval request',
    );
    let detail: string;
    if (delivery) {
      detail = `I sent the request to ${approver.name} in a 1:1 chat${delivery === 'installed' ? ' (I installed myself for them first)' : ''}. I will tell you here when they decide.`;
    } else {
      await postWithMention(
        context,
        { id: approver.id, name: approver.name },
        card,
        `${asker.name} asks you to approve directory roles for ${request.account.upn}.`,
      );
      detail = `I could not reach ${approver.name} in a 1:1 chat, so I posted the request here with an @mention. I will tell you here when they decide.`;
    }
    await audit(context, 'roles.approval-requested', {
      requestId: request.id,
      kind: request.kind,
      accountId: request.account.id,
      accountUpn: request.account.upn,
      roles: request.roles.map((r) => r.name),
      approverId: approver.id,
      delivery: delivery ?? 'mention',
    });
    await replaceCard(
      context,
      message(`Roles for ${request.account.name} sent for approval`, detail, 'accent', {
        facts: request.roles.map((r) => ({ title: r.name, value: 'waiting for approval' })),
      }),
    );
  };

  const whyOf = (kind: TargetKind, role: DirectoryRole): string => {
    const requirement = requirementAssigning(kind, role.id);
    return requirement ? `Needed to ${requirement.purpose}. ${requirement.why}` : role.name;
  };

  /** Loads an approval request of this tenant for the clicker, who must be the addressed admin. */
  const loadRequest = async (context: TurnContext, data: Record<string, unknown>) => {
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
        `Only ${request.approver.name} can decide this request. Nothing was changed.`,
      );
      return undefined;
    }
    if (request.status !== 'pending') {
      await context.sendActivity(
        `This request was already decided${request.decidedAt ? ` on ${formatDateTime(request.decidedAt)}` : ''}. Nothing was changed.`,
      );
      return undefined;
    }
    return request;
  };

  /** Tells the requester, in the conversation where they asked, what the admin decided. */
  const tellRequester = async (request: ApprovalRequest, attachment: Attachment, text: string) => {
    const record = await store.conversations.get(request.tenantId, request.requesterConversationId);
    if (!record) return;
    const { activityId: _last, ...reference } = record.reference;
    try {
      await deps.adapter.continueConversationAsync(config.bot.appId ?? '', reference, async (ctx) => {
        await ctx.sendActivity(MessageFactory.attachment(attachment, text));
      });
    } catch (err) {
      logger.warn('could not tell the requester about the role decision', { error: err });
    }
  };

  const decide = async (context: TurnContext, data: Record<string, unknown>, declineAll: boolean) => {
    const request = await loadRequest(context, data);
    if (!request) return;
    const decisions = request.roles.map((role) => ({
      role,
      approve: !declineAll && data[decisionId(role)] === 'approve',
      decided: declineAll || data[decisionId(role)] === 'approve' || data[decisionId(role)] === 'decline',
    }));
    if (decisions.some((d) => !d.decided)) {
      await context.sendActivity(
        'Approve or decline every role, then submit again. Nothing was changed yet.',
      );
      return;
    }
    const approver = actorOf(context);
    if (decisions.some((d) => d.approve)) {
      let assigner: DirectoryRole | undefined;
      try {
        assigner = await askerAssigner(context);
      } catch (err) {
        if (!isGraphError(err)) throw err;
        await context.sendActivity(`I could not confirm your roles: ${err.message} Nothing was changed.`);
        return;
      }
      if (!assigner) {
        await context.sendActivity(
          'Your direct role assignments no longer show Global Administrator or Privileged Role Administrator, so you cannot approve roles. Nothing was changed.',
        );
        return;
      }
    }
    // Claim the request, so that a second click (or a second replica) cannot decide it again.
    try {
      await store.state.write({
        [approvalKey(request.tenantId, request.id)]: { ...request, status: 'deciding' },
      });
    } catch {
      await context.sendActivity('This request is being decided already. Nothing was changed.');
      return;
    }
    const base = { requestId: request.id, kind: request.kind, requestedBy: request.requester.id };
    const approved = decisions.filter((d) => d.approve).map((d) => d.role);
    const { eTag: _etag, ...stored } = request;
    const outcomes: RoleOutcome[] = [];
    try {
      if (approved.length > 0) {
        const assigned = await assignRoles(context, request.account, approved, {
          ...base,
          approvedBy: approver.id,
        });
        outcomes.push(...assigned);
      }
      for (const d of decisions.filter((x) => !x.approve)) {
        outcomes.push({ role: d.role, result: 'declined', detail: `by ${approver.name}` });
        await audit(context, 'role.declined', {
          ...base,
          accountId: request.account.id,
          accountUpn: request.account.upn,
          roleId: d.role.id,
          roleName: d.role.name,
        });
      }
    } catch (err) {
      // Give the claim back so that the admin can decide again; what was assigned is audited.
      await store.state.write({ [approvalKey(request.tenantId, request.id)]: { ...stored, eTag: '*' } });
      throw err;
    }
    const decidedAt = clock.now().toISOString();
    await store.state.write({
      [approvalKey(request.tenantId, request.id)]: {
        ...stored,
        status: 'decided',
        decidedAt,
        outcomes,
        eTag: '*',
      },
    });
    const summary = `${approver.name} ${approved.length === 0 ? 'declined' : 'decided on'} the roles for ${request.account.upn}.`;
    await replaceCard(
      context,
      resultsCard(
        `Your decision on roles for ${request.account.name}`,
        summary,
        outcomes,
        request.account,
        request.kind,
      ),
    );
    await tellRequester(
      request,
      resultsCard(`Roles for ${request.account.name}`, summary, outcomes, request.account, request.kind),
      summary,
    );
  };

  app.adaptiveCards.actionSubmit(
    ROLES_VERBS.approve,
    async (context, _state, data: Record<string, unknown>) => decide(context, data, false),
  );
  app.adaptiveCards.actionSubmit(
    ROLES_VERBS.decline,
    async (context, _state, data: Record<string, unknown>) => decide(context, data, true),
  );

  // --------------------------------------------------------------------------------------- targets

  const targetRow = (target: TargetConnection): TargetRow => {
    const failing = !!target.failedAt;
    const facts = [
      { title: 'Tenant', value: target.tenantId },
      { title: 'Cloud', value: isMicrosoftCloud(target.cloud) ? cloudLabel(target.cloud) : target.cloud },
      { title: 'Admin account', value: `${target.adminName} (${target.adminUpn})` },
      { title: 'Roles', value: target.roles.length > 0 ? target.roles.join(', ') : 'none' },
      {
        title: 'Verified at',
        value: `${formatDateTime(target.verifiedAt)}${target.verifiedByName ? ` by ${target.verifiedByName}` : ''}`,
      },
    ];
    if (failing) {
      facts.push({
        title: 'Last check failed',
        value: `${formatDateTime(target.failedAt)}: ${target.failure ?? 'see the roles card'}`,
      });
    }
    const color: TextColor = failing ? 'Attention' : 'Default';
    return {
      id: target.id,
      title: target.adminUpn,
      subtitle: targetKindLabel(target.kind),
      status: failing ? 'check failed' : 'verified',
      statusColor: color,
      facts,
    };
  };

  const targetsCard = async (context: TurnContext) => {
    const targets = await store.targets.list(tenantIdOf(context));
    return renderCard(targetsListCard, {
      title: 'Defined target connections',
      summary:
        'Admin accounts whose target connection check passed: the right cloud, a licence and the roles the target needs.',
      empty:
        'No target connection is defined yet. Type roles (or roles <upn> exchange) to check an admin account: a check that passes defines its target connection.',
      rows: targets.map(targetRow),
    });
  };

  router.register('targets', async (context) => {
    await context.sendActivity(MessageFactory.attachment(await targetsCard(context)));
  });

  const loadTarget = async (context: TurnContext, data: Record<string, unknown>) => {
    const id = str(data.targetId, 120);
    const target = id ? await store.targets.get(tenantIdOf(context), id) : undefined;
    if (!target) {
      await context.sendActivity(
        'That target connection does not exist in this tenant (it may have been removed). Nothing was changed.',
      );
    }
    return target;
  };

  app.adaptiveCards.actionSubmit(
    ROLES_VERBS.reverify,
    async (context, _state, data: Record<string, unknown>) => {
      const target = await loadTarget(context, data);
      if (!target) return;
      if (!(await runCheck(context, target.adminId, target.kind, 'send', target.id))) return;
      await replaceCard(context, await targetsCard(context));
    },
  );

  app.adaptiveCards.actionSubmit(
    ROLES_VERBS.remove,
    async (context, _state, data: Record<string, unknown>) => {
      const target = await loadTarget(context, data);
      if (!target) return;
      const actor = actorOf(context);
      let allowed = actor.id === target.createdBy || actor.aadObjectId === target.adminId;
      if (!allowed && deps.graph.configured) {
        try {
          allowed = (await askerAssigner(context)) !== undefined;
        } catch (err) {
          if (!isGraphError(err)) throw err;
        }
      }
      if (!allowed) {
        await context.sendActivity(
          `Only the person who defined the ${target.adminUpn} target connection, that admin account itself, or a global admin can remove it. Nothing was changed.`,
        );
        return;
      }
      await store.targets.remove(target.tenantId, target.id);
      await audit(context, 'target.removed', {
        targetId: target.id,
        kind: target.kind,
        adminUpn: target.adminUpn,
      });
      await replaceCard(context, await targetsCard(context));
      await context.sendActivity(
        `Removed the ${targetKindLabel(target.kind)} target connection of ${target.adminUpn}. Its roles were not changed: remove them in the Microsoft Entra admin center if they are no longer needed.`,
      );
    },
  );
}
