/** Well-known ids of the fake Microsoft cloud: directory roles, licences, first-party apps, permissions. */
/** Directory role template ids (the same in every tenant). */
export const DIRECTORY_ROLES = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  sharePointAdministrator: 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c',
  globalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  teamsAdministrator: '69091246-20e8-4a56-aa4d-066075b2a7a8',
  exchangeAdministrator: '29232cdf-9323-42fd-ade2-1d097af3e4de',
  userAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
} as const;

export const ROLE_NAMES: Record<string, string> = {
  [DIRECTORY_ROLES.globalAdministrator]: 'Global Administrator',
  [DIRECTORY_ROLES.sharePointAdministrator]: 'SharePoint Administrator',
  [DIRECTORY_ROLES.globalReader]: 'Global Reader',
  [DIRECTORY_ROLES.privilegedRoleAdministrator]: 'Privileged Role Administrator',
  [DIRECTORY_ROLES.teamsAdministrator]: 'Teams Administrator',
  [DIRECTORY_ROLES.exchangeAdministrator]: 'Exchange Administrator',
  [DIRECTORY_ROLES.userAdministrator]: 'User Administrator',
};

/** Licence and service plan ids used by the default fixture. */
export const SKUS = {
  /** Office 365 E3 */
  enterprisePack: '6fd2c87f-b296-42f0-b197-1e91e994b900',
  /** SharePoint Online (Plan 2), in E3/E5 */
  sharePointEnterprisePlan: '5dbe027f-2339-4123-9542-606e4d348a72',
  /** SharePoint Online (Plan 1), in Business plans */
  sharePointStandardPlan: 'c7699d2e-19aa-44de-8edf-1736da088ca1',
  exchangeEnterprisePlan: 'efb87545-963c-4e0d-99df-69c6916d9eb0',
  teamsPlan: '57ff2da0-773e-42df-b2af-ffb7a2317929',
} as const;

/** First-party application ids. */
export const FIRST_PARTY_APPS = {
  microsoftGraph: '00000003-0000-0000-c000-000000000000',
  sharePointOnline: '00000003-0000-0ff1-ce00-000000000000',
} as const;

/** Application permissions the bot's Graph app holds in a tenant by default. */
export const DEFAULT_APP_PERMISSIONS = [
  'Organization.Read.All',
  'Application.Read.All',
  'Directory.Read.All',
  'RoleManagement.Read.Directory',
  'User.Read.All',
  'Files.Read.All',
  'AuditLog.Read.All',
  'Policy.Read.All',
  'ConsentRequest.Read.All',
] as const;
