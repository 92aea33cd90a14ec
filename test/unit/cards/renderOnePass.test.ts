import { Template } from 'adaptivecards-templating';
import { bindCard, defineTemplate, type CardTemplate } from '../../../src/cards/render';
import { escapeMarkdown, markdown, Markdown } from '../../../src/cards/markdown';
import { forUniversalActions } from '../../../src/cards/universalActions';
import { wizardStepCard } from '../../../src/cards/wizardCards';
import { CARD_SAMPLES } from './samples';

// The binding as it was before cards were bound in one pass: the card expanded with raw data and
// again with escaped data, markdown places taken from the escaped one. Kept here as the reference.
type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  !!value && typeof value === 'object' && !Array.isArray(value);

function prepared(value: unknown, escape: boolean): unknown {
  if (typeof value === 'string') return escape ? escapeMarkdown(value) : value;
  if (value instanceof Markdown) return value.source;
  if (Array.isArray(value)) return value.map((v) => prepared(v, escape));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prepared(v, escape)]));
  }
  return value;
}

function withMarkdownEscaped(raw: unknown, escaped: unknown): unknown {
  if (Array.isArray(raw)) {
    if (!Array.isArray(escaped) || escaped.length !== raw.length) return escaped;
    return raw.map((item, i) => withMarkdownEscaped(item, escaped[i]));
  }
  if (!isObject(raw)) return raw;
  if (!isObject(escaped) || escaped.type !== raw.type) return escaped;
  const out: Json = {};
  for (const [key, value] of Object.entries(raw)) {
    if (raw.type === 'TextBlock' && key === 'text') out[key] = escaped[key];
    else if (raw.type === 'FactSet' && key === 'facts' && Array.isArray(value)) out[key] = escaped[key];
    else out[key] = withMarkdownEscaped(value, escaped[key]);
  }
  return out;
}

function referenceCard(json: object, data: object): string {
  const template = new Template(json);
  const raw = template.expand({ $root: prepared(data, false) }) as unknown;
  const escaped = template.expand({ $root: prepared(data, true) }) as unknown;
  return JSON.stringify(forUniversalActions(withMarkdownEscaped(raw, escaped) as Json));
}

const HOSTILE = [
  '*bold* _it_ ~~gone~~ [Reauthorize here](https://evil.example) `code` \\ back',
  '# Heading\n- bullet\n+ plus\n1. one\n2) two\n> quote',
  '<b>bold</b> <script>alert("x")</script> &amp; "quoted" \'single\'',
  '${title} ${$root.wizardId} ${count(facts)} @{x}',
  'Contoso_Box-Migration [2026]',
  'private \uE000 0\uE001 use',
];

/** The data with every plain string (and the bot's markdown) replaced, the i-th by pick(i). */
function withStrings(value: unknown, pick: (i: number) => string, counter = { i: 0 }): unknown {
  if (typeof value === 'string') return pick(counter.i++);
  if (value instanceof Markdown) return markdown(pick(counter.i++));
  if (Array.isArray(value)) return value.map((v) => withStrings(v, pick, counter));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withStrings(v, pick, counter)]));
  }
  return value;
}

const bound = (template: CardTemplate<object>, data: object) =>
  JSON.stringify(bindCard(template, data, { once: true }));

describe('bindCard in one pass', () => {
  it.each(CARD_SAMPLES.map((s) => [s.name, s] as const))(
    'binds %s byte for byte as the two-pass binding did, with sample and hostile text',
    (_name, sample) => {
      const template = sample.template as CardTemplate<object>;
      const variants = [
        sample.data,
        ...HOSTILE.map((text) => withStrings(sample.data, () => text) as object),
        withStrings(sample.data, (i) => HOSTILE[i % HOSTILE.length]) as object,
        withStrings(sample.data, (i) =>
          i % 2 ? HOSTILE[(i >> 1) % HOSTILE.length] : `plain ${i}`,
        ) as object,
      ];
      for (const data of variants) expect(bound(template, data)).toBe(referenceCard(template.json, data));
    },
  );

  it('expands a wizard step once even when its text needs escaping', () => {
    const sample = CARD_SAMPLES.find((s) => s.template === (wizardStepCard as CardTemplate<never>))!;
    const data = withStrings(sample.data, (i) => `Step_${i} *of* [the] wizard`) as object;
    const parsed = wizardStepCard.parsed();
    const expand = jest.spyOn(parsed, 'expand');
    try {
      expect(bound(wizardStepCard as CardTemplate<object>, data)).toBe(
        referenceCard(wizardStepCard.json, data),
      );
      expect(expand).toHaveBeenCalledTimes(1);
    } finally {
      expand.mockRestore();
    }
  });

  it('binds a template with other expressions, a string counted, or a list written into text, as the two-pass binding did', () => {
    const json = {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [
        { type: 'TextBlock', text: "${if(name == 'a*b', 'same', name)}", wrap: true },
        { type: 'TextBlock', text: 'Ids: ${ids}', wrap: true },
        { type: 'Input.Text', id: 'n', value: 'Ids: ${ids}' },
      ],
    };
    const other = defineTemplate<{ name: string; ids: string[] }>('one-pass-other', json);
    const listOnly = defineTemplate<{ ids: string[] }>('one-pass-list', {
      ...json,
      body: json.body.slice(1),
    });
    const countJson = {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'TextBlock', $when: '${count(name) > 3}', text: 'Long: ${name}', wrap: true }],
    };
    const counted = defineTemplate<{ name: string }>('one-pass-count', countJson);
    for (const name of ['a*b', 'a_b', 'a*bc', 'plain']) {
      const data = { name, ids: ['x_1', 'y"2', 'z\\3'] };
      expect(bound(other, data)).toBe(referenceCard(json, data));
      expect(bound(counted, { name })).toBe(referenceCard(countJson, { name }));
      expect(bound(listOnly, { ids: data.ids })).toBe(referenceCard(listOnly.json, { ids: data.ids }));
    }
  });
});
