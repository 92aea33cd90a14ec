import { GraphError } from '../graph/errors';
import {
  GRAPH_BATCH_MAX,
  type GraphBatchResponse,
  type GraphGateway,
  type GraphPage,
} from '../graph/graphGateway';
import { chunks } from '../util/chunks';
import { parseRetryAfter } from '../graph/middleware';
import { hasSharePointPlan, type AssignedPlan } from './spoLicenseCheck';
import { GRAPH_PERMISSIONS } from '../graph/graphPermissions';
import { mapLimit } from './concurrency';
import { count, plural, type DiagnosticCheck, type DiagnosticContext, type Finding } from './finding';
import { ADMIN_URL_PLACEHOLDER, PERSONAL_SITE_BATCH, sharePointAdminUrl } from './provisioningScript';

interface DirectoryUser {
  id: string;
  userPrincipalName?: string;
  assignedLicenses?: unknown[];
  accountEnabled?: boolean;
}

/** What one user's OneDrive look-up came to. */
type DriveAnswer = 'found' | 'missing' | GraphError;

interface Organization {
  verifiedDomains?: { name?: string; isInitial?: boolean }[];
}

/** The counts of a user provisioning run; memory holds these and at most maxListedUsers names. */
export interface ProvisioningTally {
  /** Users read from the directory. */
  read: number;
  /** Licensed users whose OneDrive was looked up. */
  checked: number;
  /** Of those, without a OneDrive (404). */
  unprovisioned: number;
  /** The first unprovisioned users' UPNs, in directory order. */
  userEmails: string[];
  /** Licensed accounts blocked from signing in: not looked up (nobody signs in to provision them). */
  disabled: number;
  /** Users without a OneDrive whose licences hold no enabled SharePoint Online plan: none can be made. */
  noSharePoint: number;
  /** Users without a OneDrive whose licences Graph did not give: listed, though they may lack a plan. */
  plansUnread: number;
  /** Users whose look-up failed (a 403 for that user, throttling past the retries, a 5xx). */
  failed: number;
  /** The first such failure, as Graph said it. */
  failure?: string;
  /** Why the run stopped before the end of the directory, if it did. */
  stopped?: 'limit' | 'time';
  /** Users in the directory ($count), when the run stopped early and Graph said. */
  directoryUsers?: number;
}

/** The users page: only what the check reads, the largest page Graph serves. */
export const USERS_PATH = '/users?$select=id,userPrincipalName,assignedLicenses,accountEnabled&$top=999';

/** Progress of a running user check, for the card. */
export interface ProvisioningProgress {
  read: number;
  checked: number;
  unprovisioned: number;
  /** Users in the directory when Graph said ($count), for "x of y". */
  directoryUsers?: number;
}

/**
 * Streams the directory page by page and looks up each licensed user's OneDrive (404 = not
 * provisioned) through Graph `$batch`, 20 users a batch and a few batches at a time (the
 * gateway retries the requests Graph throttles inside a batch). Stops at `maxUsersChecked`
 * licensed users or after the time budget; memory holds one page, the counts and at most
 * `maxListedUsers` names. `onProgress` is told after each page.
 */
export async function tallyUnprovisionedUsers(
  graph: GraphGateway,
  tenantId: string,
  ctx: Pick<DiagnosticContext, 'limits' | 'elapsed' | 'now'>,
  onProgress?: (progress: ProvisioningProgress) => void,
): Promise<ProvisioningTally> {
  const { limits } = ctx;
  const started = ctx.elapsed();
  let firstError: GraphError | undefined;
  const tally: ProvisioningTally = {
    read: 0,
    checked: 0,
    unprovisioned: 0,
    userEmails: [],
    disabled: 0,
    noSharePoint: 0,
    plansUnread: 0,
    failed: 0,
  };
  for await (const page of graph.getAllPages<DirectoryUser>(tenantId, USERS_PATH, {
    permission: GRAPH_PERMISSIONS.userRead,
  })) {
    if (tally.checked >= limits.maxUsersChecked) {
      tally.stopped = 'limit';
      break;
    }
    if (ctx.elapsed() - started > limits.userCheckBudgetMs) {
      tally.stopped = 'time';
      break;
    }
    tally.read += page.length;
    const withLicence = page.filter(
      (u) => Array.isArray(u.assignedLicenses) && u.assignedLicenses.length > 0,
    );
    const licensed = withLicence.filter((u) => u.accountEnabled !== false);
    tally.disabled += withLicence.length - licensed.length;
    const room = limits.maxUsersChecked - tally.checked;
    const targets = licensed.length > room ? licensed.slice(0, room) : licensed;
    const answers = (
      await mapLimit(chunks(targets, GRAPH_BATCH_MAX), limits.driveConcurrency, (batch) =>
        driveAnswers(graph, tenantId, batch, ctx.now),
      )
    ).flat();
    tally.checked += targets.length;
    const missing = targets.filter((_, i) => answers[i] === 'missing');
    for (const [i, answer] of answers.entries()) {
      if (answer === 'found' || answer === 'missing') continue;
      tally.failed += 1;
      firstError ??= answer;
      tally.failure ??= `${targets[i].userPrincipalName ?? targets[i].id}: ${answer.message}`;
    }
    const withoutSharePoint = (
      await mapLimit(chunks(missing, GRAPH_BATCH_MAX), limits.driveConcurrency, (batch) =>
        lacksSharePoint(graph, tenantId, batch),
      )
    ).flat();
    for (const [i, user] of missing.entries()) {
      if (withoutSharePoint[i] === true) {
        tally.noSharePoint += 1;
        continue;
      }
      if (withoutSharePoint[i] === undefined) tally.plansUnread += 1;
      tally.unprovisioned += 1;
      if (tally.userEmails.length < limits.maxListedUsers) {
        tally.userEmails.push(user.userPrincipalName ?? user.id);
      }
    }
    onProgress?.({ read: tally.read, checked: tally.checked, unprovisioned: tally.unprovisioned });
    if (licensed.length > room) {
      tally.stopped = 'limit';
      break;
    }
  }
  // Not one look-up answered: that is Graph failing, not a finding about users.
  if (firstError && tally.failed === tally.checked) throw firstError;
  if (tally.stopped) tally.directoryUsers = await countUsers(graph, tenantId);
  return tally;
}

/**
 * Each user's OneDrive look-up in one batch: found, missing (404), or the error it failed with. A
 * batch in which every look-up was refused with 403 is the app's missing permission, and throttling
 * past the retries is Graph's: both fail the check. A refusal or error for some users only (a
 * locked OneDrive, say) is counted for them, and the others' answers stand.
 */
async function driveAnswers(
  graph: GraphGateway,
  tenantId: string,
  users: DirectoryUser[],
  now: Date,
): Promise<DriveAnswer[]> {
  const answers = await batchGet(
    graph,
    tenantId,
    users.map((user) => `/users/${encodeURIComponent(user.id)}/drive?$select=id`),
    GRAPH_PERMISSIONS.filesRead,
  );
  const results = answers.map((answer): DriveAnswer => {
    const status = answer?.status ?? 0;
    if (status >= 200 && status < 300) return 'found';
    if (status === 404) return 'missing';
    return batchFailure(status, answer?.body, answer?.headers, now);
  });
  const refused = results.filter((r): r is GraphError => r instanceof GraphError && r.status === 403);
  if (refused.length > 0 && refused.length === results.length) throw refused[0];
  // Throttling that outlasted the gateway's retries is the tenant's, not one user's: stop.
  const throttled = results.find((r) => r instanceof GraphError && r.code === 'GRAPH_THROTTLED');
  if (throttled) throw throttled;
  return results;
}

/**
 * For each user without a OneDrive: true when their licences hold no enabled SharePoint Online
 * plan, so Request-SPOPersonalSite cannot provision them; undefined when Graph did not give their
 * plans. Unless true they stay listed, and the card counts the unread ones.
 */
async function lacksSharePoint(
  graph: GraphGateway,
  tenantId: string,
  users: DirectoryUser[],
): Promise<(boolean | undefined)[]> {
  let answers;
  try {
    answers = await batchGet(
      graph,
      tenantId,
      users.map((user) => `/users/${encodeURIComponent(user.id)}?$select=assignedPlans`),
      GRAPH_PERMISSIONS.userRead,
    );
  } catch {
    return users.map(() => undefined);
  }
  return answers.map((answer) => {
    if (!answer || answer.status < 200 || answer.status >= 300) return undefined;
    const plans = (answer.body as { assignedPlans?: unknown } | undefined)?.assignedPlans;
    if (!Array.isArray(plans)) return undefined;
    return !hasSharePointPlan(plans as AssignedPlan[]);
  });
}

/** One `$batch` of GETs; the answers in the order of `urls` (undefined where Graph gave none). */
async function batchGet(
  graph: GraphGateway,
  tenantId: string,
  urls: readonly string[],
  permission: string,
): Promise<(GraphBatchResponse | undefined)[]> {
  const requests = urls.map((url, i) => ({ id: String(i), method: 'GET' as const, url }));
  const answers = await graph.batch(tenantId, requests, { permission });
  return requests.map((req) => answers.get(req.id));
}

/** The GraphError a failed drive look-up inside a batch stands for (as a lone GET would raise). */
export function batchFailure(
  status: number,
  body: unknown,
  headers: Record<string, string> | undefined,
  now: Date,
): GraphError {
  const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  const said = error?.code ? ` (${error.code}${error.message ? `: ${error.message}` : ''})` : '';
  const details = { status, graphCode: error?.code, method: 'GET', path: '/users/{id}/drive' };
  if (status === 403) {
    return new GraphError(
      'GRAPH_FORBIDDEN',
      `Microsoft Graph refused GET /users/{id}/drive: the app needs the application permission ${GRAPH_PERMISSIONS.filesRead} with admin consent.`,
      { ...details, permission: GRAPH_PERMISSIONS.filesRead },
    );
  }
  if (status === 429) {
    const retryAfter = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
    // Delta-seconds or an HTTP date, read as the gateway reads a lone answer's.
    const retryAfterMs = parseRetryAfter(retryAfter === undefined ? undefined : String(retryAfter), now);
    return new GraphError(
      'GRAPH_THROTTLED',
      `Microsoft Graph is throttling the app (GET /users/{id}/drive)${retryAfterMs !== undefined ? `; it asks to wait ${Math.ceil(retryAfterMs / 1000)} s` : ''}. Try again later.`,
      { ...details, retryAfterMs },
    );
  }
  if (status >= 500) {
    return new GraphError(
      'GRAPH_UNAVAILABLE',
      `Microsoft Graph is unavailable (${status} on GET /users/{id}/drive). Try again later.`,
      details,
    );
  }
  return new GraphError(
    'GRAPH_ERROR',
    `Microsoft Graph refused GET /users/{id}/drive with ${status}${said}.`,
    details,
  );
}

/** Users in the directory, by $count (an advanced query); undefined when Graph does not say. */
async function countUsers(graph: GraphGateway, tenantId: string): Promise<number | undefined> {
  try {
    const page = await graph.get<GraphPage<unknown>>(tenantId, '/users?$select=id&$top=1&$count=true', {
      permission: GRAPH_PERMISSIONS.userRead,
      headers: { ConsistencyLevel: 'eventual' },
    });
    return typeof page['@odata.count'] === 'number' ? page['@odata.count'] : undefined;
  } catch {
    return undefined;
  }
}

/** The tenant's initial domain (contoso.onmicrosoft.com), or undefined when Graph refuses. */
async function initialDomain(graph: GraphGateway, tenantId: string): Promise<string | undefined> {
  try {
    const orgs = await graph.get<{ value: Organization[] }>(
      tenantId,
      '/organization?$select=verifiedDomains',
      {
        permission: GRAPH_PERMISSIONS.organizationRead,
      },
    );
    return orgs.value[0]?.verifiedDomains?.find((d) => d.isInitial)?.name;
  } catch {
    return undefined;
  }
}

const SEED =
  'All Office 365 users must sign in to their Office 365, and open Office 365 for us to transfer into their accounts.';

export const USER_PROVISIONING_ID = 'user-provisioning';

/** "User provisioning": licensed users without a OneDrive, with a script that provisions them. */
export const userProvisioningCheck: DiagnosticCheck = {
  id: USER_PROVISIONING_ID,
  title: 'User provisioning',
  needsGraph: true,
  slow: true,
  permissions: [GRAPH_PERMISSIONS.userRead, GRAPH_PERMISSIONS.filesRead],
  run: (graph, tenantId, ctx) => checkUserProvisioning(graph, tenantId, ctx),
};

export async function checkUserProvisioning(
  graph: GraphGateway,
  tenantId: string,
  ctx: DiagnosticContext,
): Promise<Finding> {
  const tally = await tallyUnprovisionedUsers(graph, tenantId, ctx, (p) =>
    ctx.progress?.(
      `Checking… ${plural(p.checked, 'licensed user')} checked so far (${plural(p.read, 'user')} read from the directory); ${count(p.unprovisioned)} without a OneDrive.`,
    ),
  );
  const base = { id: userProvisioningCheck.id, title: userProvisioningCheck.title };
  const scope = tally.stopped
    ? ` I stopped ${tally.stopped === 'limit' ? `at the limit of ${count(ctx.limits.maxUsersChecked)} licensed users` : `after ${Math.round(ctx.limits.userCheckBudgetMs / 1000)} seconds`}: checked ${count(tally.checked)} licensed users of ${tally.directoryUsers !== undefined ? `${count(tally.directoryUsers)} users in the directory` : `the first ${count(tally.read)} users read (the directory has more)`}.`
    : ` Checked all ${plural(tally.checked, 'licensed user')} of ${plural(tally.read, 'user')} in the directory.`;
  const aside = [
    tally.disabled > 0
      ? ` ${plural(tally.disabled, 'licensed account is', 'licensed accounts are')} blocked from signing in and ${tally.disabled === 1 ? 'was' : 'were'} not checked.`
      : '',
    tally.noSharePoint > 0
      ? ` ${plural(tally.noSharePoint, 'user has', 'users have')} no OneDrive but no SharePoint Online plan in their licences either, so none can be provisioned for them: they are left out of the script (assign a licence with SharePoint Online if they need one).`
      : '',
    tally.plansUnread > 0
      ? ` Microsoft Graph did not give me the licences of ${plural(tally.plansUnread, 'user')} without a OneDrive, so I could not check whether those licences include SharePoint Online: ${tally.plansUnread === 1 ? 'that user stays' : 'they stay'} in the script, and Request-SPOPersonalSite fails for anyone without that plan.`
      : '',
    tally.failed > 0
      ? ` I could not check ${plural(tally.failed, 'user')}: ${tally.failure}${tally.failed > 1 ? ' (and others)' : ''}.`
      : '',
  ].join('');
  if (tally.checked === 0) {
    return {
      ...base,
      status: 'warn',
      found: `No licensed user who may sign in was found, so there is no OneDrive to migrate into.${scope}${aside}`,
      fix: 'Assign licences that include SharePoint Online (and so OneDrive) to the users you migrate into, then run diagnose again.',
    };
  }
  if (tally.unprovisioned === 0) {
    const clean = tally.failed === 0;
    // A run that stopped early (limit or time budget) vouches only for the users it reached.
    const complete = clean && !tally.stopped;
    return {
      ...base,
      status: complete ? 'pass' : 'warn',
      found: `${clean ? 'Every licensed user I checked has a OneDrive (their Office 365 account is provisioned).' : 'Every licensed user I could check has a OneDrive (their Office 365 account is provisioned).'}${scope}${aside}`,
      fix: complete
        ? ''
        : clean
          ? 'The users I did not reach were not checked: check their OneDrive in the Microsoft 365 admin center, or run diagnose again.'
          : 'Run diagnose again later for the users I could not check.',
    };
  }
  const domain = await initialDomain(graph, tenantId);
  const adminUrl = sharePointAdminUrl(domain, ctx.cloud);
  const listed =
    tally.unprovisioned > tally.userEmails.length
      ? ` The script is for the first ${count(tally.userEmails.length)}; run diagnose again for the rest once they are done.`
      : '';
  return {
    ...base,
    status: 'warn',
    found: `${plural(tally.unprovisioned, 'licensed user has', 'licensed users have')} no OneDrive: their Office 365 account is not provisioned, so nothing can be transferred into it.${scope}${aside}`,
    fix: `${SEED} You can also provision Office 365 accounts via Windows PowerShell: Connect-SPOService to your SharePoint admin URL, then Request-SPOPersonalSite with at most ${PERSONAL_SITE_BATCH} users a call.${adminUrl === ADMIN_URL_PLACEHOLDER ? ' I could not read your tenant’s domain: replace the admin URL in the script.' : ''}${listed}`,
    script: { adminUrl, userEmails: tally.userEmails, total: tally.unprovisioned },
  };
}
