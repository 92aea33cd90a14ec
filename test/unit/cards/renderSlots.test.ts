import { bindCard, defineTemplate, renderCard, type CardTemplate } from '../../../src/cards/render';
import { wizardStepCard, type WizardStepCardData } from '../../../src/cards/wizardCards';
import { CARD_SAMPLES } from './samples';
import { expansions } from '../../support/cardExpansions';

// Slots (BindOptions.slots): one kept expansion of a card for every wizard on the same page, each
// binding with its own wizard id and starter's name. The card must be the one bound without slots.

const SLOTS = ['wizardId', 'ownerName'];

const HOSTILE = [
  '*bold* _it_ [Reauthorize here](https://evil.example) `code` \\ back',
  '# Heading\n- bullet\n> quote',
  '<b>bold</b> <script>alert("x")</script> &amp; "quoted"',
  '${title} ${$root.wizardId} ${count(facts)}',
  'private \uE002 0\uE003 slot and \uE000 0\uE001 token',
  'Megan Bowen',
];

const WIZARD_SAMPLES = CARD_SAMPLES.filter((s) => (s.template as unknown) === wizardStepCard);

const json = (template: CardTemplate<object>, data: object, slots?: string[]) =>
  JSON.stringify(bindCard(template, data, slots ? { slots } : {}));

describe('bindCard with slots', () => {
  test('there are wizard step samples to check', () => {
    expect(WIZARD_SAMPLES.length).toBeGreaterThan(3);
  });

  it.each(WIZARD_SAMPLES.map((s) => [s.name, s] as const))(
    'binds %s byte for byte as without slots, for hostile ids and names',
    (_name, sample) => {
      const template = sample.template as CardTemplate<object>;
      for (const [i, text] of HOSTILE.entries()) {
        const data = {
          ...(sample.data as WizardStepCardData),
          wizardId: i % 2 ? text : `wizard-${i}`,
          ownerName: text,
        };
        expect(json(template, data, SLOTS)).toBe(json(template, data));
      }
    },
  );

  test('wizards on the same page share one expansion, each card with its own id and escaped name', () => {
    const page = WIZARD_SAMPLES[0].data as WizardStepCardData;
    const first = { ...page, wizardId: 'w-first-1', ownerName: '*Adele* Vance' };
    const second = { ...page, wizardId: 'w-second-2', ownerName: 'Megan [Bowen](https://evil.example)' };
    const cards: string[] = [];
    const count = expansions(wizardStepCard as CardTemplate<object>, () => {
      renderCard(wizardStepCard, { ...first, title: 'A page seen once' }, { slots: SLOTS });
      for (const data of [first, second, first]) {
        cards.push(JSON.stringify(renderCard(wizardStepCard, data, { slots: SLOTS }).content));
      }
    });
    expect(count).toBe(2);
    expect(cards[0]).toBe(cards[2]);
    expect(cards[0]).toContain('w-first-1');
    expect(cards[0]).toContain('Only \\\\*Adele\\\\* Vance, who started');
    expect(cards[1]).toContain('w-second-2');
    expect(cards[1]).toContain('Only Megan \\\\[Bowen\\\\](https://evil.example), who started');
    expect(cards[1]).not.toContain('w-first-1');
    expect(cards[1]).not.toMatch(/[\uE000-\uE003]/);
  });

  test('a field the template tests or compares is bound as without slots, each card expanded', () => {
    const template = defineTemplate<{ who: string; id: string }>('slots-compared', {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [
        { type: 'TextBlock', text: 'Hello ${who}' },
        { type: 'TextBlock', $when: "${who == 'Megan'}", text: 'Welcome back' },
        { type: 'TextBlock', text: '${id}' },
      ],
    }) as CardTemplate<object>;
    for (const who of ['Megan', 'Adele *A*']) {
      const data = { who, id: `id-${who}` };
      const count = expansions(template, () => {
        expect(json(template, data, ['who', 'id'])).toBe(json(template, data));
      });
      expect(count).toBe(1);
    }
    expect(json(template, { who: 'Megan', id: 'x' }, ['who', 'id'])).toContain('Welcome back');
  });

  test('an empty value, or one holding a placeholder character, is bound as without slots', () => {
    const page = WIZARD_SAMPLES[0].data as WizardStepCardData;
    for (const ownerName of ['', 'a \uE002 0\uE003 b', 'c \uE000 1\uE001 d']) {
      const data = { ...page, wizardId: 'w-odd', ownerName };
      expect(json(wizardStepCard as CardTemplate<object>, data, SLOTS)).toBe(
        json(wizardStepCard as CardTemplate<object>, data),
      );
    }
  });
});

describe('slot places', () => {
  interface Nested {
    id: string;
    who: string;
    detailed: boolean;
    refreshUserIds: string[];
  }
  const template = defineTemplate<Nested>('slots-nested', {
    type: 'AdaptiveCard',
    version: '1.5',
    refresh: {
      action: { type: 'Action.Execute', verb: 'nestedRefresh', data: { id: '${id}' } },
      userIds: '${refreshUserIds}',
    },
    body: [
      { type: 'FactSet', facts: [{ title: 'Started by', value: '${who}' }] },
      { type: 'TextBlock', $when: '${detailed}', text: 'Details for ${who}' },
      { type: 'Input.Text', id: 'name', value: '${who}' },
      { type: 'TextBlock', text: 'Steps are saved as you go.' },
    ],
    actions: [
      {
        type: 'Action.ShowCard',
        title: 'More',
        card: {
          type: 'AdaptiveCard',
          body: [{ type: 'Container', items: [{ type: 'TextBlock', text: 'Only ${who} (${id})' }] }],
          actions: [{ type: 'Action.Execute', verb: 'go', data: { id: '${id}', who: '${who}' } }],
        },
      },
    ],
  }) as CardTemplate<object>;
  const slots = ['id', 'who'];

  it('escapes a slot in nested markdown places, keeps it as typed elsewhere, in every kept card', () => {
    const cases: Nested[] = [
      { id: 'w-1', who: '*Adele* Vance', detailed: false, refreshUserIds: ['29:ada'] },
      { id: 'w-2', who: 'Megan [Bowen](https://evil.example)', detailed: true, refreshUserIds: ['29:meg'] },
      { id: 'w-3', who: '# Alex\n- W', detailed: false, refreshUserIds: [] },
      { id: 'w-4', who: 'Lee <b>Gu</b>', detailed: true, refreshUserIds: ['29:lee', '29:gu'] },
    ];
    // Twice round: the second binds each from a kept card whose slot places are already known.
    for (const data of [...cases, ...cases]) {
      expect(json(template, data, slots)).toBe(json(template, data));
    }
    const card = bindCard(template, cases[1], { slots });
    expect(JSON.stringify(card)).toContain('"value":"Megan \\\\[Bowen\\\\](https://evil.example)"');
    expect(JSON.stringify(card)).toContain(
      '"text":"Details for Megan \\\\[Bowen\\\\](https://evil.example)"',
    );
    expect(JSON.stringify(card)).toContain('"who":"Megan [Bowen](https://evil.example)"');
    expect((card.refresh as { userIds: string[] }).userIds).toEqual(['29:meg']);
    expect((card.refresh as { action: { data: { id: string } } }).action.data.id).toBe('w-2');
  });

  it('shares the parts of a kept card without a slot and freezes what it sends', () => {
    const data = { id: 'w-5', who: 'Nestor', detailed: true, refreshUserIds: ['29:n'] };
    const one = renderCard(template, data, { slots }).content as Record<string, unknown>;
    const two = renderCard(template, { ...data, id: 'w-6', who: 'Patti' }, { slots }).content as Record<
      string,
      unknown
    >;
    expect(Object.isFrozen(one)).toBe(true);
    expect(Object.isFrozen((one.body as object[])[0])).toBe(true);
    expect((one.body as object[])[2]).not.toBe((two.body as object[])[2]);
    expect((one.body as object[])[3]).toBe((two.body as object[])[3]);
    expect(JSON.stringify(two)).not.toContain('w-5');
    expect(JSON.stringify(two)).not.toContain('Nestor');
  });
});
