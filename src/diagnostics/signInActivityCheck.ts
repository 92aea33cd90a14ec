import { suggestedTransferAt } from '../connectors/activityEvidence';
import { clockStart } from '../connectors/connector';
import { GRAPH_PERMISSIONS } from '../graph/graphPermissions';
import { checkedConnectorApp, type DiagnosticCheck, type DiagnosticContext, type Finding } from './finding';
import { listText } from './graphFailure';
import { readSignInEvidence, SIGN_IN_REPORT_CAVEAT, SIGN_IN_REPORT_SCOPE } from './signInActivity';

export const SIGN_IN_ACTIVITY_ID = 'sign-in-activity';

/**
 * When Microsoft Entra last saw the connector app used in the tenant (beta sign-in activity
 * report), and the Office 365 connectors whose 90-day clock runs more than a week behind it.
 * A refused or unavailable report is said on the row and changes nothing else.
 */
export const signInActivityCheck: DiagnosticCheck = {
  id: SIGN_IN_ACTIVITY_ID,
  title: 'Connector app use seen by Microsoft Entra',
  needsGraph: true,
  permissions: [GRAPH_PERMISSIONS.auditLogRead],
  missingSettings: (ctx) => (checkedConnectorApp(ctx).appId ? [] : ['CONNECTOR_APP_ID']),
  async run(graph, tenantId, ctx: DiagnosticContext): Promise<Finding> {
    const base = { id: signInActivityCheck.id, title: signInActivityCheck.title };
    const evidence = await readSignInEvidence(graph, tenantId, {
      connectorApp: checkedConnectorApp(ctx),
      cloud: ctx.cloud,
    });
    const caveat = `${SIGN_IN_REPORT_CAVEAT} ${SIGN_IN_REPORT_SCOPE}`;
    switch (evidence.kind) {
      case 'unavailable':
        return { ...base, status: 'could-not-run', found: evidence.reason, fix: '' };
      case 'refused':
        return {
          ...base,
          status: 'could-not-run',
          found: evidence.reason,
          fix: `Optional: with ${GRAPH_PERMISSIONS.auditLogRead} granted to the bot’s Graph app and a Microsoft Entra ID P1 or P2 licence, this row shows when Entra last saw the connector app used. Without it the bot goes by recorded transfers only; nothing else changes.`,
        };
      case 'failed':
        return { ...base, status: 'could-not-run', found: evidence.reason, fix: 'Run diagnose again later.' };
      case 'not-seen':
        return {
          ...base,
          status: 'pass',
          found: `Microsoft Entra’s sign-in activity report has no sign-in of the connector app (${evidence.appId}) in this tenant. ${caveat}`,
          fix: '',
        };
      case 'seen': {
        const seen = new Date(evidence.lastSignInAt);
        const behind = ctx.connectors.filter(
          (c) => c.type === 'office365' && suggestedTransferAt(c, seen, ctx.now) !== undefined,
        );
        const found = `Microsoft Entra last saw the connector app used in this tenant on ${ctx.dates.dateTime(seen)}.`;
        if (behind.length === 0) return { ...base, status: 'pass', found: `${found} ${caveat}`, fix: '' };
        const names = behind.map(
          (c) => `${c.displayName} (clock started ${ctx.dates.dateTime(clockStart(c))})`,
        );
        return {
          ...base,
          status: 'warn',
          found: `${found} No transfer is recorded since then for ${listText(names)}, whose ${ctx.inactivityDays}-day clock started more than 7 days before. ${caveat}`,
          fix: `If the migration app transferred data then, type status with the connector’s name and click Record a transfer on ${ctx.dates.date(seen)}, so the clock matches.`,
        };
      }
    }
  },
};
