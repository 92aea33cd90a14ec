import type { CardTemplate } from '../../../src/cards/render';
import { markdown, md } from '../../../src/cards/markdown';
import { helpCard, retirementNotice, welcomeCard } from '../../../src/cards/helpCards';
import { helpCardData } from '../../../src/bot/features/help/helpFeature';
import { pickerCardData, WIZARD_CONTROL_VERB } from '../../../src/bot/features/wizard/wizardFeature';
import { connectorPickerCard, consentCheckButton, wizardStepCard } from '../../../src/cards/wizardCards';
import { messageCardData, messageCard } from '../../../src/cards/messageCard';
import { loadConfig } from '../../../src/config/config';
import { UTC_DATES } from '../../../src/util/dates';
import { consentLinks } from '../../../src/connectors/consentLinks';
import { Office365Flow } from '../../../src/dialogs/flows/office365Flow';
import { NAME_PAGE } from '../../../src/dialogs/stepCardDialog';
import { stepCardData } from '../../../src/dialogs/stepCardData';
import type { FlowEnv, WizardState } from '../../../src/dialogs/wizardFlow';
import { ROLES_VERBS } from '../../../src/bot/features/roles/rolesShared';
import { diagnosticsCardSamples } from '../diagnostics/sampleFindings';
import { consentRequestAttachment } from '../../../src/bot/features/consent/consentHandover';
import {
  closedForRequesterAttachment,
  handledAttachment,
} from '../../../src/bot/features/consent/consentRequests';
import { consentHandledCard, consentListCard } from '../../../src/cards/consentCards';
import { openConsentRequest, type ConsentRequest } from '../../../src/connectors/consentRequest';
import {
  closedView,
  deletedView,
  replacedView,
  waitingView,
} from '../../../src/bot/features/consent/consentRequestViews';
import {
  connectorListCard,
  connectorStatusCard,
  deleteConfirmCard,
} from '../../../src/cards/connectorsCards';
import { deauthorizedNoticeCard, expiryDigestCard, subscriptionCard } from '../../../src/cards/noticeCards';
import { askOwnerText, digestView } from '../../../src/notify/digestView';
import { defineTemplate } from '../../../src/cards/render';
import { revocationCheckCard } from '../../../src/cards/revocationCards';
import { revocationCardData } from '../../../src/bot/features/connectors/revocationFeature';
import { moverRetirementCardData } from '../../../src/connectors/moverRetirement';
import { connectorType } from '../../../src/connectors/catalog';
import { adminConsentRequestsUrl } from '../../../src/connectors/clouds';
import { consentWorkflowRowOf } from '../../../src/bot/consentWorkflowReading';
import type { Connector } from '../../../src/connectors/connector';
import {
  rolesApprovalCard,
  rolesAssignCard,
  rolesCheckCard,
  targetsListCard,
} from '../../../src/cards/rolesCards';
import { APPROVER_NOTE, DIRECT_ASSIGNMENTS_NOTE, MFA_NOTES } from '../../../src/directoryRoles/accountCheck';
import { publicFolderHow, TARGET_KINDS } from '../../../src/directoryRoles/requirements';

const TENANT = '44444444-4444-4444-8444-444444444444';
const config = loadConfig({ CONNECTOR_APP_ID: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346' });
const links = consentLinks({ cloud: 'global', tenantId: TENANT }, { config });

const office365 = new Office365Flow();
// Views read only the settings; they never touch the turn.
const flowEnv: FlowEnv = {
  config,
  context: undefined as never,
  dates: UTC_DATES,
  showProgress: async () => undefined,
};

/** A wizard of the Office 365 Connector on `page`, as Megan Bowen would have it. */
function office365State(page: string, history: string[], overrides: Partial<WizardState> = {}): WizardState {
  return {
    wizardId: '9b2f7c1e-0d7e-4c55-9a55-2f3f4b8f1c11',
    type: 'office365',
    tenantId: TENANT,
    owner: { id: '29:megan', name: 'Megan Bowen' },
    connectorId: '7f0b7c1e-0d7e-4c55-9a55-2f3f4b8f1c22',
    reauthorize: false,
    displayName: page === 'cloud' ? '' : 'Contoso destination',
    page,
    history,
    cloud: 'global',
    startedAt: '2026-03-02T09:00:00.000Z',
    ...overrides,
  };
}

function wizardConnector(status: Connector['status']): Connector {
  return {
    id: '7f0b7c1e-0d7e-4c55-9a55-2f3f4b8f1c22',
    tenantId: TENANT,
    type: 'office365',
    displayName: 'Contoso destination',
    status,
    createdAt: '2026-03-02T09:00:00.000Z',
    authorizedAt: '2026-03-02T09:00:00.000Z',
    cloud: 'global',
    version: 1,
  };
}

/** One step of the Office 365 wizard, built as a turn builds it. */
function office365Step(
  name: string,
  page: string,
  history: string[],
  overrides: Partial<WizardState> = {},
): CardSample {
  const state = office365State(page, history, overrides);
  return sample(
    name,
    wizardStepCard,
    stepCardData(office365.type, state, office365.view(state, page, flowEnv)),
  );
}

/** The same step in a channel: the starter's view with the controls, or everyone else's read-only one. */
function office365SharedStep(name: string, page: string, history: string[], controls: boolean): CardSample {
  const state = office365State(page, history, {
    owner: {
      id: 'b1c2d3e4-0d7e-4c55-9a55-2f3f4b8f1c33',
      name: 'Megan Bowen',
      teamsId: '29:1bSnHZ7Js2-megan',
    },
  });
  return sample(
    name,
    wizardStepCard,
    stepCardData(office365.type, state, office365.view(state, page, flowEnv), '', 'attention', {
      shared: true,
      controls,
      refreshUserIds: ['29:1bSnHZ7Js2-megan'],
    }),
  );
}

/** A template with data a real turn would bind, used to validate and picture every card. */
const DIGEST_RULE =
  "Connectors are automatically deauthorized if they haven't transferred any data in the last 90 days. At zero days the connector is deauthorized: loading it shows an error and a prompt to reauthorize it. Record a transfer or reauthorize to restart the clock.";

const DIGEST_REFRESH = {
  verb: 'expiryDigestView',
  userIds: [
    '29:1bSnHZ7Js2STWrgk6ScEErLk1Lp2zQuD5H2qQ960rtvstKp8tKLl-3r8b6DoW0QxZimuTxk_kupZ1DBMpvIQQUAZL-PNj0EORDvRZXy8kvWk',
    '29:1Qk3lM0vB8cYwN2sPq7RtUx4Zd9Ea6Fh1Gj5Kl-8Mn3Op0Qr6St2Uv9Wx4Yz7Ab1Cd5Ef8Gh2Ij6Kl0Mn3Op7Qr1St4Uv8Wx2Yz5Ab9C',
  ],
  rows: [
    { id: 'a', periodStart: '2026-02-20T14:05:00.000Z', threshold: 7 },
    { id: 'b', periodStart: '2026-03-13T09:00:00.000Z', threshold: 30 },
  ],
  hidden: 0,
};

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
    retirement: retirementNotice(moverRetirementCardData()),
  }),
  sample('connector-picker', connectorPickerCard, pickerCardData()),
  // The wizard's cards from the real flow (the catalog's steps) and the real step-card builder.
  office365Step('wizard-step-cloud', 'cloud', [NAME_PAGE], { upn: 'admin@contoso.onmicrosoft.de' }),
  office365Step('wizard-step-4', 'o365-4', [NAME_PAGE, 'cloud', 'o365-1', 'o365-2', 'o365-3']),
  office365SharedStep('wizard-step-cloud-channel-starter', 'cloud', [NAME_PAGE], true),
  office365SharedStep('wizard-step-cloud-channel-others', 'cloud', [NAME_PAGE], false),
  office365Step('wizard-step-5', 'o365-5', [NAME_PAGE, 'cloud', 'o365-1', 'o365-2', 'o365-3', 'o365-4']),
  office365Step(
    'wizard-step-consent',
    'o365-6',
    [NAME_PAGE, 'cloud', 'o365-1', 'o365-2', 'o365-3', 'o365-4', 'o365-5'],
    { role: 'global' },
  ),
  sample('wizard-step-5-graph', wizardStepCard, {
    wizardId: '9b2f7c1e-0d7e-4c55-9a55-2f3f4b8f1c11',
    pageKey: 'o365-5',
    title: 'Authorize the Office 365 Connector',
    subtitle: 'Connector: Contoso destination',
    progress: 'Step 5 of 9',
    who: 'Global or SharePoint admin',
    whoStyle: 'accent',
    heading: 'Are you a global admin?',
    instruction:
      'If you are a global admin, continue with steps 6 to 9. If you are a SharePoint admin, hand over.',
    notice: '',
    noticeStyle: 'attention',
    warnings: [],
    tips: [
      {
        text: 'Microsoft Graph reports that you are SharePoint Administrator, not a Global Administrator, so I pre-selected the hand-over: only a global admin can grant tenant-wide consent. You can still choose steps 6 to 9.',
      },
    ],
    facts: [{ title: 'Microsoft Graph reports', value: 'you are SharePoint Administrator' }],
    code: '',
    textInputs: [],
    choiceInputs: [],
    links: [],
    peoplePicker: false,
    buttons: [
      {
        title: 'I am a SharePoint admin: hand over',
        move: 'role:sharepoint',
        style: 'positive',
        inputs: 'none',
      },
      { title: 'I am a global admin: continue', move: 'role:global', style: 'default', inputs: 'none' },
      { title: 'Back', move: 'back', style: 'default', inputs: 'none' },
      { title: 'Cancel', move: 'cancel', style: 'destructive', inputs: 'none' },
    ],
    helpText: 'If you encounter an error on authorization, try signing out of any Microsoft accounts.',
    ownerName: 'Sam SharePoint',
    shared: false,
    refreshUserIds: [],
    controls: true,
    viewerNote: '',
  }),
  sample(
    'wizard-done-consent-not-verified',
    messageCard,
    messageCardData({
      title: 'Admin consent is not verified yet',
      text: 'Only user consent was given (for individual users), not admin consent for the organization. A global admin must select "Grant admin consent for Mover". Consent can take a few minutes to replicate; check again shortly.',
      style: 'warning',
      paragraphs: [
        {
          text: 'Missing: **Create, edit, and delete items and lists in all your site collections** (Create or delete document libraries and lists in all site collections on your behalf.)',
        },
        {
          text: '**Contoso destination** stays **awaiting-consent**: I mark it authorized only when Microsoft Graph confirms the admin consent. Grant it with the links below (steps 6 to 9), then click Check again.',
        },
      ],
      facts: [
        { title: 'Connector', value: 'Contoso destination' },
        { title: 'Status', value: 'awaiting-consent' },
        ...links.facts,
      ],
      links: links.links,
      buttons: [consentCheckButton('7f0b7c1e-0d7e-4c55-9a55-2f3f4b8f1c22')],
    }),
  ),
  sample(
    'wizard-resume-or-restart',
    messageCard,
    messageCardData({
      title: 'A wizard is already open here',
      text: 'Megan Bowen started authorizing the Box Connector (Finance Box) and is at "Step 1 of 2: Sign in to Box". Resume it, or start over?',
      buttons: [
        {
          title: 'Resume',
          style: 'positive',
          verb: WIZARD_CONTROL_VERB,
          command: '',
          args: '',
          wizardId: 'w-1',
          move: 'resume',
          connectorId: '',
        },
        {
          title: 'Start over',
          style: 'destructive',
          verb: WIZARD_CONTROL_VERB,
          command: 'connect',
          args: 'box',
          wizardId: 'w-1',
          move: 'restart',
          connectorId: '',
        },
      ],
    }),
  ),
  sample(
    'roles-removal-offer',
    messageCard,
    messageCardData({
      title: 'Remove the roles I assigned to admin@contoso.onmicrosoft.com?',
      text: 'I assigned these directory roles to admin@contoso.onmicrosoft.com for the SharePoint target connection you removed. Remove them too if the account no longer needs them; roles I did not assign are not touched.',
      style: 'warning',
      facts: [
        {
          title: 'SharePoint Administrator',
          value: 'assigned 2026-03-02 09:00 UTC, until 2026-04-01 09:00 UTC',
        },
      ],
      buttons: [
        {
          title: 'Remove these roles',
          style: 'destructive',
          verb: ROLES_VERBS.removeGrants,
          command: '',
          args: 't-1',
          wizardId: '',
          move: '',
          connectorId: '',
        },
      ],
    }),
  ),
  sample(
    'wizard-done',
    messageCard,
    office365.done(office365State('o365-9', [], { role: 'global' }), wizardConnector('authorized'), flowEnv),
  ),
  sample(
    'wizard-done-awaiting-consent',
    messageCard,
    office365.done(
      office365State('o365-5', [], { role: 'sharepoint' }),
      wizardConnector('awaiting-consent'),
      flowEnv,
    ),
  ),
  sample('roles-check-failed', rolesCheckCard, {
    title: 'Roles of Sam SharePoint',
    subtitle: 'Exchange Online mailboxes · Microsoft 365 worldwide · checked 2026-03-02 09:00 UTC',
    verdict: 'The check failed',
    verdictStyle: 'attention',
    problems: [{ text: 'spadmin@contoso.com is blocked from signing in (account disabled).' }],
    facts: [
      { title: 'Admin account', value: 'Sam SharePoint (spadmin@contoso.com)' },
      {
        title: 'Cloud',
        value: 'Microsoft 365 worldwide (custom domain; tenant’s initial domain contoso.onmicrosoft.com)',
      },
      { title: 'Sign-in', value: '✗ blocked' },
      { title: 'Licensed', value: 'yes: 1 licence, with Exchange Online' },
      { title: 'Other roles', value: 'SharePoint Administrator' },
    ],
    present: [],
    missing: [],
    optional: [
      {
        name: 'User Administrator (CodeTwo’s “User management administrator”)',
        status: 'not assigned; only to create new mailboxes on the target',
        why: 'Needed to create new mailboxes on the target. CodeTwo needs the User management administrator role only to create new mailboxes on the target server; clear its checkbox in the wizard if every target mailbox exists.',
      },
    ],
    unchecked: [
      {
        name: 'The management roles CodeTwo’s wizard lists',
        status: 'cannot be checked with Microsoft Graph',
        why: 'Needed to access the target mailboxes through Exchange Web Services (EWS). They are Exchange Online roles, not Microsoft Entra directory roles. Let CodeTwo assign them: click Configure in its Target server connection wizard and accept with Yes.',
      },
      {
        name: 'Public Folders (Public Folder Management role group)',
        status: 'cannot be checked with Microsoft Graph; only to migrate public folders',
        why: `Needed to migrate public folders. ${publicFolderHow('spadmin@contoso.com')}`,
      },
    ],
    notes: [
      { text: DIRECT_ASSIGNMENTS_NOTE },
      {
        text: 'CodeTwo recommends entering this account’s primary email address from the *.onmicrosoft.com domain (for example admin@my-company.onmicrosoft.com): it prevents issues if you change the domain on your target server during the migration.',
      },
      { text: MFA_NOTES.exchange },
    ],
    subject: '0b7c2f4e-8d0e-4a55-9a55-2f3f4b8f1c11',
    kind: 'exchange',
    kindChoices: TARGET_KINDS.map((k) => ({ title: k.label, value: k.id })),
    canAssign: true,
    defined: false,
  }),
  sample('roles-check-passed', rolesCheckCard, {
    title: 'Roles of Adele Admin',
    subtitle:
      'Office 365 (SharePoint Online and OneDrive) · Microsoft 365 worldwide · checked 2026-03-02 09:00 UTC',
    verdict:
      'The check passed: admin@contoso.onmicrosoft.com can be the admin account of your Office 365 target. It is saved as a defined target connection.',
    verdictStyle: 'good',
    problems: [],
    facts: [{ title: 'Admin account', value: 'Adele Admin (admin@contoso.onmicrosoft.com)' }],
    present: [
      {
        name: 'Global Administrator or SharePoint Administrator',
        status: 'held as Global Administrator',
        why: 'Needed to authorize the connector.',
      },
    ],
    missing: [],
    optional: [],
    unchecked: [],
    notes: [{ text: MFA_NOTES.office365 }],
    subject: '0b7c2f4e-8d0e-4a55-9a55-2f3f4b8f1c11',
    kind: 'office365',
    kindChoices: TARGET_KINDS.map((k) => ({ title: k.label, value: k.id })),
    canAssign: false,
    defined: true,
  }),
  sample('roles-check-wrong-cloud', rolesCheckCard, {
    title: 'Target connection check',
    subtitle: 'Office 365 (SharePoint Online and OneDrive) · Microsoft 365 worldwide',
    verdict: 'The check failed: the account is in another cloud',
    verdictStyle: 'attention',
    problems: [
      {
        text: 'admin@contoso.onmicrosoft.us belongs to US Government GCC High or US Government DoD, but this bot works with Microsoft 365 worldwide (CLOUD=global).',
      },
    ],
    facts: [{ title: 'Admin account', value: 'admin@contoso.onmicrosoft.us' }],
    present: [],
    missing: [],
    optional: [],
    unchecked: [],
    notes: [{ text: MFA_NOTES.office365 }],
    subject: 'admin@contoso.onmicrosoft.us',
    kind: 'office365',
    kindChoices: TARGET_KINDS.map((k) => ({ title: k.label, value: k.id })),
    canAssign: false,
    defined: false,
  }),
  sample('roles-assign-by-asker', rolesAssignCard, {
    title: 'Assign missing roles to Megan Member',
    subtitle: 'megan@contoso.onmicrosoft.com · Exchange Online mailboxes',
    modeText: 'You are a Global Administrator: I assign the checked roles with Microsoft Graph.',
    modeStyle: 'accent',
    subject: '0b7c2f4e-8d0e-4a55-9a55-2f3f4b8f1c11',
    kind: 'exchange',
    roles: [
      {
        inputId: 'role-fe930be7-5e62-47db-91af-98c3a49a38b1',
        label: 'User Administrator (optional: only to create new mailboxes on the target)',
        title: 'Assign User Administrator',
        value: 'false',
        why: 'CodeTwo needs the User management administrator role only to create new mailboxes on the target server.',
      },
    ],
    manual: [
      {
        name: 'The management roles CodeTwo’s wizard lists',
        how: 'Let CodeTwo assign them: click Configure in its Target server connection wizard and accept with Yes, or assign the roles its Admin account step shows in the Exchange admin center (Roles > Admin roles).',
      },
      {
        name: 'Public Folders (Public Folder Management role group)',
        how: publicFolderHow('megan@contoso.onmicrosoft.com'),
      },
    ],
    approvers: [],
    approver: '',
    askApproverUpn: false,
    submitTitle: 'Assign checked roles',
    durationText:
      'Each role is assigned for 30 days, until 2026-04-01 09:00 UTC: a time-bound assignment with Privileged Identity Management (ROLE_ASSIGNMENT_DAYS), renewed by asking again.',
    offerPermanent: true,
  }),
  sample('roles-assign-for-approval', rolesAssignCard, {
    title: 'Assign missing roles to Megan Member',
    subtitle: 'megan@contoso.onmicrosoft.com · Office 365 (SharePoint Online and OneDrive)',
    modeText: 'Assigning directory roles takes a Global Administrator or a Privileged Role Administrator.',
    modeStyle: 'warning',
    subject: '0b7c2f4e-8d0e-4a55-9a55-2f3f4b8f1c11',
    kind: 'office365',
    roles: [
      {
        inputId: 'role-f28a1f50-f6e7-4571-818b-6a12f2af6b6c',
        label: 'SharePoint Administrator (required)',
        title: 'Assign SharePoint Administrator',
        value: 'true',
        why: 'Steps 1 to 5 of the Office 365 Connector’s authorization need a global or SharePoint admin. SharePoint Administrator is the less privileged of the two.',
      },
    ],
    manual: [],
    approvers: [
      { title: 'Adele Admin (admin@contoso.onmicrosoft.com)', value: '7d0c1e2f-3a4b-4c5d-8e6f-708192a3b4c5' },
    ],
    approver: '7d0c1e2f-3a4b-4c5d-8e6f-708192a3b4c5',
    askApproverUpn: false,
    submitTitle: 'Send for approval',
    durationText:
      'Each role is assigned for 30 days, until 2026-04-01 09:00 UTC: a time-bound assignment with Privileged Identity Management (ROLE_ASSIGNMENT_DAYS), renewed by asking again. The global admin who approves decides whether a permanent assignment may replace it where the tenant cannot make time-bound ones.',
    offerPermanent: false,
  }),
  sample('roles-assign-approver-by-upn', rolesAssignCard, {
    title: 'Assign missing roles to Sam SharePoint',
    subtitle: 'spadmin@contoso.onmicrosoft.com · Office 365 (SharePoint Online and OneDrive)',
    modeText: 'Assigning directory roles takes a Global Administrator or a Privileged Role Administrator.',
    modeStyle: 'warning',
    subject: '0b7c2f4e-8d0e-4a55-9a55-2f3f4b8f1c11',
    kind: 'office365',
    roles: [
      {
        inputId: 'role-62e90394-69f5-4237-9190-012177145e10',
        label: 'Global Administrator (optional: only to grant the admin consent)',
        title: 'Assign Global Administrator',
        value: 'false',
        why: 'Only a Global Administrator can grant the tenant-wide admin consent.',
      },
    ],
    manual: [],
    approvers: [],
    approver: '',
    askApproverUpn: true,
    submitTitle: 'Send for approval',
    durationText: 'Each role is assigned for 30 days, until 2026-04-01 09:00 UTC.',
    offerPermanent: false,
  }),
  sample('roles-approval', rolesApprovalCard, {
    requestId: '5a1f0c2e-9b8d-4e7f-a6b5-c4d3e2f1a0b9',
    title: 'Approve directory roles for Megan Member',
    text: md`Megan Member asks you, as a global admin, to approve Microsoft Entra roles for **${'megan@contoso.onmicrosoft.com'}**.`,
    facts: [
      { title: 'Requested by', value: 'Megan Member' },
      { title: 'Tenant', value: TENANT },
      {
        title: 'Answer by',
        value: '2026-04-01 09:00 UTC (CONSENT_REQUEST_DAYS); later the requester asks again',
      },
      {
        title: 'Duration',
        value: 'for 30 days, until 2026-04-01 09:00 UTC (time-bound, ROLE_ASSIGNMENT_DAYS)',
      },
    ],
    roles: [
      {
        inputId: 'decision-f28a1f50-f6e7-4571-818b-6a12f2af6b6c',
        label: 'SharePoint Administrator',
        why: 'Needed to authorize the connector.',
      },
      {
        inputId: 'decision-62e90394-69f5-4237-9190-012177145e10',
        label: 'Global Administrator',
        why: 'Needed to grant the admin consent.',
      },
    ],
    note: APPROVER_NOTE,
    refresh: {
      verb: 'rolesApprovalView',
      userIds: [
        '29:1Qk3lM0vB8cYwN2sPq7RtUx4Zd9Ea6Fh1Gj5Kl-8Mn3Op0Qr6St2Uv9Wx4Yz7Ab1Cd5Ef8Gh2Ij6Kl0Mn3Op7Qr1St4Uv8Wx2Yz5Ab9C',
      ],
    },
  }),
  sample('targets-list', targetsListCard, {
    title: 'Defined target connections',
    summary: 'Admin accounts whose target connection check passed.',
    empty: 'No target connection is defined yet.',
    rows: [
      {
        id: 'exchange:0b7c2f4e-8d0e-4a55-9a55-2f3f4b8f1c11',
        title: 'spadmin@contoso.onmicrosoft.com',
        subtitle: 'Exchange Online mailboxes',
        status: 'check passed',
        statusColor: 'Default',
        facts: [
          { title: 'Tenant', value: TENANT },
          { title: 'Cloud', value: 'Microsoft 365 worldwide' },
          { title: 'Admin account', value: 'Sam SharePoint (spadmin@contoso.onmicrosoft.com)' },
          { title: 'Roles', value: 'SharePoint Administrator, Exchange Administrator' },
          {
            title: 'Checked',
            value:
              '2026-03-02 09:00 UTC by Adele Admin, with Microsoft Graph (cloud, sign-in, licence, directory roles)',
          },
          {
            title: 'Connection',
            value:
              'not tested by me: CodeTwo tests it when you click Configure in its Target server connection wizard, and lists it under Defined target server connections once that succeeds',
          },
        ],
      },
    ],
  }),
  sample('targets-list-empty', targetsListCard, {
    title: 'Defined target connections',
    summary: 'Admin accounts whose target connection check passed.',
    empty: 'No target connection is defined yet. Type roles to check an admin account.',
    rows: [],
  }),
  ...diagnosticsCardSamples(),
  ...connectorsAndNoticeSamples(),
  ...userSpecificViewSamples(),
];

/** The consent request card's refreshed views: read-only while open, verified, expired for the requester, replaced, deleted. */
function consentRequestViewSamples(
  opened: ConsentRequest,
  declined: ConsentRequest,
  expired: ConsentRequest,
): CardSample[] {
  const reviewerId = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
  const live = {
    ...opened,
    reviewers: opened.reviewers.map((r, i) => (i === 0 ? { ...r, id: reviewerId } : r)),
    forwards: [
      {
        from: { id: reviewerId, name: 'Adele Admin' },
        to: { upn: 'carol@contoso.onmicrosoft.com', name: 'Carol', via: 'forwarded' as const },
        at: '2026-03-02T12:00:00.000Z',
      },
    ],
    report: {
      by: { id: reviewerId, name: 'Adele Admin' },
      at: '2026-03-02T13:00:00.000Z',
      check: 'pending' as const,
    },
  };
  const approved = {
    ...live,
    state: 'approved' as const,
    report: undefined,
    handledBy: { id: reviewerId, name: 'Adele Admin', at: '2026-03-02T14:00:00.000Z' },
  };
  return [
    sample(
      'consent-request-waiting',
      consentHandledCard,
      waitingView(live, UTC_DATES, { checkAgain: true, askAgain: false }),
    ),
    sample('consent-request-verified', consentHandledCard, closedView(approved)),
    sample(
      'consent-request-declined-requester-view',
      consentHandledCard,
      closedView(declined, UTC_DATES, { checkAgain: false, askAgain: true }),
    ),
    sample(
      'consent-request-expired-requester-view',
      consentHandledCard,
      closedView(expired, UTC_DATES, { checkAgain: false, askAgain: true }),
    ),
    sample(
      'consent-request-replaced',
      consentHandledCard,
      replacedView(live, '2026-03-05T09:00:00.000Z', UTC_DATES),
    ),
    sample(
      'consent-request-connector-deleted',
      consentHandledCard,
      deletedView(live, { by: 'Megan Bowen', at: '2026-03-06T09:00:00.000Z' }, UTC_DATES),
    ),
  ];
}

/** The consent request as reviewers get it (several, roles), handled, the requester's outcome, the list, a declined status. */
function consentRequestSamples(connector: Connector): CardSample[] {
  const roleConfig = loadConfig({
    CONNECTOR_APP_ID: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
    CONSENT_REVIEWER_ROLES:
      'Privileged Role Administrator,Cloud Application Administrator,Application Administrator',
  });
  const opened = openConsentRequest(
    {
      id: '0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6',
      tenantId: TENANT,
      connectorId: connector.id,
      connectorName: 'Contoso destination',
      requester: { id: 'sam', name: 'Sam SharePoint', conversationId: 'a:1' },
      reviewers: [
        {
          id: 'a1',
          name: 'Adele Admin',
          upn: 'adele@contoso.onmicrosoft.com',
          via: 'role',
          role: 'Global Administrator',
        },
        {
          id: 'b2',
          name: 'Bob App',
          upn: 'bob@contoso.onmicrosoft.com',
          via: 'role',
          role: 'Cloud Application Administrator',
        },
        { name: 'carol@contoso.onmicrosoft.com', upn: 'carol@contoso.onmicrosoft.com', via: 'named' },
      ],
      roles: ['Global Administrator', 'Cloud Application Administrator'],
    },
    new Date('2026-03-02T09:00:00.000Z'),
    30,
  );
  const declined = {
    ...opened,
    state: 'declined' as const,
    reason: 'We do not grant Sites.Manage.All to third-party apps; use a site-scoped app instead.',
    handledBy: { id: 'b2', name: 'Bob App', at: '2026-03-03T10:00:00.000Z' },
  };
  const expired = {
    ...opened,
    id: 'e',
    state: 'expired' as const,
    reason: 'no reviewer decided before the deadline',
  };
  const reviewerCard = consentRequestAttachment(
    { config: roleConfig, graph: { configured: true } },
    connector,
    'Sam SharePoint',
    opened,
  ).content as object;
  return [
    sample(
      'consent-request-reviewers',
      defineTemplate<Record<string, never>>('consent-request', reviewerCard),
      {},
    ),
    sample(
      'consent-handled-declined',
      defineTemplate<Record<string, never>>('consent-handled', handledAttachment(declined).content as object),
      {},
    ),
    sample(
      'consent-handled-expired',
      defineTemplate<Record<string, never>>('consent-handled', handledAttachment(expired).content as object),
      {},
    ),
    ...consentRequestViewSamples(opened, declined, expired),
    sample(
      'consent-declined-requester',
      defineTemplate<Record<string, never>>(
        'message',
        closedForRequesterAttachment(declined).content as object,
      ),
      {},
    ),
    sample('consent-list', consentListCard, {
      title: 'Consent requests',
      summary: '2 requests, newest first. Buttons show where you review a request or asked for it.',
      rows: [
        {
          connectorName: 'Contoso destination',
          stateText: 'open until 2026-04-01 09:00 UTC',
          color: 'Accent',
          facts: [
            { title: 'Asked by', value: 'Sam SharePoint' },
            { title: 'Reviewers', value: 'Adele Admin, Bob App, carol@contoso.onmicrosoft.com' },
            { title: 'Age', value: '3 days (asked 2026-03-02 09:00 UTC)' },
          ],
          actions: [
            {
              title: 'Review Contoso destination',
              style: 'positive',
              verb: 'consentReview',
              command: '',
              args: connector.id,
              connectorId: connector.id,
              requestId: opened.id,
            },
          ],
        },
        {
          connectorName: 'Fabrikam archive',
          stateText: 'declined by Bob App',
          color: 'Attention',
          facts: [
            { title: 'Asked by', value: 'Sam SharePoint' },
            { title: 'Reviewers', value: 'Bob App' },
            { title: 'Age', value: '12 days (asked 2026-02-21 09:00 UTC)' },
            { title: 'Reason', value: declined.reason },
          ],
          actions: [],
        },
      ],
    }),
  ];
}

function connectorsAndNoticeSamples(): CardSample[] {
  const connector: Connector = {
    id: '7f0b7c1e-0d7e-4c55-9a55-2f3f4b8f1c22',
    tenantId: TENANT,
    type: 'office365',
    displayName: 'Contoso destination',
    status: 'awaiting-consent',
    createdBy: '0b7c2f4e-8d0e-4a55-9a55-2f3f4b8f1c11',
    createdByName: 'Sam SharePoint',
    createdAt: '2026-03-02T09:00:00.000Z',
    authorizedAt: '2026-03-02T09:00:00.000Z',
    cloud: 'global',
    version: 2,
  };
  // The consent request is bound by the bot layer; its bound JSON becomes a fixed "template" here.
  const consentJson = consentRequestAttachment({ config }, connector, 'Sam SharePoint').content as object;
  const row = (
    displayName: string,
    typeName: string,
    status: string,
    stateText: string,
    daysLeft: string,
    days: number,
    askOwner = '',
  ) => ({
    id: `id-${displayName}`,
    version: 1,
    displayName,
    typeName,
    status,
    statusColor: (status === 'deauthorized'
      ? 'Attention'
      : status === 'awaiting-consent'
        ? 'Accent'
        : 'Default') as 'Default' | 'Attention' | 'Accent',
    stateText,
    lastTransfer: '2026-02-20 14:05 UTC',
    daysLeft,
    daysColor: (days < 30 ? 'Attention' : 'Default') as 'Default' | 'Attention',
    canManage: askOwner === '',
    askOwner,
  });
  return [
    sample('consent-request', defineTemplate<Record<string, never>>('consent-request', consentJson), {}),
    ...consentRequestSamples(connector),
    sample('connector-list', connectorListCard, {
      title: 'Connectors of this tenant',
      summary: 'Deauthorized after 90 days without a transfer. Red: under 30 days left.',
      rows: [
        row(
          'Contoso destination',
          'Office 365 Connector',
          'authorized',
          'authorized, verified 2026-03-02 09:10 UTC by the Microsoft Graph consent check',
          '62 days left',
          62,
        ),
        row(
          'Finance Box',
          'Box Connector',
          'authorized',
          'authorized, reported by Ada Lovelace on 2026-02-20 14:05 UTC, not verified',
          '12 days left',
          12,
        ),
        row(
          'Archive blobs',
          'Azure Blob Storage Connector',
          'deauthorized',
          'deauthorized (was authorized, verified 2025-09-02 09:00 UTC by listing the storage containers with the keys)',
          'reauthorize to use',
          0,
        ),
      ],
      buttons: [{ title: 'Show more', command: 'connectors', args: 'more abc' }],
      readOnly: false,
      refresh: {
        connectorIds: [connector.id],
        next: 'abc',
        page: 'first',
        userIds: [
          '29:1aAaaAAaAaaAaAaaAAaaAaaAaaAAaAaAaAAaAaaaAAaAaaAAAaaAaAaAaaAAaaAAaAaAaAaAAaAaaaAaAAaAaAAaAaaAaAaaAaA',
        ],
      },
    }),
    sample('connector-status', connectorStatusCard, {
      id: connector.id,
      version: 2,
      displayName: 'Archive blobs',
      typeName: 'Azure Blob Storage Connector',
      status: 'deauthorized',
      alert:
        "No transfer is recorded for this connector in the last 90 days, and Mover automatically deauthorizes connectors that haven't transferred any data in that time. Reauthorize it to use it again.",
      advice:
        'Reauthorizing a connector is sometimes necessary if we lose authorization or access to your cloud storage accounts or web servers. Reauthorizing is also a good first step in trying to resolve most issues with your connectors.',
      askAgain: false,
      consentRequests: false,
      facts: [
        {
          title: 'Status',
          value:
            'deauthorized (was authorized, verified 2025-11-02 09:00 UTC by listing the storage containers with the keys)',
        },
        { title: 'Created', value: '2025-11-02 09:00 UTC by Sam SharePoint' },
        { title: 'Last recorded transfer', value: '2025-12-01 10:00 UTC' },
      ],
      refreshUserIds: [
        '29:1aAaaAAaAaaAaAaaAAaaAaaAaaAAaAaAaAAaAaaaAAaAaaAAAaaAaAaAaaAAaaAAaAaAaAaAAaAaaaAaAAaAaAAaAaaAaAaaAaA',
      ],
      canManage: true,
      canRecordTransfer: false,
      askOwner: '',
      evidence: { text: '', note: '', at: '', buttonTitle: '' },
      consentWorkflow: { text: '', facts: [], note: '', linkTitle: '', linkUrl: '' },
      events: [
        { at: '2026-03-01 09:00 UTC', text: 'deauthorized for inactivity by scanner' },
        { at: '2025-12-01 10:00 UTC', text: 'transfer recorded by Sam SharePoint' },
      ],
    }),
    sample('connector-status-entra-refused', connectorStatusCard, {
      id: connector.id,
      version: 4,
      displayName: 'Contoso destination',
      typeName: connectorType('office365').name,
      status: 'authorized',
      alert: '',
      advice: '',
      askAgain: false,
      consentRequests: true,
      facts: [
        {
          title: 'Status',
          value: 'authorized, verified 2026-03-01 09:00 UTC by Graph’s admin-consent check',
        },
        { title: 'Admin consent', value: 'verified 2026-03-01 09:00 UTC' },
      ],
      refreshUserIds: [],
      canManage: true,
      canRecordTransfer: true,
      askOwner: '',
      evidence: { text: '', note: '', at: '', buttonTitle: '' },
      // What the bot shows when the Graph app holds neither permission (both reads answered 403).
      consentWorkflow: consentWorkflowRowOf(
        {
          kind: 'read',
          policy: {
            kind: 'refused',
            permission: 'Policy.Read.All',
            reason:
              'Microsoft Graph refused to show the admin consent workflow settings: the bot’s Graph app needs the application permission Policy.Read.All with admin consent.',
          },
          requests: {
            kind: 'refused',
            permission: 'ConsentRequest.Read.All',
            reason:
              'Microsoft Graph refused to show admin consent requests: the bot’s Graph app needs the application permission ConsentRequest.Read.All with admin consent.',
          },
          portalUrl: adminConsentRequestsUrl('global', TENANT),
        },
        config.connectorAppId,
        UTC_DATES,
      ),
      events: [{ at: '2026-03-01 09:00 UTC', text: 'consent verified by Adele Vance' }],
    }),
    sample('delete-confirm', deleteConfirmCard, {
      id: connector.id,
      version: 2,
      createdAt: connector.createdAt,
      requestedBy: '7a5c2b1e-3f4d-4c6b-9e8a-1d2f3a4b5c6d',
      displayName: 'Contoso destination',
      typeName: connectorType('office365').name,
      facts: [
        { title: 'Type', value: connectorType('office365').name },
        { title: 'Status', value: 'authorized' },
      ],
      revokeAccess: markdown(connectorType('office365').revokeAccess),
    }),
    sample(
      'revocation-still-granted',
      revocationCheckCard,
      revocationCardData(
        {
          kind: 'still-granted',
          servicePrincipal: {
            id: '0c8e1f7a-3b52-4d3e-9a0f-1d2c3b4a5e6f',
            appId: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
            displayName: 'Office 365 Mover',
          },
          tenantWideGrants: [
            { id: 'hPXcM9k3dEqBn7ArXbJxQ2rQ_1l0v3l2', scope: 'AllSites.Manage profile offline_access' },
          ],
          appRoleAssignments: [],
        },
        {
          appId: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
          cloud: 'global',
          graphHost: 'https://graph.microsoft.com',
          others: ['Fabrikam archive'],
          checkedBy: 'Checked with Microsoft Graph on 2026-03-02 09:00 UTC.',
        },
      ),
    ),
    sample('expiry-digest', expiryDigestCard, {
      title: '2 connectors expire soon',
      rule: DIGEST_RULE,
      rows: [
        {
          id: 'a',
          displayName: 'Finance Box',
          typeName: 'Box Connector',
          daysLeft: '7 days left',
          color: 'Attention',
          detail:
            'authorized, reported by Ada Lovelace on 2026-02-20 14:05 UTC, not verified · last transfer: 2026-02-20 14:05 UTC · deauthorized on 2026-05-21 14:05 UTC',
          periodStart: '2026-02-20T14:05:00.000Z',
          threshold: 7,
          actions: 'all',
          snoozeTitle: 'Skip the 1-day notice',
          askOwner: '',
        },
        {
          id: 'b',
          displayName: 'Contoso destination',
          typeName: 'Office 365 Connector',
          daysLeft: '28 days left',
          color: 'Default',
          detail:
            'authorized, verified 2026-03-13 09:00 UTC by the Microsoft Graph consent check · last recorded transfer: none recorded here · deauthorized on 2026-06-11 09:00 UTC',
          periodStart: '2026-03-13T09:00:00.000Z',
          threshold: 30,
          actions: 'all',
          snoozeTitle: 'Skip the 14-day notice',
          askOwner: '',
        },
      ],
      more: '',
      asOf: '',
      readOnly: false,
      refresh: DIGEST_REFRESH,
    }),
    // The same digest as a channel member who may not manage the connectors sees it, a week later:
    // one connector was reauthorized, the other deauthorized.
    sample('expiry-digest-read-only', expiryDigestCard, {
      title: 'Expiry notice: nothing left counting down',
      rule: DIGEST_RULE,
      rows: [
        {
          id: 'a',
          displayName: 'Finance Box',
          typeName: 'Box Connector',
          daysLeft: '66 days left',
          color: 'Default',
          detail:
            'Reauthorized by Ada Lovelace on 2026-05-19 08:30 UTC. authorized, reported by Ada Lovelace on 2026-05-19 08:30 UTC, not verified · last transfer: 2026-02-20 14:05 UTC · deauthorized on 2026-08-17 08:30 UTC',
          periodStart: '2026-02-20T14:05:00.000Z',
          threshold: 7,
          actions: 'none',
          snoozeTitle: 'Skip the 1-day notice',
          askOwner: '',
        },
        {
          id: 'b',
          displayName: 'Contoso destination',
          typeName: 'Office 365 Connector',
          daysLeft: 'deauthorized',
          color: 'Attention',
          detail:
            'Deauthorized: its 90 days without a transfer ran out on 2026-06-11 09:00 UTC. deauthorized (was authorized, verified 2026-03-13 09:00 UTC by the Microsoft Graph consent check).',
          periodStart: '2026-03-13T09:00:00.000Z',
          threshold: 30,
          actions: 'none',
          snoozeTitle: 'Skip the 14-day notice',
          askOwner:
            'Ask the owner: Megan Bowen, who created it, or a member of the connector admins group to reauthorize it.',
        },
      ],
      more: '',
      asOf: 'Current as of 2026-06-12 10:00 UTC.',
      readOnly: true,
      refresh: DIGEST_REFRESH,
    }),
    sample('deauthorized-notice', deauthorizedNoticeCard, {
      id: 'a',
      headline: 'Archive blobs was deauthorized',
      style: 'attention',
      text: "Connectors are automatically deauthorized if they haven't transferred any data in the last 90 days.",
      facts: [
        { title: 'Last recorded transfer', value: '2025-12-01 10:00 UTC' },
        {
          title: 'Status',
          value:
            'deauthorized (was authorized, reported by Ada Lovelace on 2025-09-02 09:00 UTC, not verified)',
        },
      ],
      canReauthorize: true,
      askOwner: '',
      asOf: '',
      refresh: {
        verb: 'deauthorizedNoticeView',
        userIds: [
          '29:1bSnHZ7Js2STWrgk6ScEErLk1Lp2zQuD5H2qQ960rtvstKp8tKLl-3r8b6DoW0QxZimuTxk_kupZ1DBMpvIQQUAZL-PNj0EORDvRZXy8kvWk',
        ],
      },
    }),
    sample('deauthorized-notice-reauthorized', deauthorizedNoticeCard, {
      id: 'a',
      headline: 'Archive blobs was reauthorized',
      style: 'good',
      text: 'Reauthorized by Ada Lovelace on 2026-03-03 08:00 UTC.',
      facts: [
        { title: 'Last recorded transfer', value: '2025-12-01 10:00 UTC' },
        {
          title: 'Status',
          value: 'authorized, reported by Ada Lovelace on 2026-03-03 08:00 UTC, not verified',
        },
      ],
      canReauthorize: false,
      askOwner: '',
      asOf: 'Current as of 2026-03-04 09:00 UTC.',
      refresh: {
        verb: 'deauthorizedNoticeView',
        userIds: [
          '29:1bSnHZ7Js2STWrgk6ScEErLk1Lp2zQuD5H2qQ960rtvstKp8tKLl-3r8b6DoW0QxZimuTxk_kupZ1DBMpvIQQUAZL-PNj0EORDvRZXy8kvWk',
        ],
      },
    }),
    sample('subscription', subscriptionCard, {
      title: 'Expiry notices will post here',
      text: 'Each scan posts one digest here of this tenant’s connectors that are about to be deauthorized, and a notice for each one that is deauthorized. Whoever may manage a connector gets Reauthorize, Record a transfer and Skip the next notice on it.',
      style: 'good',
      facts: [{ title: 'Notices', value: '30, 14, 7, 1 days before deauthorization' }],
      buttons: [{ title: 'Unsubscribe', command: 'unsubscribe' }],
    }),
  ];
}

/**
 * The read-only views of the connector list and status card (what a channel sees as posted), and
 * one expiry digest in its two views, bound by the bot's own digestView: as posted in a channel
 * (everyone; read-only) and as a manager's Teams client refreshes it a moment later.
 */
function userSpecificViewSamples(): CardSample[] {
  const managers = [
    '29:1bSnHZ7Js2STWrgk6ScEErLk1Lp2zQuD5H2qQ960rtvstKp8tKLl-3r8b6DoW0QxZimuTxk_kupZ1DBMpvIQQUAZL-PNj0EORDvRZXy8kvWk',
  ];
  const megan = { createdBy: '0b7c2f4e-8d0e-4a55-9a55-2f3f4b8f1c11', createdByName: 'Megan Bowen' };
  const finance: Connector = {
    id: '2f6d1a90-3c41-4b8e-9d2a-7e5f0c1b4a33',
    tenantId: TENANT,
    type: 'box',
    displayName: 'Finance Box',
    status: 'authorized',
    ...megan,
    createdAt: '2026-01-05T09:00:00.000Z',
    authorizedAt: '2026-01-05T09:00:00.000Z',
    lastTransferAt: '2026-02-15T14:05:00.000Z',
    provenance: {
      kind: 'reported',
      by: megan.createdBy,
      byName: 'Megan Bowen',
      at: '2026-01-05T09:00:00.000Z',
    },
    version: 3,
  };
  const archive: Connector = {
    ...finance,
    id: '8a3e5c77-1d2f-4e60-b9a4-0c6d7e8f9a11',
    type: 'azure-blob',
    displayName: 'Archive blobs',
    lastTransferAt: '2026-02-08T10:00:00.000Z',
  };
  const now = new Date('2026-05-04T09:00:00.000Z');
  const entries = [
    { id: finance.id, periodStart: finance.lastTransferAt!, threshold: 14, connector: finance },
    { id: archive.id, periodStart: archive.lastTransferAt!, threshold: 7, connector: archive },
  ];
  const digest = (canManage: boolean, refreshed: boolean) =>
    digestView(entries, {
      inactivityDays: 90,
      noticeDays: [30, 14, 7, 1],
      now,
      dates: UTC_DATES,
      viewer: { canManage: () => canManage, owner: (c) => askOwnerText(c, true) },
      refresh: { verb: 'expiryDigestView', userIds: managers },
      hidden: 0,
      refreshed,
    });
  const ask = 'Ask the owner: Megan Bowen, who created it, or a member of the connector admins group';
  return [
    sample('expiry-digest-posted', expiryDigestCard, digest(false, false)),
    sample('expiry-digest-manager', expiryDigestCard, digest(true, true)),
    sample('connector-list-read-only', connectorListCard, {
      title: 'Connectors of this tenant',
      summary: 'Deauthorized after 90 days without a transfer. Red: under 30 days left.',
      rows: [
        {
          id: finance.id,
          version: 3,
          displayName: 'Finance Box',
          typeName: 'Box Connector',
          status: 'authorized',
          statusColor: 'Default',
          stateText: 'authorized, reported by Megan Bowen on 2026-01-05 09:00 UTC, not verified',
          lastTransfer: '2026-02-15 14:05 UTC',
          daysLeft: '12 days left',
          daysColor: 'Attention',
          canManage: false,
          askOwner: `${ask} to reauthorize or delete it.`,
        },
      ],
      buttons: [],
      readOnly: true,
      refresh: { connectorIds: [finance.id], next: '', page: 'first', userIds: managers },
    }),
    sample('connector-status-read-only', connectorStatusCard, {
      id: finance.id,
      version: 3,
      displayName: 'Finance Box',
      typeName: 'Box Connector',
      status: 'authorized',
      alert: '',
      advice: '',
      askAgain: false,
      consentRequests: false,
      facts: [
        {
          title: 'Status',
          value: 'authorized, reported by Megan Bowen on 2026-01-05 09:00 UTC, not verified',
        },
        { title: 'Created', value: '2026-01-05 09:00 UTC by Megan Bowen' },
        { title: 'Last recorded transfer', value: '2026-02-15 14:05 UTC' },
      ],
      canManage: false,
      canRecordTransfer: false,
      askOwner: `${ask} to reauthorize it, record a transfer or delete it.`,
      evidence: { text: '', note: '', at: '', buttonTitle: '' },
      consentWorkflow: { text: '', facts: [], note: '', linkTitle: '', linkUrl: '' },
      events: [],
      refreshUserIds: managers,
    }),
  ];
}
