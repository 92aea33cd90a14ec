import { escapeMarkdown, needsEscaping, markdown, mdText } from '../../../src/cards/markdown';
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

describe('mdText: a message text with people’s and Graph’s words escaped', () => {
  test('a name cannot become a link or emphasis; the bot’s own words and Markdown values stay as written', () => {
    const name = '[Reauthorize here](https://evil.example) *now*';
    expect(mdText`Transfer recorded for ${name}. **Done** ${markdown('_kept_')}`).toBe(
      'Transfer recorded for \\[Reauthorize here\\](https://evil.example) \\*now\\*. **Done** _kept_',
    );
  });

  test('only a value at the start of a line is escaped as a list or heading marker', () => {
    expect(mdText`on ${'25.02.2026, 14:20'}`).toBe('on 25.02.2026, 14:20');
    expect(mdText`${'1. first'} then`).toBe('1\\. first then');
    expect(mdText`line\n${'- item'}`).toBe('line\n\\- item');
    expect(mdText`mid ${'a\n# heading'}`).toBe('mid a\n\\# heading');
  });
});
