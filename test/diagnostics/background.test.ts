import type { TurnState } from '@microsoft/teams-ai';
import type { Activity, ConversationReference, TurnContext } from 'botbuilder';
import { CommandRouter } from '../../src/bot/commandRouter';
import { diagnosticsFeature, LiveCard } from '../../src/bot/features/diagnostics/diagnosticsFeature';
import { loadConfig } from '../../src/config/config';
import { ConnectorService } from '../../src/connectors/connectorService';
import { ConnectorLifecycle } from '../../src/connectors/lifecycle';
import type { Store } from '../../src/connectors/ports';
import { createSqliteStore } from '../../src/store/sqlite';
import { createLogger } from '../../src/util/logger';
import { cardsOf, cardText } from '../harness/cards';
import { makeTempDir, removeTempDir, TestClock } from '../harness/testBot';
import { expectValidCard } from '../support/cardValidation';
import { ASKER, TENANT } from './context';
import { graphError, page, ScriptedGateway } from './fakeGateway';

type Op = { kind: 'send' | 'update'; via: 'turn' | 'proactive'; activity: Partial<Activity>; id?: string };

/**
 * The parts of a TurnContext the feature uses. Like botbuilder's, a turn's context stops working
 * once its turn is over (`revoke`).
 */
class FakeContext {
  revoked = false;
  readonly turnState = new Map<unknown, unknown>();
  readonly activity = {
    type: 'message',
    id: 'incoming-1',
    channelId: 'msteams',
    serviceUrl: 'https://smba.example.test/',
    conversation: { id: 'a:1personal', conversationType: 'personal', tenantId: TENANT },
    from: { id: `29:${ASKER}`, name: 'Adele Vance', aadObjectId: ASKER },
    recipient: { id: '28:bot', name: 'Connector Concierge' },
    channelData: { tenant: { id: TENANT } },
  };

  constructor(
    readonly ops: Op[],
    readonly via: Op['via'],
  ) {}

  async sendActivity(activity: Partial<Activity>) {
    this.check();
    const id = `message-${this.ops.length + 1}`;
    this.ops.push({ kind: 'send', via: this.via, activity, id });
    return { id };
  }

  async updateActivity(activity: Partial<Activity>) {
    this.check();
    this.ops.push({ kind: 'update', via: this.via, activity, id: activity.id });
  }

  private check() {
    if (this.revoked) throw new TypeError("Cannot perform 'get' on a proxy that has been revoked");
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

describe('a run longer than the turn', () => {
  let dir: string;
  let store: Store;
  beforeAll(() => {
    dir = makeTempDir();
    store = createSqliteStore(dir);
  });
  afterAll(async () => {
    await store.close();
    removeTempDir(dir);
  });

  test('lets the turn end, then keeps updating the same card proactively until every row is done', async () => {
    const ops: Op[] = [];
    const logs: Record<string, unknown>[] = [];
    const logger = createLogger('debug', (line) => logs.push(JSON.parse(line)));
    const config = loadConfig({ DATA_DIR: dir, CONNECTOR_APP_ID: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346' });
    const clock = new TestClock();
    // Slow Graph: the SharePoint check answers only once the test lets it, after the turn.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const graph = new ScriptedGateway([
      [
        /^\/subscribedSkus$/,
        async () => {
          await gate;
          return page([]);
        },
      ],
      [/.*/, () => Promise.reject(graphError('GRAPH_FORBIDDEN', 'refused', 'User.Read.All'))],
    ]);
    const continued: ConversationReference[] = [];
    let proactive: Promise<void> | undefined;
    const messenger = {
      continueIn(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>) {
        continued.push(reference as ConversationReference);
        proactive = logic(new FakeContext(ops, 'proactive') as unknown as TurnContext);
        return proactive;
      },
    };
    const router = new CommandRouter();
    const diagnostics = diagnosticsFeature({
      config,
      logger,
      clock,
      graph,
      connectors: new ConnectorService(
        new ConnectorLifecycle(store, clock, config.inactivityDays),
        store.connectors,
        // No ADMIN_GROUP_ID: diagnostics never asks who may manage a connector.
        { configured: false, isMember: async () => false },
      ),
      messenger,
      diagnostics: { inTurnBudgetMs: 50 },
    });
    router.registerAll(diagnostics.commands);

    const turn = new FakeContext(ops, 'turn');
    await router.get('diagnose')!(turn as unknown as TurnContext, {} as TurnState, '');
    turn.revoked = true;
    // The turn ended while a check was still running.
    expect(ops.some((o) => JSON.stringify(o.activity).includes('Tenant lacks SPO license'))).toBe(false);

    // In the turn: typing, the card with every row pending, then the note that it goes on.
    expect(ops[0]).toMatchObject({ kind: 'send', via: 'turn', activity: { type: 'typing' } });
    expect(ops[1]).toMatchObject({ kind: 'send', via: 'turn' });
    const cardId = ops[1].id;
    const pending = cardsOf(ops[1].activity as Record<string, unknown>)[0];
    expect(cardText(pending)).toContain('0 done');
    const lastInTurn = ops.filter((o) => o.via === 'turn').at(-1)!;
    expect(lastInTurn.kind).toBe('update');
    expect(cardText(cardsOf(lastInTurn.activity as Record<string, unknown>)[0])).toContain(
      'Still checking: this card updates as each check finishes.',
    );
    expect(continued[0]).toMatchObject({
      conversation: { id: 'a:1personal' },
      serviceUrl: 'https://smba.example.test/',
    });

    await until(() => proactive !== undefined, 'the continuation');
    release();
    await proactive;
    const after = ops.filter((o) => o.via === 'proactive');
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((o) => o.kind === 'update' && o.id === cardId)).toBe(true);
    const final = cardsOf(after.at(-1)!.activity as Record<string, unknown>)[0];
    expectValidCard(final);
    expect(cardText(final)).toContain('Tenant lacks SPO license');
    expect(cardText(final)).not.toContain('Still checking');
    expect(cardText(final)).not.toContain('… Checking');
    // Nothing was written through the turn's context after the turn.
    expect(logs.filter((l) => /card (update failed|could not be posted)/.test(String(l.msg)))).toEqual([]);
    expect(logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['diagnostics continue in the background', 'diagnostics finished']),
    );
  });
});

describe('the live card', () => {
  test('sends one update at a time and only the latest waiting one', async () => {
    const ops: Op[] = [];
    const context = new FakeContext(ops, 'turn');
    const slow = context.updateActivity.bind(context);
    context.updateActivity = async (activity) => {
      await delay(30);
      await slow(activity);
    };
    const card = new LiveCard(createLogger('error', () => undefined));
    const attachment = (n: number) => ({ contentType: 'text/plain', content: String(n) });
    await card.post(context as unknown as TurnContext, attachment(0));
    for (let n = 1; n <= 10; n++) card.show(attachment(n));
    await card.settle();
    const updates = ops.filter((o) => o.kind === 'update');
    expect(updates.map((u) => u.activity.attachments?.[0].content)).toEqual(['1', '10']);
    expect(updates.every((u) => u.id === ops[0].id)).toBe(true);
  });
});
