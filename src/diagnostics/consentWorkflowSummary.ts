import { GRAPH_PERMISSIONS } from '../graph/graphPermissions';
import type { DateFormatter } from '../util/dates';
import type { ConsentWorkflowReading, PolicyReading, RequestReading } from './consentWorkflow';
import { reviewerText } from './consentWorkflowReviewers';
import { listText } from './graphFailure';
import { count } from './finding';

/** Title of the button to Entra's pending requests. */
const ENTRA_REQUESTS_BUTTON = 'Open admin consent requests in Entra';

/**
 * What the diagnostics row and the status card say about Entra's admin consent workflow: every
 * sentence says that Entra reports it (the bot read it from Graph, it decides nothing there).
 */
export interface ConsentWorkflowSummary {
  /** pending: a request for the connector app waits in Entra; partial: one part unread; unread: both. */
  state: 'clear' | 'pending' | 'partial' | 'unread';
  /** Sentences, in order: the workflow, then the requests. */
  sentences: string[];
  facts: { title: string; value: string }[];
  /** What to do, '' when nothing. */
  fix: string;
  /** The portal link, when worth opening. */
  link?: { title: string; url: string };
}

const on = (value: boolean) => (value ? 'on' : 'off');

function policySentences(policy: PolicyReading): {
  sentences: string[];
  facts: ConsentWorkflowSummary['facts'];
} {
  if (policy.kind !== 'read') return { sentences: [policy.reason], facts: [] };
  const p = policy.policy;
  if (!p.enabled) {
    return {
      sentences: [
        'Entra reports that its admin consent workflow is off: people who cannot consent to an app cannot ask for admin consent in Entra itself.',
      ],
      facts: [{ title: 'Entra’s workflow', value: 'off' }],
    };
  }
  const reviewers = p.reviewers.map(reviewerText);
  const sentences = [
    `Entra reports that its admin consent workflow is on: people who cannot consent to an app can ask for admin consent in Entra, ${reviewers.length > 0 ? `reviewed by ${listText(reviewers)}` : 'but no reviewer is named'}.`,
  ];
  if (p.reviewerNamesNote) sentences.push(p.reviewerNamesNote);
  return {
    sentences,
    facts: [
      { title: 'Entra’s workflow', value: 'on' },
      { title: 'Reviewers', value: reviewers.length > 0 ? reviewers.join('; ') : 'none named' },
      {
        title: 'Requests expire after',
        value: p.requestDurationDays > 0 ? `${count(p.requestDurationDays)} days` : 'no duration reported',
      },
      { title: 'Emails to reviewers', value: on(p.notifyReviewers) },
      { title: 'Expiry reminders', value: on(p.remindersEnabled) },
    ],
  };
}

function requestSentences(
  requests: RequestReading,
  appId: string | undefined,
  dates: DateFormatter,
): { sentences: string[]; facts: ConsentWorkflowSummary['facts'] } {
  switch (requests.kind) {
    case 'pending': {
      const r = requests.request;
      const people = r.requesters === 1 ? '1 person asked' : `${count(r.requesters)} people asked`;
      const since = r.oldestAt ? `, the first on ${dates.dateTime(r.oldestAt)}` : '';
      const scopes = r.pendingScopes.length > 0 ? ` for ${listText(r.pendingScopes)}` : '';
      return {
        sentences: [
          `Entra reports a pending admin consent request for the connector app (${r.appDisplayName})${scopes}: ${people}${since}.`,
        ],
        facts: [
          { title: 'Pending in Entra', value: `yes, ${people}` },
          ...(r.pendingScopes.length > 0
            ? [{ title: 'Permissions asked', value: r.pendingScopes.join(', ') }]
            : []),
        ],
      };
    }
    case 'none':
      return {
        sentences: [`Entra reports no pending admin consent request for the connector app (${appId ?? ''}).`],
        facts: [{ title: 'Pending in Entra', value: 'no' }],
      };
    case 'not-checked':
      return { sentences: [`Pending requests in Entra were not checked: ${requests.reason}`], facts: [] };
    default:
      return { sentences: [requests.reason], facts: [] };
  }
}

function grantFix(permissions: string[]): string {
  if (permissions.length === 0) return '';
  const plural = permissions.length > 1 ? 's' : '';
  return `To see this, an admin of this tenant grants the bot’s Graph app the application permission${plural} ${listText(permissions)} with admin consent (Microsoft Entra admin center > App registrations > the bot’s Graph app > API permissions > Add a permission > Microsoft Graph > Application permissions, then Grant admin consent). The bot’s own consent hand-over works without it.`;
}

/** The reading in words, for a diagnostics row or the status card. */
export function summarizeConsentWorkflow(
  reading: ConsentWorkflowReading,
  appId: string | undefined,
  dates: DateFormatter,
): ConsentWorkflowSummary {
  if (reading.kind === 'unavailable') {
    return { state: 'unread', sentences: [reading.reason], facts: [], fix: '' };
  }
  const policy = policySentences(reading.policy);
  const requests = requestSentences(reading.requests, appId, dates);
  const refused = [reading.policy, reading.requests]
    .map((part) => (part.kind === 'refused' ? part.permission : undefined))
    .filter((p): p is string => p !== undefined);
  const unreadParts = [reading.policy, reading.requests].filter(
    (part) =>
      part.kind === 'refused' ||
      part.kind === 'failed' ||
      part.kind === 'not-offered' ||
      part.kind === 'not-checked',
  ).length;
  const pending = reading.requests.kind === 'pending';
  const enabled = reading.policy.kind === 'read' && reading.policy.policy.enabled;
  const fix = [
    pending
      ? 'A reviewer opens Admin consent requests in Entra (Enterprise applications > Admin consent requests) and approves or denies it there; an approval grants admin consent, which the bot then verifies with Graph like any other.'
      : '',
    grantFix(refused),
    reading.requests.kind === 'not-checked'
      ? 'Set CONNECTOR_APP_ID to the connector app’s application id and restart the bot.'
      : '',
    [reading.policy, reading.requests].some((part) => part.kind === 'failed') ? 'Check again later.' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    state: pending ? 'pending' : unreadParts === 2 ? 'unread' : unreadParts === 1 ? 'partial' : 'clear',
    sentences: [...policy.sentences, ...requests.sentences],
    facts: [...policy.facts, ...requests.facts],
    fix,
    link: pending || enabled ? { title: ENTRA_REQUESTS_BUTTON, url: reading.portalUrl } : undefined,
  };
}

/** The permissions Entra's workflow readings need, for "not configured" rows. */
export const CONSENT_WORKFLOW_PERMISSIONS = [
  GRAPH_PERMISSIONS.policyRead,
  GRAPH_PERMISSIONS.consentRequestRead,
];
