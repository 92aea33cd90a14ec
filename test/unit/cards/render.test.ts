import {
  bindCard,
  cardJson,
  defineTemplate,
  renderCard,
  renderKeyedCard,
  renderMeasuredKeyedCard,
} from '../../../src/cards/render';
import { markdown } from '../../../src/cards/markdown';
import { connectorListCard } from '../../../src/cards/connectorsCards';
import { wizardStepCard } from '../../../src/cards/wizardCards';

interface PageData {
  title: string;
  rows: { name: string }[];
  refresh: { ids: string[]; userIds: string[] | undefined };
}

const pageTemplate = () =>
  defineTemplate<PageData>('render-test-page', {
    type: 'AdaptiveCard',
    version: '1.5',
    refresh: {
      action: { type: 'Action.Execute', verb: 'pageRefresh', data: { ids: '${refresh.ids}' } },
      userIds: '${refresh.userIds}',
    },
    body: [
      { type: 'TextBlock', text: '${title}', wrap: true },
      { type: 'TextBlock', $data: '${rows}', text: '${name}', wrap: true },
    ],
  });

const page = (userIds: string[] | undefined, title = 'Connectors of this tenant'): PageData => ({
  title,
  rows: [{ name: 'Finance *Box*' }, { name: 'Team site 001' }],
  refresh: { ids: ['a', 'b'], userIds },
});

describe('bindCard', () => {
  it('gives each reader of a kept card their own refresh userIds, as binding afresh would', () => {
    const template = pageTemplate();
    for (const userIds of [['29:ada'], ['29:grace', '29:alan'], ['29:ada'], [], undefined]) {
      const kept = bindCard(template, page(userIds));
      expect(kept).toEqual(bindCard(template, page(userIds), { once: true }));
      const refresh = kept.refresh as Record<string, unknown>;
      if (userIds) expect(refresh.userIds).toEqual(userIds);
      else expect(refresh).not.toHaveProperty('userIds');
    }
  });

  it('binds the rest of the card from the data, not from a card kept for other data', () => {
    const template = pageTemplate();
    bindCard(template, page(['29:ada']));
    const other = bindCard(template, page(['29:ada'], 'Connectors (continued)'));
    expect((other.body as { text: string }[])[0].text).toBe('Connectors (continued)');
    expect((other.body as { text: string }[])[1].text).toBe('Finance \\*Box\\*');
  });

  it('hands out copies: a change to one card does not reach the next reader', () => {
    const template = pageTemplate();
    const first = bindCard(template, page(['29:ada']));
    (first.refresh as { userIds: string[] }).userIds.push('29:mallory');
    (first.body as { text: string }[])[0].text = 'changed';
    const second = bindCard(template, page(['29:ada']));
    expect((second.refresh as { userIds: string[] }).userIds).toEqual(['29:ada']);
    expect((second.body as { text: string }[])[0].text).toBe('Connectors of this tenant');
  });

  it('sends one frozen card for the same data, each reader with their own refresh userIds', () => {
    const template = pageTemplate();
    const ada = renderCard(template, page(['29:ada'])).content as Record<string, unknown>;
    const alan = renderCard(template, page(['29:alan'])).content as Record<string, unknown>;
    expect(ada.body).toBe(alan.body);
    expect((ada.refresh as { userIds: string[] }).userIds).toEqual(['29:ada']);
    expect((alan.refresh as { userIds: string[] }).userIds).toEqual(['29:alan']);
    expect(alan).toEqual(bindCard(template, page(['29:alan']), { once: true }));
    expect(() => {
      (ada.body as { text: string }[])[0].text = 'changed';
    }).toThrow(TypeError);
    expect(() => (ada.refresh as { userIds: string[] }).userIds.push('29:mallory')).toThrow(TypeError);
    expect(renderCard(template, page(undefined)).content.refresh).not.toHaveProperty('userIds');
  });

  it('keeps the viewers in the data when the template also reads them elsewhere', () => {
    const template = defineTemplate<{ viewers: string[]; note: ReturnType<typeof markdown> }>(
      'render-test-when',
      {
        type: 'AdaptiveCard',
        version: '1.5',
        refresh: { action: { type: 'Action.Execute', verb: 'r' }, userIds: '${viewers}' },
        body: [
          { type: 'TextBlock', $when: '${count(viewers) > 1}', text: 'Shared view' },
          { type: 'TextBlock', text: '${note}' },
        ],
      },
    );
    expect(template.viewersPath).toBeUndefined();
    const one = bindCard(template, {
      viewers: ['29:ada'],
      note: markdown('**One**'),
    });
    const two = bindCard(template, {
      viewers: ['29:ada', '29:alan'],
      note: markdown('**One**'),
    });
    expect(one.body as unknown[]).toHaveLength(1);
    expect(two.body as unknown[]).toHaveLength(2);
    expect((two.refresh as { userIds: string[] }).userIds).toEqual(['29:ada', '29:alan']);
  });

  it("tells the bot's markdown from the same text typed by a person", () => {
    const template = defineTemplate<{
      a: string | ReturnType<typeof markdown>;
      b: string | ReturnType<typeof markdown>;
    }>('render-test-markdown', {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [
        { type: 'TextBlock', text: '${a}' },
        { type: 'TextBlock', text: '${b}' },
      ],
    });
    const texts = (card: Record<string, unknown>) => (card.body as { text: string }[]).map((b) => b.text);
    expect(
      texts(
        bindCard(template, {
          a: markdown('**bold**'),
          b: 'x',
        }),
      ),
    ).toEqual(['**bold**', 'x']);
    expect(texts(bindCard(template, { a: '**bold**', b: 'x' }))).toEqual(['\\*\\*bold\\*\\*', 'x']);
    // Plain strings that look like the tagged key of other data still get their own card.
    expect(
      texts(
        bindCard(template, {
          a: 's*x*',
          b: markdown('*y*'),
        }),
      ),
    ).toEqual(['s\\*x\\*', '*y*']);
    expect(texts(bindCard(template, { a: 'ss*x*', b: 'm*y*' }))).toEqual(['ss\\*x\\*', 'm\\*y\\*']);
  });

  it('finds the viewers of the connector list and the wizard step in their data', () => {
    expect(connectorListCard.viewersPath).toEqual(['refresh', 'userIds']);
    expect(wizardStepCard.viewersPath).toEqual(['refreshUserIds']);
  });
});

describe('renderKeyedCard', () => {
  it('builds the data only when no card is kept under the key, and sends each reader their own userIds', () => {
    const template = pageTemplate();
    const built: string[] = [];
    const keyed = (key: string, title: string, userIds: string[] | undefined) => ({
      key,
      data: () => {
        built.push(key);
        return page(userIds, title);
      },
      viewers: userIds,
    });
    const ada = renderKeyedCard(template, keyed('list-1', 'Connectors of this tenant', ['29:ada'])).content;
    const alan = renderKeyedCard(template, keyed('list-1', 'Connectors of this tenant', ['29:alan'])).content;
    expect(built).toEqual(['list-1']);
    expect(alan.body).toBe(ada.body);
    expect(alan).toEqual(bindCard(template, page(['29:alan']), { once: true }));
    expect(ada).toEqual(bindCard(template, page(['29:ada']), { once: true }));
    const everyone = renderKeyedCard(
      template,
      keyed('list-1', 'Connectors of this tenant', undefined),
    ).content;
    expect(everyone.refresh).not.toHaveProperty('userIds');

    const other = renderKeyedCard(template, keyed('list-2', 'Connectors (continued)', ['29:ada'])).content;
    expect(built).toEqual(['list-1', 'list-2']);
    expect((other.body as { text: string }[])[0].text).toBe('Connectors (continued)');
    expect(() => {
      (other.body as { text: string }[])[0].text = 'changed';
    }).toThrow(TypeError);
  });

  it("measures a keyed card as sent: the kept card once, each reader's userIds on top", () => {
    const template = pageTemplate();
    let built = 0;
    const measured = (userIds: string[] | undefined) =>
      renderMeasuredKeyedCard(template, {
        key: 'measured-1',
        data: () => {
          built += 1;
          return page(userIds, 'Connectors of "this" tenant ü');
        },
        viewers: userIds,
      });
    for (const userIds of [['29:ada'], ['29:alan', '29:grace'], undefined, [], ['29:ada']]) {
      const { attachment, bytes } = measured(userIds);
      expect(bytes).toBe(Buffer.byteLength(JSON.stringify(attachment.content)));
    }
    expect(built).toBe(1);
  });

  it("gives the JSON of a kept card and of each reader's copy as sent, the kept card's share made once", () => {
    const template = pageTemplate();
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      const keyed = (userIds: unknown) =>
        renderKeyedCard(template, {
          key: 'json-1',
          data: () => page(['29:ada'], 'Connectors of "this" tenant \u00fc \u{1F4C1} \\ \u2028'),
          viewers: userIds,
        }).content as Record<string, unknown>;
      const sixty = Array.from({ length: 60 }, (_, i) => `29:${i}-\u00e9"`);
      for (const userIds of [['29:ada'], [], sixty, undefined, 'not a list', ['29:ada']]) {
        const content = keyed(userIds);
        const parts = cardJson(content);
        expect(parts).toBeDefined();
        const sent = Buffer.concat(parts!).toString('utf8');
        expect(JSON.parse(sent)).toEqual(content);
        stringify.mockClear();
        expect(sent).toBe(JSON.stringify(content));
      }
      // Made once: a further reader's copy serializes only its ids.
      stringify.mockClear();
      cardJson(keyed(['29:grace']));
      expect(stringify.mock.calls.map(([value]) => value)).toEqual([['29:grace']]);
    } finally {
      stringify.mockRestore();
    }
  });

  it('gives no JSON for a card it did not keep, which the connector client then serializes', () => {
    const template = pageTemplate();
    expect(cardJson(bindCard(template, page(['29:ada'])))).toBeUndefined();
    expect(cardJson(bindCard(template, page(['29:ada']), { once: true }))).toBeUndefined();
    expect(cardJson(renderCard(template, page(['29:ada']), { once: true }).content)).toBeUndefined();
    expect(cardJson({ type: 'AdaptiveCard' })).toBeUndefined();
    expect(cardJson('text')).toBeUndefined();
    const kept = renderCard(template, page(['29:ada'])).content;
    expect(Buffer.concat(cardJson(kept)!).toString()).toBe(JSON.stringify(kept));
  });

  it('keeps keyed cards apart from cards kept by their data', () => {
    const template = pageTemplate();
    const data = page(['29:ada']);
    renderCard(template, data);
    let built = 0;
    const keyed = renderKeyedCard(template, {
      key: `p${JSON.stringify({ ...data, refresh: { ...data.refresh, userIds: undefined } })}`,
      data: () => {
        built += 1;
        return page(['29:ada'], 'Another title');
      },
      viewers: ['29:ada'],
    }).content;
    expect(built).toBe(1);
    expect((keyed.body as { text: string }[])[0].text).toBe('Another title');
  });

  it('refuses a template that binds its viewers in more than one place', () => {
    const template = defineTemplate<{ viewers: string[] }>('render-test-keyed-viewers', {
      type: 'AdaptiveCard',
      version: '1.5',
      refresh: { action: { type: 'Action.Execute', verb: 'x' }, userIds: '${viewers}' },
      body: [{ type: 'TextBlock', text: '${join(viewers, ", ")}' }],
    });
    expect(() =>
      renderKeyedCard(template, { key: 'k', data: () => ({ viewers: ['29:ada'] }), viewers: ['29:ada'] }),
    ).toThrow(/does not name its viewers in one place/);
  });
});
