import { mdText } from '../../../cards/markdown';
import { MessageFactory, TurnContext } from 'botbuilder';
import { refuse } from '../../universalActions';
import { subscriptionCard } from '../../../cards/noticeCards';
import { renderCard } from '../../../cards/render';
import {
  clockStart,
  daysUntilExpiry,
  expiresAt,
  isConnectorId,
  type Connector,
} from '../../../connectors/connector';
import type { ConnectorService } from '../../../connectors/connectorService';
import { LifecycleError, type ConnectorLifecycle } from '../../../connectors/lifecycle';
import { dueThreshold, nextThreshold } from '../../../notify/thresholds';
import { restartedBy } from '../../../notify/digestView';
import type { CommandRouter } from '../../commandRouter';
import type { BotDeps } from '../../deps';
import { readerDates } from '../../../util/readerDates';
import { auditTurn } from '../../turnAudit';
import { actorOf, baseConversationId, conversationTypeOf, tenantIdOf } from '../../turnInfo';
import { recordVerb } from '../../cardVerbs';
import { chatCommand, type FeatureTables } from '../../chatCommands';
import { NOTICES_COMMANDS } from './noticesCommands';
import { nameConnectorById } from '../../connectorResolver';

/** Card verbs of the expiry notices' buttons. */
export const NOTICE_VERBS = {
  reauthorize: 'noticeReauthorize',
  transfer: 'noticeTransfer',
  snooze: 'noticeSnooze',
} as const;

export interface NotifyFeatureDeps extends Pick<BotDeps, 'config' | 'store' | 'clock' | 'logger'> {
  /** Loads the connector a notice names, checks who may manage it, records transfers. */
  connectors: ConnectorService;
  /** Audits a snoozed notice. */
  lifecycle: Pick<ConnectorLifecycle, 'audit'>;
}

/** A subscription card with the notice settings as facts. */
function reply(
  deps: NotifyFeatureDeps,
  context: TurnContext,
  title: string,
  text: string,
  style: 'good' | 'default' | 'warning',
  buttons: { title: string; command: string }[] = [],
) {
  const { config } = deps;
  return context.sendActivity(
    MessageFactory.attachment(
      renderCard(subscriptionCard, {
        title,
        text,
        style,
        facts: [
          { title: 'Notices', value: `${config.expiryNoticeDays.join(', ')} days before deauthorization` },
          { title: 'Deauthorized after', value: `${config.inactivityDays} days without a transfer` },
        ],
        buttons,
      }),
    ),
  );
}

/** `subscribe`: posts this tenant's notices in the channel or group chat; in 1:1, undoes an opt-out. */
async function subscribe(deps: NotifyFeatureDeps, context: TurnContext): Promise<void> {
  const { store, clock } = deps;
  const tenantId = tenantIdOf(context);
  const actor = actorOf(context);
  if (conversationTypeOf(context) === 'personal') {
    await store.subscriptions.setPersonalOptOut(tenantId, actor.id, false);
    await reply(
      deps,
      context,
      'Subscribe is for channels and group chats',
      'Type subscribe in a channel (after @mentioning me) or a group chat to post this tenant’s expiry notices there. Here in our 1:1 chat you always get the notices of the connectors you created, unless you type unsubscribe.',
      'default',
    );
    return;
  }
  const conversationId = baseConversationId(context.activity.conversation.id);
  const reference = TurnContext.getConversationReference(context.activity);
  // Notices are new posts in the channel, not replies in the thread where someone subscribed.
  delete reference.activityId;
  reference.conversation = { ...reference.conversation!, id: conversationId };
  const added = await store.subscriptions.add({
    tenantId,
    conversationId,
    conversationType: conversationTypeOf(context),
    reference,
    teamId: (context.activity.channelData as { team?: { id?: string } } | undefined)?.team?.id,
    createdBy: actor.id,
    createdAt: clock.now().toISOString(),
  });
  await auditTurn(deps, context, 'subscription.added', { conversationId });
  await reply(
    deps,
    context,
    added ? 'Expiry notices will post here' : 'This conversation is already subscribed',
    'Each scan posts one digest here of this tenant’s connectors that are about to be deauthorized, and a notice for each one that is deauthorized. Whoever may manage a connector gets Reauthorize, Record a transfer and Skip the next notice on it.',
    'good',
    [{ title: 'Unsubscribe', command: 'unsubscribe' }],
  );
}

/** `unsubscribe`: stops the notices here; in 1:1, opts out of one's own connectors' notices. */
async function unsubscribe(deps: NotifyFeatureDeps, context: TurnContext): Promise<void> {
  const { store } = deps;
  const tenantId = tenantIdOf(context);
  const actor = actorOf(context);
  if (conversationTypeOf(context) === 'personal') {
    await store.subscriptions.setPersonalOptOut(tenantId, actor.id, true);
    await auditTurn(deps, context, 'notices.personal-opt-out', {});
    await reply(
      deps,
      context,
      'No more 1:1 expiry notices',
      'I will no longer send you the expiry notices of the connectors you created. Channels that subscribed still get them. Type subscribe here to get them again.',
      'default',
      [{ title: 'Subscribe again', command: 'subscribe' }],
    );
    return;
  }
  const conversationId = baseConversationId(context.activity.conversation.id);
  const removed = await store.subscriptions.remove(tenantId, conversationId);
  if (removed) await auditTurn(deps, context, 'subscription.removed', { conversationId });
  await reply(
    deps,
    context,
    removed ? 'Expiry notices stopped here' : 'This conversation was not subscribed',
    removed
      ? 'This conversation no longer gets expiry notices.'
      : 'There was nothing to stop. Type subscribe to get expiry notices here.',
    'default',
    [{ title: 'Subscribe', command: 'subscribe' }],
  );
}

/**
 * Logs a click the feature turned down with a reply in the conversation (refuse() logs its own),
 * so that what people were told leaves a trace.
 */
function logRefusal(deps: NotifyFeatureDeps, verb: string, connector: Connector, reason: string): void {
  deps.logger.info('notice action refused', {
    verb,
    tenantId: connector.tenantId,
    connectorId: connector.id.slice(0, 40),
    reason,
  });
}

/** The connector a notice button names, in this tenant, if the person may manage it. */
async function managed(
  deps: NotifyFeatureDeps,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<Connector | undefined> {
  const id = data.connectorId;
  if (!isConnectorId(id)) {
    // Refused before any read: a malformed id would reach the store as a key (Azure: a 400).
    await refuse(context, 400, 'This button does not name a connector I know, so nothing was changed.');
    return undefined;
  }
  const lookup = await deps.connectors.loadToManage(tenantIdOf(context), id, actorOf(context));
  if (lookup.kind === 'missing') {
    await refuse(context, 404, 'That connector does not exist in this tenant any more. Nothing was changed.');
    return undefined;
  }
  if (lookup.kind === 'refused') {
    await refuse(context, 403, lookup.reason);
    return undefined;
  }
  return lookup.connector;
}

/** A notice's "Record a transfer": once per 90-day period the notice was about. */
async function noticeTransfer(
  deps: NotifyFeatureDeps,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<void> {
  const { clock, config } = deps;
  if (typeof data.periodStart !== 'string') {
    // Without the period, a click on an old card would record a transfer it was never about.
    await refuse(context, 400, 'This card does not say which period it is about, so nothing was changed.');
    return;
  }
  const connector = await managed(deps, context, data);
  if (!connector) return;
  const dates = readerDates(context, deps.logger);
  // A notice is about one 90-day period: once a transfer or a reauthorization restarted the clock
  // (a double click, or someone else in the channel), the notice's button has nothing left to do.
  if (data.periodStart !== clockStart(connector)?.toISOString()) {
    const restarted = restartedBy(connector, data.periodStart, dates);
    logRefusal(
      deps,
      NOTICE_VERBS.transfer,
      connector,
      restarted ? 'clock restarted' : 'not the current period',
    );
    await context.sendActivity(
      restarted
        ? mdText`This notice about ${connector.displayName} is out of date: ${restarted} Nothing was changed; type transfer ${connector.displayName} to record another.`
        : mdText`This notice is not about the current period of ${connector.displayName}, so nothing was changed; type transfer ${connector.displayName} to record a transfer.`,
    );
    return;
  }
  try {
    const updated = await deps.connectors.recordTransfer(connector, clock.now(), actorOf(context));
    await context.sendActivity(
      mdText`${actorOf(context).name} recorded a transfer for ${updated.displayName}: it is now deauthorized on ${dates.dateTime(expiresAt(updated, config.inactivityDays))} unless it transfers again.`,
    );
  } catch (err) {
    if (err instanceof LifecycleError) {
      logRefusal(deps, NOTICE_VERBS.transfer, connector, err.code);
      // The message quotes the connector's name, which is text from people.
      await context.sendActivity(mdText`${err.message}`);
      return;
    }
    throw err;
  }
}

/** A digest's "Skip the N-day notice" (the snooze): skips the next notice of the same period. */
async function noticeSnooze(
  deps: NotifyFeatureDeps,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<void> {
  const { store, clock, lifecycle, config } = deps;
  const connector = await managed(deps, context, data);
  if (!connector) return;
  const period = clockStart(connector)?.toISOString();
  if (!period || data.periodStart !== period) {
    logRefusal(deps, NOTICE_VERBS.snooze, connector, 'not the current period');
    await context.sendActivity(
      mdText`This notice is out of date: ${connector.displayName} transferred or was reauthorized since. Nothing was snoozed.`,
    );
    return;
  }
  const threshold = Number(data.threshold);
  if (!config.expiryNoticeDays.includes(threshold)) {
    deps.logger.warn('snooze refused: card names no notice threshold', {
      tenantId: connector.tenantId,
      connectorId: connector.id,
      threshold: String(data.threshold).slice(0, 20),
    });
    await refuse(context, 400, 'This card does not name a notice I send, so nothing was snoozed.');
    return;
  }
  const next = nextThreshold(threshold, config.expiryNoticeDays);
  // The notice this card would skip may have gone out since the card was posted.
  const daysLeft = daysUntilExpiry(connector, config.inactivityDays, clock.now());
  const dueNow = daysLeft === undefined ? undefined : dueThreshold(daysLeft, config.expiryNoticeDays);
  if (next !== undefined && dueNow !== undefined && dueNow <= next) {
    logRefusal(deps, NOTICE_VERBS.snooze, connector, 'next notice due or sent');
    await context.sendActivity(
      mdText`This card is out of date: ${connector.displayName} has ${daysLeft === 1 ? '1 day' : `${daysLeft} days`} left, so the ${next}-day notice is due or already sent. Nothing was snoozed; the latest notice offers the next one to skip.`,
    );
    return;
  }
  if (next === undefined) {
    logRefusal(deps, NOTICE_VERBS.snooze, connector, 'no later notice');
    await context.sendActivity(
      mdText`There is no later notice to snooze for ${connector.displayName}: the next thing that happens is deauthorization.`,
    );
    return;
  }
  const snoozed = await store.notices.snooze(
    { tenantId: connector.tenantId, connectorId: connector.id, periodStart: period, threshold: next },
    clock.now(),
  );
  if (!snoozed) {
    // A double click or a second person: the first one audited and announced it.
    const by = await snoozedBy(deps, connector, period, next);
    logRefusal(deps, NOTICE_VERBS.snooze, connector, 'already snoozed');
    await context.sendActivity(
      by
        ? mdText`The ${next}-day notice of ${connector.displayName} was already skipped by ${by}: it will not be sent. Later notices still will. Nothing else changed.`
        : mdText`The ${next}-day notice of ${connector.displayName} was already skipped: it will not be sent. Later notices still will. Nothing else changed.`,
    );
    return;
  }
  await lifecycle.audit(connector, actorOf(context), 'notice.snoozed', {
    threshold: next,
    periodStart: period,
  });
  await context.sendActivity(
    mdText`${actorOf(context).name} snoozed ${connector.displayName}: the ${next}-day notice will not be sent. Later notices still will.`,
  );
}

/** Who snoozed this notice, from the connector's recent audit; undefined when it is not there (yet). */
async function snoozedBy(
  deps: NotifyFeatureDeps,
  connector: Connector,
  periodStart: string,
  threshold: number,
): Promise<string | undefined> {
  const recent = await deps.store.audit.list(connector.tenantId, { connectorId: connector.id, limit: 20 });
  const event = recent.find(
    (e) =>
      e.action === 'notice.snoozed' &&
      e.detail?.threshold === threshold &&
      // Entries from before the period was recorded name only the threshold.
      (e.detail?.periodStart === undefined || e.detail.periodStart === periodStart),
  );
  return event ? (event.actorName ?? event.actor) : undefined;
}

/**
 * `subscribe` / `unsubscribe`, and the buttons of expiry notices, which work from the channel
 * the notice was posted in, for the people allowed to manage the connector. "Reauthorize" runs
 * the `reauthorize` command through the router.
 */
export function noticesFeature(deps: NotifyFeatureDeps, router: CommandRouter): FeatureTables {
  return {
    commands: [
      chatCommand(NOTICES_COMMANDS.subscribe, (context) => subscribe(deps, context)),
      chatCommand(NOTICES_COMMANDS.unsubscribe, (context) => unsubscribe(deps, context)),
    ],
    verbs: [
      recordVerb(NOTICE_VERBS.reauthorize, async (context, state, data) => {
        const connector = await managed(deps, context, data);
        if (!connector) return;
        // By id: another connector may share its name.
        nameConnectorById(context, connector.id);
        await router.get('reauthorize')!(context, state, connector.displayName);
      }),
      recordVerb(NOTICE_VERBS.transfer, (context, _state, data) => noticeTransfer(deps, context, data)),
      recordVerb(NOTICE_VERBS.snooze, (context, _state, data) => noticeSnooze(deps, context, data)),
    ],
  };
}
