import { makeUser } from '../../harness/activities';
import { cardOf, cardText } from '../../harness/cards';
import { postActivity, type TurnResult } from '../../harness/teamsClient';
import { seedConnectors } from '../../support/connectorFixtures';
import { aConnector } from '../../support/builders';
import { useHarness } from '../../harness/useHarness';

/** One tenant, as stored (lower case) and as a channel or client might spell it. */
const TENANT = 'abcdef01-2345-4678-9abc-def012345678';
const UPPER = TENANT.toUpperCase();
const MIXED = 'AbCdEf01-2345-4678-9aBc-DeF012345678';
const TOKEN = 'tenant-ids-api-token-0123456789';

function text(turn: TurnResult): string {
  return turn.replies.map((r) => (r.attachments ? cardText(cardOf(r)) : String(r.text ?? ''))).join('\n');
}

describe('tenant ids are lower-case GUIDs wherever they enter', () => {
  const owner = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');

  const { h } = useHarness({ env: { API_TOKEN: TOKEN } });

  test('chat: a message whose channelData.tenant.id and conversation.tenantId are upper case sees the tenant’s connectors', async () => {
    await seedConnectors(h.bot.store, [
      aConnector(TENANT).named('Lower-case Box').ofType('box').createdBy(owner).build(),
    ]);
    const chat = h.chat(owner, 'personal', UPPER);
    expect(text(await chat.say('connectors'))).toContain('Lower-case Box');
    // The conversation reference is stored under the one spelling, tenant id included.
    const stored = await h.bot.store.conversations.get(TENANT, chat.conversation.id);
    expect(stored).toMatchObject({ tenantId: TENANT, reference: { conversation: { tenantId: TENANT } } });
    await expect(h.bot.store.conversations.get(UPPER, chat.conversation.id)).resolves.toBeUndefined();
  });

  test('chat: a channel subscribing in mixed case is stored under the lower-case tenant', async () => {
    const team = h.chat(owner, 'channel', MIXED);
    expect(text(await team.say('subscribe'))).toContain('Expiry notices will post here');
    const subscriptions = await h.bot.store.subscriptions.listByTenant(TENANT);
    expect(subscriptions.map((s) => s.tenantId)).toEqual([TENANT]);
    expect(await h.bot.store.subscriptions.listByTenant(MIXED)).toEqual([]);
  });

  test('cards: a button clicked from an upper-case activity acts on the lower-case tenant’s connector', async () => {
    const [target] = await seedConnectors(h.bot.store, [
      aConnector(TENANT).named('Card Box').ofType('box').createdBy(owner).build(),
    ]);
    const chat = h.chat(owner, 'personal', UPPER);
    const ask = await chat.say('delete card box');
    const confirm = cardOf(ask.replies[ask.replies.length - 1]);
    const done = await chat.click(confirm, 'Delete permanently', {}, String(ask.replies[0].id));
    expect(cardText(cardOf(done.updates[0].activity))).toContain('Deleted Card Box');
    await expect(h.bot.store.connectors.get(TENANT, target.id)).resolves.toBeUndefined();
  });

  test('API paths: an upper-case tenant id in the path reaches the same connectors as chat', async () => {
    const created = await fetch(`${h.bot.url}/api/v1/tenants/${UPPER}/connectors`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'dropbox', displayName: 'From the API', status: 'authorized' }),
    });
    expect(created.status).toBe(201);
    const listed = (await (
      await fetch(`${h.bot.url}/api/v1/tenants/${MIXED}/connectors`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      })
    ).json()) as { items: { displayName: string; tenantId?: string }[] };
    expect(listed.items.map((i) => i.displayName)).toContain('From the API');
    const stored = (await h.bot.store.connectors.list(TENANT)).items.find(
      (c) => c.displayName === 'From the API',
    );
    expect(stored?.tenantId).toBe(TENANT);
    const chat = h.chat(owner, 'personal', MIXED);
    expect(text(await chat.say('connectors'))).toContain('From the API');
  });

  test.each([
    [
      'channelData.tenant.id',
      (a: Record<string, unknown>) => ({ ...a, channelData: { tenant: { id: 'contoso.onmicrosoft.com' } } }),
    ],
    [
      'conversation.tenantId',
      (a: Record<string, unknown>) => ({
        ...a,
        conversation: { ...(a.conversation as object), tenantId: 'not-a-guid' },
      }),
    ],
  ])('an activity whose %s is not a GUID gets 400 and runs no handler', async (where, change) => {
    const chat = h.chat(owner, 'personal', TENANT);
    const before = h.standIn.calls.length;
    const activity = change({
      type: 'message',
      id: 'x',
      text: 'connectors',
      serviceUrl: h.standIn.url,
      channelId: 'msteams',
      from: { id: owner.id, aadObjectId: owner.aadObjectId },
      conversation: { id: chat.conversation.id, conversationType: 'personal', tenantId: TENANT },
      recipient: { id: '28:concierge-bot' },
      channelData: { tenant: { id: TENANT } },
    });
    const answer = await postActivity(h.bot.url, activity);
    expect(answer).toEqual({
      status: 400,
      body: { error: { code: 'BadActivity', message: `${where} is not a GUID` } },
    });
    expect(h.standIn.calls.slice(before)).toEqual([]);
  });
});
