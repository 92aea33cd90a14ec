import type { TurnContext } from 'botbuilder';
import type { Connector } from '../../../connectors/connector';
import { askOwnerText } from '../../../notify/digestView';
import { actorOf, conversationTypeOf, tenantIdOf } from '../../turnInfo';
import { managerIds } from '../liveCards/cardViewers';
import type { ConnectorsFeatureDeps } from './connectorsDeps';

/** Whether the reader of a card may change a connector: the buttons they get follow it. */
export type MayManage = (connector: Connector) => boolean;

/**
 * Who may change the connectors as the card is read. The card of a personal chat and every
 * refresh answer go to one person, who gets their own view (the server still checks each
 * click). A card posted in a channel or group chat is the one everyone sees, so it is the
 * read-only view; the people who may manage get theirs through the card's refresh (`userIds`).
 */
export async function readerMayManage(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  connectors: Connector[],
  card: 'posted' | 'answer',
): Promise<MayManage> {
  if (card === 'posted' && conversationTypeOf(context) !== 'personal') return () => false;
  const actor = actorOf(context);
  const answers = await Promise.all(connectors.map((c) => deps.connectors.mayManage(c, actor)));
  const allowed = new Set(connectors.filter((_c, i) => answers[i].allowed).map((c) => c.id));
  return (c) => allowed.has(c.id);
}

/** "Ask the owner: …, who created it, to <what>." for a reader who may not manage it; else ''. */
export function askOwner(
  deps: ConnectorsFeatureDeps,
  connector: Connector,
  mayManage: boolean,
  what: string,
): string {
  return mayManage ? '' : `${askOwnerText(connector, !!deps.config.adminGroupId)} to ${what}.`;
}

/**
 * Whose Teams clients fetch a connectors card as it is now, for them, when it is shown: the
 * person of a personal chat (Teams' id for them is the sender's id), else the people who may
 * manage the connectors (src/bot/features/liveCards/cardViewers.ts).
 */
export async function refreshUsers(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  connectors: Connector[],
): Promise<string[] | undefined> {
  if (conversationTypeOf(context) === 'personal') {
    const sender = context.activity.from?.id;
    return sender ? [sender] : [];
  }
  return managerIds(deps, tenantIdOf(context), connectors);
}
