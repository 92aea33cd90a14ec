/**
 * The one chat driver of the tests: a person in a Teams conversation with the bot, over HTTP.
 * `h.chat(user, kind, tenant)` gives a `Chat`; `say` and `click` post as the Teams client does,
 * and `shown()` / `said()` read what the last turn put on screen. Card clicks go through
 * `TeamsClient.click`, so the way a click is posted (submit or Execute invoke) lives in one place.
 */
import { channel, groupChat, personalChat, type TeamsConversation, type TeamsUser } from './activities';
import { cardOf, cardText, type Card } from './cards';
import type { ConnectorStandIn } from './connectorStandIn';
import { shownCard, TeamsClient, type ClientInfo, type TurnResult } from './teamsClient';

/** The conversations `chat` opens: the 1:1 chat, a new group chat or a new channel. */
export type ChatKind = TeamsConversation['kind'];

/** A directory user of the fake cloud (or anything with its id, name and UPN). */
export interface DirectoryPerson {
  id: string;
  displayName: string;
  userPrincipalName: string;
}

/** A Teams user, as is, or a directory user as Teams presents them. */
export function teamsUserOf(user: TeamsUser | DirectoryPerson): TeamsUser {
  if ('aadObjectId' in user) return user;
  return { id: `29:${user.id}`, name: user.displayName, aadObjectId: user.id, upn: user.userPrincipalName };
}

function hasCard(activity: Record<string, unknown>): boolean {
  return Array.isArray(activity.attachments) && activity.attachments.length > 0;
}

/**
 * The card a person sees after a turn: what Teams shows in place of the clicked card, else the
 * newest card posted; validated for Teams on the way.
 */
export function shown(turn: TurnResult): Card {
  return shownCard({ ...turn, replies: turn.replies.filter(hasCard) });
}

/** The plain text of every message the bot posted in the turn. */
export function said(turn: TurnResult): string {
  return turn.replies.map((r) => String(r.text ?? '')).join('\n');
}

/** Everything a turn showed as text: plain messages, the text of posted cards and of updated cards. */
export function turnText(turn: TurnResult): string {
  return [
    ...turn.replies.map((r) => (hasCard(r) ? cardText(cardOf(r)) : String(r.text ?? ''))),
    ...turn.updates.map((u) => cardText(cardOf(u.activity))),
  ].join('\n');
}

/** A `TeamsClient` that remembers its last turn, so a test can read what it showed. */
export class Chat extends TeamsClient {
  private lastTurn?: TurnResult;

  override as(user: TeamsUser | DirectoryPerson): Chat {
    return new Chat(this.botUrl, this.standIn, teamsUserOf(user), this.conversation, this.clientInfo);
  }

  override withClientInfo(clientInfo: ClientInfo): Chat {
    return new Chat(this.botUrl, this.standIn, this.user, this.conversation, clientInfo);
  }

  override async send(activity: Record<string, unknown>): Promise<TurnResult> {
    const turn = await super.send(activity);
    this.lastTurn = turn;
    return turn;
  }

  /** The last turn; fails when nothing was sent yet. */
  get last(): TurnResult {
    if (!this.lastTurn) throw new Error('nothing was sent in this chat yet');
    return this.lastTurn;
  }

  /** The card the person sees after the last turn, validated. */
  shown(): Card {
    return shown(this.last);
  }

  /** The plain text the bot posted in the last turn. */
  said(): string {
    return said(this.last);
  }

  /** Everything the last turn showed, as text. */
  text(): string {
    return turnText(this.last);
  }
}

/** Where `chat` talks: a kind of conversation in a tenant, or a given conversation. */
export function conversationFor(
  user: TeamsUser,
  kind: ChatKind | TeamsConversation,
  tenantId: string | undefined,
): TeamsConversation {
  if (typeof kind !== 'string') return kind;
  if (!tenantId) throw new Error(`a ${kind} chat needs its tenant`);
  if (kind === 'personal') return personalChat(tenantId, user);
  if (kind === 'groupChat') return groupChat(tenantId);
  return channel(tenantId);
}

/** Opens a chat of `user` with the bot at `botUrl`, through the Bot Connector stand-in. */
export function openChat(
  botUrl: string,
  standIn: ConnectorStandIn,
  user: TeamsUser | DirectoryPerson,
  kind: ChatKind | TeamsConversation,
  tenant?: string | { id: string },
): Chat {
  const teams = teamsUserOf(user);
  const tenantId = typeof tenant === 'string' ? tenant : tenant?.id;
  return new Chat(botUrl, standIn, teams, conversationFor(teams, kind, tenantId));
}
