import { executeInvoke, makeUser, type TeamsUser } from '../harness/activities';
import { findAction, inputValues, type Card } from '../harness/cards';
import { postActivity, shownCard, TeamsClient } from '../harness/teamsClient';
import { connectorRecord, seedConnectors } from '../support/connectorFixtures';
import { aConnector } from '../support/builders';
import { useCloudHarness } from '../harness/useHarness';
import { CARD_DATA_VERSION } from '../../src/cards/universalActions';

const FALSE_ERRORS = /something went wrong|changed at the same moment|Storage is unavailable/i;

describe('two identical submits racing on one card', () => {
  const { cloud, h } = useCloudHarness();

  /**
   * Clicks `title` on `card` twice at once, as a double click does: two activities with the same
   * value and card, posted concurrently. Returns every text the bot sent meanwhile.
   */
  async function doubleClick(client: TeamsClient, card: Card, title: string, cardId: string, typed = {}) {
    const action = findAction(card, title);
    const value = { ...inputValues(card, typed), ...(action.data as Record<string, unknown>) };
    const before = h.standIn.calls.length;
    const logsBefore = h.bot.logs.length;
    const answers = await Promise.all(
      [0, 1].map(() =>
        postActivity(
          h.bot.url,
          executeInvoke(h.standIn.url, client.conversation, client.user, String(action.verb), value, cardId),
        ),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    // What the clicker sees: messages posted or updated, and each click's invoke answer.
    const sent = [
      ...h.standIn.calls.slice(before).map((c) => JSON.stringify(c.body ?? {})),
      ...answers.map((a) => JSON.stringify(a.body ?? {})),
    ];
    const puts = h.standIn.calls.slice(before).filter((c) => c.route === 'updateActivity');
    const errors = h.bot.logs.slice(logsBefore).filter((l) => l.level === 'error');
    return { sent, errors, puts, answers: answers.map((a) => a.body) };
  }

  function expectNoFalseError(result: { sent: string[]; errors: unknown[] }) {
    expect(result.sent.filter((s) => FALSE_ERRORS.test(s))).toEqual([]);
    expect(result.errors).toEqual([]);
  }

  async function auditCount(tenantId: string, connectorId: string, action: string) {
    const events = await h.bot.store.audit.list(tenantId, { connectorId, limit: 100 });
    return events.filter((e) => e.action === action).length;
  }

  function userOf(tenantId: string): { user: TeamsUser; client: TeamsClient } {
    const user = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
    return { user, client: h.chat(user, 'personal', tenantId) };
  }

  test('delete confirm: deleted once, the second click is told it is already done', async () => {
    const tenant = cloud.addTenant().id;
    const { user, client } = userOf(tenant);
    const [target] = await seedConnectors(h.bot.store, [
      aConnector(tenant).named('Twice Box').ofType('box').createdBy(user).build(),
    ]);
    const ask = await client.say('delete twice box');
    const result = await doubleClick(client, shownCard(ask), 'Delete permanently', String(ask.replies[0].id));
    expectNoFalseError(result);
    expect(await h.bot.store.connectors.get(tenant, target.id)).toBeUndefined();
    expect(await auditCount(tenant, target.id, 'connector.deleted')).toBe(1);
    expect(result.sent.join('\n')).toContain('deleted already');
  });

  test('transfer from an expiry notice: recorded once', async () => {
    const tenant = cloud.addTenant().id;
    const { user, client } = userOf(tenant);
    const day = 24 * 60 * 60 * 1000;
    const then = new Date(h.bot.clock.now().getTime() - 61 * day).toISOString();
    const [target] = await seedConnectors(h.bot.store, [
      aConnector(tenant).named('Twice S3').ofType('amazon-s3').ownedBy(user).authorizedAt(then).build(),
    ]);
    await client.say('help');
    h.standIn.reset();
    await h.bot.scanner.scan();
    const digest = h.standIn
      .posted(client.conversation.id)
      .map((a) => shownCard({ status: 200, body: undefined, replies: [a], updates: [] }))
      .find((c) => JSON.stringify(c).includes(target.id))!;
    const result = await doubleClick(client, digest, 'Record a transfer', 'digest-activity');
    expectNoFalseError(result);
    expect(await auditCount(tenant, target.id, 'transfer.recorded')).toBe(1);
    expect(result.sent.join('\n')).toContain(
      'This notice about Twice S3 is out of date: A transfer was recorded on',
    );
  });

  test('wizard Next: the wizard moves one step, the second click changes nothing', async () => {
    const tenant = cloud.addTenant().id;
    const { client } = userOf(tenant);
    const started = await client.say('connect box');
    const id = String(started.replies[0].id);
    const named = await client.click(shownCard(started), 'Next', { displayName: 'Twice Box wizard' }, id);
    const result = await doubleClick(client, shownCard(named), 'Next', id);
    expectNoFalseError(result);
    // Both clicks are answered with the step the wizard is on, in the invoke response; no message update races.
    expect(result.puts).toEqual([]);
    expect(result.answers.map((a) => JSON.stringify(a))).toEqual([
      expect.stringContaining('Step 2 of 2'),
      expect.stringContaining('Step 2 of 2'),
    ]);
    const status = await client.say('connect box');
    // The open wizard is offered for resume at step 2, not skipped to the end or broken.
    expect(JSON.stringify(status.replies)).toContain('Step 2 of 2');
  });

  test('consent Check again: verified once, the second click is told it is already verified', async () => {
    const tenant = cloud.addTenant();
    const { user, client } = userOf(tenant.id);
    const [target] = await seedConnectors(h.bot.store, [
      connectorRecord({
        tenantId: tenant.id,
        displayName: 'Twice O365',
        type: 'office365',
        status: 'awaiting-consent',
        createdBy: user.aadObjectId,
        consent: { requestedFrom: 'Adele Admin', requestedAt: h.bot.clock.now().toISOString() },
      }),
    ]);
    const card: Card = {
      type: 'AdaptiveCard',
      actions: [
        {
          type: 'Action.Execute',
          title: 'Check again',
          verb: 'consentCheck',
          data: { args: target.id, cardVersion: CARD_DATA_VERSION },
        },
      ],
    };
    const result = await doubleClick(client, card, 'Check again', 'check-activity');
    expectNoFalseError(result);
    expect(await auditCount(tenant.id, target.id, 'consent.verified')).toBe(1);
    expect(result.sent.join('\n')).toContain('already verified');
  });
});
