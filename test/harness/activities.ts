import { randomUUID } from 'node:crypto';

/** The bot as Teams addresses it. */
export const BOT = { id: '28:concierge-bot', name: 'Connector Concierge' };

/** A Teams user: the account id in the conversation and the Entra object id. */
export interface TeamsUser {
  id: string;
  name: string;
  aadObjectId: string;
  upn: string;
}

/** A user with fresh ids; `name` and `upn` default to readable values. */
export function makeUser(name = 'Adele Vance', upn = 'adele@contoso.onmicrosoft.com'): TeamsUser {
  const aadObjectId = randomUUID();
  return { id: `29:${aadObjectId}`, name, aadObjectId, upn };
}

/** Where an activity happens. */
export interface TeamsConversation {
  kind: 'personal' | 'groupChat' | 'channel';
  id: string;
  tenantId: string;
  teamId?: string;
  channelId?: string;
}

export function personalChat(tenantId: string, user: TeamsUser): TeamsConversation {
  return { kind: 'personal', id: `a:1${user.aadObjectId.replace(/-/g, '')}`, tenantId };
}

export function groupChat(tenantId: string): TeamsConversation {
  return { kind: 'groupChat', id: `19:${randomUUID().replace(/-/g, '')}@thread.v2`, tenantId };
}

export function channel(
  tenantId: string,
  teamId = `19:${randomUUID().replace(/-/g, '')}@thread.tacv2`,
): TeamsConversation {
  const channelId = `19:${randomUUID().replace(/-/g, '')}@thread.tacv2`;
  return { kind: 'channel', id: `${channelId};messageid=${Date.now()}`, tenantId, teamId, channelId };
}

/** The General channel of a team: its id is the team id, as Teams does it. */
export function teamGeneral(tenantId: string, teamId: string): TeamsConversation {
  return { kind: 'channel', id: teamId, tenantId, teamId, channelId: teamId };
}

export type Activity = Record<string, unknown>;

/** The envelope every Teams activity carries. */
export function envelope(
  serviceUrl: string,
  conversation: TeamsConversation,
  from: TeamsUser,
  type: string,
): Activity {
  const channelData: Record<string, unknown> = { tenant: { id: conversation.tenantId } };
  if (conversation.kind === 'channel') {
    channelData.team = { id: conversation.teamId, name: 'Migration team' };
    channelData.channel = { id: conversation.channelId, name: 'General' };
  }
  return {
    type,
    id: `act-${randomUUID()}`,
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: { id: BOT.id, name: BOT.name },
    conversation: {
      id: conversation.id,
      conversationType: conversation.kind,
      tenantId: conversation.tenantId,
      isGroup: conversation.kind !== 'personal',
    },
    channelData,
    locale: 'en-US',
  };
}

/** A typed message; in channels and group chats it @mentions the bot first, as Teams requires. */
export function message(
  serviceUrl: string,
  conversation: TeamsConversation,
  from: TeamsUser,
  text: string,
): Activity {
  const activity = envelope(serviceUrl, conversation, from, 'message');
  if (conversation.kind === 'personal') {
    activity.text = text;
    activity.textFormat = 'plain';
    return activity;
  }
  const mentionText = `<at>${BOT.name}</at>`;
  activity.text = `${mentionText} ${text}`;
  activity.textFormat = 'plain';
  activity.entities = [{ type: 'mention', text: mentionText, mentioned: { id: BOT.id, name: BOT.name } }];
  return activity;
}

/** What Teams posts when an Action.Submit is clicked: the data merged with the card's inputs. */
export function submit(
  serviceUrl: string,
  conversation: TeamsConversation,
  from: TeamsUser,
  value: Record<string, unknown>,
  replyToId?: string,
): Activity {
  const activity = envelope(serviceUrl, conversation, from, 'message');
  activity.value = value;
  if (replyToId) activity.replyToId = replyToId;
  return activity;
}

/**
 * What Teams sends for an Action.Execute (Universal Actions): `manual` for a click, `automatic`
 * for the refresh a client runs when the card is shown.
 */
export function executeInvoke(
  serviceUrl: string,
  conversation: TeamsConversation,
  from: TeamsUser,
  verb: string,
  data: Record<string, unknown>,
  replyToId?: string,
  trigger: 'manual' | 'automatic' = 'manual',
): Activity {
  const activity = envelope(serviceUrl, conversation, from, 'invoke');
  activity.name = 'adaptiveCard/action';
  activity.value = { action: { type: 'Action.Execute', id: '', verb, data }, trigger };
  if (replyToId) activity.replyToId = replyToId;
  return activity;
}

/** The bot was installed (add) or removed (remove). */
export function installationUpdate(
  serviceUrl: string,
  conversation: TeamsConversation,
  from: TeamsUser,
  action: 'add' | 'remove',
): Activity {
  const activity = envelope(serviceUrl, conversation, from, 'installationUpdate');
  activity.action = action;
  return activity;
}

/** Members were added to or removed from a conversation; `bot: true` means the bot itself. */
export function conversationUpdate(
  serviceUrl: string,
  conversation: TeamsConversation,
  from: TeamsUser,
  change: { added?: boolean; removed?: boolean },
): Activity {
  const activity = envelope(serviceUrl, conversation, from, 'conversationUpdate');
  if (change.added) activity.membersAdded = [{ id: BOT.id }];
  if (change.removed) activity.membersRemoved = [{ id: BOT.id }];
  const channelData = activity.channelData as Record<string, unknown>;
  channelData.eventType = change.added ? 'teamMemberAdded' : 'teamMemberRemoved';
  return activity;
}
