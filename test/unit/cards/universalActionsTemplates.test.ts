import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdaptiveCards } from '@microsoft/teams-ai';
import { bindCard } from '../../../src/cards/render';
import { CARD_DATA_VERSION, UPDATE_TEAMS_TEXT } from '../../../src/cards/universalActions';
import { CARD_SAMPLES } from './samples';
import { startTestBot, type TestBot } from '../../harness/testBot';

const TEMPLATES = path.join(__dirname, '../../../src/cards/templates');

type Json = Record<string, unknown>;

function walk(node: unknown, visit: (n: Json) => void): void {
  if (Array.isArray(node)) return node.forEach((n) => walk(n, visit));
  if (!node || typeof node !== 'object') return;
  visit(node as Json);
  Object.values(node as Json).forEach((v) => walk(v, visit));
}

function templates(): { name: string; json: Json }[] {
  return fs
    .readdirSync(TEMPLATES)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ name: f, json: JSON.parse(fs.readFileSync(path.join(TEMPLATES, f), 'utf8')) as Json }));
}

/** Verbs of every Action.Execute in `card` (buttons and the refresh clause). */
function executeVerbs(card: unknown): string[] {
  const verbs: string[] = [];
  walk(card, (n) => {
    if (n.type === 'Action.Execute') verbs.push(String(n.verb));
  });
  return verbs;
}

/**
 * JSON templates cannot carry comments, so an Action.Submit that had to stay would be listed
 * here with the reason. None has to: Action.Execute also sends inputs (associatedInputs), and
 * every handler answers the invoke.
 */
const SUBMIT_ALLOWED: Record<string, string> = {};

describe('card templates use Universal Actions', () => {
  let bot: TestBot;
  const handled: string[] = [];

  beforeAll(async () => {
    const original = AdaptiveCards.prototype.actionExecute;
    const spy = jest.spyOn(AdaptiveCards.prototype, 'actionExecute').mockImplementation(function (
      this: AdaptiveCards<never>,
      verb,
      handler,
    ) {
      for (const v of Array.isArray(verb) ? verb : [verb]) if (typeof v === 'string') handled.push(v);
      return original.call(this, verb, handler);
    });
    bot = await startTestBot();
    spy.mockRestore();
  });
  afterAll(async () => bot.stop());

  test('no Action.Submit remains in a template unless listed with its reason', () => {
    const submits = templates().flatMap(({ name, json }) => {
      const found: string[] = [];
      walk(json, (n) => {
        if (n.type === 'Action.Submit' && !SUBMIT_ALLOWED[name]) found.push(`${name}: ${String(n.title)}`);
      });
      return found;
    });
    expect(submits).toEqual([]);
  });

  test('every Execute names a verb, and every card as rendered stamps its data version and asks old clients to update', () => {
    for (const { name, json } of templates()) {
      walk(json, (n) => {
        if (n.type === 'Action.Execute') expect(`${name}: ${String(n.verb ?? '')}`).toMatch(/: \S+/);
      });
    }
    for (const sample of CARD_SAMPLES) {
      const card = bindCard(sample.template, sample.data);
      expect(String(card.fallbackText)).toContain(UPDATE_TEAMS_TEXT);
      walk(card, (n) => {
        if (n.type === 'Action.Execute') {
          expect((n.data as Json).cardVersion).toBe(CARD_DATA_VERSION);
          expect(String(n.verb)).not.toContain('${');
        }
      });
    }
  });

  test('every Execute verb of the templates and samples has a handler, and every handler a verb on some card', () => {
    const literal = templates().flatMap(({ json }) => executeVerbs(json).filter((v) => !v.includes('${')));
    const rendered = CARD_SAMPLES.flatMap((s) => executeVerbs(bindCard(s.template, s.data)));
    const onCards = new Set([...literal, ...rendered]);
    expect([...onCards].filter((v) => !handled.includes(v)).sort()).toEqual([]);
    expect(handled.filter((v) => !onCards.has(v)).sort()).toEqual([]);
    // Each verb is registered once: two handlers for one verb would answer one click twice.
    expect(handled.filter((v, i) => handled.indexOf(v) !== i)).toEqual([]);
  });
});
