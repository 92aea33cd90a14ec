import { channel, makeUser, personalChat } from '../harness/activities';
import { actionTitles, cardText, openUrls } from '../harness/cards';
import { startHarness } from '../harness/testBot';
import { shownCard, TeamsClient } from '../harness/teamsClient';

const TENANT = '44444444-4444-4444-8444-444444444444';
const CONNECTOR_APP = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';

const shown = shownCard;

describe('Office 365 authorization wizard', () => {
  let h: Awaited<ReturnType<typeof startHarness>>;
  beforeAll(async () => {
    h = await startHarness({ env: { CONNECTOR_APP_ID: CONNECTOR_APP } });
  });
  afterAll(async () => h.stop());

  test('a global admin clicks through all nine steps and the connector is recorded', async () => {
    const user = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
    h.standIn.addMember({
      id: user.id,
      name: user.name,
      aadObjectId: user.aadObjectId,
      userPrincipalName: user.upn,
    });
    const client = new TeamsClient(h.bot.url, h.standIn, user, personalChat(TENANT, user));
    const started = await client.say('connect office365');
    expect(started.replies).toHaveLength(1);
    const cardId = String(started.replies[0].id);
    let card = shown(started);
    expect(cardText(card)).toContain('cannot be changed later');

    let turn = await client.click(card, 'Next', { displayName: 'Contoso destination' }, cardId);
    expect(turn.updates[0].activityId).toBe(cardId);
    card = shown(turn);
    expect(cardText(card)).toContain('Which Microsoft cloud');
    expect(JSON.stringify(card)).toContain('"value":"global"');

    turn = await client.click(card, 'Next', {}, cardId);
    for (let step = 1; step <= 4; step++) {
      card = shown(turn);
      expect(cardText(card)).toContain(`Step ${step} of 9`);
      expect(cardText(card)).toContain('Global or SharePoint admin');
      if (step === 4) {
        expect(cardText(card)).toContain('Consent on behalf of your organization');
        expect(cardText(card)).toContain('User assignment required');
      }
      turn = await client.click(card, 'Next', {}, cardId);
    }
    card = shown(turn);
    expect(cardText(card)).toContain('Step 5 of 9');
    expect(actionTitles(card)).toEqual(
      expect.arrayContaining([
        'I am a global admin: continue',
        'I am a SharePoint admin: hand over',
        'Back',
        'Cancel',
        'Help',
      ]),
    );
    turn = await client.click(card, 'I am a global admin: continue', {}, cardId);
    for (let step = 6; step <= 9; step++) {
      card = shown(turn);
      expect(cardText(card)).toContain(`Step ${step} of 9`);
      expect(cardText(card)).toContain('Who can do this step: **Global admin**');
      expect(openUrls(card)).toContain('https://aka.ms/office365moverauth');
      expect(openUrls(card)).toContainEqual(
        expect.stringContaining(
          `https://login.microsoftonline.com/${TENANT}/adminconsent?client_id=${CONNECTOR_APP}&redirect_uri=`,
        ),
      );
      turn = await client.click(card, step === 9 ? 'Finish' : 'Next', {}, cardId);
    }
    card = shown(turn);
    expect(cardText(card)).toContain('Connect your destination Office 365 account');
    const connectors = await h.bot.store.connectors.list(TENANT);
    expect(connectors.items).toHaveLength(1);
    expect(connectors.items[0]).toMatchObject({
      displayName: 'Contoso destination',
      type: 'office365',
      status: 'authorized',
      cloud: 'global',
      createdBy: user.aadObjectId,
    });
    const audit = await h.bot.store.audit.list(TENANT, { connectorId: connectors.items[0].id });
    expect(audit.map((a) => a.action)).toContain('connector.created');
    expect(audit.filter((a) => a.action === 'step.done').length).toBeGreaterThanOrEqual(9);
  });

  test('Back returns to the previous step and Cancel ends the wizard without recording anything', async () => {
    const user = makeUser();
    const client = new TeamsClient(h.bot.url, h.standIn, user, channel(TENANT));
    let turn = await client.say('authorize office365');
    turn = await client.click(shown(turn), 'Next', { displayName: 'Back test' });
    turn = await client.click(shown(turn), 'Next');
    turn = await client.click(shown(turn), 'Next');
    expect(cardText(shown(turn))).toContain('Step 2 of 9');
    turn = await client.click(shown(turn), 'Back');
    expect(cardText(shown(turn))).toContain('Step 1 of 9');
    turn = await client.click(shown(turn), 'Cancel');
    expect(cardText(shown(turn))).toContain('Authorization cancelled');
    const list = await h.bot.store.connectors.list(TENANT);
    expect(list.items.find((c) => c.displayName === 'Back test')).toBeUndefined();
  });

  test('two clicks on Finish at once record the connector once', async () => {
    const user = makeUser();
    const client = new TeamsClient(h.bot.url, h.standIn, user, personalChat(TENANT, user));
    const started = await client.say('connect box');
    const id = String(started.replies[0].id);
    let turn = await client.click(shown(started), 'Next', { displayName: 'Double click' }, id);
    turn = await client.click(shown(turn), 'Next', {}, id);
    const last = shown(turn);
    const [a, b] = await Promise.all([
      client.click(last, 'I have signed in: finish', {}, id),
      client.click(last, 'I have signed in: finish', {}, id),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const recorded = (await h.bot.store.connectors.list(TENANT)).items.filter(
      (c) => c.displayName === 'Double click',
    );
    expect(recorded).toHaveLength(1);
  });
});
