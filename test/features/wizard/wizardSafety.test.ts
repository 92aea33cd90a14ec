import * as activities from '../../harness/activities';
import { channel, groupChat, makeUser, personalChat, type TeamsConversation } from '../../harness/activities';
import { cardOf, cardText, inputsOf } from '../../harness/cards';
import { postActivity, type TurnResult, answerError } from '../../harness/teamsClient';
import {
  authorizeSignIn,
  callsDuring,
  clickOn,
  newTenant,
  office365ToStep,
  signInToFirstStep,
  startWizard,
  wizardData,
} from './wizardDriver';
import { useHarness } from '../../harness/useHarness';

const OUT_OF_DATE =
  'This card is out of date, so nothing was changed. Type connect to start again, or use the latest card.';

/** A turn that only answered "out of date": one text message, no card changed. */
function expectOutOfDate(turn: TurnResult, text = OUT_OF_DATE): void {
  expect(turn.status).toBe(200);
  expect(turn.updates).toHaveLength(0);
  expect(turn.replies).toHaveLength(1);
  expect(turn.replies[0].text).toBe(text);
  expect(turn.replies[0].attachments ?? []).toEqual([]);
}

/** A click answered with an invoke error alone: nothing posted, nothing replaced. */
function expectRefusedToClicker(turn: TurnResult, message: string | RegExp): void {
  expect(turn.status).toBe(200);
  expect(turn.updates).toHaveLength(0);
  expect(turn.replies).toHaveLength(0);
  const error = answerError(turn);
  expect(error).toBeDefined();
  if (typeof message === 'string') expect(error!.message).toBe(message);
  else expect(error!.message).toMatch(message);
}

const UNKNOWN_BUTTON = /not one I know.*nothing was changed/;

describe('wizard safety', () => {
  const { h } = useHarness();

  const auditActions = async (tenant: string) => (await h.bot.store.audit.list(tenant)).map((a) => a.action);

  describe('a click on a stale card', () => {
    test('Next or Back on an earlier step after the wizard moved on is already done or out of date, and changes nothing', async () => {
      const tenant = newTenant();
      const user = makeUser();
      const client = h.chat(user, 'personal', tenant);
      const step1 = await office365ToStep(client, 'Stale clicks', 1);
      const step2 = await clickOn(client, step1, 'Next');
      expect(cardText(step2.card)).toContain('Step 2 of 9');
      const before = await auditActions(tenant);

      // Next again on a step already passed (a double click's twin) is answered with the current step.
      const twin = await client.click(step1.card, 'Next', {}, step1.cardId);
      expect(twin.replies).toHaveLength(0);
      expect(twin.updates.map((u) => u.via)).toEqual(['invoke']);
      expect(cardText(cardOf(twin.updates[0].activity))).toContain('Step 2 of 9');
      expectOutOfDate(await client.click(step1.card, 'Back', {}, step1.cardId));
      expect(await auditActions(tenant)).toEqual(before);

      const step3 = await clickOn(client, step2, 'Next');
      expect(step3.turn.updates.map((u) => u.activityId)).toEqual([step1.cardId]);
      expect(cardText(step3.card)).toContain('Step 3 of 9');
    });

    test('a click after the wizard was cancelled is out of date', async () => {
      const tenant = newTenant();
      const user = makeUser();
      const client = h.chat(user, 'personal', tenant);
      const step1 = await signInToFirstStep(client, 'box', 'Cancelled box');
      const cancelled = await clickOn(client, step1, 'Cancel');
      expect(cardText(cancelled.card)).toContain('Authorization cancelled');

      expectOutOfDate(await client.click(step1.card, 'Next', {}, step1.cardId));
      expectOutOfDate(await client.click(step1.card, 'Cancel', {}, step1.cardId));
      expect((await auditActions(tenant)).filter((a) => a === 'wizard.cancelled')).toHaveLength(1);
      expect((await h.bot.store.connectors.list(tenant)).items).toEqual([]);
    });

    test('a click after the wizard completed is out of date and records nothing more', async () => {
      const tenant = newTenant();
      const user = makeUser();
      const client = h.chat(user, 'personal', tenant);
      const step1 = await signInToFirstStep(client, 'dropbox', 'Finished dropbox');
      const step2 = await clickOn(client, step1, 'Next');
      await clickOn(client, step2, 'I confirm I signed in and allowed access');
      const before = await auditActions(tenant);

      expectOutOfDate(
        await client.click(step2.card, 'I confirm I signed in and allowed access', {}, step1.cardId),
      );
      expectOutOfDate(await client.click(step1.card, 'Next', {}, step1.cardId));
      expect(await auditActions(tenant)).toEqual(before);
      const connectors = await h.bot.store.connectors.list(tenant);
      expect(connectors.items).toHaveLength(1);
      expect(connectors.items[0]).toMatchObject({ displayName: 'Finished dropbox', version: 1 });
    });

    test('the same wizard card posted from another tenant is out of date', async () => {
      const tenant = newTenant();
      const user = makeUser();
      const conversation = personalChat(tenant, user);
      const client = h.chat(user, conversation);
      const step1 = await signInToFirstStep(client, 'egnyte', 'Tenant bound');
      const foreign: TeamsConversation = { ...conversation, tenantId: newTenant() };

      const turn = await h.chat(user, foreign).click(step1.card, 'Next', {}, step1.cardId);
      expectOutOfDate(turn);
      expect(cardText((await clickOn(client, step1, 'Next')).card)).toContain('Step 2 of 2');
    });
  });

  describe('a forged submit', () => {
    test('with an unknown verb is answered as not mine', async () => {
      const user = makeUser();
      const client = h.chat(user, 'personal', newTenant());
      expectRefusedToClicker(await client.submitRaw({ verb: 'teleport', wizardId: 'x' }), UNKNOWN_BUTTON);
      expectRefusedToClicker(await client.submitRaw({ anything: 1 }), UNKNOWN_BUTTON);
    });

    test('with verb wizard but no wizardId, page or move, or a random wizardId, changes nothing', async () => {
      const tenant = newTenant();
      const user = makeUser();
      const client = h.chat(user, 'personal', tenant);
      const step1 = await signInToFirstStep(client, 'google-workspace', 'Forged clicks');
      const { wizardId, page } = wizardData(step1.card);
      expect(page).toBe('oauth-1');
      const before = await auditActions(tenant);

      for (const value of [
        { verb: 'wizard' },
        { verb: 'wizard', page, move: 'next' },
        { verb: 'wizard', wizardId, move: 'next' },
        { verb: 'wizard', wizardId, page },
        { verb: 'wizard', wizardId, page: 'oauth-2', move: 'next' },
        { verb: 'wizard', wizardId: { $ne: '' }, page, move: 'next' },
        { verb: 'wizard', wizardId: '4f0c1d9e-0000-4000-8000-000000000000', page, move: 'next' },
        { verb: 'wizardControl', wizardId: 'not-the-wizard', move: 'restart', args: 'box' },
      ]) {
        expectOutOfDate(await client.submitRaw(value, step1.cardId));
      }
      expect(await auditActions(tenant)).toEqual(before);

      const step2 = await clickOn(client, step1, 'Next');
      expect(cardText(step2.card)).toContain('Step 2 of 2');
    });

    test('with a move the card does not offer, or Back on the first page, changes nothing and is logged', async () => {
      const tenant = newTenant();
      const user = makeUser();
      const client = h.chat(user, 'personal', tenant);
      const named = await startWizard(client, 'box');
      const first = wizardData(named.card);
      await client.submitRaw({ verb: 'wizard', ...first, move: 'back' }, named.cardId);
      expect(h.bot.logs).toContainEqual(
        expect.objectContaining({
          msg: 'wizard Back refused: no earlier page',
          wizardId: first.wizardId,
          page: 'name',
        }),
      );
      const step1 = await clickOn(client, named, 'Next');
      const { wizardId, page } = wizardData(step1.card);
      const turn = await client.submitRaw(
        { verb: 'wizard', wizardId, page, move: 'role:global' },
        step1.cardId,
      );
      expect(turn.replies.map((r) => String(r.text ?? '')).join('\n')).toContain(
        'That button is not on the current step',
      );
      expect(h.bot.logs).toContainEqual(
        expect.objectContaining({
          msg: 'wizard move refused: not on the current card',
          wizardId,
          page,
          move: 'role:global',
        }),
      );
    });

    test('with a display name over 80 characters shows the name card again with a notice and records nothing', async () => {
      const tenant = newTenant();
      const user = makeUser();
      const client = h.chat(user, 'personal', tenant);
      const named = await startWizard(client, 'box');
      const { wizardId, page } = wizardData(named.card);
      expect(page).toBe('name');

      const turn = await client.submitRaw(
        { verb: 'wizard', wizardId, page, move: 'next', displayName: 'x'.repeat(81) },
        named.cardId,
      );
      expect(turn.updates.map((u) => u.activityId)).toEqual([named.cardId]);
      const again = cardOf(turn.updates[0].activity);
      expect(cardText(again)).toContain('A display name can have at most 80 characters.');
      expect(cardText(again)).toContain('Give the connector a display name (optional)');
      expect(inputsOf(again).map((i) => i.id)).toEqual(['displayName']);
      expect(wizardData(again)).toEqual({ wizardId, page: 'name' });
      expect(await auditActions(tenant)).not.toContain('step.done');

      const control = await client.submitRaw(
        { verb: 'wizard', wizardId, page, move: 'next', displayName: 'bell\u0007name' },
        named.cardId,
      );
      expect(cardText(cardOf(control.updates[0].activity))).toContain(
        'A display name cannot contain control characters.',
      );

      // Exactly 80 characters is accepted, and the wizard goes on from the name card.
      const step1 = await clickOn(client, { card: again, cardId: named.cardId }, 'Next', {
        displayName: 'y'.repeat(80),
      });
      expect(cardText(step1.card)).toContain('Step 1 of 2');
      expect(cardText(step1.card)).toContain(`Connector: ${'y'.repeat(80)}`);
      expect((await h.bot.store.connectors.list(tenant)).items).toEqual([]);
    });

    test('with a 100 KB value is answered cleanly, and a body over the size limit is refused with 413', async () => {
      const tenant = newTenant();
      const user = makeUser();
      const client = h.chat(user, 'personal', tenant);
      const named = await startWizard(client, 'dropbox');
      const { wizardId } = wizardData(named.card);
      const big = 'x'.repeat(100 * 1024);

      expectRefusedToClicker(await client.submitRaw({ verb: big }, named.cardId), UNKNOWN_BUTTON);
      expectOutOfDate(await client.submitRaw({ verb: 'wizard', wizardId: big, page: 'name', move: 'next' }));
      const tooLong = await client.submitRaw(
        { verb: 'wizard', wizardId, page: 'name', move: 'next', displayName: big },
        named.cardId,
      );
      expect(tooLong.status).toBe(200);
      expect(cardText(cardOf(tooLong.updates[0].activity))).toContain('at most 80 characters');
      // Nothing of the 100 KB went back into the card.
      expect(JSON.stringify(tooLong.updates[0].activity).length).toBeLessThan(20_000);

      const huge = activities.submit(h.standIn.url, client.conversation, user, {
        verb: 'wizard',
        wizardId,
        page: 'name',
        move: 'next',
        displayName: 'z'.repeat(300 * 1024),
      });
      const { result: refused, calls } = await callsDuring(h.standIn, () => postActivity(h.bot.url, huge));
      expect(refused.status).toBe(413);
      expect(calls).toEqual([]);

      const help = await client.say('help');
      expect(help.status).toBe(200);
      expect(cardText(cardOf(help.replies[0]))).toContain('Connector Concierge: commands');
      expect((await h.bot.store.connectors.list(tenant)).items).toEqual([]);
      const step1 = await clickOn(client, named, 'Next', { displayName: 'Still works' });
      expect(cardText(step1.card)).toContain('Step 1 of 2');
    });
  });

  describe.each([
    ['a channel', channel],
    ['a group chat', groupChat],
  ])('another person in %s', (_where, makeConversation: (tenant: string) => TeamsConversation) => {
    test('has their click refused privately, and the wizard does not move', async () => {
      const tenant = newTenant();
      const owner = makeUser('Megan Bowen');
      const other = makeUser('Alex Wilber', 'alex@contoso.onmicrosoft.com');
      const conversation = makeConversation(tenant);
      const client = h.chat(owner, conversation);
      const step1 = await signInToFirstStep(client, 'box', 'Owned by Megan');
      const before = await auditActions(tenant);

      const { result: turn, calls } = await callsDuring(h.standIn, () =>
        client.as(other).click(step1.card, 'Next', {}, step1.cardId),
      );
      // The invoke's error answer: Teams shows it to the person who clicked, nobody else.
      expectRefusedToClicker(
        turn,
        'Only Megan Bowen, who started this wizard, can use its buttons. Type connect to start your own.',
      );
      expect(calls).toEqual([]);
      expect(await auditActions(tenant)).toEqual(before);

      // Cancel is a button too: refused the same way.
      const cancel = await client.as(other).click(step1.card, 'Cancel', {}, step1.cardId);
      expectRefusedToClicker(
        cancel,
        'Only Megan Bowen, who started this wizard, can use its buttons. Type connect to start your own.',
      );

      const step2 = await clickOn(client, step1, 'Next');
      expect(step2.turn.updates.map((u) => u.activityId)).toEqual([step1.cardId]);
      expect(cardText(step2.card)).toContain('Step 2 of 2');
    });

    test('a typed cancel from them is refused in a private chat, or with an @mention when Teams refuses one', async () => {
      const tenant = newTenant();
      const owner = makeUser('Megan Bowen');
      const other = makeUser('Alex Wilber', 'alex@contoso.onmicrosoft.com');
      const conversation = makeConversation(tenant);
      const client = h.chat(owner, conversation);
      const step1 = await signInToFirstStep(client, 'dropbox', 'Owned by Megan');

      const { calls: privately } = await callsDuring(h.standIn, () => client.as(other).say('cancel'));
      const created = privately.filter((c) => c.route === 'createConversation');
      expect(created).toHaveLength(1);
      expect(created[0].body).toMatchObject({
        isGroup: false,
        members: [{ id: other.id, name: other.name }],
      });
      expect(privately.filter((c) => c.conversationId === conversation.id)).toEqual([]);

      h.standIn.program('createConversation', { status: 403, body: { error: { code: 'Forbidden' } } });
      const { result: turn, calls } = await callsDuring(h.standIn, () => client.as(other).say('cancel'));
      expect(calls.filter((c) => c.route === 'createConversation').map((c) => c.status)).toEqual([403]);
      expect(turn.updates).toHaveLength(0);
      expect(turn.replies).toHaveLength(1);
      const reply = turn.replies[0];
      expect(reply.conversation).toMatchObject({ id: conversation.id });
      expect(reply.text).toBe(
        '<at>Alex Wilber</at> Only Megan Bowen, who started this wizard, can cancel it.',
      );
      expect(reply.entities).toEqual([
        expect.objectContaining({
          type: 'mention',
          text: '<at>Alex Wilber</at>',
          mentioned: expect.objectContaining({ id: other.id, name: 'Alex Wilber' }),
        }),
      ]);

      const step2 = await clickOn(client, step1, 'Next');
      expect(cardText(step2.card)).toContain('Step 2 of 2');
    });
  });

  test('a finished wizard in a channel leaves the channel free for the next person', async () => {
    const tenant = newTenant();
    const first = makeUser('Megan Bowen');
    const second = makeUser('Alex Wilber');
    const client = h.chat(first, 'channel', tenant);
    await authorizeSignIn(client, 'box', 'First one');
    const next = await signInToFirstStep(client.as(second), 'egnyte', 'Second one');
    expect(cardText(next.card)).toContain('Step 1 of 2');
    expect(cardText(next.card)).toContain('Only Alex Wilber, who started this wizard');
  });
});
