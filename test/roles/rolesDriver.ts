import { personalChat, type TeamsUser } from '../harness/activities';
import { cardOf, cardText, unescapeMarkdown, type Card } from '../harness/cards';
import type { startHarness } from '../harness/testBot';
import { TeamsClient, type TurnResult } from '../harness/teamsClient';
import { expectValidCard } from '../support/cardValidation';
import type { FakeTenant, FakeUser } from '../support/fakeMicrosoftCloud';

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/** A directory user of the fake tenant, as Teams presents them. */
export function teamsUserOf(user: FakeUser): TeamsUser {
  return { id: `29:${user.id}`, name: user.displayName, aadObjectId: user.id, upn: user.userPrincipalName };
}

/** That user in their 1:1 chat with the bot. */
export function clientOf(h: Harness, tenant: FakeTenant, user: FakeUser): TeamsClient {
  const teams = teamsUserOf(user);
  return new TeamsClient(h.bot.url, h.standIn, teams, personalChat(tenant.id, teams));
}

/** The card the turn showed last (an update of the clicked card, else the last card reply), validated. */
export function shown(turn: TurnResult): Card {
  const card =
    turn.updates.length > 0 ? cardOf(turn.updates[turn.updates.length - 1].activity) : lastWithCard(turn);
  expectValidCard(card);
  return card;
}

/** The last reply of the turn that holds a card, validated. */
export function lastReplyCard(turn: TurnResult): Card {
  const card = lastWithCard(turn);
  expectValidCard(card);
  return card;
}

function lastWithCard(turn: TurnResult): Card {
  const withCard = turn.replies.filter((r) => Array.isArray(r.attachments) && r.attachments.length > 0);
  return cardOf(withCard[withCard.length - 1]);
}

/** The text of every reply of a turn (plain text and card text). */
export function turnText(turn: TurnResult): string {
  return [
    ...turn.replies.map((r) =>
      Array.isArray(r.attachments) && r.attachments.length > 0 ? cardText(cardOf(r)) : String(r.text ?? ''),
    ),
    ...turn.updates.map((u) => cardText(cardOf(u.activity))),
  ].join('\n');
}

/** Facts of a card as title → value, as a person reads them (markdown escapes removed). */
export function factsOf(card: Card): Record<string, string> {
  const facts: Record<string, string> = {};
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (n.type === 'FactSet' && Array.isArray(n.facts)) {
        for (const f of n.facts as { title: string; value: string }[])
          facts[unescapeMarkdown(f.title)] = unescapeMarkdown(f.value);
      }
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return facts;
}
