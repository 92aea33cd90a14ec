import { isLoopbackHost } from '../config/config';

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
  return undefined;
}
