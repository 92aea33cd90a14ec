import { mdText } from '../../../cards/markdown';
import { MessageFactory, type TurnContext } from 'botbuilder';
import { renderCard } from '../../../cards/render';
import { rolesAssignCard, rolesCheckCard, type RolesAssignCardData } from '../../../cards/rolesCards';
import type { DirectoryPerson } from '../../../dialogs/flows/consentPort';
import { isGraphError } from '../../../graph/errors';
import { checkAdminAccount } from '../../../directoryRoles/directory';
import {
  assignableRoles,
  manualRoles,
  targetKindLabel,
  type DirectoryRole,
} from '../../../directoryRoles/requirements';
import { replaceCard } from '../../cardReplies';
import { actorOf, tenantIdOf } from '../../turnInfo';
import { assignRoles, durationText, permanentFallbackOf, resultsCard } from './roleAssignment';
import { checkCardData } from './rolesCheckCard';
import { requestApproval } from './rolesApproval';
import { kindOf, ROLES_VERBS, str, type RolesShared } from './rolesShared';
import { readerDates } from '../../../util/readerDates';
import { recordVerb, type CardVerbs } from '../../cardVerbs';

/** Role toggle input ids carry the role template id. */
const toggleId = (role: DirectoryRole) => `role-${role.id}`;

/** The account and the roles it can be given, checked again with Graph (never taken from the card). */
const loadForAssignment = async (
  shared: RolesShared,
  context: TurnContext,
  data: Record<string, unknown>,
) => {
  const { directory, cloud, notConfigured } = shared;
  const missing = notConfigured();
  if (missing) {
    await context.sendActivity(missing);
    return undefined;
  }
  const subject = str(data.subject);
  if (!subject) {
    await context.sendActivity('That card does not say which account to assign roles to. Type roles again.');
    return undefined;
  }
  const kind = kindOf(data);
  const check = await checkAdminAccount(directory, cloud, tenantIdOf(context), subject, kind);
  if (check.outcome !== 'checked') {
    await context.sendActivity(
      MessageFactory.attachment(
        renderCard(
          rolesCheckCard,
          checkCardData(shared, check, kind, subject, false, readerDates(context, shared.logger)),
        ),
      ),
    );
    return undefined;
  }
  if (!check.findings.cloud.ok) {
    await context.sendActivity(check.findings.cloud.message);
    return undefined;
  }
  return { kind, findings: check.findings, offer: assignableRoles(check.findings.results) };
};

type Assignment = NonNullable<Awaited<ReturnType<typeof loadForAssignment>>>;

/** The assign card's data: who assigns (the asker, or a global admin who approves) and the roles offered. */
function assignCardData(
  shared: RolesShared,
  context: TurnContext,
  { kind, findings, offer }: Assignment,
  assigner: DirectoryRole | undefined,
  approvers: DirectoryPerson[],
): RolesAssignCardData {
  const { account } = findings;
  const manual = manualRoles(findings.results, account.upn);
  return {
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
    durationText: `Each role is assigned ${durationText(shared, readerDates(context, shared.logger))}: a time-bound assignment with Privileged Identity Management (ROLE_ASSIGNMENT_DAYS), renewed by asking again.${assigner ? '' : ' The global admin who approves decides whether a permanent assignment may replace it where the tenant cannot make time-bound ones.'}`,
    offerPermanent: !!assigner,
  };
}

/** The roles card's "Assign missing roles": the assign card, for the asker or for approval. */
async function openAssignment(
  shared: RolesShared,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<void> {
  const { askerAssigner } = shared;
  const loaded = await loadForAssignment(shared, context, data);
  if (!loaded) return;
  const { kind, findings, offer } = loaded;
  const { account } = findings;
  if (offer.length === 0) {
    await context.sendActivity(
      mdText`${account.upn} already holds every role I can assign for a ${targetKindLabel(kind)} target.`,
    );
    return;
  }
  let assigner: DirectoryRole | undefined;
  let approvers: DirectoryPerson[] = [];
  try {
    assigner = await askerAssigner(context);
    if (!assigner) approvers = await shared.globalAdmins.listGlobalAdmins(tenantIdOf(context));
  } catch (err) {
    if (!isGraphError(err)) throw err;
    await context.sendActivity(mdText`I could not read who may assign roles: ${err.message}`);
    return;
  }
  const asker = actorOf(context);
  approvers = approvers.filter((p) => p.id && p.id !== asker.aadObjectId);
  await context.sendActivity(
    MessageFactory.attachment(
      renderCard(rolesAssignCard, assignCardData(shared, context, loaded, assigner, approvers)),
    ),
  );
}

/** The assign card's submit: assigns the checked roles, or sends them to a global admin for approval. */
async function assignChecked(
  shared: RolesShared,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<void> {
  const { logger, askerAssigner } = shared;
  const loaded = await loadForAssignment(shared, context, data);
  if (!loaded) return;
  const { kind, findings, offer } = loaded;
  const { account } = findings;
  const chosen = offer.filter((o) => data[toggleId(o.role)] === 'true' || data[toggleId(o.role)] === true);
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
    await context.sendActivity(mdText`I could not read who may assign roles: ${err.message}`);
    return;
  }
  if (assigner) {
    const outcomes = await assignRoles(
      shared,
      context,
      account,
      roles,
      { kind, assignedAs: assigner.name },
      { kind, permanentFallback: permanentFallbackOf(data) },
    );
    const assigned = outcomes.filter((o) => o.result === 'assigned').length;
    await replaceCard(
      context,
      resultsCard(
        shared,
        `Roles for ${account.displayName}`,
        `${assigned} of ${outcomes.length} role${outcomes.length === 1 ? '' : 's'} assigned to ${account.upn}.`,
        outcomes,
        account,
        kind,
      ),
      logger,
    );
    return;
  }
  await requestApproval(shared, context, data, { kind, account, roles });
}

/**
 * Assigning the missing roles of a checked account: by the asker when they may, else sent to a
 * global admin for approval.
 */
export function rolesAssignVerbs(shared: RolesShared): CardVerbs {
  return [
    recordVerb(ROLES_VERBS.assignOpen, (context, _state, data) => openAssignment(shared, context, data)),
    recordVerb(ROLES_VERBS.assignCancel, async (context) => {
      await replaceCard(
        context,
        shared.message('Nothing was assigned', 'The account’s roles are as they were.'),
        shared.logger,
      );
    }),
    recordVerb(ROLES_VERBS.assign, (context, _state, data) => assignChecked(shared, context, data)),
  ];
}
