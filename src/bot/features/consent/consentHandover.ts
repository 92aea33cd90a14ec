import { MessageFactory, TeamsInfo, type Attachment, TurnContext } from 'botbuilder';
import { renderCard } from '../../../cards/render';
import { consentCheckButton, consentRequestCard } from '../../../cards/wizardCards';
import { messageCardData, messageCard } from '../../../cards/messageCard';
import { OFFICE365_STEPS } from '../../../connectors/authorizationSteps';
import type { Connector } from '../../../connectors/connector';
import type { ConnectorLifecycle } from '../../../connectors/lifecycle';
import { consentLinks } from '../../../connectors/consentLinks';
import { REQUIRED_CONSENT_SCOPES } from '../../../diagnostics/consentCheck';
import type {
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
import { httpStatusOf } from '../../../util/httpStatus';
import { GUID } from '../../../util/ids';
import type { BotDeps } from '../../deps';
import { UTC_DATES } from '../../../util/dates';
import { readerDates } from '../../../util/readerDates';
import { markdown } from '../../../cards/markdown';

interface GraphUser {
  id: string;
  displayName?: string;
  userPrincipalName?: string;
}

export interface ConsentHandoverDeps extends Pick<
  BotDeps,
  'messenger' | 'graph' | 'config' | 'logger' | 'store' | 'clock'
> {
  /** Records how the consent request reached the global admin. */
  lifecycle: Pick<ConnectorLifecycle, 'recordConsentRequest'>;
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

/** The consent request card for one connector, as the admin receives it. */
export function consentRequestAttachment(
  deps: Pick<BotDeps, 'config'>,
  connector: Connector,
  requester: string,
): Attachment {
  const { facts, links } = consentLinks(
    { cloud: connector.cloud as never, tenantId: connector.tenantId },
    deps,
  );
  return renderCard(consentRequestCard, {
    connectorId: connector.id,
    connectorName: connector.displayName,
    requester,
    consentLink: deps.config.adminConsentLink,
    facts: [
      { title: 'Requested by', value: requester },
      { title: 'Connector', value: connector.displayName },
      { title: 'Tenant', value: connector.tenantId },
      ...facts,
    ],
    steps: OFFICE365_STEPS.slice(5).map((s, i) => ({ text: markdown(`${i + 6}. ${s.instruction}`) })),
    links,
    permissions: REQUIRED_CONSENT_SCOPES.map((r) => r.permission).join('; '),
  });
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
      const held = await new RoleDirectory(this.deps.graph).heldRoles(tenantId, userId);
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

  async sendRequest(
    context: TurnContext,
    connector: Connector,
    admin: DirectoryPerson,
    requester: { id: string; name: string },
    cardActivityId?: string,
  ): Promise<HandoverResult> {
    const { logger, config } = this.deps;
    const card = consentRequestAttachment(this.deps, connector, requester.name);
    const now = readerDates(context, logger).dateTime(this.deps.clock.now());
    const base = {
      requestedFrom: admin.upn && admin.upn !== admin.name ? `${admin.name} (${admin.upn})` : admin.name,
      requestedFromId: admin.id,
      requestedFromUpn: admin.upn || undefined,
      requestedBy: requester.id,
      // The full id, as conversation tracking records it, so the reference is found again.
      requesterConversationId: context.activity.conversation.id,
      requesterCardActivityId: cardActivityId,
    };
    let delivery: HandoverResult['delivery'] = admin.id
      ? await sendPersonalCard(this.deps, context, connector.tenantId, admin.id, card)
      : undefined;
    let detail: string;
    if (delivery) {
      detail = `I sent the consent request to ${base.requestedFrom} in a 1:1 chat on ${now}${delivery === 'installed' ? ' (I installed myself for them first)' : ''}. I will tell you here when consent is verified.`;
    } else if (admin.id) {
      await postWithMention(
        context,
        { id: admin.id, name: admin.name },
        card,
        `${requester.name} needs a global admin to grant consent for the Office 365 Connector.`,
      );
      delivery = 'mention';
      detail = `I could not reach ${base.requestedFrom} in a 1:1 chat (I am not installed for them${config.teamsAppCatalogId ? ', and installing myself was refused' : ''}), so I posted the request here with an @mention. If they do not see it, forward them the consent link ${config.adminConsentLink} and steps 6 to 9 below.`;
    } else {
      detail = `I could not find ${base.requestedFrom} in Teams, so I could not send the request. Forward them the consent link ${config.adminConsentLink} and steps 6 to 9 below, and click Check again once they have granted consent.`;
    }
    logger.info('consent request handed over', { connectorId: connector.id, delivery: delivery ?? 'none' });
    const updated = await this.deps.lifecycle.recordConsentRequest(
      connector,
      { ...base, delivery },
      requester,
    );
    return { delivery, detail, connector: updated };
  }
}

/** What sending a card to one person 1:1 needs. */
export type PersonalCardDeps = Pick<BotDeps, 'messenger' | 'graph' | 'config' | 'logger' | 'store' | 'clock'>;

/**
 * Sends a card to one person (Entra object id) in a proactive 1:1 chat. When Teams answers that
 * the bot is not installed for them (403/404), installs it with Graph (TEAMS_APP_CATALOG_ID) and
 * tries once more. Undefined when neither worked: the caller falls back, e.g. to
 * {@link postWithMention}. `what` names the card in the log line.
 */
export async function sendPersonalCard(
  deps: PersonalCardDeps,
  context: TurnContext,
  tenantId: string,
  userId: string,
  card: Attachment,
  what = 'consent request',
): Promise<'direct' | 'installed' | undefined> {
  if (!GUID.test(userId)) return undefined;
  const first = await sendDirect(deps, context, tenantId, userId, card, what);
  if (first === 'sent') return 'direct';
  if (first === 'not-installed' && (await installFor(deps, tenantId, userId))) {
    if ((await sendDirect(deps, context, tenantId, userId, card, what)) === 'sent') return 'installed';
  }
  return undefined;
}

/** Posts a card in this turn's conversation, @mentioning the person it is for: "<at>name</at>, {text}". */
export async function postWithMention(
  context: TurnContext,
  person: { id: string; name: string },
  card: Attachment,
  text: string,
): Promise<void> {
  const mention = {
    type: 'mention',
    text: `<at>${person.name}</at>`,
    mentioned: { id: person.id, name: person.name },
  };
  const ask = MessageFactory.attachment(card, `${mention.text}, ${text}`);
  ask.entities = [mention];
  await context.sendActivity(ask);
}

/** One proactive 1:1 send; 'not-installed' for the 403/404 Teams answers when the bot is not installed for them. */
async function sendDirect(
  deps: PersonalCardDeps,
  context: TurnContext,
  tenantId: string,
  userId: string,
  card: Attachment,
  what: string,
): Promise<'sent' | 'not-installed' | 'failed'> {
  let failure: unknown;
  try {
    await deps.messenger.sendToPerson(
      context,
      tenantId,
      { id: userId, aadObjectId: userId },
      MessageFactory.attachment(card),
      async (privateContext) => {
        // Kept so that reminders can reach the person in the same chat later.
        await deps.store.conversations.upsert({
          tenantId,
          conversationId: privateContext.activity.conversation.id,
          conversationType: 'personal',
          reference: TurnContext.getConversationReference(privateContext.activity),
          userId,
          updatedAt: deps.clock.now().toISOString(),
        });
      },
    );
  } catch (err) {
    failure = err;
  }
  if (!failure) return 'sent';
  const status = httpStatusOf(failure);
  deps.logger.warn(`${what} not delivered 1:1`, { status, error: failure });
  return status === 403 || status === 404 ? 'not-installed' : 'failed';
}

/** Installs the bot for the person (Graph), when TEAMS_APP_CATALOG_ID is set and permitted. */
async function installFor(deps: PersonalCardDeps, tenantId: string, userId: string): Promise<boolean> {
  const { config, graph, logger } = deps;
  if (!config.teamsAppCatalogId || !graph.configured) return false;
  try {
    await graph.post(
      tenantId,
      `/users/${encodeURIComponent(userId)}/teamwork/installedApps`,
      {
        'teamsApp@odata.bind': `${config.graphEndpoint}/v1.0/appCatalogs/teamsApps/${config.teamsAppCatalogId}`,
      },
      { permission: GRAPH_PERMISSIONS.teamsAppInstallationForUser },
    );
    logger.info('installed the app for a global admin', { tenantId, userId });
    return true;
  } catch (err) {
    logger.warn('could not install the app for the global admin', { error: err });
    return false;
  }
}

/** Tells the requester, in the conversation where the wizard ran, that consent is verified. */
export async function notifyRequester(
  deps: Pick<BotDeps, 'store' | 'logger' | 'messenger'>,
  connector: Connector,
  attachment: Attachment,
  text: string,
): Promise<void> {
  const consent = connector.consent;
  if (!consent?.requesterConversationId) return;
  const record = await deps.store.conversations.get(connector.tenantId, consent.requesterConversationId);
  if (!record) return;
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
  } catch (err) {
    deps.logger.warn('could not tell the requester that consent is verified', { error: err });
  }
}

/** The consent reminders the scanner sends: the request again to the admin, a nudge to the requester. */
export function consentReminderCards(deps: Pick<BotDeps, 'config'>) {
  return {
    toAdmin(connector: Connector) {
      return MessageFactory.attachment(
        consentRequestAttachment(
          deps,
          connector,
          connector.consent?.requestedBy ? 'A SharePoint admin' : 'An admin',
        ),
        `Reminder: the Office 365 Connector ${connector.displayName} is still waiting for your admin consent.`,
      );
    },
    toRequester(connector: Connector) {
      return MessageFactory.attachment(
        renderCard(
          messageCard,
          messageCardData({
            title: `Still waiting for admin consent: ${connector.displayName}`,
            text: `${connector.consent?.requestedFrom ?? 'The global admin'} has not granted consent yet (asked ${UTC_DATES.dateTime(connector.consent?.requestedAt)}). Remind them, or forward the consent link ${deps.config.adminConsentLink} to another global admin.`,
            style: 'warning',
            buttons: [consentCheckButton(connector.id)],
          }),
        ),
      );
    },
  };
}
