import { expectValidCard, TEAMS_CARD_PAYLOAD_LIMIT_BYTES, validateCard } from '../../support/cardValidation';

type Json = Record<string, unknown>;

/** A card that uses most of what the bot needs from Adaptive Cards 1.5 in Teams. */
function goodCard(): Json {
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.5',
    msteams: { width: 'Full' },
    body: [
      { type: 'TextBlock', text: 'Authorize the Box connector', style: 'heading', size: 'large', wrap: true },
      {
        type: 'Container',
        style: 'emphasis',
        bleed: true,
        items: [
          {
            type: 'TextBlock',
            text: 'Consent expires soon',
            color: 'attention',
            weight: 'bolder',
            wrap: true,
          },
          {
            type: 'FactSet',
            facts: [
              { title: 'Connector', value: 'Box' },
              { title: 'Expires', value: '2025-01-31' },
            ],
          },
        ],
      },
      {
        type: 'ColumnSet',
        columns: [
          {
            type: 'Column',
            width: 'auto',
            items: [
              {
                type: 'Image',
                url: 'https://example.com/box.png',
                altText: 'Box logo',
                size: 'small',
                style: 'person',
              },
            ],
          },
          {
            type: 'Column',
            width: 'stretch',
            verticalContentAlignment: 'center',
            items: [{ type: 'TextBlock', text: 'Box migration source', isSubtle: true, wrap: true }],
          },
          { type: 'Column', width: '80px', items: [{ type: 'TextBlock', text: 'OK', color: 'good' }] },
        ],
      },
      {
        type: 'Table',
        firstRowAsHeader: true,
        showGridLines: true,
        gridStyle: 'accent',
        columns: [{ width: 2 }, { width: 1 }],
        rows: [
          {
            type: 'TableRow',
            style: 'accent',
            cells: [
              { type: 'TableCell', items: [{ type: 'TextBlock', text: 'Connector', weight: 'bolder' }] },
              { type: 'TableCell', items: [{ type: 'TextBlock', text: 'Status', weight: 'bolder' }] },
            ],
          },
          {
            type: 'TableRow',
            cells: [
              { type: 'TableCell', items: [{ type: 'TextBlock', text: 'Google Drive', wrap: true }] },
              { type: 'TableCell', style: 'good', items: [{ type: 'TextBlock', text: 'Healthy' }] },
            ],
          },
        ],
      },
      {
        type: 'Input.Text',
        id: 'tenantName',
        label: 'Tenant name',
        placeholder: 'contoso',
        isRequired: true,
        errorMessage: 'Enter the tenant name',
        maxLength: 64,
      },
      {
        type: 'Input.ChoiceSet',
        id: 'connector',
        label: 'Connector',
        style: 'filtered',
        choices: [
          { title: 'Box', value: 'box' },
          { title: 'Google Drive', value: 'gdrive' },
        ],
        'choices.data': { type: 'Data.Query', dataset: 'connectors', count: 10 },
      },
      {
        type: 'Input.Toggle',
        id: 'notify',
        label: 'Notifications',
        title: 'Warn me before it expires',
        valueOn: 'yes',
        valueOff: 'no',
      },
      {
        type: 'ActionSet',
        spacing: 'medium',
        actions: [{ type: 'Action.OpenUrl', title: 'Open admin center', url: 'https://admin.example.com/' }],
      },
    ],
    actions: [
      {
        type: 'Action.Execute',
        title: 'Authorize',
        verb: 'authorizeConnector',
        style: 'positive',
        data: { connector: 'box' },
      },
      {
        type: 'Action.Submit',
        title: 'Remind me later',
        data: { action: 'snooze' },
        associatedInputs: 'none',
      },
      {
        type: 'Action.ShowCard',
        title: 'Details',
        card: {
          type: 'AdaptiveCard',
          body: [{ type: 'TextBlock', text: 'Consent was granted by admin@contoso.com', wrap: true }],
        },
      },
    ],
  };
}

type CardPath = Array<string | number>;

/** Returns a copy of the good card with `mutate` applied to the object at `at`. */
function withChange(at: CardPath, mutate: (target: Json) => void): Json {
  const card = goodCard();
  let target: unknown = card;
  for (const key of at) target = (target as Record<string | number, unknown>)[key];
  mutate(target as Json);
  return card;
}

function errorsOf(card: unknown): string[] {
  return validateCard(card).errors;
}

describe('validateCard', () => {
  it('accepts a valid Adaptive Card 1.5 card for Teams', () => {
    expect(errorsOf(goodCard())).toEqual([]);
    expect(() => expectValidCard(goodCard())).not.toThrow();
  });

  it('rejects a misspelled property', () => {
    const card = withChange(['body', 0], (block) => {
      block.wrapp = true;
    });
    expect(errorsOf(card)).toEqual([
      'schema /body/0 (TextBlock): unknown property "wrapp" (not in the Adaptive Card 1.5 schema)',
    ]);
  });

  it('rejects an unknown element type', () => {
    const card = withChange(['body'], (body) => {
      (body as unknown as unknown[]).push({ type: 'TextBlok', text: 'typo' });
    });
    const errors = errorsOf(card);
    expect(errors).toContainEqual(
      expect.stringMatching(/^schema \/body\/8\/type: invalid value "TextBlok"; allowed: /),
    );
    expect(errors).toContainEqual(expect.stringContaining('Unknown element type "TextBlok"'));
  });

  it('rejects a wrong enum value', () => {
    const card = withChange(['body', 0], (block) => {
      block.size = 'huge';
    });
    const errors = errorsOf(card);
    expect(errors).toContainEqual(
      'schema /body/0/size: invalid value "huge"; allowed: "default", "small", "medium", "large", "extraLarge"',
    );
    expect(errors).toContainEqual(expect.stringContaining('Invalid value "huge" for property "size"'));
  });

  it('rejects an Input.Text without id', () => {
    const card = withChange(['body', 4], (input) => {
      delete input.id;
    });
    expect(errorsOf(card)).toContainEqual('schema /body/4 (Input.Text): missing required property "id"');
  });

  it('rejects a TextBlock without text', () => {
    const card = withChange(['body', 0], (block) => {
      delete block.text;
    });
    expect(errorsOf(card)).toContainEqual('schema /body/0 (TextBlock): missing required property "text"');
  });

  it('rejects an Image without altText', () => {
    const card = withChange(['body', 2, 'columns', 0, 'items', 0], (image) => {
      delete image.altText;
    });
    expect(errorsOf(card)).toEqual([
      '/body/2/columns/0/items/0 (Image): missing altText (screen readers need a description of the image)',
    ]);
  });

  it('rejects an input without label', () => {
    const card = withChange(['body', 6], (toggle) => {
      delete toggle.label;
    });
    expect(errorsOf(card)).toEqual([
      '/body/6 (Input.Toggle): missing label (every input needs a visible, accessible label)',
    ]);
  });

  it('rejects an action without title', () => {
    const card = withChange(['actions', 1], (action) => {
      action.title = ' ';
    });
    expect(errorsOf(card)).toEqual([
      '/actions/1 (Action.Submit): missing title (every action needs a non-empty title)',
    ]);
  });

  it('rejects a card over the 28 KB Teams limit', () => {
    const facts = Array.from({ length: 400 }, (_, i) => ({ title: `Fact ${i}`, value: 'x'.repeat(60) }));
    const card = withChange(['body', 1, 'items', 1], (factSet) => {
      factSet.facts = facts;
    });
    const errors = errorsOf(card);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(
        `^\\(root\\): card attachment is \\d+ bytes of JSON, over the Teams limit of ${TEAMS_CARD_PAYLOAD_LIMIT_BYTES} bytes`,
      ),
    );
  });

  it('accepts a card just under the limit', () => {
    const card = withChange(['body', 1, 'items', 1], (factSet) => {
      factSet.facts = Array.from({ length: 150 }, (_, i) => ({ title: `Fact ${i}`, value: 'x'.repeat(60) }));
    });
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(TEAMS_CARD_PAYLOAD_LIMIT_BYTES);
    expect(errorsOf(card)).toEqual([]);
  });

  it('rejects leftover template expressions', () => {
    const card = withChange(['body', 0], (block) => {
      block.text = 'Hello ${name}';
    });
    expect(errorsOf(card)).toEqual([
      '/body/0/text: unbound template expression in "Hello ${name}"; bind the template first',
    ]);
  });

  it('rejects template-only $when / $data keys', () => {
    const card = withChange(['body', 0], (block) => {
      block.$when = '${show}';
    });
    const errors = errorsOf(card);
    expect(errors).toContainEqual('/body/0/$when: template-only property "$when" left in a bound card');
    expect(errors).toContainEqual(
      'schema /body/0 (TextBlock): unknown property "$when" (not in the Adaptive Card 1.5 schema)',
    );
  });

  it('rejects version 1.6', () => {
    const card = goodCard();
    card.version = '1.6';
    expect(errorsOf(card)).toEqual([
      '/version: card version "1.6" is not supported; Microsoft Teams renders 1.0 to 1.5',
    ]);
  });

  it('rejects a non-card', () => {
    expect(errorsOf({ type: 'HeroCard', version: '1.5', body: [] })).toContainEqual(
      '/type: must be "AdaptiveCard", got "HeroCard"',
    );
    expect(errorsOf('not a card')).toEqual([
      '(root): an Adaptive Card must be a JSON object, got "not a card"',
    ]);
  });

  it('expectValidCard lists every problem', () => {
    const card = withChange(['body', 0], (block) => {
      block.wrapp = true;
      block.text = '${title}';
    });
    expect(() => expectValidCard(card)).toThrow(
      [
        'Adaptive Card is not valid for Microsoft Teams (2 problems):',
        '  - schema /body/0 (TextBlock): unknown property "wrapp" (not in the Adaptive Card 1.5 schema)',
        '  - /body/0/text: unbound template expression in "${title}"; bind the template first',
      ].join('\n'),
    );
  });

  it('leaves no DOM globals behind', () => {
    validateCard(goodCard());
    expect('document' in globalThis).toBe(false);
    expect('window' in globalThis).toBe(false);
    expect('HTMLElement' in globalThis).toBe(false);
  });
});
