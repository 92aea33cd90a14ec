import {
  checkedConnectorApp,
  type FindingStatus,
  type DiagnosticCheck,
  type DiagnosticContext,
  type Finding,
} from './finding';
import { readConsentWorkflow } from './consentWorkflow';
import { blocksGraph } from './graphFailure';
import {
  CONSENT_WORKFLOW_PERMISSIONS,
  summarizeConsentWorkflow,
  type ConsentWorkflowSummary,
} from './consentWorkflowSummary';

const CONSENT_WORKFLOW_ID = 'entra-consent-workflow';

const STATUS: Record<ConsentWorkflowSummary['state'], FindingStatus> = {
  clear: 'pass',
  pending: 'warn',
  partial: 'warn',
  unread: 'could-not-run',
};

/**
 * Microsoft Entra's own admin consent workflow, read: on or off, its reviewers and request
 * duration, and whether a request for the connector app waits there, with the portal link.
 * Reported by Entra through Graph; the bot changes nothing there.
 */
export const consentWorkflowCheck: DiagnosticCheck = {
  id: CONSENT_WORKFLOW_ID,
  title: 'Microsoft Entra admin consent workflow',
  needsGraph: true,
  permissions: CONSENT_WORKFLOW_PERMISSIONS,
  async run(graph, tenantId, ctx: DiagnosticContext): Promise<Finding> {
    const reading = await (ctx.readConsentWorkflow?.() ??
      readConsentWorkflow(graph, tenantId, { connectorApp: checkedConnectorApp(ctx), cloud: ctx.cloud }));
    if (reading.kind === 'read') {
      // A sign-in failure stops every Graph check: the runner words it the same for all rows.
      for (const part of [reading.policy, reading.requests]) {
        if (part.kind === 'failed' && blocksGraph(part.cause)) throw part.cause;
      }
    }
    const summary = summarizeConsentWorkflow(reading, checkedConnectorApp(ctx).appId, ctx.dates);
    return {
      id: CONSENT_WORKFLOW_ID,
      title: consentWorkflowCheck.title,
      status: STATUS[summary.state],
      found: summary.sentences.join(' '),
      fix: summary.fix,
      details: summary.facts,
      links: summary.link ? [summary.link] : undefined,
    };
  },
};
