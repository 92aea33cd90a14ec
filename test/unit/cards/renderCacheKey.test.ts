import { bindCard, defineTemplate, type CardTemplate } from '../../../src/cards/render';
import { markdown } from '../../../src/cards/markdown';
import { expansions } from '../../support/cardExpansions';

// Kept cards are found by a key of their data: two data that bind differently must never share
// a kept card, however alike their JSON reads.

const texts = (card: Record<string, unknown>) => (card.body as { text?: string }[]).map((b) => b.text);

describe('kept cards by data', () => {
  const template = () =>
    defineTemplate<{ a: unknown; items: { text: unknown }[] }>(`cache-key-${Math.random()}`, {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [
        { type: 'TextBlock', text: '${a}' },
        { type: 'TextBlock', text: 'from ${a.source}' },
        { type: 'TextBlock', $data: '${items}', text: '${text}' },
      ],
    }) as CardTemplate<object>;

  it('tells Markdown from the same text typed by a person, in nested places too', () => {
    const t = template();
    const bot = bindCard(t, { a: 'x', items: [{ text: markdown('**kept**') }, { text: 'y' }] });
    const person = bindCard(t, { a: 'x', items: [{ text: '**kept**' }, { text: 'y' }] });
    expect(texts(bot)[2]).toBe('**kept**');
    expect(texts(person)[2]).toBe('\\*\\*kept\\*\\*');
  });

  it('tells Markdown from a plain object with a source field', () => {
    const t = template();
    const data = [
      { a: markdown('**x**'), items: [] },
      { a: { source: '**x**' }, items: [] },
    ];
    const count = expansions(t, () => {
      for (const d of data) expect(bindCard(t, d)).toEqual(bindCard(t, d, { once: true }));
    });
    // Each kept, then each bound once more without being kept: four expansions, none shared.
    expect(count).toBe(4);
    expect(texts(bindCard(t, data[1]))[1]).toBe('from \\*\\*x\\*\\*');
  });

  it('tells Markdown from an object whose toJSON reads like one', () => {
    const t = template();
    const lookalike = { toJSON: () => ({ source: '**x**' }), label: 'not markdown' };
    const count = expansions(t, () => {
      bindCard(t, { a: markdown('**x**'), items: [] });
      bindCard(t, { a: lookalike, items: [] });
      bindCard(t, { a: markdown('**x**'), items: [] });
    });
    expect(count).toBe(2);
  });

  it('binds equal data with Markdown from one kept card', () => {
    const t = template();
    const data = () => ({ a: markdown('**x**'), items: [{ text: markdown('_y_') }, { text: 'z' }] });
    expect(expansions(t, () => [1, 2, 3].forEach(() => bindCard(t, data())))).toBe(1);
  });
});
