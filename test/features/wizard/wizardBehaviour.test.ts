import { groupChat, makeUser, personalChat, type TeamsUser } from '../../harness/activities';
import { actionTitles, cardOf, cardText, inputsOf, openUrls } from '../../harness/cards';
import { ConnectorStandIn } from '../../harness/connectorStandIn';
import { TeamsClient } from '../../harness/teamsClient';
import { seedConnectors } from '../../support/connectorFixtures';
import { aConnector } from '../../support/builders';
import { makeTempDir, removeTempDir, startTestBot, type Harness, type TestBot } from '../../harness/testBot';
import {
  authorizeSignIn,
  callsDuring,
  clickOn,
  newTenant,
  office365ToStep,
  signInToFirstStep,
  startWizard,
  starterView,
  textBlocks,
  wizardData,
  type OnScreen,
} from './wizardDriver';
import { useHarness } from '../../harness/useHarness';
import { said, shown } from '../../harness/chat';

const CONNECTOR_APP = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';
const CONSENT_LINK = 'https://aka.ms/office365moverauth';

function memberOf(h: Harness, user: TeamsUser, upn = user.upn): void {
  h.standIn.addMember({
    id: user.id,
    name: user.name,
    aadObjectId: user.aadObjectId,
    userPrincipalName: upn,
  });
}

describe('a wizard survives a restart of the bot', () => {
  test('after a restart on the same data dir, Next on the step-3 card continues at step 4 and the wizard finishes', async () => {
    const dataDir = makeTempDir();
    const standIn = new ConnectorStandIn();
    await standIn.start();
    let bot: TestBot | undefined = await startTestBot({ dataDir });
    try {
      const tenant = newTenant();
      const user = makeUser();
      const conversation = personalChat(tenant, user);
      const step3 = await office365ToStep(
        new TeamsClient(bot.url, standIn, user, conversation),
        'Survives restart',
        3,
      );
      expect(cardText(step3.card)).toContain('Step 3 of 9');

      const firstUrl = bot.url;
      await bot.stop();
      bot = undefined;
      bot = await startTestBot({ dataDir });
      expect(bot.url).not.toBe(firstUrl);

      const client = new TeamsClient(bot.url, standIn, user, conversation);
      const step4 = await clickOn(client, step3, 'Next');
      expect(step4.turn.updates.map((u) => u.activityId)).toEqual([step3.cardId]);
      expect(cardText(step4.card)).toContain('Step 4 of 9');
      expect(wizardData(step4.card).wizardId).toBe(wizardData(step3.card).wizardId);
      expect(textBlocks(step4.card)).toContain('Connector: Survives restart');

      let screen: OnScreen = await clickOn(client, step4, 'Next');
      screen = await clickOn(client, screen, 'I am a global admin: continue');
      for (let step = 6; step <= 8; step++) screen = await clickOn(client, screen, 'Next');
      screen = await clickOn(client, screen, 'Finish');
      // No Graph here: Finish records it awaiting consent, and the card says the check could not run.
      expect(cardText(screen.card)).toContain('Admin consent could not be verified');

      const connectors = await bot.store.connectors.list(tenant);
      expect(connectors.items).toHaveLength(1);
      expect(connectors.items[0]).toMatchObject({
        displayName: 'Survives restart',
        type: 'office365',
        status: 'awaiting-consent',
        createdBy: user.aadObjectId,
      });
      // Steps done before the restart and after it are in one audit trail: the cloud page and
      // steps 1 to 8 (finishing step 9 records the connector).
      const audit = await bot.store.audit.list(tenant, { connectorId: connectors.items[0].id });
      expect(audit.filter((a) => a.action === 'step.done').map((a) => a.detail?.page)).toEqual(
        ['cloud', 'o365-1', 'o365-2', 'o365-3', 'o365-4', 'o365-5', 'o365-6', 'o365-7', 'o365-8'].reverse(),
      );
    } finally {
      await bot?.stop();
      await standIn.stop();
      removeTempDir(dataDir);
    }
  });
});

describe('authorization wizards', () => {
  const { h } = useHarness({ env: { CONNECTOR_APP_ID: CONNECTOR_APP } });

  describe('a second connect while a wizard is open', () => {
    test('asks Resume or Start over; Resume posts the current step again as a new message', async () => {
      const tenant = newTenant();
      const user = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
      const client = h.chat(user, 'personal', tenant);
      const step2 = await office365ToStep(client, 'Resumed', 2);

      const asked = await client.say('connect');
      expect(asked.updates).toHaveLength(0);
      const question = cardOf(asked.replies[0]);
      expect(cardText(question)).toContain('A wizard is already open here');
      expect(cardText(question)).toContain(
        'Megan Bowen started authorizing the Office 365 Connector (Resumed) and is at "Step 2 of 9: Find Office 365"',
      );
      expect(actionTitles(question)).toEqual(['Resume', 'Start over']);

      const resumed = await client.click(question, 'Resume', {}, String(asked.replies[0].id));
      expect(resumed.updates).toHaveLength(0);
      expect(resumed.replies).toHaveLength(1);
      const reposted: OnScreen = { card: cardOf(resumed.replies[0]), cardId: String(resumed.replies[0].id) };
      expect(reposted.cardId).not.toBe(step2.cardId);
      expect(cardText(reposted.card)).toContain('Step 2 of 9');
      expect(wizardData(reposted.card)).toEqual(wizardData(step2.card));

      // The reposted card is the one the wizard now updates.
      const step3 = await clickOn(client, reposted, 'Next');
      expect(step3.turn.updates.map((u) => u.activityId)).toEqual([reposted.cardId]);
      expect(cardText(step3.card)).toContain('Step 3 of 9');
    });

    test('Start over from connect box begins the Box wizard and the old card is then out of date', async () => {
      const tenant = newTenant();
      const user = makeUser();
      const client = h.chat(user, 'personal', tenant);
      const step1 = await office365ToStep(client, 'Abandoned', 1);

      const asked = await client.say('connect box');
      const question = cardOf(asked.replies[0]);
      expect(actionTitles(question)).toEqual(['Resume', 'Start over']);
      const restarted = await client.click(question, 'Start over', {}, String(asked.replies[0].id));
      expect(restarted.replies).toHaveLength(1);
      const box: OnScreen = { card: cardOf(restarted.replies[0]), cardId: String(restarted.replies[0].id) };
      expect(textBlocks(box.card)).toContain('Authorize the Box Connector');
      expect(cardText(box.card)).toContain('Give the connector a display name');
      expect(wizardData(box.card).wizardId).not.toBe(wizardData(step1.card).wizardId);

      const stale = await client.click(step1.card, 'Next', {}, step1.cardId);
      expect(said(stale)).toContain('This card is out of date, so nothing was changed.');
      expect(stale.updates).toHaveLength(0);
      // So is the Resume button of the question, which belonged to the old wizard.
      const staleResume = await client.click(question, 'Resume', {}, String(asked.replies[0].id));
      expect(said(staleResume)).toContain('out of date');

      const boxStep1 = await clickOn(client, box, 'Next', { displayName: 'Box instead' });
      expect(cardText(boxStep1.card)).toContain('Step 1 of 2');
      expect(cardText(boxStep1.card)).toContain('Who can do this step: **Box admin or co-admin**');
    });

    test('reauthorize while another wizard is open: Start over reauthorizes the named connector', async () => {
      const tenant = newTenant();
      const user = makeUser();
      const client = h.chat(user, 'personal', tenant);
      await authorizeSignIn(client, 'box', 'Archive Box');
      const open = await signInToFirstStep(client, 'dropbox', 'Half done');

      const asked = await client.say('reauthorize Archive Box');
      const question = cardOf(asked.replies[0]);
      expect(cardText(question)).toContain('the Dropbox Connector (Half done) and is at "Step 1 of 2');
      const restarted = await client.click(question, 'Start over', {}, String(asked.replies[0].id));
      const wizard = cardOf(restarted.replies[restarted.replies.length - 1]);
      expect(textBlocks(wizard)).toContain('Reauthorize the Box Connector');
      expect(textBlocks(wizard)).toContain('Connector: Archive Box');
      expect(said(await client.click(open.card, 'Next', {}, open.cardId))).toContain('out of date');
    });

    test('Start over of a reauthorization chosen by id reauthorizes that connector, though another shares its name', async () => {
      const tenant = newTenant();
      const user = makeUser();
      const client = h.chat(user, 'personal', tenant);
      const [, dropbox] = await seedConnectors(h.bot.store, [
        aConnector(tenant).named('Shared name').ofType('box').createdBy(user).build(),
        aConnector(tenant).named('Shared name').ofType('dropbox').createdBy(user).build(),
      ]);
      await signInToFirstStep(client, 'egnyte', 'Half done');

      const choices = cardOf((await client.say('reauthorize shared name')).replies[0]);
      const dropboxChoice = actionTitles(choices).find((t) => t.includes('(dropbox'))!;
      const asked = await client.click(choices, dropboxChoice);
      const question = cardOf(asked.replies[0]);
      expect(cardText(question)).toContain('A wizard is already open here');
      const restarted = await client.click(question, 'Start over', {}, String(asked.replies[0].id));
      const wizard = cardOf(restarted.replies[restarted.replies.length - 1]);
      expect(textBlocks(wizard)).toContain('Reauthorize the Dropbox Connector');
      expect(cardText(wizard)).not.toContain('Several connectors match');
      expect(JSON.stringify(question)).toContain(`"connectorId":"${dropbox.id}"`);
    });
  });

  describe('cancel typed in the chat', () => {
    test('by the owner replaces the card with "Authorization cancelled" and audits wizard.cancelled', async () => {
      const tenant = newTenant();
      const owner = makeUser('Megan Bowen');
      const client = h.chat(owner, 'channel', tenant);
      const step1 = await signInToFirstStep(client, 'dropbox', 'Cancelled dropbox');
      const { wizardId } = wizardData(step1.card);

      const cancelled = await client.say('cancel');
      expect(cancelled.updates.map((u) => u.activityId)).toEqual([step1.cardId]);
      const card = shown(cancelled);
      expect(cardText(card)).toContain('Authorization cancelled');
      expect(cardText(card)).toContain('The Dropbox Connector wizard was cancelled and nothing was saved.');
      expect(actionTitles(card)).toEqual(['Start again']);

      const audit = await h.bot.store.audit.list(tenant);
      expect(audit[0]).toMatchObject({
        action: 'wizard.cancelled',
        actor: owner.aadObjectId,
        detail: { wizardId },
      });
      expect((await h.bot.store.connectors.list(tenant)).items).toHaveLength(0);
      expect(said(await client.say('cancel'))).toBe(
        'There is no wizard open here, so there is nothing to cancel.',
      );
    });

    test('by someone else is refused privately and the wizard stays open', async () => {
      const tenant = newTenant();
      const owner = makeUser('Megan Bowen');
      const other = makeUser('Alex Wilber', 'alex@contoso.onmicrosoft.com');
      const conversation = groupChat(tenant);
      const client = h.chat(owner, conversation);
      const step1 = await signInToFirstStep(client, 'egnyte', 'Kept open');

      const { result: refused, calls } = await callsDuring(h.standIn, () => client.as(other).say('cancel'));
      expect(refused.updates).toHaveLength(0);
      const created = calls.filter((c) => c.route === 'createConversation');
      expect(created).toHaveLength(1);
      expect(created[0].body).toMatchObject({ isGroup: false, members: [{ id: other.id }] });
      const privateChat = (created[0].answer as { id: string }).id;
      expect(refused.replies).toHaveLength(1);
      expect(refused.replies[0]).toMatchObject({
        text: 'Only Megan Bowen, who started this wizard, can cancel it.',
        conversation: { id: privateChat },
      });
      expect(calls.filter((c) => c.conversationId === conversation.id)).toEqual([]);
      expect((await h.bot.store.audit.list(tenant)).map((a) => a.action)).not.toContain('wizard.cancelled');

      const step2 = await clickOn(client, step1, 'Next');
      expect(cardText(step2.card)).toContain('Step 2 of 2');
    });

    test('with no wizard open says there is nothing to cancel', async () => {
      const user = makeUser();
      const client = h.chat(user, 'personal', newTenant());
      const turn = await client.say('cancel');
      expect(said(turn)).toBe('There is no wizard open here, so there is nothing to cancel.');
      expect(turn.updates).toHaveLength(0);
    });
  });

  describe('the Microsoft cloud step', () => {
    test('the roster UPN pre-selects the cloud; Germany and mismatched pairs stay on the page; a valid pair goes on', async () => {
      const tenant = newTenant();
      const user = makeUser('Gov Admin');
      memberOf(h, user, 'admin@fabrikam.onmicrosoft.us');
      const client = h.chat(user, 'personal', tenant);
      const named = await clickOn(client, await startWizard(client, 'office365'), 'Next', {
        displayName: 'Gov tenant',
      });
      let cloud: OnScreen = named;
      expect(cardText(cloud.card)).toContain('Which Microsoft cloud is your tenant in?');
      const [choice, upn] = [
        inputsOf(cloud.card).find((i) => i.type === 'Input.ChoiceSet'),
        inputsOf(cloud.card).find((i) => i.id === 'upn'),
      ];
      expect(choice).toMatchObject({ id: 'cloud', value: 'usgovhigh' });
      expect(JSON.stringify(choice)).toContain('"value":"usgovhigh"');
      expect(upn).toMatchObject({ value: 'admin@fabrikam.onmicrosoft.us' });

      cloud = await clickOn(client, cloud, 'Next', { upn: 'admin@contoso.onmicrosoft.de' });
      expect(cardText(cloud.card)).toContain('Which Microsoft cloud is your tenant in?');
      expect(cardText(cloud.card)).toContain('Office 365 Germany (onmicrosoft.de) was closed');
      expect(cardText(cloud.card)).toContain('credentials of one cloud never work in another');

      cloud = await clickOn(client, cloud, 'Next', { upn: 'admin@contoso.onmicrosoft.com', cloud: 'china' });
      expect(cardText(cloud.card)).toContain('Which Microsoft cloud is your tenant in?');
      expect(cardText(cloud.card)).toContain(
        'admin@contoso.onmicrosoft.com belongs to Microsoft 365 worldwide, but you chose China operated by 21Vianet.',
      );
      expect(cardText(cloud.card)).toContain('credentials of one cloud never work in another');

      cloud = await clickOn(client, cloud, 'Next', { upn: '', cloud: 'germany' });
      expect(cardText(cloud.card)).toContain('Choose one of the Microsoft clouds.');

      const step1 = await clickOn(client, cloud, 'Next', {
        upn: 'admin@contoso.onmicrosoft.com',
        cloud: 'global',
      });
      expect(cardText(step1.card)).toContain('Step 1 of 9');
      // Staying on the page recorded no step; the valid pair recorded one.
      const audit = await h.bot.store.audit.list(tenant);
      expect(audit.filter((a) => a.action === 'step.done').map((a) => a.detail?.page)).toEqual(['cloud']);
    });
  });

  describe('the SharePoint admin path at step 5', () => {
    test('hands over: the connector awaits consent and the card shows the consent links and steps 6 to 9', async () => {
      const tenant = newTenant();
      const user = makeUser('Sharon Point');
      const client = h.chat(user, 'personal', tenant);
      const step5 = await office365ToStep(client, 'Handed over', 5);
      expect(cardText(step5.card)).toContain('Step 5 of 9');

      const handover = await clickOn(client, step5, 'I am a SharePoint admin: hand over');
      // Without Microsoft Graph the admins cannot be listed: the UPN field alone, and why.
      expect(cardText(handover.card)).toContain('Microsoft Graph is not configured');
      const done = await clickOn(client, handover, 'Send the consent request', {
        adminUpn: 'ga@contoso.onmicrosoft.com',
      });
      const text = cardText(done.card);
      expect(text).toContain('Waiting for a global admin');
      expect(text).toContain('I could not find ga@contoso.onmicrosoft.com in Teams');
      expect(text).toContain('steps 6 to 9');
      // Long URLs are buttons, not fact values that overflow the card.
      expect(text).not.toContain('https://login.microsoftonline.com/');
      expect(openUrls(done.card)).toEqual([
        CONSENT_LINK,
        `https://login.microsoftonline.com/${tenant}/adminconsent?client_id=${CONNECTOR_APP}`,
      ]);
      for (const n of [6, 7, 8, 9]) expect(text).toContain(`${n}. **Global admin**:`);
      expect(text).toContain('Grant admin consent for Mover');
      expect(actionTitles(done.card)).toEqual([
        'Open the consent link',
        'Grant admin consent directly',
        'Check again',
      ]);

      const connectors = await h.bot.store.connectors.list(tenant);
      expect(connectors.items).toHaveLength(1);
      expect(connectors.items[0]).toMatchObject({
        displayName: 'Handed over',
        type: 'office365',
        status: 'awaiting-consent',
        cloud: 'global',
      });
    });

    test('in GCC High the direct admin-consent URL uses the US Government login host', async () => {
      const tenant = newTenant();
      const user = makeUser('Gov Admin');
      const client = h.chat(user, 'personal', tenant);
      let screen = await clickOn(client, await startWizard(client, 'office365'), 'Next', {
        displayName: 'Gov hand-over',
      });
      screen = await clickOn(client, screen, 'Next', { cloud: 'usgovhigh', upn: '' });
      for (let step = 1; step < 5; step++) screen = await clickOn(client, screen, 'Next');
      expect(cardText(screen.card)).toContain('Step 5 of 9');
      const handover = await clickOn(client, screen, 'I am a SharePoint admin: hand over');
      const done = await clickOn(client, handover, 'Send the consent request', {
        adminUpn: 'ga@fabrikam.onmicrosoft.us',
      });
      expect(openUrls(done.card)).toContainEqual(
        expect.stringContaining(
          `https://login.microsoftonline.us/${tenant}/adminconsent?client_id=${CONNECTOR_APP}`,
        ),
      );
      expect((await h.bot.store.connectors.list(tenant)).items[0]).toMatchObject({
        status: 'awaiting-consent',
        cloud: 'usgovhigh',
      });
    });
  });

  describe('sign-in connectors', () => {
    test.each([
      ['onedrive-business-user', 'OneDrive for Business (User) Connector', 'The account owner'],
      ['onedrive-consumer', 'OneDrive Consumer Connector', 'The account owner'],
      ['google-workspace', 'Google Workspace Connector', 'Google Workspace super admin'],
      ['box', 'Box Connector', 'Box admin or co-admin'],
      ['dropbox', 'Dropbox Connector', 'Dropbox team admin'],
      ['egnyte', 'Egnyte Connector', 'Egnyte admin'],
    ])(
      'connect %s (%s): name card, two steps marked "%s", finish, recorded authorized',
      async (type, name, who) => {
        const tenant = newTenant();
        const user = makeUser();
        const client = h.chat(user, 'personal', tenant);
        const named = await startWizard(client, type);
        expect(textBlocks(named.card)).toContain(`Authorize the ${name}`);
        expect(cardText(named.card)).toContain('Give the connector a display name (optional)');
        expect(inputsOf(named.card).map((i) => i.id)).toEqual(['displayName']);

        const step1 = await clickOn(client, named, 'Next', { displayName: `My ${type}` });
        expect(cardText(step1.card)).toContain('Step 1 of 2');
        expect(cardText(step1.card)).toContain(`Who can do this step: **${who}**`);
        expect(cardText(step1.card)).toContain('Open the Transfer Wizard');
        const step2 = await clickOn(client, step1, 'Next');
        expect(cardText(step2.card)).toContain('Step 2 of 2');
        expect(cardText(step2.card)).toContain(`Who can do this step: **${who}**`);
        expect(cardText(step2.card)).toContain('Sign in and allow access');
        expect(actionTitles(step2.card)).toEqual(
          expect.arrayContaining(['I confirm I signed in and allowed access', 'Back', 'Cancel']),
        );

        const done = await clickOn(client, step2, 'I confirm I signed in and allowed access');
        expect(done.turn.updates.map((u) => u.activityId)).toEqual([named.cardId]);
        expect(textBlocks(done.card)).toContain(`${name} authorized`);
        expect(cardText(done.card)).toContain(`**My ${type}** is recorded as authorized on your word`);

        const connectors = await h.bot.store.connectors.list(tenant);
        expect(connectors.items).toHaveLength(1);
        expect(connectors.items[0]).toMatchObject({
          type,
          displayName: `My ${type}`,
          status: 'authorized',
          createdBy: user.aadObjectId,
          createdByName: user.name,
        });
        const audit = await h.bot.store.audit.list(tenant, { connectorId: connectors.items[0].id });
        expect(audit.map((a) => a.action)).toEqual(
          expect.arrayContaining(['wizard.started', 'step.done', 'connector.created']),
        );
      },
    );
  });

  describe('the connector picker', () => {
    test('connect alone shows the catalog grouped, and a type button starts that wizard', async () => {
      const user = makeUser();
      const client = h.chat(user, 'personal', newTenant());
      const turn = await client.say('connect');
      const picker = cardOf(turn.replies[0]);
      const text = cardText(picker);
      expect(text).toContain('Which connector do you want to authorize?');
      expect(text).toContain('Which connector to use for each Microsoft service');
      expect(text).toContain('SharePoint Online: Office 365 Connector');
      expect(text).toContain('OneDrive for Business (User): OneDrive for Business (User) Connector');
      expect(text).toContain('Other cloud storage sources');
      expect(actionTitles(picker)).toEqual(
        expect.arrayContaining(['Office 365 Connector', 'Box Connector', 'Google Workspace Connector']),
      );

      const started = await client.click(picker, 'Box Connector', {}, String(turn.replies[0].id));
      expect(started.replies).toHaveLength(1);
      const card = cardOf(started.replies[0]);
      expect(textBlocks(card)).toContain('Authorize the Box Connector');
      expect(cardText(card)).toContain('Give the connector a display name (optional)');
    });

    test('connect with an unknown type says so and shows the picker', async () => {
      const user = makeUser();
      const client = h.chat(user, 'personal', newTenant());
      const turn = await client.say('connect nonsense');
      expect(turn.replies).toHaveLength(2);
      expect(turn.replies[0].text).toBe('I do not know a connector type "nonsense". Pick one from the list:');
      expect(cardText(cardOf(turn.replies[1]))).toContain(
        'Which connector to use for each Microsoft service',
      );
    });
  });

  test('a display name that looks like a template or a mention is shown and stored literally', async () => {
    const tenant = newTenant();
    const user = makeUser();
    const client = h.chat(user, 'personal', tenant);
    const name = '${$root.secret} {{x}} <at>y</at>';
    const step1 = await signInToFirstStep(client, 'box', name);
    expect(textBlocks(step1.card)).toContain(`Connector: ${name}`);
    const step2 = await clickOn(client, step1, 'Next');
    expect(textBlocks(step2.card)).toContain(`Connector: ${name}`);
    const done = await clickOn(client, step2, 'I confirm I signed in and allowed access');
    expect(cardText(done.card)).toContain(`**${name}** is recorded as authorized on your word`);
    expect(done.turn.updates[0].activity.entities ?? []).toEqual([]);
    expect((await h.bot.store.connectors.list(tenant)).items[0].displayName).toBe(name);
  });

  describe('reauthorize <name>', () => {
    test('a connector deleted while its reauthorization runs: nothing is saved, it says so, and it is logged', async () => {
      const tenant = newTenant();
      const creator = makeUser('Adele Vance');
      const client = h.chat(creator, 'personal', tenant);
      await authorizeSignIn(client, 'dropbox', 'Gone Dropbox');
      const [created] = (await h.bot.store.connectors.list(tenant)).items;
      const started = await client.say('reauthorize gone dropbox');
      const menu: OnScreen = { card: cardOf(started.replies[0]), cardId: String(started.replies[0].id) };
      const forged = await client.submitRaw(
        { verb: 'wizard', ...wizardData(menu.card), move: 'finish' },
        menu.cardId,
      );
      expect(forged.replies.map((r) => String(r.text ?? '')).join('\n')).toContain(
        'That button is not on the current step',
      );
      expect(h.bot.logs).toContainEqual(
        expect.objectContaining({ msg: 'wizard move refused: not on the current card', move: 'finish' }),
      );
      const step2 = await clickOn(client, menu, 'I selected Reauthorize: next');
      await h.bot.store.connectors.delete(tenant, created.id);
      const done = await clickOn(client, step2, 'I confirm I signed in and allowed access');
      expect(cardText(done.card)).toContain('This connector no longer exists');
      expect(h.bot.logs).toContainEqual(
        expect.objectContaining({
          msg: 'wizard ended: the connector being reauthorized was deleted',
          connectorId: created.id,
        }),
      );
    });

    test('by the creator runs the wizard without the name card and renews the same connector', async () => {
      const tenant = newTenant();
      const creator = makeUser('Adele Vance');
      const client = h.chat(creator, 'channel', tenant);
      await authorizeSignIn(client, 'dropbox', 'Finance Dropbox');
      const [created] = (await h.bot.store.connectors.list(tenant)).items;

      h.bot.clock.advanceDays(10);
      const started = await client.say('reauthorize finance dropbox');
      expect(started.replies).toHaveLength(1);
      const menu: OnScreen = await starterView(client, {
        card: cardOf(started.replies[0]),
        cardId: String(started.replies[0].id),
      });
      expect(textBlocks(menu.card)).toContain('Reauthorize the Dropbox Connector');
      expect(textBlocks(menu.card)).toContain('Connector: Finance Dropbox');
      expect(inputsOf(menu.card)).toEqual([]);
      // Seeds 002/003: the connector's own menu, never "Authorize New Connector" as a step.
      const menuText = cardText(menu.card);
      expect(menuText).toContain('Reauthorize: steps 1 to 4');
      expect(menuText).toContain(
        '1. Find the **Connector** type you want to reauthorize: **Dropbox Connector**.\n2. Select **Manage ▼**.\n3. For other **Connector** options, next to **Connect**, select ▼.\n4. Select **Reauthorize**.',
      );
      expect(menuText).toContain('Do not select **Authorize New Connector**');
      expect(menuText).toContain(
        '5. Follow the same steps you performed when you first created the connector',
      );

      // Then the original steps from the sign-in on: the sign-in step, not the new-connector one.
      const step2 = await clickOn(client, menu, 'I selected Reauthorize: next');
      expect(cardText(step2.card)).toContain('Step 2 of 2');
      expect(cardText(step2.card)).toContain('Sign in with a **Dropbox team admin** account');
      expect(cardText(step2.card)).not.toContain('Authorize New Connector');
      const back = await clickOn(client, step2, 'Back');
      expect(cardText(back.card)).toContain('Reauthorize: steps 1 to 4');
      const again = await clickOn(client, back, 'I selected Reauthorize: next');
      const done = await clickOn(client, again, 'I confirm I signed in and allowed access');
      expect(cardText(done.card)).toContain('**Finance Dropbox** is recorded as authorized on your word');

      const after = (await h.bot.store.connectors.list(tenant)).items;
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({
        id: created.id,
        displayName: 'Finance Dropbox',
        status: 'authorized',
        createdAt: created.createdAt,
      });
      expect(new Date(after[0].authorizedAt!).getTime() - new Date(created.authorizedAt!).getTime()).toBe(
        10 * 24 * 60 * 60 * 1000,
      );
      const actions = (await h.bot.store.audit.list(tenant, { connectorId: created.id })).map(
        (a) => a.action,
      );
      expect(actions[0]).toBe('connector.reauthorized');
      expect(actions).toContain('reauthorization.started');
      expect(actions.filter((a) => a === 'connector.created')).toHaveLength(1);
    });

    test('Office 365: the menu steps, then the cloud and step 4 (sign in) on; steps 1 to 3 never show', async () => {
      const tenant = newTenant();
      const creator = makeUser('Adele Vance');
      const client = h.chat(creator, 'personal', tenant);
      let screen = await office365ToStep(client, 'Contoso destination', 5);
      screen = await clickOn(client, screen, 'I am a global admin: continue');
      for (let step = 6; step <= 9; step++)
        screen = await clickOn(client, screen, step === 9 ? 'Finish' : 'Next');
      const [created] = (await h.bot.store.connectors.list(tenant)).items;

      const started = await client.say('reauthorize contoso destination');
      screen = { card: cardOf(started.replies[0]), cardId: String(started.replies[0].id) };
      expect(cardText(screen.card)).toContain('**Office 365 Connector**');
      expect(cardText(screen.card)).toContain('Who can do this step: **Global or SharePoint admin**');
      // Seed 000's opening warning is on step 1, which a reauthorization skips: shown here instead.
      expect(cardText(screen.card)).toContain(
        'a global admin is required to grant permissions to the Office 365 Mover app within the Azure portal',
      );
      const seen: string[] = [cardText(screen.card)];
      screen = await clickOn(client, screen, 'I selected Reauthorize: next');
      seen.push(cardText(screen.card));
      expect(cardText(screen.card)).toContain('Which Microsoft cloud');
      screen = await clickOn(client, screen, 'Next');
      seen.push(cardText(screen.card));
      expect(cardText(screen.card)).toContain('Step 4 of 9');
      expect(cardText(screen.card)).toContain('Sign in with your Microsoft admin account');
      screen = await clickOn(client, screen, 'Next');
      expect(cardText(screen.card)).toContain('Step 5 of 9');
      screen = await clickOn(client, screen, 'I am a global admin: continue');
      for (let step = 6; step <= 9; step++) {
        seen.push(cardText(screen.card));
        screen = await clickOn(client, screen, step === 9 ? 'Finish' : 'Next');
      }
      // "Authorize New Connector" only ever appears as what not to do.
      for (const text of seen) {
        for (const line of text.split('\n').filter((l) => l.includes('Authorize New Connector'))) {
          expect(line).toContain('Do not select **Authorize New Connector**');
        }
      }
      expect(seen.some((t) => t.includes('Step 1 of 9') || t.includes('Step 3 of 9'))).toBe(false);
      const after = (await h.bot.store.connectors.list(tenant)).items;
      expect(after).toHaveLength(1);
      expect(after[0].id).toBe(created.id);
    });

    test('a keys connector renews its keys after the menu steps', async () => {
      const tenant = newTenant();
      const creator = makeUser('Adele Vance');
      const client = h.chat(creator, 'personal', tenant);
      await seedConnectors(h.bot.store, [
        aConnector(tenant).named('Old keys').ofType('amazon-s3').createdBy(creator).build(),
      ]);
      const reauth = await client.say('reauthorize old keys');
      let screen: OnScreen = { card: cardOf(reauth.replies[0]), cardId: String(reauth.replies[0].id) };
      expect(cardText(screen.card)).toContain('**Amazon S3 Connector**');
      expect(cardText(screen.card)).toContain('Who can do this step: **AWS account admin (IAM)**');
      screen = await clickOn(client, screen, 'I selected Reauthorize: next');
      expect(cardText(screen.card)).toContain('Create an IAM access key for the migration');
    });

    test('by someone who did not create the connector is refused', async () => {
      const tenant = newTenant();
      const creator = makeUser('Adele Vance');
      const other = makeUser('Alex Wilber', 'alex@contoso.onmicrosoft.com');
      const client = h.chat(creator, 'channel', tenant);
      await authorizeSignIn(client, 'box', 'Legal Box');

      const refused = await client.as(other).say('reauthorize Legal Box');
      // permissions.ts words it without the comma after "who created it".
      expect(said(refused)).toMatch(/^Only Adele Vance, who created it,? can manage "Legal Box"\.$/);
      expect(refused.replies.every((r) => !r.attachments)).toBe(true);
      expect(said(await client.as(other).say('cancel'))).toContain('nothing to cancel');
      const actions = (await h.bot.store.audit.list(tenant)).map((a) => a.action);
      expect(actions).not.toContain('reauthorization.started');
    });

    test('an unknown name answers with the closest names as Reauthorize buttons', async () => {
      const tenant = newTenant();
      const user = makeUser();
      const client = h.chat(user, 'personal', tenant);
      await authorizeSignIn(client, 'egnyte', 'Design files');
      await authorizeSignIn(client, 'google-workspace', 'Sales drive');

      const turn = await client.say('reauthorize Desgn fils');
      const card = cardOf(turn.replies[0]);
      expect(cardText(card)).toContain('No connector is called "Desgn fils"');
      expect(cardText(card)).toContain('Did you mean one of these?');
      expect(actionTitles(card)[0]).toBe('Reauthorize Design files');
      expect(actionTitles(card)).toEqual(
        expect.arrayContaining(['Reauthorize Design files', 'Reauthorize Sales drive']),
      );

      const started = await client.click(card, 'Reauthorize Design files', {}, String(turn.replies[0].id));
      const wizard = cardOf(started.replies[0]);
      expect(textBlocks(wizard)).toContain('Reauthorize the Egnyte Connector');
      expect(textBlocks(wizard)).toContain('Connector: Design files');
    });
  });

  test('each step is the answer to the click, with no message update: a card Teams can no longer update does not matter', async () => {
    const tenant = newTenant();
    const user = makeUser();
    const client = h.chat(user, 'personal', tenant);
    const step1 = await signInToFirstStep(client, 'onedrive-consumer', 'Lost card');

    h.standIn.program('updateActivity', { status: 404, body: { error: { code: 'NotFound' } } });
    const { result: turn, calls } = await callsDuring(h.standIn, () =>
      client.click(step1.card, 'Next', {}, step1.cardId),
    );
    expect(calls.filter((c) => c.route === 'updateActivity')).toEqual([]);
    expect(turn.replies).toHaveLength(0);
    expect(turn.updates.map((u) => [u.activityId, u.via])).toEqual([[step1.cardId, 'invoke']]);
    const step2: OnScreen = { card: shown(turn), cardId: step1.cardId };
    expect(cardText(step2.card)).toContain('Step 2 of 2');

    const done = await clickOn(client, step2, 'I confirm I signed in and allowed access');
    expect(done.turn.updates.map((u) => u.activityId)).toEqual([step1.cardId]);
    expect(textBlocks(done.card)).toContain('OneDrive Consumer Connector authorized');
    expect((await h.bot.store.connectors.list(tenant)).items[0]).toMatchObject({ status: 'authorized' });
  });
});

describe('without CONNECTOR_APP_ID', () => {
  const { h } = useHarness();

  test('the SharePoint hand-over card gives the consent link and says the direct URL is not available', async () => {
    const tenant = newTenant();
    const user = makeUser();
    const client = h.chat(user, 'personal', tenant);
    const step5 = await office365ToStep(client, 'No app id', 5);
    const handover = await clickOn(client, step5, 'I am a SharePoint admin: hand over');
    const done = await clickOn(client, handover, 'Send the consent request', {
      adminUpn: 'ga@contoso.onmicrosoft.com',
    });
    const text = cardText(done.card);
    expect(openUrls(done.card)).toEqual([CONSENT_LINK]);
    expect(text).toContain('Direct admin-consent URL: Not available: CONNECTOR_APP_ID is not configured');
    expect(text).not.toContain('/adminconsent?');
    expect(actionTitles(done.card)).toEqual(['Open the consent link', 'Check again']);
  });
});
