import { BOT, makeUser, type TeamsConversation } from '../../harness/activities';
import { actionTitles, cardText, inputsOf, type Card } from '../../harness/cards';
import type { Chat } from '../../harness/chat';
import { answerCard, answerError, type TurnResult } from '../../harness/teamsClient';
import { useHarness } from '../../harness/useHarness';
import { clickOn, newTenant, signInToFirstStep, starterView, wizardData } from './wizardDriver';

const REFUSED =
  'Only Megan Bowen, who started this wizard, can use its buttons. Type connect to start your own.';

/** The card an automatic refresh or a Refresh click was answered with; fails when there is none. */
function answered(turn: TurnResult | undefined): Card {
  const card = turn && answerCard(turn);
  if (!card) throw new Error(`no card in the answer: ${JSON.stringify(turn?.invoke)?.slice(0, 300)}`);
  return card;
}

describe('who sees a wizard card’s controls', () => {
  const { h } = useHarness();

  /** The conversation's stored dialog state, as teams-ai keeps it. */
  async function dialogState(conversation: TeamsConversation): Promise<string> {
    const key = `msteams/${BOT.id}/conversations/${conversation.id}`;
    const stored = (await h.bot.store.state.read([key]))[key] as { dialogState?: unknown } | undefined;
    return JSON.stringify(stored?.dialogState);
  }

  async function startInChannel(megan: Chat) {
    const said = await megan.say('connect box');
    const posted = { card: megan.shown(), cardId: String(said.replies[said.replies.length - 1].id) };
    return { said, posted };
  }

  test('in a channel the posted card is read-only and the starter’s automatic refresh brings the controls', async () => {
    const tenant = newTenant();
    const owner = makeUser('Megan *Bowen*');
    const megan = h.chat(owner, 'channel', tenant);
    const { posted } = await startInChannel(megan);

    // What everyone sees: the step, no inputs, no wizard buttons, who may use them, and Refresh.
    expect(cardText(posted.card)).toContain('Give the connector a display name (optional)');
    expect(cardText(posted.card)).toContain(
      'Megan *Bowen* is authorizing this connector; only they can use these controls.',
    );
    // The name is data: escaped for markdown, so it reads as typed.
    expect(JSON.stringify(posted.card)).toContain('Megan \\\\*Bowen\\\\* is authorizing');
    expect(inputsOf(posted.card)).toEqual([]);
    expect(actionTitles(posted.card)).toEqual(['Refresh', 'Help']);
    expect(posted.card.refresh).toMatchObject({
      action: { type: 'Action.Execute', verb: 'wizardView', data: { page: 'name' } },
      userIds: [owner.id],
    });

    // The starter's client refreshes on its own and gets the controls, still refreshing for them.
    const refreshed = await megan.open(posted.card, posted.cardId);
    const controls = answered(refreshed);
    expect(refreshed!.replies).toHaveLength(0);
    expect(refreshed!.updates.filter((u) => u.via === 'put')).toHaveLength(0);
    expect(actionTitles(controls)).toEqual(['Next', 'Cancel', 'Help']);
    expect(inputsOf(controls).map((i) => i.id)).toEqual(['displayName']);
    expect(cardText(controls)).not.toContain('only they can use these controls');
    expect(controls.refresh).toEqual(posted.card.refresh);

    // Her click is answered with the next step's controls, for her.
    const step1 = await clickOn(megan, { card: controls, cardId: posted.cardId }, 'Next', {
      displayName: 'Team Box',
    });
    expect(cardText(step1.card)).toContain('Step 1 of 2');
    expect(actionTitles(step1.card)).toContain('Back');
    expect(step1.turn.updates.map((u) => u.via)).toEqual(['invoke']);
  });

  test('someone else gets the read-only view naming the starter, and their forged clicks change nothing', async () => {
    const tenant = newTenant();
    const megan = h.chat(makeUser('Megan Bowen'), 'channel', tenant);
    const alex = megan.as(makeUser('Alex Wilber', 'alex@contoso.onmicrosoft.com'));
    const { posted } = await startInChannel(megan);
    const step1 = await clickOn(megan, await starterView(megan, posted), 'Next', { displayName: 'Kept' });

    // Not in userIds: Alex's client does not refresh on its own; his Refresh shows where it is now.
    expect(await alex.open(posted.card, posted.cardId)).toBeUndefined();
    const now = answered(await alex.click(posted.card, 'Refresh', {}, posted.cardId));
    expect(cardText(now)).toContain('Step 1 of 2');
    expect(cardText(now)).toContain(
      'Megan Bowen is authorizing this connector; only they can use these controls.',
    );
    expect(actionTitles(now)).toEqual(['Refresh', 'Help']);
    expect(inputsOf(now)).toEqual([]);

    // A Next made up from the card's data: refused to him alone, nothing changes.
    const before = await dialogState(megan.conversation);
    expect(before).toContain(wizardData(step1.card).wizardId);
    const forged = await alex.submitRaw(
      { verb: 'wizard', ...wizardData(step1.card), move: 'next' },
      posted.cardId,
    );
    expect(answerError(forged)).toMatchObject({ statusCode: 403, message: REFUSED });
    expect(forged.replies).toHaveLength(0);
    expect(forged.updates).toHaveLength(0);
    expect(await dialogState(megan.conversation)).toBe(before);

    // Finish, Back and Cancel of the last step, clicked on a copy of Megan's controls: the same.
    const step2 = await clickOn(megan, step1, 'Next');
    const atStep2 = await dialogState(megan.conversation);
    for (const title of ['I confirm I signed in and allowed access', 'Back', 'Cancel']) {
      const refused = await alex.click(step2.card, title, {}, posted.cardId);
      expect(answerError(refused)).toMatchObject({ statusCode: 403, message: REFUSED });
      expect(refused.replies).toHaveLength(0);
      expect(await dialogState(megan.conversation)).toBe(atStep2);
    }
    expect((await h.bot.store.connectors.list(tenant)).items).toEqual([]);
    expect(cardText(answered(await alex.click(posted.card, 'Refresh', {}, posted.cardId)))).toContain(
      'Step 2 of 2',
    );

    // Refreshing writes nothing either.
    await alex.click(posted.card, 'Refresh', {}, posted.cardId);
    await megan.open(posted.card, posted.cardId);
    expect(await dialogState(megan.conversation)).toBe(atStep2);
  });

  test('after Cancel or the last step, a refresh says so truthfully', async () => {
    const tenant = newTenant();
    const megan = h.chat(makeUser('Megan Bowen'), 'groupChat', tenant);
    const alex = megan.as(makeUser('Alex Wilber', 'alex@contoso.onmicrosoft.com'));
    const { posted } = await startInChannel(megan);
    const step1 = await clickOn(megan, await starterView(megan, posted), 'Next', { displayName: 'Gone' });
    const cancelled = await clickOn(megan, step1, 'Cancel');
    expect(cardText(cancelled.card)).toContain('Authorization cancelled');

    for (const viewer of [megan, alex]) {
      const card = answered(await viewer.click(posted.card, 'Refresh', {}, posted.cardId));
      expect(cardText(card)).toContain('Authorization cancelled');
      expect(cardText(card)).toMatch(
        /Megan Bowen cancelled the Box Connector wizard on .+, so nothing was saved\./,
      );
      expect(card.refresh).toBeUndefined();
    }

    // A second wizard, finished: its first card's refresh says it finished.
    const second = await signInToFirstStep(megan, 'box', 'Team Box');
    const step2 = await clickOn(megan, second, 'Next');
    await clickOn(megan, step2, 'I confirm I signed in and allowed access');
    const finished = answered(await megan.open(second.card, second.cardId));
    expect(cardText(finished)).toContain('Authorization finished');
    expect(cardText(finished)).toMatch(/Megan Bowen finished the Box Connector wizard for "Team Box" on /);
  });

  test('a refresh for a wizard this conversation never had, or without its ids, shows nothing of another', async () => {
    const megan = h.chat(makeUser('Megan Bowen'), 'channel', newTenant());
    const { posted } = await startInChannel(megan);
    const unknown = await megan.submitRaw(
      { verb: 'wizardView', wizardId: '0b5e4c1e-0d7e-4c55-9a55-2f3f4b8f1c99', page: 'name' },
      posted.cardId,
    );
    expect(cardText(answered(unknown))).toContain(
      'This wizard is no longer open in this conversation. Type connect to start one.',
    );
    const bare = await megan.submitRaw({ verb: 'wizardView', page: 'name' }, posted.cardId);
    expect(answerError(bare)).toMatchObject({
      statusCode: 400,
      message: 'This card does not say which wizard it shows, so there is nothing to refresh.',
    });
  });

  test('in a personal chat the card has the controls and no refresh, as before', async () => {
    const megan = h.chat(makeUser('Megan Bowen'), 'personal', newTenant());
    await megan.say('connect box');
    const card = megan.shown();
    expect(card.refresh).toBeUndefined();
    expect(actionTitles(card)).toEqual(['Next', 'Cancel', 'Help']);
    expect(cardText(card)).not.toContain('only they can use these controls');
    expect(await megan.open(card)).toBeUndefined();
  });
});
