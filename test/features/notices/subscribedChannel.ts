import { makeUser, type TeamsUser } from '../../harness/activities';
import { cardOf, type Card } from '../../harness/cards';
import { startHarness, type Harness } from '../../harness/testBot';
import type { TeamsClient } from '../../harness/teamsClient';
import type { ConnectorStandIn } from '../../harness/connectorStandIn';
import { seedConnectors } from '../../support/connectorFixtures';
import { aConnector } from '../../support/builders';
import type { Connector } from '../../../src/connectors/connector';
import type { Timing } from '../../../src/notify/rateLimiter';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Proactive sends' waits (Retry-After, backoff, pacing) cut to at most 10 ms. */
export const fastTiming: Timing = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 10))),
};

/** The cards the bot posted into a conversation (messages without a card left out). */
export function postedCards(standIn: ConnectorStandIn, conversationId: string): Card[] {
  return standIn
    .posted(conversationId)
    .flatMap((a) => (Array.isArray(a.attachments) && a.attachments.length > 0 ? [cardOf(a)] : []));
}

/** A bot per test whose channel in `tenant` is subscribed by its owner, with the stand-in's calls reset. */
export interface SubscribedChannel {
  readonly h: Harness;
  readonly owner: TeamsUser;
  readonly channelClient: TeamsClient;
  /** An owner's Box connector authorized `daysAgo` days ago. */
  seed(name: string, daysAgo: number): Promise<Connector>;
}

/** Registers the per-test set-up and tear-down; read the fields inside tests. */
export function useSubscribedChannel(tenant: string): SubscribedChannel {
  const state = {} as { h: Harness; owner: TeamsUser; channelClient: TeamsClient };
  beforeEach(async () => {
    state.h = await startHarness({ timing: fastTiming });
    state.owner = makeUser('Ada Lovelace', 'ada@contoso.onmicrosoft.com');
    await state.h.chat(state.owner, 'personal', tenant).say('help');
    state.channelClient = state.h.chat(state.owner, 'channel', tenant);
    await state.channelClient.say('subscribe');
    state.h.standIn.reset();
  });
  afterEach(async () => state.h.stop());
  return {
    get h() {
      return state.h;
    },
    get owner() {
      return state.owner;
    },
    get channelClient() {
      return state.channelClient;
    },
    async seed(name, daysAgo) {
      const at = new Date(state.h.bot.clock.now().getTime() - daysAgo * DAY_MS).toISOString();
      const [connector] = await seedConnectors(state.h.bot.store, [
        aConnector(tenant).named(name).ofType('box').ownedBy(state.owner).authorizedAt(at).build(),
      ]);
      return connector;
    },
  };
}
