import { makeUser } from '../../harness/activities';
import { actionTitles, cardText, openUrls } from '../../harness/cards';
import { startHarness } from '../../harness/testBot';
import { shownCard, TeamsClient } from '../../harness/teamsClient';
import { findAction } from '../../harness/cards';
import { clickOn, startWizard, type OnScreen } from './wizardDriver';
import { useHarness } from '../../harness/useHarness';

const TENANT = '44444444-4444-4444-8444-444444444444';
const CONNECTOR_APP = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';

const shown = shownCard;

describe('Office 365 authorization wizard', () => {
  const { h } = useHarness({ env: { CONNECTOR_APP_ID: CONNECTOR_APP } });

  test('a global admin clicks through all nine steps; without Graph the connector is recorded awaiting consent', async () => {
    const user = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
    h.standIn.addMember({
      id: user.id,
      name: user.name,
      aadObjectId: user.aadObjectId,
      userPrincipalName: user.upn,
    });
    const client = h.chat(user, 'personal', TENANT);
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
      if (step === 3) {
        // Seed 000, step 3, as written: nothing about reusing this wizard's (optional) name.
        expect(cardText(card)).toContain(
          'It prompts you to provide a display name (optional) for your **Office 365 Connector**. Select **Authorize**.',
        );
        expect(cardText(card)).not.toContain('Use the display name you gave here');
      }
      if (step === 4) {
        expect(cardText(card)).toContain('Consent on behalf of your organization');
        expect(cardText(card)).toContain('User assignment required');
      }
      turn = await client.click(card, 'Next', {}, cardId);
    }
    card = shown(turn);
    expect(cardText(card)).toContain('Step 5 of 9');
    expect(cardText(card)).toContain('point your global admin to **https://aka.ms/office365moverauth**');
    // No Graph in this harness: step 5 asks, and says why it cannot check.
    expect(cardText(card)).toContain(
      'I cannot check your admin role: Microsoft Graph is not configured for this bot (set GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET)',
    );
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
      // The direct URL ends at the client id (no redirect_uri unless CONSENT_REDIRECT_URI is set).
      expect(openUrls(card)).toContain(
        `https://login.microsoftonline.com/${TENANT}/adminconsent?client_id=${CONNECTOR_APP}`,
      );
      expect(cardText(card)).not.toContain('redirect_uri');
      // The seed does not say the direct button replaces steps 7 and 8.
      expect(cardText(card)).not.toContain('in place of steps 7 and 8');
      turn = await client.click(card, step === 9 ? 'Finish' : 'Next', {}, cardId);
    }
    card = shown(turn);
    // Finish is no evidence of consent, and without Graph nothing can verify it: it waits.
    expect(cardText(card)).toContain('Admin consent could not be verified');
    expect(cardText(card)).toContain('I cannot check consent with Microsoft Graph');
    expect(actionTitles(card)).toContain('Check again');
    const connectors = await h.bot.store.connectors.list(TENANT);
    expect(connectors.items).toHaveLength(1);
    expect(connectors.items[0].provenance).toBeUndefined();
    expect(connectors.items[0]).toMatchObject({
      displayName: 'Contoso destination',
      type: 'office365',
      status: 'awaiting-consent',
      cloud: 'global',
      createdBy: user.aadObjectId,
    });
    const audit = await h.bot.store.audit.list(TENANT, { connectorId: connectors.items[0].id });
    expect(audit.map((a) => a.action)).toContain('connector.created');
    expect(audit.filter((a) => a.action === 'step.done').length).toBeGreaterThanOrEqual(9);
  });

  test('Back returns to the previous step and Cancel ends the wizard without recording anything', async () => {
    const user = makeUser();
    const client = h.chat(user, 'channel', TENANT);
    let turn = await client.say('authorize office365');
    // In a channel the posted card is read-only; the starter's client fetches the controls.
    const id = String(turn.replies[0].id);
    turn = (await client.open(shown(turn), id))!;
    turn = await client.click(shown(turn), 'Next', { displayName: 'Back test' }, id);
    turn = await client.click(shown(turn), 'Next', {}, id);
    turn = await client.click(shown(turn), 'Next', {}, id);
    expect(cardText(shown(turn))).toContain('Step 2 of 9');
    turn = await client.click(shown(turn), 'Back', {}, id);
    expect(cardText(shown(turn))).toContain('Step 1 of 9');
    turn = await client.click(shown(turn), 'Cancel', {}, id);
    expect(cardText(shown(turn))).toContain('Authorization cancelled');
    const list = await h.bot.store.connectors.list(TENANT);
    expect(list.items.find((c) => c.displayName === 'Back test')).toBeUndefined();
  });

  test('two clicks on Finish at once record the connector once', async () => {
    const user = makeUser();
    const client = h.chat(user, 'personal', TENANT);
    const started = await client.say('connect box');
    const id = String(started.replies[0].id);
    let turn = await client.click(shown(started), 'Next', { displayName: 'Double click' }, id);
    turn = await client.click(shown(turn), 'Next', {}, id);
    const last = shown(turn);
    const [a, b] = await Promise.all([
      client.click(last, 'I confirm I signed in and allowed access', {}, id),
      client.click(last, 'I confirm I signed in and allowed access', {}, id),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const recorded = (await h.bot.store.connectors.list(TENANT)).items.filter(
      (c) => c.displayName === 'Double click',
    );
    expect(recorded).toHaveLength(1);
  });

  /** `connect office365` in the given cloud, as a global admin, up to step 6; returns that card. */
  async function globalAdminStep6(client: TeamsClient, cloud: string, name: string): Promise<OnScreen> {
    let screen = await clickOn(client, await startWizard(client, 'office365'), 'Next', { displayName: name });
    screen = await clickOn(client, screen, 'Next', { cloud, upn: '' });
    for (let step = 1; step < 5; step++) screen = await clickOn(client, screen, 'Next');
    return clickOn(client, screen, 'I am a global admin: continue');
  }

  test.each([
    ['global', 'https://login.microsoftonline.com'],
    ['usgovhigh', 'https://login.microsoftonline.us'],
    ['dod', 'https://login.microsoftonline.us'],
    ['china', 'https://login.chinacloudapi.cn'],
  ])(
    'in the %s cloud the direct admin-consent URL is %s/<tenant>/adminconsent?client_id=… without redirect_uri',
    async (cloud, host) => {
      const user = makeUser();
      const client = h.chat(user, 'personal', TENANT);
      const step6 = await globalAdminStep6(client, cloud, `Consent URL ${cloud}`);
      expect(cardText(step6.card)).toContain('Step 6 of 9');
      const expected = `${host}/${TENANT}/adminconsent?client_id=${CONNECTOR_APP}`;
      expect(findAction(step6.card, 'Grant admin consent directly').url).toBe(expected);
      // A button, not a fact value that overflows the card.
      expect(cardText(step6.card)).not.toContain(expected);
    },
  );

  test('CONSENT_REDIRECT_URI, when set, is added to the direct URL exactly as registered', async () => {
    const redirect = 'https://migrate.contoso.com/consent/done/';
    const withRedirect = await startHarness({
      env: { CONNECTOR_APP_ID: CONNECTOR_APP, CONSENT_REDIRECT_URI: redirect },
    });
    try {
      const user = makeUser();
      const client = withRedirect.chat(user, 'personal', TENANT);
      const step6 = await globalAdminStep6(client, 'china', 'Registered redirect');
      expect(findAction(step6.card, 'Grant admin consent directly').url).toBe(
        `https://login.chinacloudapi.cn/${TENANT}/adminconsent?client_id=${CONNECTOR_APP}&redirect_uri=${encodeURIComponent(redirect)}`,
      );
    } finally {
      await withRedirect.stop();
    }
  });
});
