import type { ConnectorTypeId } from './catalog';

/**
 * Who may complete a step, as the seeds mark it at the start of each step.
 * The labels are shown on the cards as they are written here.
 */
export type StepActor =
  | 'global-or-sharepoint-admin'
  | 'global-admin'
  | 'account-owner'
  | 'google-super-admin'
  | 'box-admin'
  | 'dropbox-team-admin'
  | 'egnyte-admin'
  | 'storage-admin'
  | 'aws-admin'
  | 'gcp-admin';

export const STEP_ACTOR_LABELS: Record<StepActor, string> = {
  'global-or-sharepoint-admin': 'Global or SharePoint admin',
  'global-admin': 'Global admin',
  'account-owner': 'The account owner',
  'google-super-admin': 'Google Workspace super admin',
  'box-admin': 'Box admin or co-admin',
  'dropbox-team-admin': 'Dropbox team admin',
  'egnyte-admin': 'Egnyte admin',
  'storage-admin': 'Storage account owner or contributor',
  'aws-admin': 'AWS account admin (IAM)',
  'gcp-admin': 'Google Cloud project owner',
};

/** One authorization step as a card shows it. */
export interface AuthorizationStep {
  /** Stable key, carried in card data so a click on an old card can be recognised. */
  key: string;
  title: string;
  who: StepActor;
  /** The instruction, in the seed's words (Markdown as Teams renders it). */
  instruction: string;
  warnings?: string[];
  tips?: string[];
}

/** Where step 5 names the consent link; the flow puts the configured ADMIN_CONSENT_LINK there. */
export const CONSENT_LINK_SLOT = '{consentLink}';

/**
 * Office 365, the nine steps of "Authorizing the Office 365 Connector" (seed 000), in order.
 * Step 5 is where a SharePoint admin hands over to a global admin.
 */
export const OFFICE365_STEPS: readonly AuthorizationStep[] = [
  {
    key: 'o365-1',
    title: 'Open the Transfer Wizard',
    who: 'global-or-sharepoint-admin',
    instruction:
      'Log into the main Mover app via **app.mover.io**. In the **Transfer Wizard**, select **Authorize New Connector**.',
    tips: [
      'Whether the Office 365 Connector is your source or destination connector (or both), you need to go through this authorization process.',
    ],
  },
  {
    key: 'o365-2',
    title: 'Find Office 365',
    who: 'global-or-sharepoint-admin',
    instruction: 'In the **Connector** list, find **Office 365**. Select **Authorize**.',
  },
  {
    key: 'o365-3',
    title: 'Name the connector and authorize',
    who: 'global-or-sharepoint-admin',
    instruction:
      'A window with an **Authorize** button appears. It prompts you to provide a display name (optional) for your **Office 365 Connector**. Select **Authorize**.',
    warnings: [
      "A connector's display name cannot be changed later. To rename it, you must delete and re-add the connector.",
    ],
  },
  {
    key: 'o365-4',
    title: 'Sign in with your Microsoft admin account',
    who: 'global-or-sharepoint-admin',
    instruction:
      'Follow the on-screen instructions. You are redirected to a Microsoft login screen where you can log in with your Microsoft admin privileges and continue to authorize the connector.',
    warnings: [
      'If you are a **global admin**, a slightly different login screen appears.',
      'If you select **Consent on behalf of your organization** during the authentication flow, you will grant admin access to your entire organization. **DO NOT do this.**',
    ],
    tips: [
      'To tighten your security beyond administrators, turn on **User assignment required** from the *Office 365 Mover* app settings in your Azure portal. You need to specifically assign your migrator users who may use the app.',
    ],
  },
  {
    key: 'o365-5',
    title: 'Hand over to a global admin',
    who: 'global-or-sharepoint-admin',
    instruction:
      'After authorizing the connector, you are redirected to the **Mover Transfer Wizard**, and an error appears. This means it is now time for a global admin in your tenant to grant permissions to the Office 365 Mover app in the Azure portal.',
    tips: [
      `If you're a **SharePoint admin**: to grant permissions and finish the authorization process (steps 6 to 9), point your global admin to **${CONSENT_LINK_SLOT}**. I can send it to them.`,
      "If you're a **global admin**: continue with steps 6 to 9.",
    ],
  },
  {
    key: 'o365-6',
    title: 'Open Enterprise applications',
    who: 'global-admin',
    instruction:
      'Log in to the Azure Portal via the consent link below (**Open the consent link**). A list of **Enterprise applications** appears.',
    tips: [
      '**Grant admin consent directly**, when shown, opens Microsoft’s admin-consent prompt for the connector app in this tenant.',
    ],
  },
  {
    key: 'o365-7',
    title: 'Select the Office 365 Mover app',
    who: 'global-admin',
    instruction:
      'Find and select the **Office 365 Mover** app. A page appears that provides an overview of the app.',
  },
  {
    key: 'o365-8',
    title: 'Grant admin consent',
    who: 'global-admin',
    instruction: 'In the left menu, find and open **Permissions**. Select **Grant admin consent for Mover**.',
  },
  {
    key: 'o365-9',
    title: 'Finish the permissions pop-up',
    who: 'global-admin',
    instruction:
      'A pop-up window appears that guides you through the rest of the permissions process. When complete, it closes automatically, and your **Office 365 Connector** is fully authorized and ready to go.',
  },
];

/** The seed's "Connect your destination Office 365 account" paragraph, shown when the wizard ends. */
export const OFFICE365_CONNECT_DESTINATION =
  'If you are not already connected after you have authorized your destination, select **Office 365**, and load the connector. An icon appears and shows you how many users you are migrating.';

/** The seed's warning that opens the Office 365 authorization. */
export const OFFICE365_GLOBAL_ADMIN_WARNING =
  'To fully authorize the **Office 365 Connector**, a global admin is required to grant permissions to the Office 365 Mover app within the Azure portal. The global admin must grant these permissions *after* the **Office 365 Connector** is authorized within the main Mover app.';

/** "App access error" (seed 001), offered as help on every sign-in step. */
export const APP_ACCESS_ERROR_ADVICE =
  'If you encounter an error on authorization, try signing out of any Microsoft accounts, and attempt to authorize the connector in an Incognito (private) window.';

/** Steps of a connector authorized by signing in (OAuth), from the seeds' "What is a connector?". */
export function oauthSteps(typeName: string, who: StepActor, signIn: string): AuthorizationStep[] {
  return [
    {
      key: 'oauth-1',
      title: 'Open the Transfer Wizard',
      who,
      instruction: `In the **Transfer Wizard**, select **Authorize New Connector**. In the **Connector** list, find **${typeName.replace(/ Connector$/, '')}** and select **Authorize**.`,
    },
    {
      key: 'oauth-2',
      title: 'Sign in and allow access',
      who,
      instruction: signIn,
      tips: [
        'To set up a transfer, you must grant access to your cloud storage accounts. Without this link, the migration service is unable to communicate with them. You only need to authenticate once per account.',
      ],
    },
  ];
}

/** Who signs in, and what they are asked, for each OAuth connector type other than Office 365. */
export const OAUTH_SIGN_IN: Partial<Record<ConnectorTypeId, { who: StepActor; signIn: string }>> = {
  'onedrive-business-user': {
    who: 'account-owner',
    signIn:
      'Sign in with the **work or school account** whose OneDrive for Business you are moving, and accept the permissions. This connector reaches that one account only; for every user of a tenant use the Office 365 Connector.',
  },
  'onedrive-consumer': {
    who: 'account-owner',
    signIn:
      'Sign in with the **personal Microsoft account** that owns the OneDrive, and accept the permissions.',
  },
  'google-workspace': {
    who: 'google-super-admin',
    signIn:
      "Sign in with a **super admin** account of the Google Workspace domain and allow access to the domain's users and Drive files.",
  },
  box: {
    who: 'box-admin',
    signIn:
      "Sign in with a **Box admin or co-admin** account and grant access to the enterprise's users and content.",
  },
  dropbox: {
    who: 'dropbox-team-admin',
    signIn: "Sign in with a **Dropbox team admin** account and allow access to the team's members and files.",
  },
  egnyte: {
    who: 'egnyte-admin',
    signIn: 'Enter your Egnyte domain, sign in with an **Egnyte admin** account and allow access.',
  },
};

/**
 * Least-privilege IAM policy for the Amazon S3 connector to read the buckets it migrates.
 * The seeds name no policy; this grants listing and reading only.
 */
export const AMAZON_S3_IAM_POLICY = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:ListAllMyBuckets', 's3:GetBucketLocation'], Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['s3:ListBucket', 's3:GetObject'],
        Resource: ['arn:aws:s3:::*', 'arn:aws:s3:::*/*'],
      },
    ],
  },
  null,
  2,
);
