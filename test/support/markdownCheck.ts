/** Checks that text from people shows literally where a card client renders markdown. */
import type { Card } from '../harness/cards';

/** Text a person or Graph could supply, with every kind of markup a card client renders. */
export const HOSTILE =
  '[Reauthorize here](https://evil.example) **bold** _it_ ~gone~ <at>x</at>\n- item\n1. first';

/** Raw markdown with any of HOSTILE's markup left unescaped. */
export function hostileMarkup(markdownText: string): string[] {
  const found: string[] = [];
  const unescaped: [string, RegExp][] = [
    ['link', /(^|[^\\])\[Reauthorize here/],
    ['bold', /(^|[^\\])\*\*bold/],
    ['italic', /(^|[^\\])_it/],
    ['strike', /(^|[^\\])~gone/],
    ['mention', /(^|[^\\])<at>/],
    ['bullet', /^\s*- item/m],
    ['numbered', /^\s*1\. first/m],
  ];
  for (const [name, pattern] of unescaped) if (pattern.test(markdownText)) found.push(name);
  return found;
}

/** Every place a client renders markdown: TextBlock text, FactSet titles and values. */
export function markdownPlaces(card: Card): string[] {
  const places: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.type === 'TextBlock') places.push(String(record.text ?? ''));
    if (record.type === 'FactSet' && Array.isArray(record.facts)) {
      for (const fact of record.facts as { title?: unknown; value?: unknown }[]) {
        places.push(String(fact.title ?? ''), String(fact.value ?? ''));
      }
    }
    Object.values(record).forEach(walk);
  };
  walk(card);
  return places;
}
