import type { Activity } from 'botbuilder';
import { ConnectorClient, MicrosoftAppCredentials } from 'botframework-connector';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { carriesKeptCard, keptCardBody, sendKeptCard } from '../../../src/bot/keptCardSends';
import { connectorListCard } from '../../../src/cards/connectorsCards';
import { messageCard, messageCardData } from '../../../src/cards/messageCard';
import { bindCard, renderCard, renderKeyedCard } from '../../../src/cards/render';
import { envelope, makeUser, personalChat } from '../../harness/activities';

const TENANT = '66666666-6666-4666-8666-666666666666';
const user = makeUser('Zoë "Z" Müller', 'zoe@contoso.onmicrosoft.com');

/** One request as it reached the wire. */
interface Seen {
  method: string;
  url: string;
  headers: Record<string, unknown>;
  body: Buffer;
}

/** A Bot Connector that records each request's method, URL, headers and bytes. */
async function recordingConnector(): Promise<{
  url: string;
  seen: Seen[];
  refuse: { status: number; body: unknown } | undefined;
  close: () => Promise<void>;
}> {
  const seen: Seen[] = [];
  const connector = {
    url: '',
    seen,
    refuse: undefined as { status: number; body: unknown } | undefined,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { 'x-ms-client-request-id': _id, traceparent: _trace, ...headers } = req.headers;
    seen.push({ method: req.method!, url: req.url!, headers, body: Buffer.concat(chunks) });
    const { status, body } = connector.refuse ?? { status: 200, body: { id: `sent-${seen.length}` } };
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  connector.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return connector;
}

const listData = (userIds: string[] | undefined) => ({
  title: 'Connectors of this tenant',
  summary: 'Deauthorized after 90 days without a transfer.',
  rows: [
    {
      id: 'c-1',
      version: 3,
      displayName: 'Finance *Box* \u2028 "quoted" \\ 📁',
      typeName: 'Box Connector',
      status: 'authorized',
      statusColor: 'Default' as const,
      stateText: 'authorized, verified on 2026-11-26',
      lastTransfer: 'never',
      daysLeft: '80 days left',
      daysColor: 'Default' as const,
      canManage: true,
      askOwner: '',
    },
  ],
  buttons: [],
  readOnly: false,
  refresh: { connectorIds: ['c-1'], next: '', page: 'first' as const, userIds },
});

/** The reply the bot makes of a card: the turn's conversation reference applied, as TurnContext does. */
function replyWith(content: unknown, extra: Partial<Activity> = {}): Partial<Activity> {
  const incoming = envelope(
    'http://unused/',
    personalChat(TENANT, user),
    user,
    'message',
  ) as unknown as Activity;
  return {
    type: 'message',
    serviceUrl: incoming.serviceUrl,
    channelId: incoming.channelId,
    from: incoming.recipient,
    recipient: incoming.from,
    conversation: incoming.conversation,
    replyToId: incoming.id,
    locale: 'en-US',
    inputHint: 'acceptingInput',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content }],
    ...extra,
  };
}

const keyedList = (key: string, userIds: unknown) =>
  renderKeyedCard(connectorListCard, { key, data: () => listData(['29:x']), viewers: userIds }).content;

describe('kept card sends', () => {
  let connector: Awaited<ReturnType<typeof recordingConnector>>;
  let client: ConnectorClient;
  beforeAll(async () => {
    connector = await recordingConnector();
    client = new ConnectorClient(new MicrosoftAppCredentials('', ''), { baseUri: connector.url });
  });
  afterAll(() => connector.close());
  beforeEach(() => {
    connector.seen.splice(0);
    connector.refuse = undefined;
  });

  it.each([
    ['a reply with the reader as viewer', replyWith(keyedList('sends-1', [user.id]))],
    [
      'a reply with 60 viewers',
      replyWith(
        keyedList(
          'sends-1',
          Array.from({ length: 60 }, (_, i) => `29:${i}`),
        ),
      ),
    ],
    ['a reply with no viewers', replyWith(keyedList('sends-1', undefined))],
    ['a post (no reply id)', replyWith(keyedList('sends-1', [user.id]), { replyToId: undefined })],
    [
      'a kept card beside a card bound for one send',
      {
        ...replyWith(keyedList('sends-2', [user.id])),
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: keyedList('sends-2', [user.id]),
          },
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: bindCard(messageCard, messageCardData({ title: 'Once', text: 'ü', buttons: [] })),
          },
          { contentType: 'application/vnd.microsoft.card.adaptive', content: keyedList('sends-3', ['29:y']) },
        ],
      },
    ],
  ])('sends %s as the same request botframework-connector makes of it', async (_name, activity) => {
    expect(carriesKeptCard(activity)).toBe(true);
    const usual = { ...activity };
    const answered = activity.replyToId
      ? await client.conversations.replyToActivity(
          usual.conversation!.id,
          usual.replyToId!,
          usual as Activity,
        )
      : await client.conversations.sendToConversation(usual.conversation!.id, usual as Activity);
    const sent = await sendKeptCard(client, { ...activity });
    expect(connector.seen).toHaveLength(2);
    const [expected, actual] = connector.seen;
    expect(actual.method).toBe(expected.method);
    expect(actual.url).toBe(expected.url);
    expect(actual.headers).toEqual(expected.headers);
    expect(actual.body.equals(expected.body)).toBe(true);
    expect(answered.id).toBe('sent-1');
    expect(sent).toEqual(expect.objectContaining({ id: 'sent-2' }));
  });

  it('fails as the connector client fails when the Bot Connector refuses the send', async () => {
    connector.refuse = {
      status: 403,
      body: { error: { code: 'BotNotInConversationRoster', message: 'gone' } },
    };
    const activity = replyWith(keyedList('sends-1', [user.id]));
    const failure = (send: Promise<unknown>) =>
      send.then(
        () => undefined,
        (err: { name?: string; statusCode?: number; details?: unknown; message?: string }) => ({
          name: err.name,
          statusCode: err.statusCode,
          details: err.details,
          message: err.message,
        }),
      );
    const usual = await failure(
      client.conversations.replyToActivity(activity.conversation!.id, activity.replyToId!, {
        ...activity,
      } as Activity),
    );
    const kept = await failure(sendKeptCard(client, { ...activity }));
    expect(usual).toEqual(expect.objectContaining({ statusCode: 403 }));
    expect(kept).toEqual(usual);
  });

  it('leaves to the connector client anything but a message with a kept card', async () => {
    const once = renderCard(messageCard, messageCardData({ title: 'Once', text: 'x', buttons: [] }), {
      once: true,
    });
    for (const activity of [
      replyWith(once.content),
      replyWith(bindCard(connectorListCard, listData([user.id]))),
      { ...replyWith(keyedList('sends-1', [user.id])), type: 'typing' },
      { ...replyWith(undefined), attachments: [] },
    ]) {
      expect(carriesKeptCard(activity)).toBe(false);
      if (activity.type === 'message') expect(keptCardBody(activity)).toBeUndefined();
      expect(await sendKeptCard(client, activity)).toBeUndefined();
    }
    expect(await sendKeptCard(undefined, replyWith(keyedList('sends-1', [user.id])))).toBeUndefined();
    expect(connector.seen).toHaveLength(0);
  });

  it("leaves a message to the connector client when its own text holds a card's stand-in", () => {
    jest.isolateModules(() => {
      jest.doMock('node:crypto', () => ({ ...jest.requireActual('node:crypto'), randomUUID: () => 'known' }));
      // A fresh copy of the modules, made with the mocked randomUUID: the stand-in is then known.
      /* eslint-disable @typescript-eslint/no-require-imports */
      const sends =
        require('../../../src/bot/keptCardSends') as typeof import('../../../src/bot/keptCardSends');
      const render = require('../../../src/cards/render') as typeof import('../../../src/cards/render');
      const lists =
        require('../../../src/cards/connectorsCards') as typeof import('../../../src/cards/connectorsCards');
      /* eslint-enable @typescript-eslint/no-require-imports */
      const card = render.renderKeyedCard(lists.connectorListCard, {
        key: 'stand-in',
        data: () => listData(['29:x']),
        viewers: [user.id],
      }).content;
      expect(sends.keptCardBody(replyWith(card))).toBeDefined();
      expect(sends.keptCardBody(replyWith(card, { text: 'see \uE005card-known\uE005' }))).toBeDefined();
      expect(sends.keptCardBody(replyWith(card, { text: '\uE005card-known\uE005' }))).toBeUndefined();
    });
    jest.dontMock('node:crypto');
  });
});
