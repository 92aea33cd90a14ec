import { MessageFactory, type TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import { daysText } from '../../../util/format';
import {
  connectorListCard,
  connectorStatusCard,
  deleteConfirmCard,
  type ConnectorRow,
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
import { LifecycleError, type ConnectorLifecycle } from '../../../connectors/lifecycle';
import { describeState } from '../../../connectors/provenance';
import { reauthorizeAdvice } from '../../../connectors/reauthorization';
import type { AuditEvent } from '../../../connectors/ports';
import type { CommandRouter } from '../../commandRouter';
import { resolveConnector } from '../../connectorResolver';
import type { BotDeps } from '../../deps';
import { canManage } from '../../managePermission';
import { replaceCard } from '../../cardReplies';
import { activityEvidenceRow } from './activityEvidence';
import { readerDates } from '../../../util/readerDates';
import { revocationCheckButton } from './revocationFeature';
import { actorOf, tenantIdOf } from '../../turnInfo';
import type { DateFormatter } from '../../../util/dates';
import { markdown, md } from '../../../cards/markdown';
import { recordVerb, registerCardVerbs } from '../../cardVerbs';

/** Card verbs of the delete confirmation. */
export const DELETE_VERB = 'connectorDelete';
export const DELETE_CANCEL_VERB = 'connectorDeleteCancel';

/** Rows a connectors card shows before "Show more". */
export const CONNECTORS_PAGE_SIZE = 20;

const STATUS_COLORS: Record<Connector['status'], TextColor> = {
  authorized: 'Default',
  'awaiting-consent': 'Accent',
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
  'reauthorization.started': 'reauthorization started',
  'step.done': 'wizard step done',
  'notice.sent': 'expiry notice sent',
};

export interface ConnectorsFeatureDeps extends BotDeps {
  lifecycle: ConnectorLifecycle;
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
export function registerConnectors(
  app: Application<TurnState>,
  router: CommandRouter,
  deps: ConnectorsFeatureDeps,
): void {
  const { lifecycle, config, clock } = deps;
  const firstNotice = Math.max(...config.expiryNoticeDays);

  const row = (connector: Connector, dates: DateFormatter): ConnectorRow => {
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
    };
  };

  router.register('connectors', async (context, _state, args) => {
    const tenantId = tenantIdOf(context);
    const actor = actorOf(context);
    const cursor = args.startsWith('more ') ? args.slice(5).trim() : undefined;
    const page = await deps.store.connectors.list(tenantId, { limit: CONNECTORS_PAGE_SIZE, cursor });
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
    const loaded = await Promise.all(page.items.map((c) => lifecycle.deauthorizeIfExpired(c, actor)));
    await context.sendActivity(
      MessageFactory.attachment(
        renderCard(connectorListCard, {
          title: cursor ? 'Connectors (continued)' : 'Connectors of this tenant',
          summary: `Deauthorized after ${config.inactivityDays} days without a transfer. Red: under ${firstNotice} days left.`,
          rows: loaded.map((c) => row(c, readerDates(context, deps.logger))),
          buttons: page.next
            ? [{ title: 'Show more', command: 'connectors', args: `more ${page.next}` }]
            : [],
        }),
      ),
    );
  });

  const statusCard = async (context: TurnContext, connector: Connector) => {
    const events: AuditEvent[] = await deps.store.audit.list(connector.tenantId, {
      connectorId: connector.id,
      limit: 5,
    });
    const days = daysUntilExpiry(connector, config.inactivityDays, clock.now());
    const expiry = expiresAt(connector, config.inactivityDays);
    const dates = readerDates(context, deps.logger);
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
    if (connector.type === 'office365') {
      const consent = connector.consent;
      facts.push({
        title: 'Admin consent',
        value: consent?.verifiedAt
          ? `verified ${dates.dateTime(consent.verifiedAt)}`
          : consent?.requestedFrom
            ? `requested from ${consent.requestedFrom} ${dates.dateTime(consent.requestedAt)}`
            : connector.status === 'awaiting-consent'
              ? 'waiting for a global admin'
              : 'not verified by the bot',
      });
    }
    await context.sendActivity(
      MessageFactory.attachment(
        renderCard(connectorStatusCard, {
          id: connector.id,
          version: connector.version,
          displayName: connector.displayName,
          typeName: connectorType(connector.type).name,
          status: connector.status,
          alert: connector.status === 'deauthorized' ? deauthorizedMessage(config.inactivityDays) : '',
          advice: reauthorizeAdvice(connector),
          facts,
          evidence: await activityEvidenceRow(deps, connector, dates),
          events: events.map((e) => ({
            at: dates.dateTime(e.at),
            text: `${AUDIT_TEXT[e.action] ?? e.action}${e.actorName ? ` by ${e.actorName}` : e.actor === 'scanner' || e.actor === 'api' ? ` by ${e.actor}` : ''}`,
          })),
        }),
      ),
    );
  };

  router.register('status', async (context, _state, args) => {
    const found = await resolveConnector(context, lifecycle, 'status', args);
    if (!found) return;
    let current = await lifecycle.deauthorizeIfExpired(found, actorOf(context));
    if (current.type === 'office365' && current.status === 'awaiting-consent' && deps.verifyConsent) {
      const outcome = await deps.verifyConsent(current, actorOf(context));
      if (outcome.connector) current = outcome.connector;
      else if (outcome.message) await context.sendActivity(outcome.message);
    }
    await statusCard(context, current);
  });

  const confirmDelete = async (context: TurnContext, connector: Connector) => {
    const permission = await canManage(connector, context, deps);
    if (!permission.allowed) {
      await context.sendActivity(permission.reason);
      return;
    }
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
  };

  router.register('delete', async (context, _state, args) => {
    const found = await resolveConnector(context, lifecycle, 'delete', args);
    if (found) await confirmDelete(context, found);
  });

  registerCardVerbs(
    app,
    [
      recordVerb(DELETE_VERB, async (context, _state, data) => {
        const tenantId = tenantIdOf(context);
        const id = typeof data.connectorId === 'string' ? data.connectorId : '';
        const connector = id ? await deps.store.connectors.get(tenantId, id) : undefined;
        if (!connector) {
          await context.sendActivity(
            'That connector does not exist in this tenant (it may have been deleted already). Nothing was changed.',
          );
          return;
        }
        if (data.confirm !== true) {
          await confirmDelete(context, connector);
          return;
        }
        if (Number(data.version) !== connector.version) {
          await context.sendActivity(
            'This confirmation is out of date: the connector changed since it was shown. Nothing was deleted; type delete again.',
          );
          return;
        }
        const permission = await canManage(connector, context, deps);
        if (!permission.allowed) {
          await context.sendActivity(permission.reason);
          return;
        }
        await lifecycle.delete(connector, actorOf(context));
        const type = connectorType(connector.type);
        await replaceCard(
          context,
          renderCard(
            messageCard,
            messageCardData({
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
            }),
          ),
          deps.logger,
        );
      }),
    ],
    deps.logger,
  );

  registerCardVerbs(
    app,
    [
      recordVerb(DELETE_CANCEL_VERB, async (context) => {
        await replaceCard(
          context,
          renderCard(
            messageCard,
            messageCardData({ title: 'Nothing was deleted', text: 'The connector is kept as it was.' }),
          ),
          deps.logger,
        );
      }),
    ],
    deps.logger,
  );

  router.register('rename', async (context, _state, args) => {
    const found = args ? await resolveConnector(context, lifecycle, 'rename', args) : undefined;
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
  });

  router.register('transfer', async (context, _state, args) => {
    const found = await resolveConnector(context, lifecycle, 'transfer', args);
    if (!found) return;
    const permission = await canManage(found, context, deps);
    if (!permission.allowed) {
      await context.sendActivity(permission.reason);
      return;
    }
    try {
      const updated = await lifecycle.recordTransfer(found, clock.now(), actorOf(context));
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
  });

  router.register('which', async (context, _state, args) => {
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
  });
}
