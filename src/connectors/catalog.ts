/**
 * The connector types the bot knows (DESIGN.md "Connectors"), with the wording of the seeds.
 * Authorization steps live in ./steps; this file holds what a type is and which service it serves.
 */

/** Ids used in chat commands and the API. */
export const CONNECTOR_TYPE_IDS = [
  'office365',
  'onedrive-business-user',
  'onedrive-consumer',
  'azure-blob',
  'amazon-s3',
  'google-workspace',
  'box',
  'dropbox',
  'egnyte',
  'google-cloud-storage',
] as const;

export type ConnectorTypeId = (typeof CONNECTOR_TYPE_IDS)[number];

/** How a connector is authorized: a sign-in (OAuth) or keys typed into the wizard. */
export type AuthorizationKind = 'oauth' | 'keys';

/** The grouping of the type-picker card. */
export type CatalogGroup = 'microsoft' | 'other-cloud' | 'storage';

/**
 * Where a migration with this connector type is supported today, after Mover's retirement for
 * admin-led migrations (seeds 001 to 003): Migration Manager, explicitly not Migration Manager,
 * or nothing the seeds state.
 */
export type SupportToday = 'migration-manager' | 'not-migration-manager' | 'not-stated';

export interface ConnectorType {
  id: ConnectorTypeId;
  /** The connector's name as the seeds write it. */
  name: string;
  /** One line on what it connects to. */
  summary: string;
  group: CatalogGroup;
  authorization: AuthorizationKind;
  supportToday: SupportToday;
  /** The support line the type picker shows, in the seeds' words. */
  supportText: string;
  /**
   * How to check, and revoke, the migration service's access in the cloud service itself once the
   * connector is deleted (seed 002/003: "visit the security settings ... and check for our app").
   */
  revokeAccess: string;
}

export const CATALOG_GROUP_TITLES: Record<CatalogGroup, string> = {
  microsoft: 'Which connector to use for each Microsoft service',
  'other-cloud': 'Other cloud storage sources',
  storage: 'Object storage (keys)',
};

export const CONNECTOR_TYPES: readonly ConnectorType[] = [
  {
    id: 'office365',
    name: 'Office 365 Connector',
    summary:
      'SharePoint Online and OneDrive for Business (Administrator); needs a global admin to grant consent.',
    group: 'microsoft',
    authorization: 'oauth',
    supportToday: 'not-stated',
    supportText:
      'Mover is retired for admin-led migrations. Between tenants: Cross-tenant OneDrive migration is available outside of Migration Manager; a cross-tenant SharePoint migration solution is in private preview.',
    revokeAccess:
      'A global admin opens the Microsoft Entra admin center > Identity > Applications > Enterprise applications, selects the Office 365 Mover app, and under Security > Permissions reviews its permissions (or deletes the app under Properties). After you delete it here, **Check revocation** asks Microsoft Graph whether the app still holds a tenant-wide grant.',
  },
  {
    id: 'onedrive-business-user',
    name: 'OneDrive for Business (User) Connector',
    summary: 'One OneDrive for Business account, authorized by its own user.',
    group: 'microsoft',
    authorization: 'oauth',
    supportToday: 'not-stated',
    supportText:
      'Mover is retired for admin-led migrations, and its retirement notice names no Migration Manager path for this source. Between tenants: Cross-tenant OneDrive migration is available outside of Migration Manager.',
    revokeAccess:
      'Visit the security settings of the work or school account that signed in, and check for our app among the apps with access to it.',
  },
  {
    id: 'onedrive-consumer',
    name: 'OneDrive Consumer Connector',
    summary: 'A personal OneDrive (Microsoft account).',
    group: 'microsoft',
    authorization: 'oauth',
    supportToday: 'not-stated',
    supportText:
      'Mover is retired for admin-led migrations, and its retirement notice names no Migration Manager path for this source.',
    revokeAccess:
      'Visit the security settings of the personal Microsoft account that signed in, and check for our app among the apps with access to it.',
  },
  {
    id: 'azure-blob',
    name: 'Azure Blob Storage Connector',
    summary: 'Azure Blob Storage, with the storage account name and an access key.',
    group: 'microsoft',
    authorization: 'keys',
    supportToday: 'not-migration-manager',
    supportText:
      'Migration Manager does not support the migration of Azure Blob Storage, and Mover is retired for admin-led migrations.',
    revokeAccess:
      'In the Azure portal, open the storage account > Security + networking > Access keys and rotate the key you gave (key1 or key2): the old key stops working at once.',
  },
  {
    id: 'google-workspace',
    name: 'Google Workspace Connector',
    summary: 'Google Drive of a Google Workspace domain, authorized by a super admin.',
    group: 'other-cloud',
    authorization: 'oauth',
    supportToday: 'migration-manager',
    supportText: 'Migration Manager: migrating from Google Drive has been fully integrated into it.',
    revokeAccess:
      'Visit the security settings of your Google Workspace domain (Google Admin console) and check for our app among the apps with access.',
  },
  {
    id: 'box',
    name: 'Box Connector',
    summary: 'A Box enterprise, authorized by a Box admin.',
    group: 'other-cloud',
    authorization: 'oauth',
    supportToday: 'migration-manager',
    supportText: 'Migration Manager: migrating from Box has been fully integrated into it.',
    revokeAccess:
      'Visit the security settings of your Box enterprise (Box Admin Console) and check for our app among the apps with access.',
  },
  {
    id: 'dropbox',
    name: 'Dropbox Connector',
    summary: 'A Dropbox team, authorized by a Dropbox team admin.',
    group: 'other-cloud',
    authorization: 'oauth',
    supportToday: 'migration-manager',
    supportText: 'Migration Manager: migrating from Dropbox has been fully integrated into it.',
    revokeAccess:
      'Visit the security settings of your Dropbox team (Dropbox admin console) and check for our app among the apps with access.',
  },
  {
    id: 'egnyte',
    name: 'Egnyte Connector',
    summary: 'An Egnyte domain, authorized by an Egnyte admin.',
    group: 'other-cloud',
    authorization: 'oauth',
    supportToday: 'migration-manager',
    supportText: 'Migration Manager: migrating from Egnyte has been fully integrated into it.',
    revokeAccess:
      'Visit the security settings of your Egnyte domain and check for our app among the apps with access.',
  },
  {
    id: 'amazon-s3',
    name: 'Amazon S3 Connector',
    summary: 'Amazon S3 buckets, with an IAM access key id and secret.',
    group: 'storage',
    authorization: 'keys',
    supportToday: 'not-migration-manager',
    supportText:
      'Migration Manager does not support the migration of Amazon S3, and Mover is retired for admin-led migrations.',
    revokeAccess:
      'In the AWS IAM console, open the migration user > Security credentials, and deactivate, then delete, the access key you gave.',
  },
  {
    id: 'google-cloud-storage',
    name: 'Google Cloud Storage Connector',
    summary: 'Google Cloud Storage buckets, with an HMAC access key, secret and project id.',
    group: 'storage',
    authorization: 'keys',
    supportToday: 'not-stated',
    supportText:
      'Mover is retired for admin-led migrations, and its retirement notice names no Migration Manager path for this source.',
    revokeAccess:
      'In the Google Cloud console, open Cloud Storage > Settings > Interoperability, and deactivate, then delete, the HMAC key you gave.',
  },
];

/** Looks a type up by id, case-insensitively; also accepts a few names people type. */
export function findConnectorType(input: string): ConnectorType | undefined {
  const key = input
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  const alias = TYPE_ALIASES[key] ?? key;
  return CONNECTOR_TYPES.find((t) => t.id === alias);
}

const TYPE_ALIASES: Record<string, ConnectorTypeId> = {
  o365: 'office365',
  'office-365': 'office365',
  m365: 'office365',
  sharepoint: 'office365',
  'sharepoint-online': 'office365',
  'onedrive-business': 'onedrive-business-user',
  'onedrive-for-business': 'onedrive-business-user',
  onedrive: 'onedrive-consumer',
  'azure-blob-storage': 'azure-blob',
  s3: 'amazon-s3',
  gcs: 'google-cloud-storage',
  'google-drive': 'google-workspace',
  gdrive: 'google-workspace',
};

/**
 * The seeds' table "Which connector to use for each Microsoft service", for the `which` command.
 */
export const MICROSOFT_SERVICE_CONNECTORS: readonly { service: string; connector: ConnectorTypeId }[] = [
  { service: 'Azure Blob Storage', connector: 'azure-blob' },
  { service: 'OneDrive Consumer', connector: 'onedrive-consumer' },
  { service: 'OneDrive for Business (Administrator)', connector: 'office365' },
  { service: 'OneDrive for Business (User)', connector: 'onedrive-business-user' },
  { service: 'SharePoint Online', connector: 'office365' },
];

/** Returns the type for an id known to be valid. */
export function connectorType(id: ConnectorTypeId): ConnectorType {
  const type = CONNECTOR_TYPES.find((t) => t.id === id);
  if (!type) throw new Error(`unknown connector type ${id}`);
  return type;
}
