/** Helpers the wizard tests share: read what a turn showed and drive a wizard to a given step. */
import { randomUUID } from 'node:crypto';
import { cardOf, findAction, unescapeMarkdown, type Card } from '../../harness/cards';
import type { ConnectorStandIn, RecordedCall } from '../../harness/connectorStandIn';
import { answerCard, type TeamsClient, type TurnResult } from '../../harness/teamsClient';

/** A tenant of its own, so that tests do not see each other's connectors and audit events. */
export function newTenant(): string {
  return randomUUID();
}

/**
 * The card on screen after a turn: the updated one, else the newest posted one. Not validated:
 * wizard tests put hostile names (template and mention syntax) on cards on purpose.
 */
function onScreen(turn: TurnResult): Card {
  if (turn.updates.length > 0) return cardOf(turn.updates[turn.updates.length - 1].activity);
  const withCard = turn.replies.filter((r) => Array.isArray(r.attachments) && r.attachments.length > 0);
  return cardOf(withCard[withCard.length - 1]);
}

/** The text of every TextBlock of a card as a person reads it, one entry each (exact comparisons). */
export function textBlocks(card: Card): string[] {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.type === 'TextBlock') texts.push(unescapeMarkdown(String(record.text)));
    Object.values(record).forEach(walk);
  };
  walk(card);
  return texts;
}

/** The wizard id and page a wizard card's buttons carry. */
export function wizardData(card: Card, title = 'Cancel'): { wizardId: string; page: string } {
  const data = findAction(card, title).data as { wizardId: string; page: string };
  return { wizardId: data.wizardId, page: data.page };
}

/** The calls the stand-in records while `act` runs. */
export async function callsDuring<T>(
  standIn: ConnectorStandIn,
  act: () => Promise<T>,
): Promise<{ result: T; calls: RecordedCall[] }> {
  const before = standIn.calls.length;
  const result = await act();
  return { result, calls: standIn.calls.slice(before) };
}

/** A wizard card on screen: the card and the id of the activity that shows it. */
export interface OnScreen {
  card: Card;
  cardId: string;
}

/**
 * Starts `connect <type>`; the name card is posted as a new message. In a channel or group chat
 * the posted card is read-only and the starter's Teams client fetches the controls through its
 * refresh, as `starterView` does.
 */
export async function startWizard(client: TeamsClient, type: string): Promise<OnScreen> {
  const turn = await client.say(`connect ${type}`);
  const reply = turn.replies[turn.replies.length - 1];
  return starterView(client, { card: cardOf(reply), cardId: String(reply.id) });
}

/**
 * What the starter sees of a posted wizard card: the card its automatic refresh answers with
 * when the card has a refresh for them (channels, group chats), else the card as posted.
 */
export async function starterView(client: TeamsClient, posted: OnScreen): Promise<OnScreen> {
  const refreshed = await client.open(posted.card, posted.cardId);
  const card = refreshed && answerCard(refreshed);
  return card ? { card, cardId: posted.cardId } : posted;
}

/** Clicks a button of the card on screen; the card is updated in place. */
export async function clickOn(
  client: TeamsClient,
  screen: OnScreen,
  title: string,
  typed: Record<string, string> = {},
): Promise<OnScreen & { turn: TurnResult }> {
  const turn = await client.click(screen.card, title, typed, screen.cardId);
  return { card: onScreen(turn), cardId: screen.cardId, turn };
}

/**
 * `connect office365`, a display name, the cloud page (as pre-selected), then Next up to
 * "Step `step` of 9" (1 to 5).
 */
export async function office365ToStep(
  client: TeamsClient,
  displayName: string,
  step: number,
): Promise<OnScreen> {
  let screen: OnScreen = await startWizard(client, 'office365');
  screen = await clickOn(client, screen, 'Next', { displayName });
  for (let at = 0; at < step; at++) screen = await clickOn(client, screen, 'Next');
  return screen;
}

/** `connect <type>` of a sign-in connector, named, to its first step ("Step 1 of 2"). */
export async function signInToFirstStep(
  client: TeamsClient,
  type: string,
  displayName: string,
): Promise<OnScreen> {
  const screen = await startWizard(client, type);
  return clickOn(client, screen, 'Next', { displayName });
}

/** A sign-in connector from `connect` to its end; returns the final card. */
export async function authorizeSignIn(
  client: TeamsClient,
  type: string,
  displayName: string,
): Promise<OnScreen> {
  let screen = await signInToFirstStep(client, type, displayName);
  screen = await clickOn(client, screen, 'Next');
  return clickOn(client, screen, 'I confirm I signed in and allowed access');
}
