import type { Request, Response, TurnContext } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import { ConciergeAdapter } from '../../../src/bot/conciergeAdapter';
import { envelope, makeUser, personalChat } from '../../harness/activities';

const TENANT = '55555555-5555-4555-8555-555555555555';
const SERVICE_URL = 'http://127.0.0.1:9/';

/** A response that records what the adapter does to it, in order. */
function recordingResponse(): { res: Response; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const res = {
    header: (name: string, value: unknown) => calls.push(['header', name, value]),
    status: (code: number) => calls.push(['status', code]),
    send: (body: unknown) => calls.push(['send', body]),
    end: () => calls.push(['end']),
  } as unknown as Response;
  return { res, calls };
}

type Logic = (context: TurnContext) => Promise<void>;

const user = makeUser('Lee Gu', 'lee@contoso.onmicrosoft.com');
const activity = (overrides: Record<string, unknown> = {}) => ({
  ...envelope(SERVICE_URL, personalChat(TENANT, user), user, 'message'),
  type: 'message',
  text: 'hi',
  ...overrides,
});

const answerInvoke: Logic = async (context) => {
  await context.sendActivity({ type: 'invokeResponse', value: { status: 200, body: { answered: true } } });
};

const cases: [string, () => Request, Logic][] = [
  ['a GET', () => ({ method: 'GET', headers: {}, body: activity() }), async () => undefined],
  ['no body', () => ({ method: 'POST', headers: {} }), async () => undefined],
  [
    'an array body',
    () => ({ method: 'POST', headers: {}, body: [activity()] as never }),
    async () => undefined,
  ],
  ['a text body', () => ({ method: 'POST', headers: {}, body: 'hi' as never }), async () => undefined],
  [
    'an activity without a type',
    () => ({ method: 'POST', headers: {}, body: activity({ type: '' }) }),
    async () => undefined,
  ],
  ['a message', () => ({ method: 'POST', headers: {}, body: activity() }), async () => undefined],
  [
    'an invoke answered by the logic',
    () => ({ method: 'POST', headers: {}, body: activity({ type: 'invoke', name: 'adaptiveCard/action' }) }),
    answerInvoke,
  ],
  [
    'a turn refused as unauthenticated',
    () => ({ method: 'POST', headers: {}, body: activity() }),
    async () => {
      throw new AuthenticationError('Unauthorized: no way', 401);
    },
  ],
];

describe('ConciergeAdapter.processHttp', () => {
  const adapter = new ConciergeAdapter({});

  beforeEach(() => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  test.each(cases)('answers %s as CloudAdapter.process does', async (_name, request, logic) => {
    const byProcess = recordingResponse();
    await adapter.process(request(), byProcess.res, logic);
    const byProcessHttp = recordingResponse();
    await adapter.processHttp(request(), byProcessHttp.res, logic);

    expect(byProcessHttp.calls).toEqual(byProcess.calls);
    expect(byProcessHttp.calls.at(-1)).toEqual(['end']);
  });

  test('a turn whose logic fails is thrown to the caller, not answered with the error’s text (CloudAdapter sends it back)', async () => {
    const { res, calls } = recordingResponse();
    await expect(
      adapter.processHttp({ method: 'POST', headers: {}, body: activity() }, res, async () => {
        throw new Error('the logic failed: Server=db;Password=hunter2');
      }),
    ).rejects.toThrow('the logic failed');
    expect(calls.filter(([what]) => what === 'send' || what === 'status')).toEqual([]);
  });

  test('hands the logic the activity with its timestamp as a Date, as botbuilder does', async () => {
    const seen: unknown[] = [];
    const { res } = recordingResponse();
    await adapter.processHttp(
      { method: 'POST', headers: {}, body: activity({ timestamp: '2026-12-06T04:00:00.000Z' }) },
      res,
      async (context) => {
        seen.push(context.activity.timestamp, (context.activity as { rawTimestamp?: string }).rawTimestamp);
      },
    );
    expect(seen).toEqual([new Date('2026-12-06T04:00:00.000Z'), '2026-12-06T04:00:00.000Z']);
  });
});
