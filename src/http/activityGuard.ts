import { isLoopbackHost } from '../config/config';
import { normalizeTenantId } from '../util/ids';

/** Why an incoming activity was refused before it reached the bot, or undefined when it is fine. */
export function checkActivity(body: unknown, anonymous: boolean): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'the body is not an activity object';
  const activity = body as Record<string, unknown>;
  if (typeof activity.type !== 'string' || activity.type === '') return 'the activity has no type';
  const conversation = activity.conversation as { id?: unknown } | undefined;
  if (!conversation || typeof conversation.id !== 'string' || conversation.id === '') {
    return 'the activity has no conversation.id';
  }
  const from = activity.from as { id?: unknown } | undefined;
  if (!from || typeof from.id !== 'string') return 'the activity has no from.id';
  if (typeof activity.serviceUrl !== 'string') return 'the activity has no serviceUrl';
  let serviceUrl: URL;
  try {
    serviceUrl = new URL(activity.serviceUrl);
  } catch {
    return 'the activity serviceUrl is not a URL';
  }
  // Without Bot Framework authentication anyone who can reach the port could make the bot post
  // to any address; anonymous mode therefore only answers a serviceUrl on this machine.
  if (anonymous && !isLoopbackHost(serviceUrl.hostname.replace(/^\[|\]$/g, ''))) {
    return 'anonymous mode only answers a loopback serviceUrl';
  }
  for (const [where, value] of tenantIdsOf(activity)) {
    if (value !== undefined && normalizeTenantId(value) === undefined) return `${where} is not a GUID`;
  }
  return shapeProblem(activity);
}

const isPresentNonString = (value: unknown) =>
  value !== undefined && value !== null && typeof value !== 'string';

/**
 * The fields the bot reads, in the shapes Teams sends them: anything else would fail deep in a
 * turn, where the person could only be told "something went wrong" and the log would show a stack.
 */
function shapeProblem(activity: Record<string, unknown>): string | undefined {
  if (isPresentNonString(activity.text)) return 'the activity text is not a string';
  if (isPresentNonString(activity.name)) return 'the activity name is not a string';
  const conversation = activity.conversation as Record<string, unknown>;
  if (isPresentNonString(conversation.conversationType))
    return 'conversation.conversationType is not a string';
  const from = activity.from as Record<string, unknown>;
  if (isPresentNonString(from.aadObjectId)) return 'from.aadObjectId is not a string';
  for (const field of ['membersAdded', 'membersRemoved'] as const) {
    const members = activity[field];
    if (members === undefined || members === null) continue;
    if (
      !Array.isArray(members) ||
      members.some((m) => !m || typeof m !== 'object' || typeof m.id !== 'string')
    )
      return `${field} is not a list of members with ids`;
  }
  if (activity.type === 'invoke' && activity.name === 'adaptiveCard/action') {
    const action = (activity.value as { action?: { type?: unknown; verb?: unknown } } | undefined)?.action;
    if (!action || action.type !== 'Action.Execute' || typeof action.verb !== 'string')
      return 'an adaptiveCard/action invoke needs value.action of type Action.Execute with a verb';
  }
  return undefined;
}

function tenantIdsOf(activity: Record<string, unknown>): [string, unknown][] {
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const conversation = activity.conversation as { tenantId?: unknown } | undefined;
  return [
    ['channelData.tenant.id', channelData?.tenant?.id],
    ['conversation.tenantId', conversation?.tenantId],
  ];
}

/**
 * Rewrites the tenant ids of a checked activity as lower-case GUIDs, so that every feature,
 * stored conversation reference and storage key sees one spelling of a tenant whatever case the
 * channel sent.
 */
export function normalizeTenantIds(activity: Record<string, unknown>): void {
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  if (channelData?.tenant && typeof channelData.tenant.id === 'string') {
    channelData.tenant.id = normalizeTenantId(channelData.tenant.id);
  }
  const conversation = activity.conversation as { tenantId?: unknown };
  if (typeof conversation.tenantId === 'string') {
    conversation.tenantId = normalizeTenantId(conversation.tenantId);
  }
}
