import { executeInvoke, makeUser } from '../../harness/activities';
import { cardOf, type Card } from '../../harness/cards';
import { answerError } from '../../harness/teamsClient';
import { useHarness } from '../../harness/useHarness';
import { connectorRecord, seedConnectors } from '../../support/connectorFixtures';
import { StoreUnavailableError } from '../../../src/connectors/ports';

const TENANT = '5d5d5d5d-5d5d-4d5d-8d5d-5d5d5d5d5d5d';

type RefreshingCard = Card & { refresh: { action: { verb: string; data: Record<string, unknown> } } };

/**
 * A storage outage while the bot reads a turn's state, before any route runs: a card's refresh
 * (sent once for every viewer's client in a channel) is answered in the invoke, which only that
 * viewer sees, and never posted to the channel. A typed message is still answered in the chat.
 */
describe('storage outage before the route runs', () => {
  const { h } = useHarness();
  const owner = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');

  /** Runs `turn` while every read of turn state fails as the store does in an outage. */
  async function duringOutage<T>(turn: () => Promise<T>): Promise<T> {
    const state = h.bot.store.state;
    const read = state.read;
    state.read = async () => {
      throw new StoreUnavailableError(new Error('SQLITE_IOERR (injected)'));
    };
    try {
      return await turn();
    } finally {
      state.read = read;
    }
  }

  test('an automatic refresh gets a 503 invoke error for its viewer, with a log line, and nothing posted', async () => {
    await seedConnectors(h.bot.store, [
      connectorRecord({ tenantId: TENANT, displayName: 'Finance', createdBy: owner.aadObjectId }),
    ]);
    const chat = h.chat(owner, 'channel', TENANT);
    const listed = await chat.say('connectors');
    const posted = listed.replies.at(-1)!;
    const { verb, data } = (cardOf(posted) as RefreshingCard).refresh.action;
    const logged = h.bot.logs.length;

    const turn = await duringOutage(() =>
      chat.send(
        executeInvoke(h.standIn.url, chat.conversation, owner, verb, data, String(posted.id), 'automatic'),
      ),
    );

    expect(turn.status).toBe(200);
    expect(answerError(turn)).toEqual({
      statusCode: 503,
      code: 'ServiceUnavailable',
      message: 'Storage is unavailable right now, so I could not do that. Try again in a minute.',
    });
    expect(turn.replies).toEqual([]);
    expect(h.bot.logs.slice(logged)).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'turn failed' }),
    );
  });

  test('a typed command during the outage is still answered in the chat', async () => {
    const chat = h.chat(owner, 'personal', TENANT);
    const turn = await duringOutage(() => chat.say('connectors'));
    expect(turn.replies.map((r) => r.text)).toEqual([
      'Storage is unavailable right now, so I could not do that. Try again in a minute.',
    ]);
  });

  test('storage failing only when the state is saved, after the command ran: told what was done, not that nothing was', async () => {
    const chat = h.chat(owner, 'personal', TENANT);
    const state = h.bot.store.state;
    const write = state.write;
    state.write = async () => {
      throw new StoreUnavailableError(new Error('SQLITE_IOERR (injected)'));
    };
    let turn;
    try {
      turn = await chat.say('connect box');
    } finally {
      state.write = write;
    }
    const texts = turn.replies.map((r) => r.text).filter((t): t is string => typeof t === 'string');
    // The wizard's first card went out before the save; the failure is said as what it is.
    expect(turn.replies.some((r) => Array.isArray(r.attachments) && r.attachments.length > 0)).toBe(true);
    expect(texts).toEqual([
      'That was done, but I could not save where this conversation is afterwards: storage was unavailable. If a wizard card is open here, its next click may be refused as out of date: then start it again with the same command, or type status with the connector’s name to see what is stored.',
    ]);
    // As it says: the card's wizard was never stored, so its next click is refused as out of date.
    const card = turn.replies.find((r) => Array.isArray(r.attachments) && r.attachments.length > 0)!;
    const next = await chat.click(cardOf(card), 'Next', { displayName: 'Lost box' }, String(card.id));
    expect(JSON.stringify(next.replies.map((r) => r.text)) + JSON.stringify(next.body ?? '')).toContain(
      'This card is out of date',
    );
  });
});
