import type { ConversationReference, TurnContext } from 'botbuilder';
import { adapterTransport, TeamsMessenger, type ConversationAdapter } from '../../src/notify/messenger';
import { ProactiveSender } from '../../src/notify/proactiveSender';
import { RateLimiter, type Timing } from '../../src/notify/rateLimiter';
import { createLogger } from '../../src/util/logger';

class VirtualTiming implements Timing {
  current = 0;
  now(): number {
    return this.current;
  }
  async sleep(ms: number): Promise<void> {
    this.current += ms;
  }
}

interface Call {
  kind: 'continue' | 'create';
  appId: string;
  reference?: Partial<ConversationReference>;
  members?: unknown;
}

/** An adapter that records what it was asked and hands the logic a context that records sends. */
function fakeAdapter(fail?: { send?: Error; update?: Error }) {
  const calls: Call[] = [];
  const sent: unknown[] = [];
  const updated: unknown[] = [];
  const contextFor = (conversationId: string) =>
    ({
      activity: { id: 'event-id', conversation: { id: conversationId } },
      async sendActivity(activity: unknown) {
        if (fail?.send) throw fail.send;
        sent.push(activity);
        return { id: 'posted' };
      },
      async updateActivity(activity: unknown) {
        if (fail?.update) throw fail.update;
        updated.push(activity);
      },
    }) as unknown as TurnContext;
  const adapter: ConversationAdapter = {
    async continueConversationAsync(appId, reference, logic) {
      calls.push({ kind: 'continue', appId, reference });
      const context = contextFor(reference.conversation?.id ?? '');
      await logic(context);
      expect(context.activity.id).toBeUndefined();
    },
    async createConversationAsync(appId, _channel, _serviceUrl, _audience, parameters, logic) {
      calls.push({ kind: 'create', appId, members: parameters.members });
      await logic(contextFor('new-1:1'));
    },
  };
  return { adapter, calls, sent, updated };
}

const logger = createLogger('error', () => undefined);
const reference = {
  activityId: 'last',
  conversation: { id: 'c1', isGroup: true, conversationType: 'channel', name: '' },
};

function messengerOver(adapter: ConversationAdapter, globalPerSecond = 100) {
  const timing = new VirtualTiming();
  const sender = new ProactiveSender(
    adapterTransport(adapter, 'app-id'),
    new RateLimiter(globalPerSecond, timing),
    logger,
    {
      timing,
    },
  );
  return { timing, messenger: new TeamsMessenger(adapter, 'app-id', sender, logger) };
}

const turn = (conversation: Record<string, unknown>) => {
  const replies: unknown[] = [];
  const context = {
    activity: {
      channelId: 'msteams',
      serviceUrl: 'https://smba.example',
      recipient: { id: 'bot' },
      from: { id: 'user-1', name: 'Ana' },
      channelData: { tenant: { id: 'tenant-a' } },
      conversation,
    },
    async sendActivity(activity: unknown) {
      replies.push(activity);
      return { id: 'r' };
    },
  } as unknown as TurnContext;
  return { context, replies };
};

describe('TeamsMessenger', () => {
  test('posts a new message into a stored conversation with the bot’s app id, not as a reply', async () => {
    const { adapter, calls, sent } = fakeAdapter();
    const { messenger } = messengerOver(adapter);
    expect(await messenger.post(reference, { type: 'message', text: 'hi' })).toMatchObject({
      status: 'sent',
    });
    expect(calls).toEqual([
      { kind: 'continue', appId: 'app-id', reference: { conversation: reference.conversation } },
    ]);
    expect(sent).toEqual([{ type: 'message', text: 'hi' }]);
  });

  test('a post the conversation refuses (403) ends as gone instead of reaching the turn-error handler', async () => {
    const refused = Object.assign(new Error('Forbidden'), { statusCode: 403 });
    const { messenger } = messengerOver(fakeAdapter({ send: refused }).adapter);
    expect(await messenger.post(reference, { type: 'message', text: 'hi' })).toMatchObject({
      status: 'gone',
    });
  });

  test('updates a card in place and rethrows what Teams answered', async () => {
    const ok = fakeAdapter();
    await messengerOver(ok.adapter).messenger.updateCard(reference, 'card-1', {
      contentType: 'x',
      content: {},
    });
    expect(ok.updated).toEqual([
      { type: 'message', id: 'card-1', attachments: [{ contentType: 'x', content: {} }] },
    ]);
    const failing = fakeAdapter({ update: new Error('gone') });
    await expect(
      messengerOver(failing.adapter).messenger.updateCard(reference, 'card-1', {
        contentType: 'x',
        content: {},
      }),
    ).rejects.toThrow('gone');
  });

  test('replies privately in a personal chat, and through the 1:1 chat from a channel', async () => {
    const { adapter, calls, sent } = fakeAdapter();
    const { messenger } = messengerOver(adapter);
    const personal = turn({ id: 'p', conversationType: 'personal' });
    await messenger.replyPrivately(personal.context, 'only you');
    expect(personal.replies).toEqual(['only you']);
    const channel = turn({ id: 'ch', conversationType: 'channel', isGroup: true });
    await messenger.replyPrivately(channel.context, 'only you');
    expect(channel.replies).toEqual([]);
    expect(calls).toEqual([
      { kind: 'create', appId: 'app-id', members: [{ id: 'user-1', aadObjectId: undefined, name: 'Ana' }] },
    ]);
    expect(sent).toEqual(['only you']);
  });

  test('falls back to an @mention in the conversation when Teams refuses the 1:1 chat', async () => {
    const { adapter } = fakeAdapter({ send: new Error('not installed') });
    const { messenger } = messengerOver(adapter);
    const channel = turn({ id: 'ch', conversationType: 'channel', isGroup: true });
    await messenger.replyPrivately(channel.context, 'only you');
    expect(channel.replies).toEqual([
      expect.objectContaining({
        text: '<at>Ana</at> only you',
        entities: [expect.objectContaining({ type: 'mention' })],
      }),
    ]);
  });

  test('keeps the global rate for 1:1 sends and continued work too', async () => {
    const { adapter } = fakeAdapter();
    const { messenger, timing } = messengerOver(adapter, 1);
    const channel = turn({ id: 'ch', conversationType: 'channel', isGroup: true });
    await messenger.sendToPerson(channel.context, 'tenant-a', { id: 'u1' }, 'one');
    await messenger.continueIn(reference, async () => undefined);
    expect(timing.current).toBeGreaterThanOrEqual(1000);
  });
});
