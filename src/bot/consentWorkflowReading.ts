import { connectorApp } from '../config/config';
import type { TurnContext } from 'botbuilder';
import type { ConsentWorkflowRow } from '../cards/connectorsCards';
import type { Connector } from '../connectors/connector';
import { readConsentWorkflow, type ConsentWorkflowReading } from '../diagnostics/consentWorkflow';
import { summarizeConsentWorkflow } from '../diagnostics/consentWorkflowSummary';
import type { DateFormatter } from '../util/dates';
import type { BotDeps } from './deps';

type ConsentWorkflowDeps = Pick<BotDeps, 'graph' | 'config' | 'logger'>;

/** The status card's section when there is none to show (not an Office 365 connector). */
export const NO_CONSENT_WORKFLOW: ConsentWorkflowRow = {
  text: '',
  facts: [],
  note: '',
  linkTitle: '',
  linkUrl: '',
};

/** Where a turn keeps its readings, by tenant: Entra is asked at most once per turn. */
const TURN_KEY = Symbol('entraConsentWorkflow');

/**
 * Entra's admin consent workflow for the conversation's tenant, read once per turn (a second
 * caller in the same turn gets the same answer). Refusals and failures are logged here.
 */
export function turnConsentWorkflow(
  context: TurnContext,
  deps: ConsentWorkflowDeps,
  tenantId: string,
): Promise<ConsentWorkflowReading> {
  let readings = context.turnState.get(TURN_KEY) as Map<string, Promise<ConsentWorkflowReading>> | undefined;
  if (!readings) {
    readings = new Map();
    context.turnState.set(TURN_KEY, readings);
  }
  let reading = readings.get(tenantId);
  if (!reading) {
    reading = readConsentWorkflow(deps.graph, tenantId, {
      connectorApp: connectorApp(deps.config),
      cloud: deps.config.cloud,
    }).then((result) => {
      if (result.kind === 'read') {
        for (const [part, value] of [
          ['policy', result.policy],
          ['requests', result.requests],
        ] as const) {
          if (value.kind === 'refused' || value.kind === 'failed' || value.kind === 'not-offered') {
            deps.logger.warn('entra consent workflow not read', {
              tenantId,
              part,
              kind: value.kind,
              reason: value.reason,
            });
          }
        }
      }
      return result;
    });
    readings.set(tenantId, reading);
  }
  return reading;
}

/** The status card's section on Entra's admin consent workflow, for an Office 365 connector. */
export async function consentWorkflowRow(
  context: TurnContext,
  deps: ConsentWorkflowDeps,
  connector: Connector,
  dates: DateFormatter,
): Promise<ConsentWorkflowRow> {
  if (connector.type !== 'office365') return NO_CONSENT_WORKFLOW;
  const reading = await turnConsentWorkflow(context, deps, connector.tenantId);
  return consentWorkflowRowOf(reading, connectorApp(deps.config).appId, dates);
}

/** A reading as the status card's section. */
export function consentWorkflowRowOf(
  reading: ConsentWorkflowReading,
  connectorAppId: string | undefined,
  dates: DateFormatter,
): ConsentWorkflowRow {
  const summary = summarizeConsentWorkflow(reading, connectorAppId, dates);
  return {
    text: summary.sentences.join(' '),
    facts: summary.facts,
    note: summary.fix,
    linkTitle: summary.link?.title ?? '',
    linkUrl: summary.link?.url ?? '',
  };
}
