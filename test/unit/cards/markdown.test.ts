import { escapeMarkdown, needsEscaping } from '../../../src/cards/markdown';
import { HOSTILE } from '../../support/markdownCheck';

describe('needsEscaping', () => {
  // Every printable ASCII character alone, inside words, at a line start after spaces and after
  // a newline, numbered-list markers, and hostile text.
  const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
  const texts = [
    '',
    'plain words 12',
    HOSTILE,
    ...ascii.flatMap((ch) => [ch, `a${ch}b`, `  ${ch} x`, `line\n${ch} x`, `line\n  ${ch}`]),
    ...['1.', '1)', '12. x', '  3) x', 'a\n4. x', '1.5', 'v1.2', '5 )', '\t- x', 'a - b', 'a # b'],
  ];

  test.each(texts.map((text) => [JSON.stringify(text), text]))(
    '%s: true exactly when escaping changes the text',
    (_label, text) => {
      expect(needsEscaping(text)).toBe(escapeMarkdown(text) !== text);
    },
  );
});
