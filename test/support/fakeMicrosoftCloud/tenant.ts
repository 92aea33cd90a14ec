/** A tenant's directory in the fake: the Graph v1.0 shapes the bot reads, and the fixture builder. */
import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_APP_PERMISSIONS, DIRECTORY_ROLES, FIRST_PARTY_APPS, SKUS } from './ids';

// ---------------------------------------------------------------------------------------------
// Directory data shapes (the Graph v1.0 properties the bot reads; extend freely)

export interface FakeServicePlan {
  servicePlanId: string;
  servicePlanName: string;
  provisioningStatus:
    'Success' | 'Disabled' | 'PendingInput' | 'PendingActivation' | 'PendingProvisioning' | string;
  appliesTo: 'User' | 'Company';
}

export interface FakeSku {
  id: string;
  skuId: string;
  skuPartNumber: string;
  appliesTo: 'User' | 'Company';
  capabilityStatus: 'Enabled' | 'Warning' | 'Suspended' | 'Deleted' | 'LockedOut';
  consumedUnits: number;
  prepaidUnits: { enabled: number; suspended: number; warning: number; lockedOut: number };
  servicePlans: FakeServicePlan[];
}

export interface FakeUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  accountEnabled: boolean;
  userType: 'Member' | 'Guest';
  assignedLicenses: Array<{ skuId: string; disabledPlans: string[] }>;
  assignedPlans: Array<{
    assignedDateTime: string;
    capabilityStatus: string;
    service: string;
    servicePlanId: string;
  }>;
  /** OneDrive; null = not provisioned (GET /users/{id}/drive answers 404). Not a Graph property. */
  drive: Record<string, unknown> | null;
  [property: string]: unknown;
}

export interface FakeServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  servicePrincipalType: 'Application' | 'ManagedIdentity' | 'Legacy';
  accountEnabled: boolean;
  /** "User assignment required?" in the Entra portal. */
  appRoleAssignmentRequired: boolean;
  appOwnerOrganizationId: string | null;
  appRoles: Array<{ id: string; value: string; displayName: string; allowedMemberTypes: string[] }>;
  [property: string]: unknown;
}

export interface FakeOAuth2PermissionGrant {
  id: string;
  /** The client's service principal id. */
  clientId: string;
  consentType: 'AllPrincipals' | 'Principal';
  principalId: string | null;
  /** The resource's service principal id (e.g. Microsoft Graph's). */
  resourceId: string;
  /** Space-separated delegated permissions. */
  scope: string;
}

export interface FakeAppRoleAssignment {
  id: string;
  appRoleId: string;
  createdDateTime: string;
  principalDisplayName: string;
  principalId: string;
  principalType: 'User' | 'Group' | 'ServicePrincipal';
  resourceDisplayName: string;
  resourceId: string;
}

/** Sign-in activity of one flow (beta signInActivity). */
export interface FakeSignInActivity {
  lastSignInDateTime: string;
  lastSignInRequestId: string;
}

/** One row of the beta report `/reports/servicePrincipalSignInActivities`. */
export interface FakeServicePrincipalSignInActivity {
  id: string;
  appId: string;
  lastSignInActivity: FakeSignInActivity | null;
  delegatedClientSignInActivity: FakeSignInActivity | null;
  delegatedResourceSignInActivity: FakeSignInActivity | null;
  applicationAuthenticationClientSignInActivity: FakeSignInActivity | null;
  applicationAuthenticationResourceSignInActivity: FakeSignInActivity | null;
}

/** The per-flow properties of a sign-in activity row. */
export type SignInFlow =
  | 'delegatedClientSignInActivity'
  | 'delegatedResourceSignInActivity'
  | 'applicationAuthenticationClientSignInActivity'
  | 'applicationAuthenticationResourceSignInActivity';

export interface FakeRoleAssignment {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  /** When a time-bound (PIM) assignment ends; absent = permanent. Not a Graph property of roleAssignments. */
  endDateTime?: string;
}

/** A POST /roleManagement/directory/roleAssignmentScheduleRequests the fake accepted. */
export interface FakeRoleAssignmentScheduleRequest {
  id: string;
  action: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  justification?: string;
  status: string;
  createdDateTime: string;
  scheduleInfo?: {
    startDateTime?: string;
    expiration?: { type?: string; endDateTime?: string; duration?: string };
  };
}

export interface FakeGroup {
  id: string;
  displayName: string;
  /** Ids of member users (or groups, service principals). Not a Graph property. */
  members: string[];
  [property: string]: unknown;
}

export interface FakeTenantInit {
  /** Directory (tenant) id; default a new GUID. */
  id?: string;
  displayName?: string;
  /** The initial verified domain; default `<name>.onmicrosoft.com`. */
  domain?: string;
  /** The connector app (the one whose admin consent is verified); default: the cloud's. */
  connectorAppId?: string;
  /** Start without users, licences, roles or the connector app: only the tenant itself. */
  empty?: boolean;
}

const CREATED = '2024-01-15T09:30:00Z';

/**
 * One tenant's directory, as the fake Graph serves it. The defaults (unless `empty`):
 *
 * - `/subscribedSkus`: Office 365 E3 (ENTERPRISEPACK) with SHAREPOINTENTERPRISE
 *   (5dbe027f-…) provisioningStatus Success, 25 seats;
 * - users: `admin` (Global Administrator, E3, OneDrive provisioned), `sharePointAdmin`
 *   (SharePoint Administrator, E3, OneDrive), `member` (E3, OneDrive NOT provisioned: 404), all
 *   pageable at `/users`;
 * - service principals: Microsoft Graph, Office 365 SharePoint Online, the bot's own Graph app,
 *   and the connector app (`connectorApp`), whose admin consent is one AllPrincipals grant with
 *   scope 'AllSites.Manage Sites.Manage.All profile offline_access';
 * - `/roleManagement/directory/roleAssignments`: admin → Global Administrator, sharePointAdmin →
 *   SharePoint Administrator (directoryScopeId '/');
 * - the bot's Graph app holds {@link DEFAULT_APP_PERMISSIONS}; `denyPermission` makes the
 *   routes that need one answer 403 as Graph does.
 * - `/beta/reports/servicePrincipalSignInActivities`: the rows `recordSignIn` adds (none by
 *   default); `signInReport = 'no-premium-licence'` answers 403 as for a tenant without Entra ID
 *   P1/P2, and v1.0 answers 400 (the report is beta only).
 *
 * Every array is public and live: tests may edit it directly, or use the builder methods.
 */
export class FakeTenant {
  readonly id: string;
  displayName: string;
  domain: string;
  skus: FakeSku[] = [];
  users: FakeUser[] = [];
  groups: FakeGroup[] = [];
  servicePrincipals: FakeServicePrincipal[] = [];
  oauth2PermissionGrants: FakeOAuth2PermissionGrant[] = [];
  appRoleAssignments: FakeAppRoleAssignment[] = [];
  roleAssignments: FakeRoleAssignment[] = [];
  /** Schedule requests (PIM) accepted, in order. */
  roleAssignmentScheduleRequests: FakeRoleAssignmentScheduleRequest[] = [];
  /**
   * Microsoft Entra ID P2 (Privileged Identity Management): without it, roleAssignmentScheduleRequests
   * answers 400 AadPremiumLicenseRequired as Graph does.
   */
  entraIdP2 = true;
  /** Rows of Microsoft Entra's service principal sign-in activity report (beta). */
  signInActivities: FakeServicePrincipalSignInActivity[] = [];
  /**
   * 'licensed': the report answers 200. 'no-premium-licence': 403 with the code Graph gives a
   * tenant without a Microsoft Entra ID P1/P2 licence.
   */
  signInReport: 'licensed' | 'no-premium-licence' = 'licensed';
  /** Application permissions the bot's Graph app has (with admin consent) in this tenant. */
  appPermissions = new Set<string>(DEFAULT_APP_PERMISSIONS);
  /** Set by the defaults; undefined for an `empty` tenant. */
  admin?: FakeUser;
  sharePointAdmin?: FakeUser;
  member?: FakeUser;
  connectorApp?: FakeServicePrincipal;

  constructor(init: FakeTenantInit, botAppId: string, defaultConnectorAppId: string) {
    this.id = (init.id ?? randomUUID()).toLowerCase();
    this.displayName = init.displayName ?? 'Contoso';
    this.domain = (
      init.domain ?? `${this.displayName.toLowerCase().replace(/[^a-z0-9]/g, '')}.onmicrosoft.com`
    ).toLowerCase();
    if (init.empty) return;

    this.addSku();
    const graph = this.addServicePrincipal({
      appId: FIRST_PARTY_APPS.microsoftGraph,
      displayName: 'Microsoft Graph',
    });
    this.addServicePrincipal({
      appId: FIRST_PARTY_APPS.sharePointOnline,
      displayName: 'Office 365 SharePoint Online',
    });
    this.addServicePrincipal({ appId: botAppId, displayName: 'Connector Concierge' });
    this.admin = this.addUser({ displayName: 'Adele Admin', alias: 'admin' });
    this.sharePointAdmin = this.addUser({ displayName: 'Sam SharePoint', alias: 'spadmin' });
    this.member = this.addUser({ displayName: 'Megan Member', alias: 'megan', drive: null });
    this.assignRole(this.admin.id, DIRECTORY_ROLES.globalAdministrator);
    this.assignRole(this.sharePointAdmin.id, DIRECTORY_ROLES.sharePointAdministrator);
    this.connectorApp = this.withConnectorApp(init.connectorAppId ?? defaultConnectorAppId, {
      resourceId: graph.id,
    });
  }

  /** Adds a licence; default Office 365 E3 with SharePoint (Plan 2) provisioned. */
  addSku(partial: Partial<FakeSku> = {}): FakeSku {
    const sku: FakeSku = {
      id: `${this.id}_${partial.skuId ?? SKUS.enterprisePack}`,
      skuId: SKUS.enterprisePack,
      skuPartNumber: 'ENTERPRISEPACK',
      appliesTo: 'User',
      capabilityStatus: 'Enabled',
      consumedUnits: 3,
      prepaidUnits: { enabled: 25, suspended: 0, warning: 0, lockedOut: 0 },
      servicePlans: [
        {
          servicePlanId: SKUS.sharePointEnterprisePlan,
          servicePlanName: 'SHAREPOINTENTERPRISE',
          provisioningStatus: 'Success',
          appliesTo: 'User',
        },
        {
          servicePlanId: SKUS.exchangeEnterprisePlan,
          servicePlanName: 'EXCHANGE_S_ENTERPRISE',
          provisioningStatus: 'Success',
          appliesTo: 'User',
        },
        {
          servicePlanId: SKUS.teamsPlan,
          servicePlanName: 'TEAMS1',
          provisioningStatus: 'Success',
          appliesTo: 'User',
        },
      ],
      ...partial,
    };
    this.skus.push(sku);
    return sku;
  }

  /** Sets the SharePoint plan's provisioningStatus in every licence (e.g. 'Disabled'), or removes it (null). */
  setSharePointPlan(status: string | null): this {
    for (const sku of this.skus) {
      sku.servicePlans = sku.servicePlans
        .map((p) =>
          p.servicePlanId === SKUS.sharePointEnterprisePlan || p.servicePlanId === SKUS.sharePointStandardPlan
            ? status === null
              ? undefined
              : { ...p, provisioningStatus: status }
            : p,
        )
        .filter((p): p is FakeServicePlan => p !== undefined);
    }
    return this;
  }

  /**
   * Adds a user, licensed with the first SKU unless `licensed: false`, with OneDrive unless
   * `drive: null`. `alias` builds the user principal name (`alias@domain`).
   */
  addUser(partial: Partial<FakeUser> & { alias?: string; licensed?: boolean } = {}): FakeUser {
    const { alias, licensed = true, ...rest } = partial;
    const id = (rest.id as string | undefined) ?? randomUUID();
    const name = alias ?? `user${this.users.length + 1}`;
    const upn = `${name}@${this.domain}`;
    const sku = this.skus[0];
    const user: FakeUser = {
      id,
      displayName: name,
      userPrincipalName: upn,
      mail: upn,
      accountEnabled: true,
      userType: 'Member',
      assignedLicenses: licensed && sku ? [{ skuId: sku.skuId, disabledPlans: [] }] : [],
      assignedPlans:
        licensed && sku
          ? sku.servicePlans.map((p) => ({
              assignedDateTime: CREATED,
              capabilityStatus: 'Enabled',
              service: p.servicePlanName.startsWith('SHAREPOINT') ? 'SharePoint' : p.servicePlanName,
              servicePlanId: p.servicePlanId,
            }))
          : [],
      drive: {
        id: `b!${randomBytes(12).toString('hex')}`,
        driveType: 'business',
        name: 'OneDrive',
        webUrl: `https://${this.domain.split('.')[0]}-my.sharepoint.com/personal/${name}_${this.domain.replace(/\./g, '_')}/Documents`,
      },
      ...rest,
    };
    if (partial.drive === undefined && !(licensed && sku)) user.drive = null;
    user.id = id;
    this.users.push(user);
    return user;
  }

  addGroup(displayName: string, members: string[] = []): FakeGroup {
    const group: FakeGroup = { id: randomUUID(), displayName, members: [...members] };
    this.groups.push(group);
    return group;
  }

  addServicePrincipal(partial: Partial<FakeServicePrincipal> & { appId: string }): FakeServicePrincipal {
    const sp: FakeServicePrincipal = {
      id: randomUUID(),
      displayName: partial.appId,
      servicePrincipalType: 'Application',
      accountEnabled: true,
      appRoleAssignmentRequired: false,
      appOwnerOrganizationId: null,
      appRoles: [],
      ...partial,
    };
    this.servicePrincipals.push(sp);
    return sp;
  }

  /**
   * Adds the connector app's service principal and, unless `consent: false`, its tenant-wide
   * admin consent (one AllPrincipals grant to `resourceId`, default Microsoft Graph's SP).
   */
  withConnectorApp(
    appId: string,
    options: {
      displayName?: string;
      scope?: string;
      consent?: boolean;
      consentType?: 'AllPrincipals' | 'Principal';
      principalId?: string | null;
      appRoleAssignmentRequired?: boolean;
      resourceId?: string;
    } = {},
  ): FakeServicePrincipal {
    const sp = this.addServicePrincipal({
      appId,
      displayName: options.displayName ?? 'Mover Migration Connector',
      appRoleAssignmentRequired: options.appRoleAssignmentRequired ?? false,
      appOwnerOrganizationId: randomUUID(),
    });
    if (options.consent !== false) {
      const resourceId =
        options.resourceId ??
        this.servicePrincipals.find((s) => s.appId === FIRST_PARTY_APPS.microsoftGraph)?.id ??
        randomUUID();
      this.oauth2PermissionGrants.push({
        id: randomBytes(24).toString('base64url'),
        clientId: sp.id,
        consentType: options.consentType ?? 'AllPrincipals',
        principalId:
          options.consentType === 'Principal' ? (options.principalId ?? this.admin?.id ?? null) : null,
        resourceId,
        scope: options.scope ?? 'AllSites.Manage Sites.Manage.All profile offline_access',
      });
    }
    return sp;
  }

  /** Assigns a principal (user, group, service principal) to an app role of `resource`. */
  assignAppRole(
    principal: { id: string; displayName?: string },
    resource: FakeServicePrincipal,
    appRoleId = '00000000-0000-0000-0000-000000000000',
    principalType: FakeAppRoleAssignment['principalType'] = 'User',
  ): FakeAppRoleAssignment {
    const assignment: FakeAppRoleAssignment = {
      id: randomBytes(24).toString('base64url'),
      appRoleId,
      createdDateTime: CREATED,
      principalDisplayName: principal.displayName ?? principal.id,
      principalId: principal.id,
      principalType,
      resourceDisplayName: resource.displayName,
      resourceId: resource.id,
    };
    this.appRoleAssignments.push(assignment);
    return assignment;
  }

  /** Gives a principal a directory role (tenant-wide). */
  assignRole(principalId: string, roleDefinitionId: string): FakeRoleAssignment {
    const assignment: FakeRoleAssignment = {
      id: randomBytes(24).toString('base64url'),
      principalId,
      roleDefinitionId,
      directoryScopeId: '/',
    };
    this.roleAssignments.push(assignment);
    return assignment;
  }

  /**
   * Microsoft Entra saw `appId` sign in at `at` in this `flow`: updates the app's report row
   * (lastSignInActivity is the latest of every flow, as Graph computes it).
   */
  recordSignIn(appId: string, at: string, flow: SignInFlow = 'delegatedClientSignInActivity'): this {
    let row = this.signInActivities.find((r) => r.appId.toLowerCase() === appId.toLowerCase());
    if (!row) {
      row = {
        id: randomBytes(16).toString('base64url'),
        appId,
        lastSignInActivity: null,
        delegatedClientSignInActivity: null,
        delegatedResourceSignInActivity: null,
        applicationAuthenticationClientSignInActivity: null,
        applicationAuthenticationResourceSignInActivity: null,
      };
      this.signInActivities.push(row);
    }
    const activity = { lastSignInDateTime: new Date(at).toISOString(), lastSignInRequestId: randomUUID() };
    row[flow] = activity;
    const last = row.lastSignInActivity?.lastSignInDateTime;
    if (!last || new Date(last).getTime() < new Date(at).getTime()) row.lastSignInActivity = activity;
    return this;
  }

  /** The bot's Graph app loses an application permission: routes needing it answer 403. */
  denyPermission(...names: string[]): this {
    for (const name of names) this.appPermissions.delete(name);
    return this;
  }

  grantPermission(...names: string[]): this {
    for (const name of names) this.appPermissions.add(name);
    return this;
  }

  /** A user by id or user principal name (case-insensitive). */
  findUser(idOrUpn: string): FakeUser | undefined {
    const key = idOrUpn.toLowerCase();
    return this.users.find((u) => u.id.toLowerCase() === key || u.userPrincipalName.toLowerCase() === key);
  }

  /** Any directory object by id, shaped as Graph returns it (with @odata.type). */
  directoryObject(id: string): Record<string, unknown> | undefined {
    const key = id.toLowerCase();
    const user = this.users.find((u) => u.id.toLowerCase() === key);
    if (user) return { '@odata.type': '#microsoft.graph.user', ...publicUser(user) };
    const sp = this.servicePrincipals.find((s) => s.id.toLowerCase() === key);
    if (sp) return { '@odata.type': '#microsoft.graph.servicePrincipal', ...sp };
    const group = this.groups.find((g) => g.id.toLowerCase() === key);
    if (group) return { '@odata.type': '#microsoft.graph.group', ...publicGroup(group) };
    return undefined;
  }
}

export function publicUser(user: FakeUser): Record<string, unknown> {
  const { drive: _drive, ...rest } = user;
  return rest;
}

export function publicGroup(group: FakeGroup): Record<string, unknown> {
  const { members: _members, ...rest } = group;
  return rest;
}
