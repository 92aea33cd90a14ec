import type { CloudName, ConnectorApp } from '../config/config';
import { adminConsentRequestsUrl } from '../connectors/clouds';
import { GraphError, isGraphError } from '../graph/errors';
import type { GraphGateway } from '../graph/graphGateway';
import { GRAPH_PERMISSIONS } from '../graph/graphPermissions';
import { odataString } from './finding';
import { describeReviewers, type WorkflowReviewer } from './consentWorkflowReviewers';

/** adminConsentRequestPolicy as Graph v1.0 returns it (only what is read). */
interface AdminConsentRequestPolicy {
  isEnabled?: boolean;
  notifyReviewers?: boolean;
  remindersEnabled?: boolean;
  requestDurationInDays?: number | null;
  reviewers?: Array<{ query?: string | null; queryType?: string | null; queryRoot?: string | null }> | null;
}

/** appConsentRequest with its userConsentRequests expanded (only what is read). */
interface AppConsentRequest {
  id?: string;
  appId?: string;
  appDisplayName?: string | null;
  pendingScopes?: Array<{ displayName?: string | null }> | null;
  userConsentRequests?: Array<{
    status?: string | null;
    createdDateTime?: string | null;
    createdBy?: { user?: { id?: string | null; displayName?: string | null } | null } | null;
  }> | null;
}

/** What Entra's admin consent policy says, reviewers named as far as Graph allowed. */
interface WorkflowPolicy {
  enabled: boolean;
  notifyReviewers: boolean;
  remindersEnabled: boolean;
  /** Days before an undecided request expires; 0 when Entra reports none. */
  requestDurationDays: number;
  reviewers: WorkflowReviewer[];
  /** Why some reviewers are shown by id only ('' when every one was named). */
  reviewerNamesNote: string;
}

/** A request for the connector app waiting in Entra. */
interface PendingConsentRequest {
  appDisplayName: string;
  /** Permissions still waiting for approval, by Graph's names. */
  pendingScopes: string[];
  /** People with a request in progress (one person asking twice counts once). */
  requesters: number;
  /** When the oldest request in progress was made (ISO), if Graph said. */
  oldestAt?: string;
}

/** A part Graph refused (403) or failed; `permission` names what a 403 needs. */
type ReadFailure =
  | { kind: 'refused'; permission: string; reason: string }
  /** `cause` is the error, so a caller can tell a failure every Graph call would meet. */
  | { kind: 'failed'; reason: string; cause?: unknown }
  | { kind: 'not-offered'; reason: string };

export type PolicyReading = { kind: 'read'; policy: WorkflowPolicy } | ReadFailure;

export type RequestReading =
  | { kind: 'pending'; request: PendingConsentRequest }
  | { kind: 'none' }
  | { kind: 'not-checked'; reason: string }
  | ReadFailure;

/** What Microsoft Entra reports about its admin consent workflow for the connector app. */
export type ConsentWorkflowReading =
  | {
      kind: 'read';
      policy: PolicyReading;
      requests: RequestReading;
      /** Enterprise applications > Admin consent requests, in the cloud's admin portal. */
      portalUrl: string;
    }
  /** Not asked at all: Microsoft Graph is not configured. */
  | { kind: 'unavailable'; reason: string };

const POLICY_PATH = '/policies/adminConsentRequestPolicy';
const REQUESTS_PATH = '/identityGovernance/appConsent/appConsentRequests';

/** Graph's answer for a segment this Graph endpoint does not serve (a private or older cloud). */
function notOffered(err: unknown): boolean {
  if (!isGraphError(err)) return false;
  if (err.code === 'GRAPH_NOT_FOUND') return true;
  return (
    err.code === 'GRAPH_ERROR' &&
    err.status === 400 &&
    /Resource not found for the segment/i.test(err.message)
  );
}

function failure(err: unknown, permission: string, what: string): ReadFailure {
  if (isGraphError(err, 'GRAPH_FORBIDDEN')) {
    return {
      kind: 'refused',
      permission,
      reason: `Microsoft Graph refused to show ${what}: the bot’s Graph app needs the application permission ${permission} with admin consent.`,
    };
  }
  if (notOffered(err)) {
    return {
      kind: 'not-offered',
      reason: `The Microsoft Graph endpoint this bot uses does not offer ${what} (${isGraphError(err) ? err.message : 'not found'}).`,
    };
  }
  return {
    kind: 'failed',
    reason: `Could not check ${what}: ${isGraphError(err) ? err.message : 'an unexpected error stopped the check.'}`,
    cause: err,
  };
}

async function readPolicy(graph: GraphGateway, tenantId: string): Promise<PolicyReading> {
  let policy: AdminConsentRequestPolicy;
  try {
    policy = await graph.get<AdminConsentRequestPolicy>(tenantId, POLICY_PATH, {
      permission: GRAPH_PERMISSIONS.policyRead,
    });
  } catch (err) {
    return failure(err, GRAPH_PERMISSIONS.policyRead, 'the admin consent workflow settings');
  }
  if (!policy || typeof policy !== 'object' || typeof policy.isEnabled !== 'boolean') {
    // Saying "off" here would be a guess: the answer does not say.
    return {
      kind: 'failed',
      reason: `Could not check the admin consent workflow settings: Microsoft Graph answered GET ${POLICY_PATH} without isEnabled.`,
    };
  }
  const enabled = policy.isEnabled === true;
  const queries = (policy.reviewers ?? [])
    .map((r) => r?.query)
    .filter((q): q is string => typeof q === 'string' && q.trim() !== '');
  // Reviewers of a workflow that is off review nothing: their names are not worth a Graph call.
  const { reviewers, note } = enabled
    ? await describeReviewers(graph, tenantId, queries)
    : { reviewers: [], note: '' };
  const days = Number(policy.requestDurationInDays);
  return {
    kind: 'read',
    policy: {
      enabled,
      notifyReviewers: policy.notifyReviewers === true,
      remindersEnabled: policy.remindersEnabled === true,
      requestDurationDays: Number.isInteger(days) && days > 0 ? days : 0,
      reviewers,
      reviewerNamesNote: note,
    },
  };
}

async function readRequests(
  graph: GraphGateway,
  tenantId: string,
  connectorApp: ConnectorApp,
): Promise<RequestReading> {
  const { appId, reason } = connectorApp;
  if (appId === undefined) return { kind: 'not-checked', reason };
  let requests: AppConsentRequest[];
  try {
    // One filtered read with the people's requests expanded: Entra keeps one appConsentRequest per app.
    const page = await graph.get<{ value?: AppConsentRequest[] }>(
      tenantId,
      `${REQUESTS_PATH}?$filter=appId eq ${odataString(appId)}&$expand=userConsentRequests`,
      { permission: GRAPH_PERMISSIONS.consentRequestRead },
    );
    if (!Array.isArray(page?.value)) {
      // An answer without its list is not "no requests": nothing can be said from it.
      throw new GraphError(
        'GRAPH_ERROR',
        'Microsoft Graph answered the admin consent requests without their list.',
        { method: 'GET', path: REQUESTS_PATH },
      );
    }
    requests = page.value;
  } catch (err) {
    return failure(err, GRAPH_PERMISSIONS.consentRequestRead, 'admin consent requests');
  }
  const mine = requests.filter((r) => (r.appId ?? '').toLowerCase() === appId.toLowerCase());
  const inProgress = mine.flatMap((r) =>
    (r.userConsentRequests ?? []).filter((u) => u?.status === 'InProgress').map((u) => ({ r, u })),
  );
  if (inProgress.length === 0) return { kind: 'none' };
  const people = new Set(
    inProgress.map(({ u }, i) => u.createdBy?.user?.id?.toLowerCase() ?? `unknown-${i}`),
  );
  const scopes = new Set(
    mine
      .flatMap((r) => r.pendingScopes ?? [])
      .map((s) => s?.displayName)
      .filter((s): s is string => typeof s === 'string' && s !== ''),
  );
  const times = inProgress
    .map(({ u }) => u.createdDateTime)
    .filter((t): t is string => typeof t === 'string' && !Number.isNaN(Date.parse(t)))
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return {
    kind: 'pending',
    request: {
      appDisplayName: inProgress[0].r.appDisplayName ?? appId,
      pendingScopes: [...scopes],
      requesters: people.size,
      oldestAt: times[0] ? new Date(times[0]).toISOString() : undefined,
    },
  };
}

/**
 * Reads Microsoft Entra's own admin consent workflow for the tenant: the policy
 * (`GET /policies/adminConsentRequestPolicy`, Policy.Read.All) with its reviewers named, and
 * the requests for the connector app (`GET /identityGovernance/appConsent/appConsentRequests`
 * filtered on its appId, ConsentRequest.Read.All). The two reads run side by side and fail
 * apart: a refusal of one leaves the other. Never throws.
 */
export async function readConsentWorkflow(
  graph: GraphGateway,
  tenantId: string,
  settings: { connectorApp: ConnectorApp; cloud: CloudName },
): Promise<ConsentWorkflowReading> {
  if (!graph.configured) {
    return {
      kind: 'unavailable',
      reason: `Not checked: Microsoft Graph is not configured (${graph.missingSettings().join(', ')}).`,
    };
  }
  const [policy, requests] = await Promise.all([
    readPolicy(graph, tenantId),
    readRequests(graph, tenantId, settings.connectorApp),
  ]);
  return { kind: 'read', policy, requests, portalUrl: adminConsentRequestsUrl(settings.cloud, tenantId) };
}
