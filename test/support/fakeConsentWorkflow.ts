/**
 * Microsoft Entra's admin consent workflow in the fake Microsoft Graph:
 *
 * - `GET /policies/adminConsentRequestPolicy` (Policy.Read.All; Graph also accepts
 *   Policy.ReadWrite.ConsentRequest and Directory.Read.All): the tenant's policy, off by default,
 *   with reviewers as accessReviewReviewerScope queries in the forms the Entra admin center
 *   writes (`/users/{id}`, `/groups/{id}/transitiveMembers`,
 *   `/beta/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '{id}'`);
 * - `GET /identityGovernance/appConsent/appConsentRequests` (ConsentRequest.Read.All or
 *   ConsentRequest.ReadWrite.All): the tenant's requests, `$filter=appId eq '…'`, and the
 *   people's userConsentRequests only with `$expand=userConsentRequests` (empty otherwise).
 *
 * State lives beside each FakeTenant (see {@link consentWorkflowOf}); the scenario builders below
 * set it. Deny a permission with `tenant.denyPermission(...)` as for any other route.
 */
import { randomUUID } from 'node:crypto';
import {
  collection,
  graphError,
  reply,
  type FakeGraph,
  type FakeGroup,
  type FakeTenant,
  type FakeUser,
} from './fakeMicrosoftCloud';

/** accessReviewReviewerScope */
export interface FakeReviewerScope {
  query: string;
  queryType: 'MicrosoftGraph';
  queryRoot: string | null;
}

/** adminConsentRequestPolicy (v1.0) */
export interface FakeAdminConsentRequestPolicy {
  isEnabled: boolean;
  notifyReviewers: boolean;
  remindersEnabled: boolean;
  requestDurationInDays: number;
  reviewers: FakeReviewerScope[];
  version: number;
}

/** userConsentRequest (v1.0) */
export interface FakeUserConsentRequest {
  id: string;
  status: 'Initializing' | 'InProgress' | 'Expired' | 'Completed';
  reason: string;
  createdDateTime: string;
  completedDateTime: string | null;
  approvalId: string;
  customData: string | null;
  createdBy: { user: { id: string; displayName: string; userPrincipalName: string; mail: string | null } };
}

/** appConsentRequest (v1.0) */
export interface FakeAppConsentRequest {
  id: string;
  appId: string;
  appDisplayName: string;
  consentType: 'Static' | 'Dynamic';
  pendingScopes: { displayName: string }[];
  userConsentRequests: FakeUserConsentRequest[];
}

export interface FakeConsentWorkflow {
  policy: FakeAdminConsentRequestPolicy;
  requests: FakeAppConsentRequest[];
}

const workflows = new WeakMap<FakeTenant, FakeConsentWorkflow>();

/** The tenant's workflow state (live: tests may edit it); a tenant starts with the workflow off. */
export function consentWorkflowOf(tenant: FakeTenant): FakeConsentWorkflow {
  let workflow = workflows.get(tenant);
  if (!workflow) {
    workflow = {
      policy: {
        isEnabled: false,
        notifyReviewers: false,
        remindersEnabled: false,
        requestDurationInDays: 0,
        reviewers: [],
        version: 0,
      },
      requests: [],
    };
    workflows.set(tenant, workflow);
  }
  return workflow;
}

const scope = (query: string): FakeReviewerScope => ({ query, queryType: 'MicrosoftGraph', queryRoot: null });

/** Turns the workflow on with these reviewers, as the Entra admin center's Admin consent settings save it. */
export function enableConsentWorkflow(
  tenant: FakeTenant,
  options: {
    users?: FakeUser[];
    groups?: FakeGroup[];
    /** Directory role template ids. */
    roles?: string[];
    days?: number;
    notifyReviewers?: boolean;
    remindersEnabled?: boolean;
  } = {},
): FakeConsentWorkflow {
  const workflow = consentWorkflowOf(tenant);
  workflow.policy = {
    isEnabled: true,
    notifyReviewers: options.notifyReviewers ?? true,
    remindersEnabled: options.remindersEnabled ?? true,
    requestDurationInDays: options.days ?? 30,
    reviewers: [
      ...(options.users ?? []).map((u) => scope(`/users/${u.id}`)),
      ...(options.groups ?? []).map((g) => scope(`/groups/${g.id}/transitiveMembers`)),
      ...(options.roles ?? []).map((r) =>
        scope(`/beta/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '${r}'`),
      ),
    ],
    version: workflow.policy.version + 1,
  };
  return workflow;
}

/** A person asks for admin consent to an app in Entra (as the consent prompt's "Request approval" does). */
export function askForAdminConsent(
  tenant: FakeTenant,
  options: {
    appId: string;
    appDisplayName: string;
    scopes: string[];
    by: FakeUser;
    at: string;
    reason?: string;
    status?: FakeUserConsentRequest['status'];
  },
): FakeAppConsentRequest {
  const workflow = consentWorkflowOf(tenant);
  let request = workflow.requests.find((r) => r.appId.toLowerCase() === options.appId.toLowerCase());
  if (!request) {
    request = {
      id: randomUUID(),
      appId: options.appId,
      appDisplayName: options.appDisplayName,
      consentType: 'Static',
      pendingScopes: [],
      userConsentRequests: [],
    };
    workflow.requests.push(request);
  }
  for (const name of options.scopes) {
    if (!request.pendingScopes.some((s) => s.displayName === name))
      request.pendingScopes.push({ displayName: name });
  }
  const id = randomUUID();
  request.userConsentRequests.push({
    id,
    status: options.status ?? 'InProgress',
    reason: options.reason ?? 'I need this app for the migration.',
    createdDateTime: new Date(options.at).toISOString(),
    completedDateTime: null,
    approvalId: id,
    customData: null,
    createdBy: {
      user: {
        id: options.by.id,
        displayName: options.by.displayName,
        userPrincipalName: options.by.userPrincipalName,
        mail: options.by.userPrincipalName,
      },
    },
  });
  return request;
}

/** Installs the two routes on the fake Graph (after programmed routes, like the tenant fixture's). */
export function installConsentWorkflowRoutes(graph: FakeGraph): void {
  graph.fixture(
    'GET',
    '/policies/adminConsentRequestPolicy',
    ['Policy.Read.All', 'Policy.ReadWrite.ConsentRequest', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    (req) =>
      reply(200, {
        '@odata.context': `${req.cloud.graphEndpoint}/${req.version}/$metadata#policies/adminConsentRequestPolicy/$entity`,
        ...consentWorkflowOf(req.tenant).policy,
      }),
  );
  graph.fixture(
    'GET',
    '/identityGovernance/appConsent/appConsentRequests',
    ['ConsentRequest.Read.All', 'ConsentRequest.ReadWrite.All'],
    (req) => {
      const expand = req.query.get('$expand');
      if (expand !== null && expand !== 'userConsentRequests') {
        return graphError(400, 'BadRequest', `The fake does not expand '${expand}' on appConsentRequests.`);
      }
      const items = consentWorkflowOf(req.tenant).requests.map((r) => ({
        ...r,
        userConsentRequests: expand ? r.userConsentRequests : [],
      }));
      return collection(req, items as unknown as Array<Record<string, unknown>>);
    },
  );
}
