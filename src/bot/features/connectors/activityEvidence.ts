import { mdText } from '../../../cards/markdown';
import { connectorApp } from '../../../config/config';
import type { TurnContext } from 'botbuilder';
import { suggestedTransferAt } from '../../../connectors/activityEvidence';
import { clockStart, expiresAt, type Connector } from '../../../connectors/connector';
import type { ConnectorService } from '../../../connectors/connectorService';
import { LifecycleError } from '../../../connectors/lifecycle';
import type { ActivityEvidenceRow } from '../../../cards/connectorsCards';
import {
  readSignInEvidence,
  SIGN_IN_REPORT_CAVEAT,
  SIGN_IN_REPORT_SCOPE,
  type SignInEvidence,
} from '../../../diagnostics/signInActivity';
import { DAY_MS } from '../../../util/clock';
import type { DateFormatter } from '../../../util/dates';
import type { BotDeps } from '../../deps';
import { readerDates } from '../../../util/readerDates';
import { actorOf, tenantIdOf } from '../../turnInfo';
import { recordVerb, type CardVerbs } from '../../cardVerbs';
import { refuse } from '../../universalActions';

/** Card verb of "Record a transfer on <date>" on the status card. */
export const TRANSFER_AT_EVIDENCE_VERB = 'connectorTransferAtEvidence';

/** The status card's evidence section when there is none to show (not an Office 365 connector). */
export const NO_EVIDENCE: ActivityEvidenceRow = { text: '', note: '', at: '', buttonTitle: '' };

export type ActivityEvidenceDeps = Pick<BotDeps, 'graph' | 'config' | 'clock' | 'logger'>;

function readEvidence(deps: ActivityEvidenceDeps, tenantId: string): Promise<SignInEvidence> {
  return readSignInEvidence(deps.graph, tenantId, {
    connectorApp: connectorApp(deps.config),
    cloud: deps.config.cloud,
  });
}

/**
 * What Microsoft Entra says about the connector app's use, for an Office 365 connector's status
 * card, and the transfer it suggests recording when it runs more than a week ahead of the
 * 90-day clock. A refusal or failure is said on the row and changes nothing else.
 */
export async function activityEvidenceRow(
  deps: ActivityEvidenceDeps,
  connector: Connector,
  dates: DateFormatter,
): Promise<ActivityEvidenceRow> {
  if (connector.type !== 'office365') return NO_EVIDENCE;
  const evidence = await readEvidence(deps, connector.tenantId);
  if (evidence.kind === 'refused' || evidence.kind === 'failed') {
    deps.logger.warn('sign-in activity report not read', {
      tenantId: connector.tenantId,
      connectorId: connector.id,
      kind: evidence.kind,
      reason: evidence.reason,
    });
  }
  const note = `${SIGN_IN_REPORT_CAVEAT} ${SIGN_IN_REPORT_SCOPE}`;
  switch (evidence.kind) {
    case 'not-seen':
      return {
        ...NO_EVIDENCE,
        text: `Microsoft Entra’s sign-in activity report has no sign-in of the connector app (${evidence.appId}) in this tenant.`,
        note,
      };
    case 'seen': {
      const seen = new Date(evidence.lastSignInAt);
      const suggested = suggestedTransferAt(connector, seen, deps.clock.now());
      const start = clockStart(connector);
      const ahead =
        suggested && start
          ? ` That is ${Math.floor((seen.getTime() - start.getTime()) / DAY_MS)} days after the ${deps.config.inactivityDays}-day clock started (${dates.dateTime(start)}), and no transfer is recorded since: if the migration app transferred data then, record it so the clock matches.`
          : '';
      return {
        text: `Microsoft Entra last saw the connector app used in this tenant on ${dates.dateTime(seen)}.${ahead}`,
        note,
        at: suggested ? suggested.toISOString() : '',
        buttonTitle: suggested ? `Record a transfer on ${dates.date(suggested)}` : '',
      };
    }
    default:
      return { ...NO_EVIDENCE, text: evidence.reason };
  }
}

export interface ActivityEvidenceFeatureDeps extends ActivityEvidenceDeps {
  /** Loads the connector for someone who may manage it, and records the transfer. */
  connectors: ConnectorService;
}

/** Why Entra's evidence no longer backs a transfer on the card's date. */
function evidenceRefusal(evidence: SignInEvidence): string {
  return evidence.kind === 'seen'
    ? 'Microsoft Entra no longer reports activity of the connector app on that date.'
    : evidence.kind === 'not-seen'
      ? 'Microsoft Entra’s sign-in activity report no longer has a sign-in of the connector app.'
      : evidence.reason;
}

/** Records the evidenced transfer through the lifecycle and tells the reader the new deadline. */
async function recordTransferAt(
  deps: ActivityEvidenceFeatureDeps,
  context: TurnContext,
  connector: Connector,
  at: Date,
  evidence: Extract<SignInEvidence, { kind: 'seen' }>,
): Promise<void> {
  const { logger, connectors, config } = deps;
  const dates = readerDates(context, logger);
  try {
    const updated = await connectors.recordTransfer(connector, at, actorOf(context), {
      source: 'entra-sign-in-activity',
      appId: evidence.appId,
      lastSignInAt: evidence.lastSignInAt,
    });
    await context.sendActivity(
      mdText`Transfer recorded for ${updated.displayName} on ${dates.dateTime(at)}, from Microsoft Entra’s sign-in activity report. The ${config.inactivityDays}-day clock restarted from then: it is now deauthorized on ${dates.dateTime(expiresAt(updated, config.inactivityDays))} unless it transfers again.`,
    );
  } catch (err) {
    if (err instanceof LifecycleError) {
      await context.sendActivity(mdText`${err.message} Nothing was recorded.`);
      return;
    }
    throw err;
  }
}

/**
 * "Record a transfer on <date>": asks Entra again (the card's date is only what was shown), and
 * records the transfer through the lifecycle, with the evidence in the audit record.
 */
async function recordEvidencedTransfer(
  deps: ActivityEvidenceFeatureDeps,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<void> {
  const { logger, connectors } = deps;
  const tenantId = tenantIdOf(context);
  const id = typeof data.connectorId === 'string' ? data.connectorId : '';
  const lookup = await connectors.loadToManage(tenantId, id, actorOf(context));
  if (lookup.kind === 'missing') {
    await context.sendActivity(
      'That connector does not exist in this tenant any more. Nothing was recorded.',
    );
    return;
  }
  // Refused to the person who clicked alone, not posted to the channel.
  if (lookup.kind === 'refused') return refuse(context, 403, lookup.reason);
  const { connector } = lookup;
  const at = typeof data.at === 'string' ? new Date(data.at) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) {
    logger.warn('evidenced transfer without a valid date', { connectorId: connector.id });
    await context.sendActivity(
      'That button does not carry a valid date. Nothing was recorded; type status again.',
    );
    return;
  }
  if (Number(data.version) !== connector.version) {
    await context.sendActivity(
      mdText`This card is out of date: ${connector.displayName} changed since it was shown. Nothing was recorded; type status ${connector.displayName} again.`,
    );
    return;
  }
  const evidence = await readEvidence(deps, tenantId);
  if (evidence.kind !== 'seen' || at.getTime() > new Date(evidence.lastSignInAt).getTime()) {
    logger.warn('evidenced transfer not recorded', { connectorId: connector.id, kind: evidence.kind });
    await context.sendActivity(mdText`${evidenceRefusal(evidence)} Nothing was recorded.`);
    return;
  }
  await recordTransferAt(deps, context, connector, at, evidence);
}

/** The status card's "Record a transfer on <date>" button. */
export function activityEvidenceVerbs(deps: ActivityEvidenceFeatureDeps): CardVerbs {
  return [
    recordVerb(TRANSFER_AT_EVIDENCE_VERB, (context, _state, data) =>
      recordEvidencedTransfer(deps, context, data),
    ),
  ];
}
