import { isGraphError } from '../graph/errors';
import type { Finding } from './finding';

const GRAPH_SETTINGS_HINT =
  '(or MicrosoftAppId and MicrosoftAppPassword) to the bot’s app registration for Microsoft Graph';

/** "A", "A and B", "A, B and C" */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The row of a check that was not run because settings are missing: which settings, and which
 * application permissions the Graph app then needs.
 */
export function notConfiguredFinding(
  check: { id: string; title: string; permissions?: string[] },
  missing: { graph: string[]; other: string[] },
): Finding {
  const all = [...missing.other, ...missing.graph];
  const needsGraph = missing.graph.length > 0;
  const permissions = check.permissions?.length
    ? `, with the application permission${check.permissions.length > 1 ? 's' : ''} ${listText(check.permissions)} and admin consent`
    : '';
  return {
    id: check.id,
    title: check.title,
    status: 'could-not-run',
    found: needsGraph
      ? `Could not run: this check reads Microsoft Graph, which is not configured (${listText(all)} ${all.length > 1 ? 'are' : 'is'} not set).`
      : `Could not run: ${listText(all)} ${all.length > 1 ? 'are' : 'is'} not set.`,
    fix: needsGraph
      ? `Set ${listText(missing.graph)} ${GRAPH_SETTINGS_HINT}${permissions}${missing.other.length ? `, and ${listText(missing.other)} to the connector app’s application id` : ''}, then restart the bot and run diagnose again.`
      : `Set ${listText(all)} to the connector app’s application id, then restart the bot and run diagnose again.`,
  };
}

/**
 * The row of a check that Microsoft Graph (or the sign-in service) stopped: "could not run",
 * the reason as the gateway words it, and what to do. A 403 names the permission the app needs.
 */
export function failedFinding(check: { id: string; title: string }, err: unknown): Finding {
  const base = { id: check.id, title: check.title, status: 'could-not-run' as const };
  if (!isGraphError(err)) {
    const name = err instanceof Error ? err.name : typeof err;
    return {
      ...base,
      found: `Could not run: an unexpected error stopped this check (${name}).`,
      fix: 'Run diagnose again; if it happens again, send the bot’s log to its operator.',
    };
  }
  switch (err.code) {
    case 'GRAPH_FORBIDDEN': {
      const permission = err.permission ?? 'an application permission';
      return {
        ...base,
        found: `Could not run: the app needs ${permission}. ${err.message}`,
        fix: `An admin of this tenant grants the bot’s Graph app the application permission ${permission} and admin consent (Microsoft Entra admin center > App registrations > API permissions > Grant admin consent), then runs diagnose again.`,
      };
    }
    case 'GRAPH_AUTH_FAILED':
      return {
        ...base,
        found: `Could not run: ${err.message}`,
        fix: 'Correct the bot’s Microsoft Graph sign-in settings as said, restart the bot and run diagnose again.',
      };
    case 'GRAPH_NOT_CONFIGURED':
      return {
        ...base,
        found: `Could not run: ${err.message}`,
        fix: 'Set the Microsoft Graph settings named above, restart the bot and run diagnose again.',
      };
    case 'GRAPH_THROTTLED':
      return {
        ...base,
        found: `Could not run: ${err.message}`,
        fix: 'Run diagnose again in a few minutes.',
      };
    case 'GRAPH_UNAVAILABLE':
      return {
        ...base,
        found: `Could not run: ${err.message}`,
        fix: 'Run diagnose again later; if it keeps failing, check that the bot can reach Microsoft Graph and the sign-in service.',
      };
    default:
      return {
        ...base,
        found: `Could not run: ${err.message}`,
        fix: 'Run diagnose again; if it happens again, send the bot’s log to its operator.',
      };
  }
}

/** Failures that every later Graph call would meet too: the run stops calling Graph. */
export function blocksGraph(err: unknown): boolean {
  return isGraphError(err) && (err.code === 'GRAPH_AUTH_FAILED' || err.code === 'GRAPH_NOT_CONFIGURED');
}
