import { escapeMarkdown, Markdown, md } from '../../src/cards/markdown';
import { bindCard } from '../../src/cards/render';
import { unescapeMarkdown, type Card } from '../harness/cards';
import { HOSTILE, hostileMarkup, markdownPlaces } from '../support/markdownCheck';
import { CARD_SAMPLES } from './samples';
import { consentRequestAttachment } from '../../src/bot/features/consent/consentHandover';
import { loadConfig } from '../../src/config/config';
import { connectorRecord } from '../support/connectorFixtures';

const TENANT = '44444444-4444-4444-8444-444444444444';
const config = loadConfig({ CONNECTOR_APP_ID: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346' });

/** Payload strings (submit data, inputs, URLs) where a client renders no markdown. */
function submitValues(card: Card): string[] {
  const values: string[] = [];
  const walk = (node: unknown, inData: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, inData));
    if (typeof node === 'string' && inData) values.push(node);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) walk(value, inData || key === 'data');
  };
  walk(card, false);
  return values;
}

/** The sample data with every plain string replaced by HOSTILE; the bot's own Markdown kept. */
function hostile(value: unknown): unknown {
  if (typeof value === 'string') return HOSTILE;
  if (value instanceof Markdown) return value;
  if (Array.isArray(value)) return value.map(hostile);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hostile(v)]));
  }
  return value;
}

/** Samples bound from data; the consent request sample is a card already bound (tested below). */
const BOUND_FROM_DATA = CARD_SAMPLES.filter((s) => JSON.stringify(s.data) !== '{}');

describe('markdown escaping at the card-binding layer', () => {
  test.each(BOUND_FROM_DATA.map((s) => [s.name, s] as const))(
    '%s: hostile text in every string field shows literally, never as markup',
    (_name, sample) => {
      const card = bindCard(sample.template, hostile(sample.data) as never);
      const places = markdownPlaces(card);
      const carrying = places.filter((text) => unescapeMarkdown(text).includes(HOSTILE));
      // Every card shows some text from its data; each such place shows it exactly as typed.
      expect(carrying.length).toBeGreaterThan(0);
      for (const text of places) expect({ text, markup: hostileMarkup(text) }).toEqual({ text, markup: [] });
      // Where no markdown is rendered (what a button submits), the text stays as typed.
      for (const value of submitValues(card)) expect(value).not.toContain('\\[');
    },
  );

  test('the consent request escapes the connector name and the requester', () => {
    const connector = connectorRecord({ tenantId: TENANT, type: 'office365', displayName: HOSTILE });
    const card = consentRequestAttachment({ config }, { ...connector, cloud: 'global' }, HOSTILE)
      .content as Card;
    const places = markdownPlaces(card);
    expect(places.filter((text) => unescapeMarkdown(text).includes(HOSTILE)).length).toBeGreaterThan(1);
    for (const text of places) expect({ text, markup: hostileMarkup(text) }).toEqual({ text, markup: [] });
  });

  test('md escapes the values it is given and keeps its own markup', () => {
    const text = md`Deleting **${'[x](https://evil.example)'}** is permanent`;
    expect(text.source).toBe('Deleting **\\[x\\](https://evil.example)** is permanent');
    expect(unescapeMarkdown(text.source)).toBe('Deleting **[x](https://evil.example)** is permanent');
  });

  test('escapeMarkdown leaves plain words, dates and addresses as they are', () => {
    for (const plain of [
      'Contoso SharePoint 2026-03-02',
      'megan@contoso.onmicrosoft.com',
      'Box (old)',
      '90 days',
    ]) {
      expect(escapeMarkdown(plain)).toBe(plain);
    }
    expect(hostileMarkup(escapeMarkdown(HOSTILE))).toEqual([]);
    expect(unescapeMarkdown(escapeMarkdown(HOSTILE))).toBe(HOSTILE);
  });
});
