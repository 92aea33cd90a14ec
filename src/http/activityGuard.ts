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
