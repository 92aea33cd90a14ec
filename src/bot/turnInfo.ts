import type { TurnContext } from 'botbuilder';
import type { ConversationRecord } from '../connectors/ports';
import { normalizeTenantId } from '../util/ids';

/** Who is acting in this turn, as Teams says. */
export interface Actor {
  /** Entra object id when Teams sends it, else the channel account id. */
  id: string;
  name: string;
  aadObjectId?: string;
}

/** A turn's activity without a tenant cannot be served: tenant isolation depends on it. */
export class MissingTenantError extends Error {
  readonly code = 'MISSING_TENANT';
  constructor() {
    super('the activity has no channelData.tenant.id');
    this.name = 'MissingTenantError';
  }
}

/** The tenant of this turn, always from the activity (never from card data). */
export function tenantIdOf(context: TurnContext): string {
  const channelData = context.activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const fromChannelData = channelData?.tenant?.id;
  const fromConversation = context.activity.conversation?.tenantId;
  const id = normalizeTenantId(
    typeof fromChannelData === 'string' && fromChannelData ? fromChannelData : fromConversation,
  );
  if (!id) throw new MissingTenantError();
  return id;
}

export function actorOf(context: TurnContext): Actor {
  const from = context.activity.from ?? { id: 'unknown', name: '' };
  return {
    id: from.aadObjectId ?? from.id,
    name: from.name || 'Someone',
    aadObjectId: from.aadObjectId,
  };
}

/** personal, groupChat or channel, from the conversation's type. */
export function conversationTypeOf(context: TurnContext): ConversationRecord['conversationType'] {
  const type = context.activity.conversation?.conversationType;
  if (type === 'channel') return 'channel';
  if (type === 'groupChat' || context.activity.conversation?.isGroup) return 'groupChat';
  return 'personal';
}

/**
 * The conversation id to post new messages into: for a channel, the channel itself rather than
 * the thread (Teams suffixes a thread's id with ";messageid=…"), so notices start new posts.
 */
export function baseConversationId(conversationId: string): string {
  return conversationId.split(';')[0];
}
