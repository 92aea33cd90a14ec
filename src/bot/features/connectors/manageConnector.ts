import { MessageFactory, type TurnContext } from 'botbuilder';
import { deleteConfirmCard } from '../../../cards/connectorsCards';
import { renderCard } from '../../../cards/render';
import { messageCardData, messageCard } from '../../../cards/messageCard';
import { markdown, md, mdText } from '../../../cards/markdown';
import { connectorType } from '../../../connectors/catalog';
import { expiresAt, type Connector } from '../../../connectors/connector';
import { LifecycleError } from '../../../connectors/lifecycle';
import { withdrawConsentRequest } from '../../../connectors/consentRequest';
import { ConcurrencyError, StoreUnavailableError } from '../../../connectors/ports';
import { readerDates } from '../../../util/readerDates';
import { resolveConnector } from '../../connectorResolver';
import { replaceCard } from '../../cardReplies';
import { actorOf, tenantIdOf } from '../../turnInfo';
import { refuse } from '../../universalActions';
import { cardVerb, type CardDataResult, type CardVerb } from '../../cardVerbs';
import type { ConnectorsFeatureDeps } from './connectorsDeps';
import { revocationCheckButton } from './revocationFeature';

/** Card verbs of the delete confirmation. */
export const DELETE_VERB = 'connectorDelete';
export const DELETE_CANCEL_VERB = 'connectorDeleteCancel';

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
        createdAt: connector.createdAt,
        requestedBy: actorOf(context).id,
        displayName: connector.displayName,
        typeName: connectorType(connector.type).name,
        facts: [
          { title: 'Type', value: connectorType(connector.type).name },
          { title: 'Status', value: connector.status },
          { title: 'Created', value: readerDates(context, deps.logger).dateTime(connector.createdAt) },
        ],
        revokeAccess: markdown(connectorType(connector.type).revokeAccess),
      }),
    ),
  );
}

/** `delete <name>`: asks first, with the confirmation card. */
export async function askToDelete(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  args: string,
): Promise<void> {
  const found = await resolveConnector(context, deps.connectors, 'delete', args);
  if (found) await confirmDelete(deps, context, found);
}

/** What the delete confirmation's buttons submit. */
interface DeleteData {
  connectorId: string;
  confirm: boolean;
  /** The revision shown: a connector changed, or deleted and created again, is not this one. */
  version: number;
  createdAt: string;
  /** Who asked (their Entra object id): only they may confirm. */
  requestedBy: string;
}

const field = (value: unknown, max: number): string => (typeof value === 'string' ? value.slice(0, max) : '');

function parseDeleteData(data: unknown): CardDataResult<DeleteData> {
  const fields = (data ?? {}) as Record<string, unknown>;
  return {
    data: {
      connectorId: field(fields.connectorId, 200),
      confirm: fields.confirm === true,
      version: Number(fields.version),
      createdAt: field(fields.createdAt, 40),
      requestedBy: field(fields.requestedBy, 100),
    },
  };
}

/** The confirmation's Delete button, with its submitted data checked before the handler runs. */
export function deleteVerb(deps: ConnectorsFeatureDeps): CardVerb<DeleteData> {
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
    deps.logger.warn('delete refused: no such connector in this tenant', {
      tenantId,
      connectorId: String(data.connectorId ?? '').slice(0, 100),
    });
    await context.sendActivity(
      'That connector does not exist in this tenant (it may have been deleted already). Nothing was changed.',
    );
    return;
  }
  if (!data.confirm) {
    await confirmDelete(deps, context, connector);
    return;
  }
  const actor = actorOf(context);
  // Whether the clicker may manage it comes first: a refusal goes to them alone (the invoke's error).
  const permission = await deps.connectors.mayManage(connector, actor);
  if (!permission.allowed) return refuse(context, 403, permission.reason);
  if (data.version !== connector.version || data.createdAt !== connector.createdAt) {
    deps.logger.info('delete refused: confirmation out of date', {
      tenantId,
      connectorId: connector.id,
      shown: data.version,
      stored: connector.version,
      recreated: data.createdAt !== connector.createdAt,
    });
    await context.sendActivity(OUT_OF_DATE);
    return;
  }
  if (data.requestedBy !== actor.id) {
    deps.logger.info('delete refused: confirmed by someone other than the asker', {
      tenantId,
      connectorId: connector.id,
    });
    return refuse(
      context,
      403,
      `This confirmation belongs to the person who asked to delete ${connector.displayName}. To delete it yourself, type delete ${connector.displayName}.`,
    );
  }
  const outcome = await deps.connectors.delete(connector, actor);
  if (!outcome.deleted) {
    deps.logger.info('delete refused: the connector changed as it was confirmed', {
      tenantId,
      connectorId: connector.id,
    });
    await context.sendActivity(OUT_OF_DATE);
    return;
  }
  if (outcome.auditFailure) {
    // Deleted all the same: said so, with what is missing, rather than "could not do that".
    deps.logger.error('connector deleted, but its audit line could not be written', {
      tenantId,
      connectorId: connector.id,
      error: outcome.auditFailure,
    });
  }
  await withdrawConsentRequests(deps, connector, actor);
  await replaceCard(
    context,
    renderCard(messageCard, deletedCardData(connector, outcome.auditFailure !== undefined)),
    deps.logger,
  );
}

/**
 * The deleted connector's open consent requests are withdrawn (reviewers' cards show it on their
 * next refresh), so `consents` no longer lists them and nobody is told one expired. A storage
 * failure here is logged: the delete stands, and the expiry scan withdraws what is left.
 */
async function withdrawConsentRequests(
  deps: ConnectorsFeatureDeps,
  connector: Connector,
  actor: { id: string; name: string },
): Promise<void> {
  try {
    const open = await deps.store.consentRequests.listByTenant(connector.tenantId, {
      connectorId: connector.id,
      states: ['open'],
    });
    for (const request of open) {
      const withdrawn = withdrawConsentRequest(request, deps.clock.now());
      if (!withdrawn.ok) continue;
      try {
        await deps.store.consentRequests.update(withdrawn.request);
      } catch (err) {
        // Decided or changed at the same moment: that change stands.
        if (err instanceof ConcurrencyError) continue;
        throw err;
      }
      await deps.connectors.audit(connector, actor, 'consent.withdrawn', {
        requestId: request.id,
        reason: 'connector deleted',
      });
    }
  } catch (err) {
    if (!(err instanceof StoreUnavailableError)) throw err;
    deps.logger.warn('the deleted connector’s open consent requests could not be withdrawn now', {
      tenantId: connector.tenantId,
      connectorId: connector.id,
      error: err,
    });
  }
}

/** Said when a confirmation no longer names the stored connector. */
const OUT_OF_DATE =
  'This confirmation is out of date: the connector changed, or was deleted and added again, since it was shown. Nothing was deleted; type delete again.';

/** The card that replaces the confirmation: what this bot removed and what is left to do elsewhere. */
function deletedCardData(connector: Connector, notAudited: boolean) {
  const type = connectorType(connector.type);
  return messageCardData({
    title: `Deleted ${connector.displayName} from this bot`,
    text: 'The connector and its stored keys are removed from this bot. Access in the migration app and in your cloud service is not changed by this: finish there.',
    style: notAudited ? 'warning' : 'good',
    paragraphs: [
      ...(notAudited
        ? [
            {
              text: 'Storage failed as I wrote the audit line, so the audit log does not show this delete. The delete itself is done.',
            },
          ]
        : []),
      {
        text: md`**In the migration app**: from the **Transfer Wizard**, for the **${type.name}**, select **Manage ▼**; to the right of **Connect**, select arrow ▼; select **Delete** and confirm. Deleting it there revokes the migration service's access to your cloud storage accounts.`,
      },
      { text: md`**In your cloud service**: ${markdown(type.revokeAccess)}` },
      { text: 'To add a new connector, type connect.' },
    ],
    buttons: connector.type === 'office365' ? [revocationCheckButton()] : [],
  });
}

/** The confirmation's Cancel: the card says nothing was deleted. */
export async function deleteCancelled(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<void> {
  // Keep it replaces the card for everyone who sees it: only the asker closes their question.
  // (Cards posted before the asker was recorded carry none, and anyone may close those.)
  const requestedBy = field(data.requestedBy, 100);
  if (requestedBy && requestedBy !== actorOf(context).id) {
    deps.logger.info('delete cancel refused: clicked by someone other than the asker', {
      tenantId: tenantIdOf(context),
    });
    return refuse(
      context,
      403,
      'This confirmation belongs to the person who asked to delete the connector, so it stays for them to answer. Nothing was changed.',
    );
  }
  await replaceCard(
    context,
    renderCard(
      messageCard,
      messageCardData({ title: 'Nothing was deleted', text: 'The connector is kept as it was.' }),
    ),
    deps.logger,
  );
}

/** `transfer <name>`: records a transfer now, which restarts the inactivity clock. */
export async function recordTransfer(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  args: string,
): Promise<void> {
  const { connectors, config, clock } = deps;
  // Recorded at once, with no card to check: only the connector's whole name will do.
  const found = await resolveConnector(context, connectors, 'transfer', args, { exactName: true });
  if (!found) return;
  const permission = await deps.connectors.mayManage(found, actorOf(context));
  if (!permission.allowed) return refuse(context, 403, permission.reason);
  try {
    const updated = await connectors.recordTransfer(found, clock.now(), actorOf(context));
    const expiry = expiresAt(updated, config.inactivityDays);
    await context.sendActivity(
      mdText`Transfer recorded for ${updated.displayName}. The ${config.inactivityDays}-day clock restarted: it is now deauthorized on ${readerDates(context, deps.logger).dateTime(expiry)} unless it transfers again.`,
    );
  } catch (err) {
    if (err instanceof LifecycleError) {
      // The message names the connector: text from people, escaped for the chat's markdown.
      await context.sendActivity(mdText`${err.message}`);
      return;
    }
    throw err;
  }
}
