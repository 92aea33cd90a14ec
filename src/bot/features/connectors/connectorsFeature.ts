import { MessageFactory, type Attachment, type TurnContext } from 'botbuilder';
import { daysText } from '../../../util/format';
import {
  connectorListCard,
  connectorStatusCard,
  deleteConfirmCard,
  type ActivityEvidenceRow,
  type ConnectorListCardData,
  type ConnectorRow,
  type ConnectorStatusCardData,
  type ConsentWorkflowRow,
  type TextColor,
} from '../../../cards/connectorsCards';
import { renderCard } from '../../../cards/render';
import { commandButton, messageCardData, messageCard } from '../../../cards/messageCard';
import { cloudLabel, type MicrosoftCloud } from '../../../connectors/clouds';
import { connectorType, MICROSOFT_SERVICE_CONNECTORS } from '../../../connectors/catalog';
import {
  daysUntilExpiry,
  deauthorizedMessage,
  expiresAt,
  type Connector,
} from '../../../connectors/connector';
import type { ConnectorService } from '../../../connectors/connectorService';
import { LifecycleError } from '../../../connectors/lifecycle';
import { describeState } from '../../../connectors/provenance';
import { reauthorizeAdvice } from '../../../connectors/reauthorization';
import type { AuditEvent } from '../../../connectors/ports';
import { resolveConnector } from '../../connectorResolver';
import type { BotDeps } from '../../deps';
import { replaceCard } from '../../cardReplies';
import { activityEvidenceRow, activityEvidenceVerbs, NO_EVIDENCE } from './activityEvidence';
import { consentWorkflowRow, NO_CONSENT_WORKFLOW } from '../../consentWorkflowReading';
import { readerDates } from '../../../util/readerDates';
import { revocationCheckButton, revocationVerbs } from './revocationFeature';
import { actorOf, conversationTypeOf, tenantIdOf } from '../../turnInfo';
import { CardActionError, dataProblem, refuse } from '../../universalActions';
import { deletionOf, managerIds } from '../liveCards/cardViewers';
import { askOwnerText } from '../../../notify/digestView';
import type { DateFormatter } from '../../../util/dates';
import { markdown, md } from '../../../cards/markdown';
import type { CardDataResult, CardVerb } from '../../cardVerbs';
import { cardVerb, recordVerb } from '../../cardVerbs';
import { chatCommand, type FeatureTables } from '../../chatCommands';
import { CONNECTORS_COMMANDS } from './connectorsCommands';

/** The status card's refresh verb: Teams asks for the card as it is now when it is shown. */
export const STATUS_REFRESH_VERB = 'connectorStatusRefresh';
/** The connector list's refresh verb. */
export const LIST_REFRESH_VERB = 'connectorListRefresh';
import { consentStatusView, type ConsentStatusView } from '../consent/consentStatus';

/** Card verbs of the delete confirmation. */
export const DELETE_VERB = 'connectorDelete';
export const DELETE_CANCEL_VERB = 'connectorDeleteCancel';

/** Rows a connectors card shows before "Show more". */
export const CONNECTORS_PAGE_SIZE = 20;

const STATUS_COLORS: Record<Connector['status'], TextColor> = {
  authorized: 'Default',
  'awaiting-consent': 'Accent',
  'consent-declined': 'Attention',
  'consent-expired': 'Attention',
  authorizing: 'Accent',
  deauthorized: 'Attention',
};

const AUDIT_TEXT: Record<string, string> = {
  'connector.created': 'created',
  'connector.imported': 'imported',
  'connector.reauthorized': 'reauthorized',
  'connector.deauthorized': 'deauthorized for inactivity',
  'transfer.recorded': 'transfer recorded',
  'consent.requested': 'consent requested',
  'consent.verified': 'consent verified',
  'consent.approved': 'consent request approved',
  'consent.declined': 'consent declined',
  'consent.expired': 'consent request expired',
  'consent.forwarded': 'consent request forwarded',
  'consent.reminded': 'consent reminder sent',
  'reauthorization.started': 'reauthorization started',
  'step.done': 'wizard step done',
  'notice.sent': 'expiry notice sent',
};

export interface ConnectorsFeatureDeps extends Pick<
  BotDeps,
  'config' | 'store' | 'logger' | 'clock' | 'graph' | 'adminGroup' | 'teamsUserIds'
> {
  /** Listing, loading, permissions, transfers and deletes, with the domain's rules. */
  connectors: ConnectorService;
  /** Checks an Office 365 connector's admin consent with Graph (and records it when granted). */
  verifyConsent?(
    connector: Connector,
    actor: { id: string; name?: string },
  ): Promise<{ kind: string; connector?: Connector; message?: string }>;
}

/**
 * Managing connectors by chat command: connectors, status, delete (confirmed), rename,
 * transfer, which. Loading a connector deauthorizes it when its 90 days are up.
 */
export function connectorsFeature(deps: ConnectorsFeatureDeps): FeatureTables {
  return {
    commands: [
      chatCommand(CONNECTORS_COMMANDS.connectors, (context, _state, args) =>
        listConnectors(deps, context, args),
      ),
      chatCommand(CONNECTORS_COMMANDS.status, (context, _state, args) => showStatus(deps, context, args)),
      chatCommand(CONNECTORS_COMMANDS.delete, (context, _state, args) => askToDelete(deps, context, args)),
      chatCommand(CONNECTORS_COMMANDS.rename, (context, _state, args) => explainRename(deps, context, args)),
      chatCommand(CONNECTORS_COMMANDS.transfer, (context, _state, args) =>
        recordTransfer(deps, context, args),
      ),
      chatCommand(CONNECTORS_COMMANDS.which, (context, _state, args) => whichConnector(context, args)),
    ],
    verbs: [
      deleteVerb(deps),
      recordVerb(DELETE_CANCEL_VERB, (context) => deleteCancelled(deps, context)),
      ...revocationVerbs(deps),
      ...activityEvidenceVerbs(deps),
      recordVerb(LIST_REFRESH_VERB, (context, _state, data) => listNow(deps, context, data)),
      recordVerb(STATUS_REFRESH_VERB, (context, _state, data) => statusNow(deps, context, data)),
    ],
  };
}

/** Whether the reader of a card may change a connector: the buttons they get follow it. */
type MayManage = (connector: Connector) => boolean;

/**
 * Who may change the connectors as the card is read. The card of a personal chat and every
 * refresh answer go to one person, who gets their own view (the server still checks each
 * click). A card posted in a channel or group chat is the one everyone sees, so it is the
 * read-only view; the people who may manage get theirs through the card's refresh (`userIds`).
 */
async function readerMayManage(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  connectors: Connector[],
  card: 'posted' | 'answer',
): Promise<MayManage> {
  if (card === 'posted' && conversationTypeOf(context) !== 'personal') return () => false;
  const actor = actorOf(context);
  const answers = await Promise.all(connectors.map((c) => deps.connectors.mayManage(c, actor)));
  const allowed = new Set(connectors.filter((_c, i) => answers[i].allowed).map((c) => c.id));
  return (c) => allowed.has(c.id);
}

/** "Ask the owner: …, who created it, to <what>." for a reader who may not manage it; else ''. */
function askOwner(
  deps: ConnectorsFeatureDeps,
  connector: Connector,
  mayManage: boolean,
  what: string,
): string {
  return mayManage ? '' : `${askOwnerText(connector, !!deps.config.adminGroupId)} to ${what}.`;
}

function connectorRow(
  deps: ConnectorsFeatureDeps,
  connector: Connector,
  dates: DateFormatter,
  mayManage: MayManage,
): ConnectorRow {
  const { config, clock } = deps;
  const firstNotice = Math.max(...config.expiryNoticeDays);
  const days = daysUntilExpiry(connector, config.inactivityDays, clock.now());
  const deauthorized = connector.status === 'deauthorized';
  return {
    id: connector.id,
    version: connector.version,
    displayName: connector.displayName,
    typeName: connectorType(connector.type).name,
    status: connector.status,
    statusColor: STATUS_COLORS[connector.status],
    stateText: describeState(connector, dates.dateTime),
    lastTransfer: dates.dateTime(connector.lastTransferAt),
    daysLeft: deauthorized
      ? 'reauthorize to use'
      : days === undefined
        ? 'no clock yet'
        : `${daysText(days)} left`,
    daysColor: deauthorized || (days !== undefined && days < firstNotice) ? 'Attention' : 'Default',
    canManage: mayManage(connector),
    askOwner: askOwner(deps, connector, mayManage(connector), 'reauthorize or delete it'),
  };
}

/** `connectors [more <cursor>]`: one page of the tenant's connectors. */
async function listConnectors(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  args: string,
): Promise<void> {
  const tenantId = tenantIdOf(context);
  const actor = actorOf(context);
  const cursor = args.startsWith('more ') ? args.slice(5).trim() : undefined;
  // Each listed connector is deauthorized first when its 90 days are up.
  const page = await deps.connectors.listPage(tenantId, actor, { limit: CONNECTORS_PAGE_SIZE, cursor });
  if (page.items.length === 0 && !cursor) {
    await context.sendActivity(
      MessageFactory.attachment(
        renderCard(
          messageCard,
          messageCardData({
            title: 'No connectors yet',
            text: 'This tenant has no connectors. A connector is the link to your cloud storage accounts: authorize one to set up a transfer.',
            buttons: [commandButton('Connect a new connector', 'connect', '', 'positive')],
          }),
        ),
      ),
    );
    return;
  }
  await context.sendActivity(
    MessageFactory.attachment(
      renderCard(
        connectorListCard,
        listCardData(deps, context, page.items, page.next ?? '', {
          continued: !!cursor,
          userIds: await refreshUsers(deps, context, page.items),
          deletedNote: '',
          mayManage: await readerMayManage(deps, context, page.items, 'posted'),
        }),
      ),
    ),
  );
}

function listCardData(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  connectors: Connector[],
  next: string,
  view: { continued: boolean; userIds: string[] | undefined; deletedNote: string; mayManage: MayManage },
): ConnectorListCardData {
  const { config } = deps;
  const firstNotice = Math.max(...config.expiryNoticeDays);
  const dates = readerDates(context, deps.logger);
  return {
    title: view.continued ? 'Connectors (continued)' : 'Connectors of this tenant',
    summary: `Deauthorized after ${config.inactivityDays} days without a transfer. Red: under ${firstNotice} days left.${view.deletedNote}`,
    rows: connectors.map((c) => connectorRow(deps, c, dates, view.mayManage)),
    buttons: next ? [{ title: 'Show more', command: 'connectors', args: `more ${next}` }] : [],
    readOnly: connectors.some((c) => !view.mayManage(c)),
    refresh: {
      connectorIds: connectors.map((c) => c.id),
      next,
      page: view.continued ? 'more' : 'first',
      userIds: view.userIds,
    },
  };
}

/**
 * The connector list as it is now, for Teams' refresh: one read of the listed connectors as
 * stored (the audit log only for those gone since), nothing written.
 */
async function listNow(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<Attachment> {
  const ids = data.connectorIds;
  const next = typeof data.next === 'string' ? data.next : '';
  if (
    !Array.isArray(ids) ||
    ids.length === 0 ||
    ids.length > CONNECTORS_PAGE_SIZE ||
    !ids.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 100)
  ) {
    throw new CardActionError(400, 'This card does not say which connectors it lists, so it cannot refresh.');
  }
  const tenantId = tenantIdOf(context);
  const found = await deps.connectors.storedByIds(tenantId, ids as string[]);
  const gone = (ids as string[]).filter((id) => !found.has(id));
  const deletions = (await Promise.all(gone.map((id) => deletionOf(deps.store, tenantId, id)))).filter(
    (d): d is { by: string; at: string } => !!d,
  );
  if (found.size === 0 && deletions.length === 0) {
    throw new CardActionError(
      404,
      'This card names connectors that are not in your tenant, so it shows nothing.',
    );
  }
  const dates = readerDates(context, deps.logger);
  const deletedNote = deletions
    .map((d) => ` A connector on this card was deleted by ${d.by} on ${dates.dateTime(d.at)}.`)
    .join('');
  const connectors = (ids as string[]).flatMap((id) => found.get(id) ?? []);
  return renderCard(
    connectorListCard,
    listCardData(deps, context, connectors, next, {
      continued: data.page === 'more',
      userIds: await refreshUsers(deps, context, connectors),
      deletedNote,
      mayManage: await readerMayManage(deps, context, connectors, 'answer'),
    }),
  );
}

/** The status card's facts: state, type, dates, cloud, keys and consent. */
function statusFacts(
  deps: ConnectorsFeatureDeps,
  connector: Connector,
  dates: DateFormatter,
  consentView: ConsentStatusView | undefined,
): { title: string; value: string }[] {
  const { config, clock } = deps;
  const days = daysUntilExpiry(connector, config.inactivityDays, clock.now());
  const expiry = expiresAt(connector, config.inactivityDays);
  const facts = [
    { title: 'Status', value: describeState(connector, dates.dateTime) },
    { title: 'Type', value: connectorType(connector.type).name },
    {
      title: 'Created',
      value: `${dates.dateTime(connector.createdAt)}${connector.createdByName ? ` by ${connector.createdByName}` : ' (imported)'}`,
    },
    { title: 'Authorized', value: dates.dateTime(connector.authorizedAt) },
    { title: 'Last transfer', value: dates.dateTime(connector.lastTransferAt) },
    {
      title: connector.status === 'deauthorized' ? 'Deauthorized' : 'Deauthorized on',
      value: expiry
        ? `${dates.dateTime(expiry)}${days !== undefined && connector.status !== 'deauthorized' ? ` (${daysText(days)} left)` : ''}`
        : 'no clock yet',
    },
  ];
  if (connector.cloud) facts.push({ title: 'Cloud', value: cloudLabel(connector.cloud as MicrosoftCloud) });
  if (connector.keysVerified !== undefined) {
    facts.push({
      title: 'Keys',
      value: connector.keysVerified ? 'verified with the service' : 'format checked only (unverified)',
    });
  }
  if (consentView) facts.push({ title: 'Admin consent', value: consentView.fact });
  return facts;
}

/**
 * Whose Teams clients fetch a connectors card as it is now, for them, when it is shown: the
 * person of a personal chat (Teams' id for them is the sender's id), else the people who may
 * manage the connectors (src/bot/features/liveCards/cardViewers.ts).
 */
async function refreshUsers(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  connectors: Connector[],
): Promise<string[] | undefined> {
  if (conversationTypeOf(context) === 'personal') {
    const sender = context.activity.from?.id;
    return sender ? [sender] : [];
  }
  return managerIds(deps, tenantIdOf(context), connectors);
}

/** The status card's data; Graph's readings and the audit events are passed in when read. */
function statusCardData(
  deps: ConnectorsFeatureDeps,
  connector: Connector,
  dates: DateFormatter,
  read: {
    events: AuditEvent[];
    evidence: ActivityEvidenceRow;
    consentWorkflow: ConsentWorkflowRow;
    consentView: ConsentStatusView | undefined;
    refreshUserIds: string[] | undefined;
    mayManage: MayManage;
  },
): ConnectorStatusCardData {
  const { consentView } = read;
  const canManage = read.mayManage(connector);
  return {
    id: connector.id,
    version: connector.version,
    displayName: connector.displayName,
    typeName: connectorType(connector.type).name,
    status: connector.status,
    alert:
      connector.status === 'deauthorized'
        ? deauthorizedMessage(deps.config.inactivityDays)
        : (consentView?.alert ?? ''),
    advice: reauthorizeAdvice(connector),
    askAgain: connector.status === 'consent-declined' || connector.status === 'consent-expired',
    consentRequests: connector.type === 'office365',
    facts: statusFacts(deps, connector, dates, consentView),
    canManage,
    askOwner: askOwner(deps, connector, canManage, 'reauthorize it, record a transfer or delete it'),
    evidence: read.evidence,
    consentWorkflow: read.consentWorkflow,
    events: read.events.map((e) => ({
      at: dates.dateTime(e.at),
      text: `${AUDIT_TEXT[e.action] ?? e.action}${e.actorName ? ` by ${e.actorName}` : e.actor === 'scanner' || e.actor === 'api' ? ` by ${e.actor}` : ''}`,
    })),
    refreshUserIds: read.refreshUserIds,
  };
}

async function sendStatusCard(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  connector: Connector,
): Promise<void> {
  const events: AuditEvent[] = await deps.store.audit.list(connector.tenantId, {
    connectorId: connector.id,
    limit: 5,
  });
  const dates = readerDates(context, deps.logger);
  // Two independent Graph reads (Entra's sign-in report, its consent workflow): side by side.
  const [evidence, consentWorkflow, consentView, refreshUserIds, mayManage] = await Promise.all([
    activityEvidenceRow(deps, connector, dates),
    consentWorkflowRow(context, deps, connector, dates),
    connector.type === 'office365' ? consentStatusView(deps.store, connector, dates) : undefined,
    refreshUsers(deps, context, [connector]),
    readerMayManage(deps, context, [connector], 'posted'),
  ]);
  await context.sendActivity(
    MessageFactory.attachment(
      renderCard(
        connectorStatusCard,
        statusCardData(deps, connector, dates, {
          events,
          evidence,
          consentWorkflow,
          consentView,
          refreshUserIds,
          mayManage,
        }),
      ),
    ),
  );
}

/**
 * The status card as it is now, for Teams' refresh when someone opens it: one read of the
 * connector (the audit log only once it is gone), nothing written, no Graph call. Graph's
 * readings and the recent activity come with `status <name>`.
 */
async function statusNow(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<Attachment> {
  const problem = dataProblem(data, ['connectorId']);
  if (problem) throw new CardActionError(400, problem);
  const tenantId = tenantIdOf(context);
  const id = data.connectorId as string;
  const connector = await deps.connectors.get(tenantId, id);
  if (!connector) {
    const deleted = await deletionOf(deps.store, tenantId, id);
    if (!deleted) {
      throw new CardActionError(
        404,
        'This card names a connector that is not in your tenant, so it shows nothing.',
      );
    }
    const dates = readerDates(context, deps.logger);
    return renderCard(
      messageCard,
      messageCardData({
        title: 'Connector deleted',
        text: md`This connector was deleted by ${deleted.by} on ${dates.dateTime(deleted.at)}.`,
        style: 'warning',
      }),
    );
  }
  const dates = readerDates(context, deps.logger);
  return renderCard(
    connectorStatusCard,
    statusCardData(deps, connector, dates, {
      events: [],
      evidence: NO_EVIDENCE,
      consentWorkflow: NO_CONSENT_WORKFLOW,
      consentView: undefined,
      refreshUserIds: await refreshUsers(deps, context, [connector]),
      mayManage: await readerMayManage(deps, context, [connector], 'answer'),
    }),
  );
}

/** `status <name>`: the status card, after checking a pending Office 365 consent with Graph. */
async function showStatus(deps: ConnectorsFeatureDeps, context: TurnContext, args: string): Promise<void> {
  const { connectors } = deps;
  const found = await resolveConnector(context, connectors, 'status', args);
  if (!found) return;
  let current = await connectors.refresh(found, actorOf(context));
  if (current.type === 'office365' && current.status === 'awaiting-consent' && deps.verifyConsent) {
    const outcome = await deps.verifyConsent(current, actorOf(context));
    if (outcome.connector) current = outcome.connector;
    else if (outcome.message) await context.sendActivity(outcome.message);
  }
  await sendStatusCard(deps, context, current);
}

async function confirmDelete(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  connector: Connector,
): Promise<void> {
  const permission = await deps.connectors.mayManage(connector, actorOf(context));
  // A click is refused to the person alone (the invoke's error), a typed command in the chat.
  if (!permission.allowed) return refuse(context, 403, permission.reason);
  await context.sendActivity(
    MessageFactory.attachment(
      renderCard(deleteConfirmCard, {
        id: connector.id,
        version: connector.version,
        displayName: connector.displayName,
        typeName: connectorType(connector.type).name,
        facts: [
          { title: 'Type', value: connectorType(connector.type).name },
          { title: 'Status', value: connector.status },
          { title: 'Created', value: readerDates(context, deps.logger).dateTime(connector.createdAt) },
        ],
        revokeAccess: connectorType(connector.type).revokeAccess,
      }),
    ),
  );
}

/** `delete <name>`: asks first, with the confirmation card. */
async function askToDelete(deps: ConnectorsFeatureDeps, context: TurnContext, args: string): Promise<void> {
  const found = await resolveConnector(context, deps.connectors, 'delete', args);
  if (found) await confirmDelete(deps, context, found);
}

/** What the delete confirmation's buttons submit. */
interface DeleteData {
  connectorId: string;
  confirm: boolean;
  version: number;
}

function parseDeleteData(data: unknown): CardDataResult<DeleteData> {
  const fields = (data ?? {}) as Record<string, unknown>;
  return {
    data: {
      connectorId: typeof fields.connectorId === 'string' ? fields.connectorId : '',
      confirm: fields.confirm === true,
      version: Number(fields.version),
    },
  };
}

function deleteVerb(deps: ConnectorsFeatureDeps): CardVerb<DeleteData> {
  return cardVerb(DELETE_VERB, parseDeleteData, (context, _state, data) =>
    deleteConfirmed(deps, context, data),
  );
}

/** The confirmation's Delete: checks the card is current and the clicker may manage it, then deletes. */
async function deleteConfirmed(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  data: DeleteData,
): Promise<void> {
  const tenantId = tenantIdOf(context);
  const connector = data.connectorId ? await deps.connectors.get(tenantId, data.connectorId) : undefined;
  if (!connector) {
    await context.sendActivity(
      'That connector does not exist in this tenant (it may have been deleted already). Nothing was changed.',
    );
    return;
  }
  if (!data.confirm) {
    await confirmDelete(deps, context, connector);
    return;
  }
  if (data.version !== connector.version) {
    await context.sendActivity(
      'This confirmation is out of date: the connector changed since it was shown. Nothing was deleted; type delete again.',
    );
    return;
  }
  const permission = await deps.connectors.mayManage(connector, actorOf(context));
  if (!permission.allowed) return refuse(context, 403, permission.reason);
  await deps.connectors.delete(connector, actorOf(context));
  await replaceCard(context, renderCard(messageCard, deletedCardData(connector)), deps.logger);
}

/** The card that replaces the confirmation: what this bot removed and what is left to do elsewhere. */
function deletedCardData(connector: Connector) {
  const type = connectorType(connector.type);
  return messageCardData({
    title: `Deleted ${connector.displayName} from this bot`,
    text: 'The connector and its stored keys are removed from this bot. Access in the migration app and in your cloud service is not changed by this: finish there.',
    style: 'good',
    paragraphs: [
      {
        text: md`**In the migration app**: from the **Transfer Wizard**, for the **${type.name}**, select **Manage ▼**; to the right of **Connect**, select arrow ▼; select **Delete** and confirm. Deleting it there revokes the migration service's access to your cloud storage accounts.`,
      },
      { text: md`**In your cloud service**: ${markdown(type.revokeAccess)}` },
      { text: 'To add a new connector, type connect.' },
    ],
    buttons: connector.type === 'office365' ? [revocationCheckButton()] : [],
  });
}

async function deleteCancelled(deps: ConnectorsFeatureDeps, context: TurnContext): Promise<void> {
  await replaceCard(
    context,
    renderCard(
      messageCard,
      messageCardData({ title: 'Nothing was deleted', text: 'The connector is kept as it was.' }),
    ),
    deps.logger,
  );
}

/** `rename <name>`: why a display name cannot change, with delete and keep buttons. */
async function explainRename(deps: ConnectorsFeatureDeps, context: TurnContext, args: string): Promise<void> {
  const found = args ? await resolveConnector(context, deps.connectors, 'rename', args) : undefined;
  await context.sendActivity(
    MessageFactory.attachment(
      renderCard(
        messageCard,
        messageCardData({
          title: 'A connector’s display name cannot be changed',
          text: 'You are unable to change the display name of a connector. If you want to rename it, you must delete and re-add the connector.',
          style: 'warning',
          paragraphs: found
            ? [
                {
                  text: md`Deleting **${found.displayName}** is permanent; you then authorize a new connector with the name you want.`,
                },
              ]
            : [],
          buttons: found
            ? [
                commandButton('Delete and add again', 'delete', found.displayName, 'destructive'),
                commandButton('Keep it', 'status', found.displayName),
              ]
            : [],
        }),
      ),
    ),
  );
}

/** `transfer <name>`: records a transfer now, which restarts the inactivity clock. */
async function recordTransfer(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  args: string,
): Promise<void> {
  const { connectors, config, clock } = deps;
  const found = await resolveConnector(context, connectors, 'transfer', args);
  if (!found) return;
  const permission = await deps.connectors.mayManage(found, actorOf(context));
  if (!permission.allowed) return refuse(context, 403, permission.reason);
  try {
    const updated = await connectors.recordTransfer(found, clock.now(), actorOf(context));
    const expiry = expiresAt(updated, config.inactivityDays);
    await context.sendActivity(
      `Transfer recorded for ${updated.displayName}. The ${config.inactivityDays}-day clock restarted: it is now deauthorized on ${readerDates(context, deps.logger).dateTime(expiry)} unless it transfers again.`,
    );
  } catch (err) {
    if (err instanceof LifecycleError) {
      await context.sendActivity(err.message);
      return;
    }
    throw err;
  }
}

/** `which <service>`: the connector for a Microsoft service, with connect buttons. */
async function whichConnector(context: TurnContext, args: string): Promise<void> {
  const wanted = args.toLowerCase();
  const rows = MICROSOFT_SERVICE_CONNECTORS.filter(
    (r) =>
      !wanted ||
      r.service.toLowerCase().includes(wanted) ||
      wanted.split(' ').every((w) => r.service.toLowerCase().includes(w)),
  );
  const shown = rows.length > 0 ? rows : MICROSOFT_SERVICE_CONNECTORS;
  await context.sendActivity(
    MessageFactory.attachment(
      renderCard(
        messageCard,
        messageCardData({
          title: 'Which connector to use for each Microsoft service',
          text:
            rows.length > 0 || !wanted
              ? 'Microsoft service → connector:'
              : `I do not know the service "${args.slice(0, 60)}". These are the Microsoft services:`,
          facts: shown.map((r) => ({ title: r.service, value: connectorType(r.connector).name })),
          buttons: [...new Set(shown.map((r) => r.connector))]
            .slice(0, 3)
            .map((id) =>
              commandButton(`Connect ${connectorType(id).name.replace(/ Connector$/, '')}`, 'connect', id),
            ),
        }),
      ),
    ),
  );
}
