import type { CardTemplate } from '../../src/cards/render';
import { helpCard, welcomeCard } from '../../src/cards/helpCards';
import { helpCardData } from '../../src/bot/helpFeature';
import { pickerCardData } from '../../src/bot/wizardFeature';
import {
  connectorPickerCard,
  messageCardData,
  wizardMessageCard,
  wizardStepCard,
} from '../../src/cards/wizardCards';
import { loadConfig } from '../../src/config/config';
import { consentLinks } from '../../src/dialogs/flows/office365Flow';

const TENANT = '44444444-4444-4444-8444-444444444444';
const config = loadConfig({ CONNECTOR_APP_ID: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346' });
const links = consentLinks({ cloud: 'global', tenantId: TENANT }, { config });

/** A template with data a real turn would bind, used to validate and picture every card. */
export interface CardSample {
  name: string;
  template: CardTemplate<never>;
  data: object;
}

function sample<T extends object>(name: string, template: CardTemplate<T>, data: T): CardSample {
  return { name, template: template as CardTemplate<never>, data };
}

/** Every card template the bot sends, with sample data. */
export const CARD_SAMPLES: CardSample[] = [
  sample(
    'help',
    helpCard,
    helpCardData(90, () => true),
  ),
  sample(
    'help-unknown-text',
    helpCard,
    helpCardData(90, () => true, 'I did not understand "make me a sandwich".'),
  ),
  sample('welcome', welcomeCard, {
    greeting:
      'Thanks for adding me, Adele Vance. I help you authorize migration connectors into Microsoft 365.',
    scopeTip: 'In this team, @mention me before a command.',
  }),
  sample('connector-picker', connectorPickerCard, pickerCardData()),
  sample('wizard-step-4', wizardStepCard, {
    wizardId: '9b2f7c1e-0d7e-4c55-9a55-2f3f4b8f1c11',
    pageKey: 'o365-4',
    title: 'Authorize the Office 365 Connector',
    subtitle: 'Connector: Contoso destination',
    progress: 'Step 4 of 9',
    who: 'Global or SharePoint admin',
    whoStyle: 'accent',
    heading: 'Sign in with your Microsoft admin account',
    instruction: 'Follow the on-screen instructions. You are redirected to a Microsoft login screen.',
    notice: '',
    noticeStyle: 'attention',
    warnings: [{ text: 'If you select **Consent on behalf of your organization** … **DO NOT do this.**' }],
    tips: [{ text: 'Turn on **User assignment required** from the Office 365 Mover app settings.' }],
    facts: [],
    code: '',
    textInputs: [],
    choiceInputs: [],
    links: [],
    peoplePicker: false,
    buttons: [
      { title: 'Next', move: 'next', style: 'positive', inputs: 'auto' },
      { title: 'Back', move: 'back', style: 'default', inputs: 'none' },
      { title: 'Cancel', move: 'cancel', style: 'destructive', inputs: 'none' },
    ],
    helpText: 'If you encounter an error on authorization, try signing out of any Microsoft accounts.',
    ownerName: 'Megan Bowen',
  }),
  sample('wizard-step-cloud', wizardStepCard, {
    wizardId: '9b2f7c1e-0d7e-4c55-9a55-2f3f4b8f1c11',
    pageKey: 'cloud',
    title: 'Authorize the Office 365 Connector',
    subtitle: 'No display name yet',
    progress: 'Before you start',
    who: 'Global or SharePoint admin',
    whoStyle: 'accent',
    heading: 'Which Microsoft cloud is your tenant in?',
    instruction: 'The Microsoft clouds are completely independent.',
    notice: 'Office 365 Germany (onmicrosoft.de) was closed.',
    noticeStyle: 'warning',
    warnings: [],
    tips: [],
    facts: [],
    code: '',
    textInputs: [
      {
        id: 'upn',
        label: 'Admin account you will sign in with',
        placeholder: 'admin@contoso.onmicrosoft.com',
        value: 'admin@contoso.onmicrosoft.de',
        style: 'email',
        maxLength: 254,
        isRequired: false,
        errorMessage: 'An email-style account name.',
      },
    ],
    choiceInputs: [
      {
        id: 'cloud',
        label: 'Microsoft cloud',
        value: 'global',
        choices: [
          { title: 'Microsoft 365 worldwide (onmicrosoft.com)', value: 'global' },
          { title: 'US Government GCC High (onmicrosoft.us)', value: 'usgovhigh' },
        ],
      },
    ],
    links: [],
    peoplePicker: false,
    buttons: [{ title: 'Next', move: 'next', style: 'positive', inputs: 'auto' }],
    helpText: 'onmicrosoft.com is Microsoft 365 worldwide.',
    ownerName: 'Megan Bowen',
  }),
  sample('wizard-step-consent', wizardStepCard, {
    wizardId: '9b2f7c1e-0d7e-4c55-9a55-2f3f4b8f1c11',
    pageKey: 'o365-6',
    title: 'Authorize the Office 365 Connector',
    subtitle: 'Connector: Contoso destination',
    progress: 'Step 6 of 9',
    who: 'Global admin',
    whoStyle: 'warning',
    heading: 'Open Enterprise applications',
    instruction: 'Log in to the Azure Portal via the consent link below.',
    notice: '',
    noticeStyle: 'attention',
    warnings: [],
    tips: [],
    facts: links.facts,
    code: '',
    textInputs: [],
    choiceInputs: [],
    links: links.links,
    peoplePicker: false,
    buttons: [{ title: 'Next', move: 'next', style: 'positive', inputs: 'auto' }],
    helpText: 'Only a global admin can grant tenant-wide consent.',
    ownerName: 'Megan Bowen',
  }),
  sample(
    'wizard-done',
    wizardMessageCard,
    messageCardData({
      title: 'Connect your destination Office 365 account',
      text: 'If you are not already connected after you have authorized your destination, select **Office 365**.',
      style: 'good',
      facts: [{ title: 'Status', value: 'authorized' }],
      buttons: [
        {
          title: 'Show connectors',
          style: 'default',
          verb: 'command',
          command: 'connectors',
          args: '',
          wizardId: '',
          move: '',
        },
      ],
    }),
  ),
];
