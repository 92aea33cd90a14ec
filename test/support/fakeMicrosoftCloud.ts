/**
 * A local stand-in for the two Microsoft services the bot calls for app-only Graph access, on ONE
 * HTTPS server at https://127.0.0.1:<free port> (certificate from ./tls, made at test start):
 *
 * - the sign-in service's token endpoint, `POST /{tenant}/oauth2/v2.0/token` (client
 *   credentials): checks client_id, client_secret and scope, answers like Entra ID (AADSTS
 *   errors included), and records every call;
 * - Microsoft Graph under `/v1.0` and `/beta`: routes a test programs (`graph.on`), one-shot
 *   failures (`graph.failNext`), and a {@link FakeTenant} per tenant that serves what the bot's
 *   features read (licences, the connector app's consent, directory roles, users, OneDrive).
 *
 * A Graph request is answered for the tenant its bearer token was issued for, so two tenants'
 * data never mix. Everything the server receives is recorded (`requests`), which lets a test
 * assert that MSAL asked for nothing but a token (no instance discovery, no OpenID document).
 *
 * Typical use:
 *
 *   const cloud = await startFakeMicrosoftCloud();
 *   const tenant = cloud.addTenant();                       // Contoso, with defaults
 *   const gateway = new MsGraphGateway({ ...cloud.gatewayOptions(), logger });
 *   cloud.graph.on('GET', '/subscribedSkus', { value: [] }); // override one route
 *   cloud.graph.failNext('/users', { status: 429, headers: { 'Retry-After': '1' } });
 *   ...
 *   await cloud.stop();
 *
 * In-process code trusts `cloud.ca` (MsGraphGateway's `ca` option); a bot started as a child
 * process gets `NODE_EXTRA_CA_CERTS=writeCaBundle(dir)` (see ./tls).
 */
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { installConsentWorkflowRoutes } from './fakeConsentWorkflow';
import { testTls, type TestTls } from './tls';

// ---------------------------------------------------------------------------------------------
// Well-known ids

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

const ROLE_NAMES: Record<string, string> = {
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

function publicUser(user: FakeUser): Record<string, unknown> {
  const { drive: _drive, ...rest } = user;
  return rest;
}

function publicGroup(group: FakeGroup): Record<string, unknown> {
  const { members: _members, ...rest } = group;
  return rest;
}

// ---------------------------------------------------------------------------------------------
// OData helpers

/** One `property eq value` (or `property in (...)`) clause of a $filter. */
export interface FilterClause {
  /** May be a path: principal/id. */
  property: string;
  values: string[];
}

/**
 * Parses the $filter forms the bot sends: `a eq 'x'`, `a eq 5`/`true`/a GUID,
 * `a in ('x','y')`, joined by `and`. Returns undefined for anything else (the fake then answers
 * 400 as Graph does for an unsupported filter, so a test notices).
 */
export function parseFilter(filter: string): FilterClause[] | undefined {
  const clauses = filter.split(/\s+and\s+/i);
  const parsed: FilterClause[] = [];
  for (const clause of clauses) {
    const eq = /^\s*\(?\s*([A-Za-z0-9_/]+)\s+eq\s+(?:'((?:[^']|'')*)'|([^\s'()]+))\s*\)?\s*$/i.exec(clause);
    if (eq) {
      parsed.push({ property: eq[1], values: [eq[2] !== undefined ? eq[2].replace(/''/g, "'") : eq[3]] });
      continue;
    }
    const inList = /^\s*([A-Za-z0-9_/]+)\s+in\s+\((.*)\)\s*$/i.exec(clause);
    if (inList) {
      const values = [...inList[2].matchAll(/'((?:[^']|'')*)'|([^\s,']+)/g)].map((m) =>
        m[1] !== undefined ? m[1].replace(/''/g, "'") : m[2],
      );
      parsed.push({ property: inList[1], values });
      continue;
    }
    return undefined;
  }
  return parsed;
}

function valueAt(item: Record<string, unknown>, path: string): unknown {
  return path
    .split('/')
    .reduce<unknown>(
      (v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
      item,
    );
}

/** True when the item satisfies every clause (string comparison, case-insensitive). */
export function matchesFilter(item: Record<string, unknown>, clauses: FilterClause[]): boolean {
  return clauses.every((c) => {
    const actual = valueAt(item, c.property);
    return c.values.some((v) => String(actual).toLowerCase() === v.toLowerCase());
  });
}

function applySelect(item: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  if (!select) return item;
  const out: Record<string, unknown> = {};
  if (item['@odata.type'] !== undefined) out['@odata.type'] = item['@odata.type'];
  for (const key of ['id', ...select]) if (key in item) out[key] = item[key];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Requests, replies, routes

/** What a Graph route handler gets. */
export interface FakeGraphRequest {
  method: string;
  /** Decoded path without the version: /users/abc/drive */
  path: string;
  version: string;
  url: URL;
  query: URLSearchParams;
  /** Values of `{name}` segments of the route pattern. */
  params: Record<string, string>;
  /** Parsed $filter (undefined when absent). Throw-free: an unparsable filter is answered 400 before. */
  filter?: FilterClause[];
  select?: string[];
  top?: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (POST), or undefined. */
  body: unknown;
  tenant: FakeTenant;
  cloud: FakeMicrosoftCloud;
}

export interface GraphReply {
  status?: number;
  headers?: Record<string, string>;
  /** JSON-serialized unless a string. */
  body?: unknown;
  /** Answer nothing: the connection is destroyed (the client sees a reset). */
  drop?: boolean;
}

/** A route handler: return a reply, or undefined to let the next matching route answer. */
export type GraphHandler = (
  req: FakeGraphRequest,
) => GraphReply | undefined | Promise<GraphReply | undefined>;

export function reply(status: number, body?: unknown, headers?: Record<string, string>): GraphReply {
  return { status, body, headers };
}

/** Graph's error body: { error: { code, message, innerError } }. */
export function graphErrorBody(code: string, message: string): Record<string, unknown> {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString(),
        'request-id': randomUUID(),
        'client-request-id': randomUUID(),
      },
    },
  };
}

const DEFAULT_ERRORS: Record<number, [string, string]> = {
  400: ['BadRequest', 'Invalid request.'],
  401: ['InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.'],
  403: ['Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'],
  404: [
    'Request_ResourceNotFound',
    'Resource does not exist or one of its queried reference-property objects are not present.',
  ],
  429: ['TooManyRequests', 'Too many requests.'],
  500: ['InternalServerError', 'Internal server error.'],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable. Please retry after some time.'],
  504: ['GatewayTimeout', 'The gateway did not receive a response in time.'],
};

/** A Graph error reply with the usual code and message for the status. */
export function graphError(
  status: number,
  code?: string,
  message?: string,
  headers?: Record<string, string>,
): GraphReply {
  const [defaultCode, defaultMessage] = DEFAULT_ERRORS[status] ?? ['UnknownError', `Error ${status}.`];
  return reply(status, graphErrorBody(code ?? defaultCode, message ?? defaultMessage), headers);
}

/**
 * Serves `items` as a Graph collection: $filter (eq/in), $select, $count=true, and paging by
 * $top (default `pageSize`) with an @odata.nextLink carrying $skiptoken back to this server.
 */
export function collection(
  req: FakeGraphRequest,
  items: Array<Record<string, unknown>>,
  pageSize = 100,
): GraphReply {
  const filtered = req.filter ? items.filter((i) => matchesFilter(i, req.filter as FilterClause[])) : items;
  const size = req.top && req.top > 0 ? req.top : pageSize;
  const offset = Number(req.query.get('$skiptoken') ?? '0') || 0;
  const page = filtered.slice(offset, offset + size).map((i) => applySelect(i, req.select));
  const body: Record<string, unknown> = {
    '@odata.context': `${req.cloud.graphEndpoint}/${req.version}/$metadata#${req.path.split('/')[1] ?? ''}`,
  };
  if (req.query.get('$count') === 'true') body['@odata.count'] = filtered.length;
  body.value = page;
  if (offset + size < filtered.length) {
    const next = new URLSearchParams(req.query);
    next.set('$skiptoken', String(offset + size));
    body['@odata.nextLink'] = `${req.cloud.graphEndpoint}${req.url.pathname}?${next.toString()}`;
  }
  return reply(200, body);
}

/** A handler that serves `items` in pages of `pageSize` (links back to this server). */
export function pages<T extends object>(items: T[], pageSize: number): GraphHandler {
  return (req) => collection(req, items as Array<Record<string, unknown>>, pageSize);
}

/** A handler answering one object, with $select applied. */
export function item(value: Record<string, unknown>): GraphHandler {
  return (req) => reply(200, applySelect(value, req.select));
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: GraphHandler;
  tenantId?: string;
  /** Remaining uses; undefined = unlimited. */
  times?: number;
  /** For fixture routes: the bot's app needs one of these application permissions. */
  permissions?: string[];
}

function compile(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .replace(/\/+$/, '')
    .split('/')
    .map((segment) =>
      segment.replace(/\{(\w+)\}|[.*+?^$()|[\]\\]/g, (m, name: string | undefined) => {
        if (name) {
          names.push(name);
          return '([^/]+)';
        }
        return `\\${m}`;
      }),
    )
    .join('/');
  return { pattern: new RegExp(`^${source}/?$`, 'i'), names };
}

/** One recorded request to the server. */
export interface RecordedRequest {
  at: Date;
  method: string;
  /** Path and query as received. */
  url: string;
  path: string;
  host?: string;
  authorization?: string;
  /** 'token' | 'graph' | 'other' */
  kind: 'token' | 'graph' | 'other';
  status?: number;
}

export interface RecordedGraphRequest extends RecordedRequest {
  kind: 'graph';
  version: string;
  /** Decoded path without version. */
  graphPath: string;
  query: Record<string, string>;
  tenantId?: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** The id of the request inside a JSON `$batch` (the batch itself is recorded too). */
  batchId?: string;
}

/** Throttling of requests inside `$batch`: every `every`-th request (never the same URL twice) answers 429. */
export interface BatchThrottle {
  every: number;
  retryAfterSeconds: number;
}

export interface TokenCall {
  at: Date;
  /** The tenant segment of the URL as sent (GUID or domain). */
  tenant: string;
  grantType?: string;
  clientId?: string;
  scope?: string;
  status: number;
  /** AADSTS number when refused. */
  error?: string;
  accessToken?: string;
}

export interface FailureSpec {
  /** The status to answer; ignored with `drop`. */
  status?: number;
  /** Reset the connection instead of answering. */
  drop?: boolean;
  headers?: Record<string, string>;
  /** Default: Graph's error body for the status. */
  body?: unknown;
  /** Only for this method; default any. */
  method?: string;
  /** How many requests fail; default 1. */
  times?: number;
}

/** The fake Graph: routes, failures, records. */
export class FakeGraph {
  /** Graph requests, in order. */
  readonly requests: RecordedGraphRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly fixtureRoutes: Route[] = [];
  private readonly failures: Array<{ route: Route; spec: FailureSpec }> = [];
  /** False: nothing is recorded (bench runs of 100,000 users keep memory flat). */
  recording = true;
  /** Counts of what was served, kept even when not recording. */
  readonly served = { requests: 0, batches: 0, batchedRequests: 0, throttledInBatch: 0 };
  private batchThrottle?: BatchThrottle;
  private batchSeen = 0;
  private readonly throttledUrls = new Set<string>();

  /** Throttling mode for `$batch` (undefined turns it off), like Graph's per-request 429s. */
  throttleBatches(throttle: BatchThrottle | undefined): void {
    this.batchThrottle = throttle;
    this.batchSeen = 0;
    this.throttledUrls.clear();
  }

  /** @internal 429 for this request inside a batch? */
  throttleInBatch(url: string): BatchThrottle | undefined {
    const throttle = this.batchThrottle;
    if (!throttle || this.throttledUrls.has(url)) return undefined;
    if (++this.batchSeen % throttle.every !== 0) return undefined;
    this.throttledUrls.add(url);
    this.served.throttledInBatch += 1;
    return throttle;
  }

  /**
   * Programs a route (latest wins over earlier ones and over the tenant fixture). `path` is
   * relative to the version and may hold `{name}` segments: '/users/{id}/drive'. `handler` is a
   * function, or any other value to answer as JSON with 200. Returns a function removing it.
   */
  on(
    method: string,
    path: string,
    handler: GraphHandler | object | string | number | boolean | null,
    options: { tenant?: string; times?: number } = {},
  ): () => void {
    const fn: GraphHandler =
      typeof handler === 'function' ? (handler as GraphHandler) : () => reply(200, handler);
    const route: Route = {
      method: method.toUpperCase(),
      ...compile(path),
      handler: fn,
      tenantId: options.tenant?.toLowerCase(),
      times: options.times,
    };
    this.routes.unshift(route);
    return () => {
      const i = this.routes.indexOf(route);
      if (i !== -1) this.routes.splice(i, 1);
    };
  }

  /** The next request(s) to `path` (pattern as in `on`) fail with the given status. */
  failNext(path: string, spec: FailureSpec): void {
    const route: Route = {
      method: (spec.method ?? '*').toUpperCase(),
      ...compile(path),
      handler: () => undefined,
      times: spec.times ?? 1,
    };
    this.failures.push({ route, spec });
  }

  /** Requests whose path (without version and query) is `path`. */
  requestsTo(path: string, method?: string): RecordedGraphRequest[] {
    const { pattern } = compile(path);
    return this.requests.filter(
      (r) => pattern.test(r.graphPath) && (!method || r.method === method.toUpperCase()),
    );
  }

  /** Forgets programmed routes, pending failures and records (tenants stay). */
  reset(): void {
    this.routes.length = 0;
    this.failures.length = 0;
    this.requests.length = 0;
    this.throttleBatches(undefined);
    Object.assign(this.served, { requests: 0, batches: 0, batchedRequests: 0, throttledInBatch: 0 });
  }

  /** @internal fixture routes, served after programmed ones. */
  fixture(method: string, path: string, permissions: string[], handler: GraphHandler): void {
    this.fixtureRoutes.push({ method, ...compile(path), handler, permissions });
  }

  /** @internal the answer of a pending `failNext` for this request, if any (used up). */
  failureFor(req: FakeGraphRequest): GraphReply | undefined {
    const failure = this.failures.find(
      (f) =>
        (f.route.method === '*' || f.route.method === req.method) &&
        (!f.route.tenantId || f.route.tenantId === req.tenant.id) &&
        f.route.pattern.test(req.path),
    );
    if (!failure) return undefined;
    if (--(failure.route.times as number) <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
    const { status = 500, headers, body, drop } = failure.spec;
    if (drop) return { drop: true };
    return body === undefined
      ? graphError(status, undefined, undefined, headers)
      : reply(status, body, headers);
  }

  /** @internal */
  async handle(req: FakeGraphRequest): Promise<GraphReply> {
    const matches = (r: Route) =>
      (r.method === '*' || r.method === req.method) &&
      (!r.tenantId || r.tenantId === req.tenant.id) &&
      r.pattern.test(req.path);

    const failure = this.failureFor(req);
    if (failure) return failure;

    for (const route of [...this.routes, ...this.fixtureRoutes]) {
      if (!matches(route)) continue;
      const values = route.pattern.exec(req.path)?.slice(1) ?? [];
      req.params = Object.fromEntries(route.names.map((n, i) => [n, values[i]]));
      if (route.permissions && !route.permissions.some((p) => req.tenant.appPermissions.has(p))) {
        return graphError(
          403,
          'Authorization_RequestDenied',
          'Insufficient privileges to complete the operation.',
        );
      }
      const answer = await route.handler(req);
      if (answer === undefined) continue;
      if (route.times !== undefined && --route.times <= 0) {
        const i = this.routes.indexOf(route);
        if (i !== -1) this.routes.splice(i, 1);
      }
      return answer;
    }
    return graphError(
      400,
      'BadRequest',
      `Resource not found for the segment '${req.path.split('/')[1] ?? ''}' (fake Microsoft Graph has no route for ${req.method} ${req.path}; program one with graph.on).`,
    );
  }
}

/** The fake sign-in service: apps, tokens, records. */
export class FakeLogin {
  /** Token requests, in order. */
  readonly calls: TokenCall[] = [];
  /** Lifetime of issued tokens, seconds. */
  expiresIn = 3599;
  /** client id → secret. */
  readonly apps = new Map<string, string>();
  /** Issued tokens → tenant id, client id and audience. */
  readonly tokens = new Map<string, { tenantId: string; clientId: string; audience?: string }>();
  /**
   * Resources besides this fake's Graph that tokens are issued for (scope `<resource>/.default`,
   * audience `<resource>`), e.g. https://storage.azure.com or https://vault.azure.net.
   */
  readonly resources = new Set<string>();
  /** Claims that replace the issued tokens' own (e.g. another `iss`, for a token a service refuses). */
  claims: Record<string, unknown> = {};
  private readonly failures: GraphReply[] = [];

  /** The next token request is answered with this (e.g. a 503), before any check. */
  failNext(answer: GraphReply): void {
    this.failures.push(answer);
  }

  /** Every issued token stops working (Graph answers 401). */
  revokeAll(): void {
    this.tokens.clear();
  }

  /** Forgets calls, pending failures and issued tokens (apps and `expiresIn` stay). */
  reset(): void {
    this.calls.length = 0;
    this.failures.length = 0;
    this.tokens.clear();
  }

  /** Token requests that got a token. */
  get issued(): TokenCall[] {
    return this.calls.filter((c) => c.status === 200);
  }

  /** @internal */
  takeFailure(): GraphReply | undefined {
    return this.failures.shift();
  }
}

export interface FakeMicrosoftCloudOptions {
  /** The bot's Graph app the token endpoint accepts; defaults: a new GUID and a random secret. */
  clientId?: string;
  clientSecret?: string;
  /** The connector app every tenant's fixture has consented to; default a new GUID. */
  connectorAppId?: string;
  /** TLS material; default the shared test CA (./tls). */
  tls?: TestTls;
}

export interface FakeMicrosoftCloud {
  /** https://127.0.0.1:PORT: AZURE_AUTHORITY_HOST */
  authorityHost: string;
  /** https://127.0.0.1:PORT: GRAPH_ENDPOINT */
  graphEndpoint: string;
  /** 127.0.0.1:PORT */
  host: string;
  port: number;
  /** The CA to trust (PEM). */
  ca: string;
  clientId: string;
  clientSecret: string;
  connectorAppId: string;
  login: FakeLogin;
  graph: FakeGraph;
  tenants: Map<string, FakeTenant>;
  /** Every request the server got (token, Graph, anything else), in order. */
  requests: RecordedRequest[];
  /** Adds a tenant (with the default fixture unless `empty`). */
  addTenant(init?: FakeTenantInit): FakeTenant;
  /** A tenant by id or domain; throws when unknown. */
  tenant(idOrDomain: string): FakeTenant;
  /** clientId, clientSecret, authorityHost, graphEndpoint and ca, for MsGraphGateway. */
  gatewayOptions(): {
    clientId: string;
    clientSecret: string;
    authorityHost: string;
    graphEndpoint: string;
    ca: string;
  };
  /** Forgets records, programmed routes and failures, and issued tokens; tenants stay. */
  reset(): void;
  /** Environment variables for a bot started as a child process (add NODE_EXTRA_CA_CERTS). */
  env(): Record<string, string>;
  /**
   * Signs an access token as the tenant's sign-in service would (RS256, the key its OpenID
   * metadata publishes): `iss` is the tenant's v2.0 issuer (v1.0 when `ver` is '1.0'), `tid` the
   * tenant, one hour of validity; `claims` add to or override these. `key`/`kid`/`algorithm`
   * forge a token the tenant did not sign.
   */
  signAccessToken(
    tenantId: string,
    claims?: Record<string, unknown>,
    options?: { key?: KeyObject | string; kid?: string; algorithm?: jwt.Algorithm },
  ): string;
  /** The `kid` of the signing key every tenant's metadata publishes. */
  signingKeyId: string;
  stop(): Promise<void>;
}

function sendJson(res: ServerResponse, answer: GraphReply): number {
  const status = answer.status ?? 200;
  const headers: Record<string, string> = { 'request-id': randomUUID(), ...(answer.headers ?? {}) };
  if (answer.body === undefined || status === 204) {
    res.writeHead(status, headers);
    res.end();
    return status;
  }
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] =
      typeof answer.body === 'string'
        ? 'text/plain'
        : 'application/json; odata.metadata=minimal; charset=utf-8';
  }
  res.writeHead(status, headers);
  res.end(text);
  return status;
}

function readRequestBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function fakeJwt(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ typ: 'JWT', alg: 'RS256', kid: 'fake' })}.${part(claims)}.${randomBytes(32).toString('base64url')}`;
}

function aadError(status: number, error: string, aadsts: number, description: string): GraphReply {
  return reply(status, {
    error,
    error_description: `AADSTS${aadsts}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
    error_codes: [aadsts],
    timestamp: new Date().toISOString(),
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  });
}

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeMicrosoftCloud(
  options: FakeMicrosoftCloudOptions = {},
): Promise<FakeMicrosoftCloud> {
  const material = options.tls ?? testTls();
  const clientId = (options.clientId ?? randomUUID()).toLowerCase();
  const clientSecret = options.clientSecret ?? `fake~${randomBytes(18).toString('base64url')}`;
  const connectorAppId = (options.connectorAppId ?? randomUUID()).toLowerCase();
  const login = new FakeLogin();
  login.apps.set(clientId, clientSecret);
  const graph = new FakeGraph();
  const tenants = new Map<string, FakeTenant>();
  const requests: RecordedRequest[] = [];
  let base = '';
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKeyId = `fake-${randomBytes(8).toString('hex')}`;
  const signingJwk = { ...signing.publicKey.export({ format: 'jwk' }), kid: signingKeyId, use: 'sig' };

  const findTenant = (idOrDomain: string): FakeTenant | undefined => {
    const key = idOrDomain.toLowerCase();
    return tenants.get(key) ?? [...tenants.values()].find((t) => t.domain === key);
  };

  /** The issuer of a tenant's tokens of one version, as its OpenID metadata names it. */
  const issuerOf = (tenantId: string, v2: boolean) =>
    v2 ? `${base}/${tenantId}/v2.0` : `https://sts.windows.net/${tenantId}/`;

  /** A tenant's OpenID metadata (v1.0 or v2.0) or its keys, as Entra's discovery endpoints serve them. */
  function openId(tenantSegment: string, v2: boolean, keys: boolean): GraphReply {
    const tenant = findTenant(tenantSegment);
    if (!tenant) {
      return aadError(
        400,
        'invalid_tenant',
        90002,
        `Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    }
    if (keys) return reply(200, { keys: [signingJwk] });
    const root = `${base}/${tenant.id}`;
    return reply(200, {
      token_endpoint: `${root}/oauth2${v2 ? '/v2.0' : ''}/token`,
      // MSAL (@azure/identity with instance discovery off) refuses metadata without it.
      authorization_endpoint: `${root}/oauth2${v2 ? '/v2.0' : ''}/authorize`,
      jwks_uri: `${root}/discovery${v2 ? '/v2.0' : ''}/keys`,
      issuer: issuerOf(tenant.id, v2),
      id_token_signing_alg_values_supported: ['RS256'],
      tenant_region_scope: 'WW',
    });
  }

  async function token(req: IncomingMessage, res: ServerResponse, tenantSegment: string): Promise<number> {
    const form = new URLSearchParams(await readRequestBody(req));
    const call: TokenCall = {
      at: new Date(),
      tenant: tenantSegment,
      grantType: form.get('grant_type') ?? undefined,
      clientId: form.get('client_id') ?? undefined,
      scope: form.get('scope') ?? undefined,
      status: 0,
    };
    login.calls.push(call);
    const answer = ((): GraphReply => {
      const failure = login.takeFailure();
      if (failure) return failure;
      const tenant = findTenant(tenantSegment);
      if (!tenant) {
        return aadError(
          400,
          'invalid_request',
          90002,
          `Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
        );
      }
      if (call.grantType !== 'client_credentials') {
        return aadError(
          400,
          'unsupported_grant_type',
          70003,
          `The app requested an unsupported grant type '${call.grantType}'.`,
        );
      }
      const id = (call.clientId ?? '').toLowerCase();
      if (!login.apps.has(id)) {
        return aadError(
          400,
          'unauthorized_client',
          700016,
          `Application with identifier '${call.clientId}' was not found in the directory '${tenant.displayName}'.`,
        );
      }
      if (form.get('client_secret') !== login.apps.get(id)) {
        return aadError(
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${call.clientId}'.`,
        );
      }
      const scopes = (call.scope ?? '').split(/\s+/);
      const audience = [base, ...login.resources].find((r) => scopes.includes(`${r}/.default`));
      if (audience === undefined) {
        return aadError(
          400,
          'invalid_resource',
          500011,
          `The resource principal named ${scopes.join(' ')} was not found in the tenant named ${tenant.displayName}.`,
        );
      }
      const now = Math.floor(Date.now() / 1000);
      const accessToken = fakeJwt({
        aud: audience,
        iss: `https://sts.windows.net/${tenant.id}/`,
        iat: now,
        nbf: now,
        exp: now + login.expiresIn,
        appid: id,
        idtyp: 'app',
        roles: [...tenant.appPermissions],
        tid: tenant.id,
        jti: randomUUID(),
        ...login.claims,
      });
      login.tokens.set(accessToken, { tenantId: tenant.id, clientId: id, audience });
      call.accessToken = accessToken;
      return reply(200, {
        token_type: 'Bearer',
        expires_in: login.expiresIn,
        ext_expires_in: login.expiresIn,
        access_token: accessToken,
      });
    })();
    const body = answer.body as { error_codes?: number[] } | undefined;
    call.error = body?.error_codes?.[0] !== undefined ? String(body.error_codes[0]) : undefined;
    call.status = sendJson(res, {
      ...answer,
      headers: { 'content-type': 'application/json; charset=utf-8', ...answer.headers },
    });
    return call.status;
  }

  async function graphRequest(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    version: string,
  ): Promise<number> {
    const rawBody = await readRequestBody(req);
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = rawBody;
    }
    const graphPath =
      url.pathname
        .slice(version.length + 1)
        .split('/')
        .map((s) => {
          try {
            return decodeURIComponent(s);
          } catch {
            return s;
          }
        })
        .join('/') || '/';
    const authorization = req.headers.authorization;
    const record: RecordedGraphRequest = {
      at: new Date(),
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      path: url.pathname,
      host: req.headers.host,
      authorization,
      kind: 'graph',
      version,
      graphPath,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
    };
    if (graph.recording) graph.requests.push(record);
    graph.served.requests += 1;

    const bearer = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (!bearer) {
      return (record.status = sendJson(
        res,
        graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.'),
      ));
    }
    const issued = login.tokens.get(bearer);
    const tenant = issued && issued.audience === base ? tenants.get(issued.tenantId) : undefined;
    if (!tenant) {
      return (record.status = sendJson(
        res,
        graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.'),
      ));
    }
    record.tenantId = tenant.id;
    const filterText = url.searchParams.get('$filter');
    const filter = filterText === null ? undefined : parseFilter(filterText);
    if (filterText !== null && !filter) {
      return (record.status = sendJson(
        res,
        graphError(
          400,
          'BadRequest',
          `Invalid filter clause: the fake Microsoft Graph does not understand "${filterText}"; extend parseFilter.`,
        ),
      ));
    }
    const top = url.searchParams.get('$top');
    const select = url.searchParams.get('$select');
    const request: FakeGraphRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: graphPath,
      version,
      url,
      query: url.searchParams,
      params: {},
      filter,
      select: select ? select.split(',').map((s) => s.trim()) : undefined,
      top: top !== null ? Number(top) : undefined,
      headers: req.headers,
      body,
      tenant,
      cloud,
    };
    const answer =
      request.method === 'POST' && graphPath === '/$batch'
        ? await batch(request, record)
        : await graph.handle(request);
    if (answer.drop) {
      req.socket.destroy();
      return (record.status = 0);
    }
    return (record.status = sendJson(res, answer));
  }

  /**
   * JSON `$batch`: at most 20 requests, each served as if sent alone (same routes, failures and
   * permissions), answered together with their own status and headers; with throttling on, some
   * answer 429 with Retry-After inside a 200 batch, as Graph does.
   */
  async function batch(outer: FakeGraphRequest, record: RecordedGraphRequest): Promise<GraphReply> {
    const failed = graph.failureFor(outer);
    if (failed) return failed;
    const requests = (outer.body as { requests?: unknown } | undefined)?.requests;
    if (!Array.isArray(requests) || requests.length === 0 || requests.length > 20) {
      return graphError(400, 'BadRequest', 'A $batch holds between 1 and 20 requests.');
    }
    graph.served.batches += 1;
    const responses = [];
    for (const sub of requests as Array<{ id?: unknown; method?: unknown; url?: unknown; body?: unknown }>) {
      const id = String(sub.id ?? '');
      const method = String(sub.method ?? 'GET').toUpperCase();
      const relative = String(sub.url ?? '');
      graph.served.batchedRequests += 1;
      const url = new URL(
        `${outer.url.origin}/${outer.version}${relative.startsWith('/') ? '' : '/'}${relative}`,
      );
      const path =
        url.pathname
          .slice(outer.version.length + 1)
          .split('/')
          .map((s) => {
            try {
              return decodeURIComponent(s);
            } catch {
              return s;
            }
          })
          .join('/') || '/';
      if (graph.recording) {
        graph.requests.push({
          ...record,
          method,
          url: url.pathname + url.search,
          path: url.pathname,
          graphPath: path,
          query: Object.fromEntries(url.searchParams),
          body: sub.body,
          batchId: id,
        });
      }
      const throttle = graph.throttleInBatch(relative);
      if (throttle) {
        const answer = graphError(429, undefined, undefined, {
          'Retry-After': String(throttle.retryAfterSeconds),
        });
        responses.push({ id, status: 429, headers: answer.headers, body: answer.body });
        continue;
      }
      const filterText = url.searchParams.get('$filter');
      const select = url.searchParams.get('$select');
      const top = url.searchParams.get('$top');
      const answer = await graph.handle({
        ...outer,
        method,
        path,
        url,
        query: url.searchParams,
        params: {},
        filter: filterText === null ? undefined : parseFilter(filterText),
        select: select ? select.split(',').map((s) => s.trim()) : undefined,
        top: top !== null ? Number(top) : undefined,
        body: sub.body,
      });
      responses.push({ id, status: answer.status ?? 200, headers: answer.headers ?? {}, body: answer.body });
    }
    return reply(200, { responses });
  }

  const server = https.createServer({ cert: material.cert, key: material.key }, (req, res) => {
    const url = new URL(req.url ?? '/', base);
    const record: RecordedRequest = {
      at: new Date(),
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      path: url.pathname,
      host: req.headers.host,
      authorization: req.headers.authorization,
      kind: 'other',
    };
    requests.push(record);
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    const version = /^\/(v1\.0|beta)(\/|$)/.exec(url.pathname)?.[1];
    const openIdPath =
      /^\/([^/]+)\/(v2\.0\/)?\.well-known\/openid-configuration$/.exec(url.pathname) ??
      /^\/([^/]+)\/discovery\/(v2\.0\/)?keys$/.exec(url.pathname);
    let handled: Promise<number>;
    if (openIdPath && req.method === 'GET') {
      handled = Promise.resolve(
        sendJson(
          res,
          openId(decodeURIComponent(openIdPath[1]), !!openIdPath[2], url.pathname.endsWith('keys')),
        ),
      );
    } else if (tokenPath && req.method === 'POST') {
      record.kind = 'token';
      handled = token(req, res, decodeURIComponent(tokenPath[1]));
    } else if (version) {
      record.kind = 'graph';
      handled = graphRequest(req, res, url, version);
    } else if (url.pathname === '/' && req.method === 'GET') {
      handled = Promise.resolve(
        sendJson(res, reply(200, { fake: 'microsoft-cloud', tenants: tenants.size })),
      );
    } else {
      handled = Promise.resolve(
        sendJson(
          res,
          reply(404, {
            error: 'not_found',
            error_description: `fake Microsoft cloud: nothing at ${req.method} ${url.pathname}`,
          }),
        ),
      );
    }
    handled.then(
      (status) => (record.status = status),
      (err: Error) => {
        record.status = 500;
        if (!res.headersSent)
          sendJson(
            res,
            graphError(500, 'InternalServerError', `fake Microsoft cloud failed: ${err.message}`),
          );
        else res.destroy();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `https://127.0.0.1:${port}`;

  installFixtureRoutes(graph);
  installConsentWorkflowRoutes(graph);

  const cloud: FakeMicrosoftCloud = {
    authorityHost: base,
    graphEndpoint: base,
    host: `127.0.0.1:${port}`,
    port,
    ca: material.ca,
    clientId,
    clientSecret,
    connectorAppId,
    login,
    graph,
    tenants,
    requests,
    addTenant(init = {}) {
      const tenant = new FakeTenant(init, clientId, connectorAppId);
      if (tenants.has(tenant.id)) throw new Error(`fake Microsoft cloud: tenant ${tenant.id} exists already`);
      tenants.set(tenant.id, tenant);
      return tenant;
    },
    tenant(idOrDomain) {
      const tenant = findTenant(idOrDomain);
      if (!tenant) throw new Error(`fake Microsoft cloud: no tenant ${idOrDomain}`);
      return tenant;
    },
    reset() {
      requests.length = 0;
      graph.reset();
      login.reset();
    },
    gatewayOptions: () => ({
      clientId,
      clientSecret,
      authorityHost: base,
      graphEndpoint: base,
      ca: material.ca,
    }),
    env: () => ({
      AZURE_AUTHORITY_HOST: base,
      GRAPH_ENDPOINT: base,
      GRAPH_CLIENT_ID: clientId,
      GRAPH_CLIENT_SECRET: clientSecret,
      CONNECTOR_APP_ID: connectorAppId,
    }),
    signingKeyId,
    signAccessToken(tenantId, claims = {}, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const v2 = claims.ver !== '1.0';
      const payload: Record<string, unknown> = {
        iss: issuerOf(tenantId.toLowerCase(), v2),
        tid: tenantId.toLowerCase(),
        iat: now,
        nbf: now,
        exp: now + 3600,
        ver: v2 ? '2.0' : '1.0',
        oid: randomUUID(),
        ...claims,
      };
      // A claim given as undefined is left out (a token without exp, say).
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
      return jwt.sign(payload, options.key ?? signing.privateKey, {
        algorithm: options.algorithm ?? 'RS256',
        keyid: options.kid ?? signingKeyId,
      });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return cloud;
}

// ---------------------------------------------------------------------------------------------
// The tenant fixture's routes (after programmed ones). Each names the application permissions
// Graph documents for it (any one suffices); a tenant lacking them answers 403.

const P = {
  org: ['Organization.Read.All', 'Directory.Read.All'],
  app: ['Application.Read.All', 'Directory.Read.All'],
  dir: ['Directory.Read.All'],
  roles: ['RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'RoleManagement.ReadWrite.Directory'],
  rolesWrite: ['RoleManagement.ReadWrite.Directory'],
  users: ['User.Read.All', 'Directory.Read.All'],
  files: ['Files.Read.All', 'Sites.Read.All'],
  auditLog: ['AuditLog.Read.All', 'Directory.Read.All'],
  groups: ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'],
};

const notFound = (what: string) =>
  graphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`,
  );

function installFixtureRoutes(graph: FakeGraph): void {
  const rows = <T extends object>(items: T[]) => items as unknown as Array<Record<string, unknown>>;

  graph.fixture('GET', '/organization', P.org, (req) =>
    collection(req, [
      {
        id: req.tenant.id,
        displayName: req.tenant.displayName,
        verifiedDomains: [{ name: req.tenant.domain, isDefault: true, isInitial: true, type: 'Managed' }],
      },
    ]),
  );
  graph.fixture('GET', '/subscribedSkus', P.org, (req) => collection(req, rows(req.tenant.skus)));

  graph.fixture('GET', '/servicePrincipals', P.app, (req) =>
    collection(req, rows(req.tenant.servicePrincipals)),
  );
  graph.fixture('GET', '/servicePrincipals/{id}', P.app, (req) => {
    const sp = req.tenant.servicePrincipals.find((s) => s.id.toLowerCase() === req.params.id.toLowerCase());
    return sp ? reply(200, applySelect(sp, req.select)) : notFound(req.params.id);
  });
  graph.fixture('GET', '/servicePrincipals/{id}/appRoleAssignments', P.app, (req) =>
    collection(
      req,
      rows(
        req.tenant.appRoleAssignments.filter(
          (a) => a.principalId.toLowerCase() === req.params.id.toLowerCase(),
        ),
      ),
    ),
  );
  graph.fixture('GET', '/servicePrincipals/{id}/appRoleAssignedTo', P.app, (req) =>
    collection(
      req,
      rows(
        req.tenant.appRoleAssignments.filter(
          (a) => a.resourceId.toLowerCase() === req.params.id.toLowerCase(),
        ),
      ),
    ),
  );
  graph.fixture('GET', '/oauth2PermissionGrants', P.dir, (req) =>
    collection(req, rows(req.tenant.oauth2PermissionGrants)),
  );

  graph.fixture('GET', '/roleManagement/directory/roleAssignments', P.roles, (req) => {
    const expand = req.query.get('$expand') ?? '';
    const items = req.tenant.roleAssignments.map(({ endDateTime: _end, ...a }) => {
      const out: Record<string, unknown> = { ...a };
      if (/\bprincipal\b/.test(expand)) out.principal = req.tenant.directoryObject(a.principalId) ?? null;
      if (/\broleDefinition\b/.test(expand)) out.roleDefinition = roleDefinition(a.roleDefinitionId);
      return out;
    });
    return collection(req, items);
  });
  graph.fixture('POST', '/roleManagement/directory/roleAssignments', P.rolesWrite, (req) => {
    const body = (req.body ?? {}) as Partial<FakeRoleAssignment>;
    if (!body.principalId || !body.roleDefinitionId) {
      return graphError(400, 'Request_BadRequest', 'principalId and roleDefinitionId are required.');
    }
    if (!req.tenant.directoryObject(body.principalId)) return notFound(body.principalId);
    const assignment = req.tenant.assignRole(body.principalId, body.roleDefinitionId);
    assignment.directoryScopeId = body.directoryScopeId ?? '/';
    return reply(201, assignment);
  });
  graph.fixture('DELETE', '/roleManagement/directory/roleAssignments/{id}', P.rolesWrite, (req) => {
    const i = req.tenant.roleAssignments.findIndex((a) => a.id === req.params.id);
    if (i === -1) return notFound(req.params.id);
    req.tenant.roleAssignments.splice(i, 1);
    return reply(204);
  });
  graph.fixture('POST', '/roleManagement/directory/roleAssignmentScheduleRequests', P.rolesWrite, (req) => {
    if (!req.tenant.entraIdP2) {
      return graphError(400, 'AadPremiumLicenseRequired', 'The tenant needs an AAD Premium 2 license.');
    }
    const body = (req.body ?? {}) as Partial<FakeRoleAssignmentScheduleRequest>;
    const { action, principalId, roleDefinitionId } = body;
    const directoryScopeId = body.directoryScopeId ?? '';
    if (!principalId || !roleDefinitionId || !directoryScopeId || !action) {
      return graphError(
        400,
        'Request_BadRequest',
        'action, principalId, roleDefinitionId and directoryScopeId are required.',
      );
    }
    if (!req.tenant.directoryObject(principalId)) return notFound(principalId);
    const matching = (a: FakeRoleAssignment) =>
      a.principalId === principalId &&
      a.roleDefinitionId === roleDefinitionId &&
      a.directoryScopeId === directoryScopeId;
    if (action === 'adminAssign') {
      const end = body.scheduleInfo?.expiration?.endDateTime;
      if (body.scheduleInfo?.expiration?.type !== 'afterDateTime' || !end || Number.isNaN(Date.parse(end))) {
        // The default role setting: active assignments must expire.
        return graphError(
          400,
          'RoleAssignmentRequestPolicyValidationFailed',
          'The following policy rules failed: ["ExpirationRule"]',
        );
      }
      if (req.tenant.roleAssignments.some(matching)) {
        return graphError(400, 'RoleAssignmentExists', 'The Role assignment already exists.');
      }
      const assignment = req.tenant.assignRole(principalId, roleDefinitionId);
      assignment.directoryScopeId = directoryScopeId;
      assignment.endDateTime = end;
    } else if (action === 'adminRemove') {
      const i = req.tenant.roleAssignments.findIndex(matching);
      if (i === -1)
        return graphError(400, 'RoleAssignmentDoesNotExist', 'The Role assignment does not exist.');
      req.tenant.roleAssignments.splice(i, 1);
    } else {
      return graphError(400, 'Request_BadRequest', `The fake does not support action '${action}'.`);
    }
    const request: FakeRoleAssignmentScheduleRequest = {
      id: randomUUID(),
      action,
      principalId,
      roleDefinitionId,
      directoryScopeId,
      justification: body.justification,
      scheduleInfo: body.scheduleInfo,
      status: action === 'adminRemove' ? 'Revoked' : 'Provisioned',
      createdDateTime: new Date().toISOString(),
    };
    req.tenant.roleAssignmentScheduleRequests.push(request);
    return reply(201, request);
  });
  graph.fixture('GET', '/roleManagement/directory/roleDefinitions/{id}', P.roles, (req) => {
    const definition = roleDefinition(req.params.id);
    return definition ? reply(200, definition) : notFound(req.params.id);
  });

  graph.fixture('GET', '/users', P.users, (req) => collection(req, req.tenant.users.map(publicUser)));
  graph.fixture('GET', '/users/{id}', P.users, (req) => {
    const user = req.tenant.findUser(req.params.id);
    return user ? reply(200, applySelect(publicUser(user), req.select)) : notFound(req.params.id);
  });
  graph.fixture('GET', '/users/{id}/drive', P.files, (req) => {
    const user = req.tenant.findUser(req.params.id);
    if (!user) return notFound(req.params.id);
    if (!user.drive) return graphError(404, 'itemNotFound', "User's mysite not found.");
    return reply(200, {
      ...user.drive,
      owner: { user: { id: user.id, displayName: user.displayName, email: user.mail } },
    });
  });

  // Beta only, global cloud only; a tenant without Entra ID P1/P2 is refused as Graph does.
  graph.fixture('GET', '/reports/servicePrincipalSignInActivities', P.auditLog, (req) => {
    if (req.version !== 'beta') {
      return graphError(
        400,
        'BadRequest',
        "Resource not found for the segment 'servicePrincipalSignInActivities'.",
      );
    }
    if (req.tenant.signInReport === 'no-premium-licence') {
      return graphError(
        403,
        'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
        "Neither tenant is B2C or tenant doesn't have premium license",
      );
    }
    return collection(req, rows(req.tenant.signInActivities));
  });

  graph.fixture('GET', '/groups/{id}/members', P.groups, (req) => {
    const group = req.tenant.groups.find((g) => g.id.toLowerCase() === req.params.id.toLowerCase());
    if (!group) return notFound(req.params.id);
    return collection(
      req,
      group.members
        .map((m) => req.tenant.directoryObject(m))
        .filter((o): o is Record<string, unknown> => !!o),
    );
  });

  graph.fixture('GET', '/directoryObjects/{id}', P.dir, (req) => {
    const object = req.tenant.directoryObject(req.params.id);
    return object ? reply(200, applySelect(object, req.select)) : notFound(req.params.id);
  });
  graph.fixture('POST', '/directoryObjects/getByIds', P.dir, (req) => {
    const ids = ((req.body ?? {}) as { ids?: string[] }).ids ?? [];
    return reply(200, {
      value: ids.map((id) => req.tenant.directoryObject(id)).filter((o) => o !== undefined),
    });
  });
}

function roleDefinition(id: string): Record<string, unknown> | undefined {
  const name = ROLE_NAMES[id.toLowerCase()];
  return name ? { id, templateId: id, displayName: name, isBuiltIn: true, isEnabled: true } : undefined;
}
