import { cardOf, unescapeMarkdown, type Card } from '../../harness/cards';
import type { TurnResult } from '../../harness/teamsClient';
import { expectValidCard } from '../../support/cardValidation';

/** The last reply of the turn that holds a card, validated. */
export function lastReplyCard(turn: TurnResult): Card {
  const withCard = turn.replies.filter((r) => Array.isArray(r.attachments) && r.attachments.length > 0);
  const card = cardOf(withCard[withCard.length - 1]);
  expectValidCard(card);
  return card;
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
