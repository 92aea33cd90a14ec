import type { CardTemplate } from '../../src/cards/render';

/** Counts the expansions of a template while `run` runs: a kept card is found, not expanded again. */
export function expansions(template: CardTemplate<object>, run: () => void): number {
  const spy = jest.spyOn(template.parsed(), 'expand');
  try {
    run();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}
