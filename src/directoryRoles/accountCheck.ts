/**
 * The target connection check of seed 004, updated: the admin account's cloud, licence and
 * directory roles, and what the check concludes. Pure: facts come in, findings go out.
 */
import {
  cloudLabel,
  cloudOfUpn,
  GERMANY_CLOUD_CLOSED,
  MICROSOFT_CLOUDS,
  type MicrosoftCloud,
} from '../connectors/clouds';
import {
  evaluateRequirements,
  parseTargetKind,
  type RequirementResult,
  type TargetKind,
} from './requirements';

/** What the cloud of an admin account's UPN says, against the cloud the bot works in (CLOUD). */
export type CloudFinding =
  { ok: true; cloud: MicrosoftCloud; detail: string } | { ok: false; detail: string; message: string };

function initialDomainOf(cloud: MicrosoftCloud): string {
  return MICROSOFT_CLOUDS.find((c) => c.id === cloud)?.domain ?? 'onmicrosoft.com';
}

/** Seed 004: the clouds are independent, so one cloud's credentials never work in another. */
export function cloudMismatch(upn: string, configured: MicrosoftCloud, upnClouds: MicrosoftCloud[]): string {
  const theirs = upnClouds.map(cloudLabel).join(' or ');
  return `${upn} belongs to ${theirs}, but this bot works with ${cloudLabel(configured)} (CLOUD=${configured}). The Microsoft clouds are completely independent: credentials of one cloud never work in another, so it is not possible to use ${theirs} credentials to sign in to ${cloudLabel(configured)}, or the other way round. Use an admin account of this tenant in ${cloudLabel(configured)} (…${initialDomainOf(configured)}).`;
}

/**
 * Reads the cloud from the UPN's domain (onmicrosoft.com, onmicrosoft.us, partner.onmschina.cn;
 * onmicrosoft.de was Office 365 Germany, now closed). A custom domain does not tell: then the
 * tenant's initial domain (from Graph) does, when given.
 */
export function checkCloud(
  upn: string,
  configured: MicrosoftCloud,
  tenantInitialDomain?: string,
): CloudFinding {
  const found = cloudOfUpn(upn);
  if (found.kind === 'invalid') {
    return {
      ok: false,
      detail: 'not an account name',
      message: `"${upn.slice(0, 80)}" does not look like an account name (user@domain).`,
    };
  }
  if (found.kind === 'germany') {
    return { ok: false, detail: 'Office 365 Germany (closed)', message: GERMANY_CLOUD_CLOSED };
  }
  if (found.kind === 'known') {
    if (!found.clouds.includes(configured)) {
      return {
        ok: false,
        detail: found.clouds.map(cloudLabel).join(' or '),
        message: cloudMismatch(upn, configured, found.clouds),
      };
    }
    return { ok: true, cloud: configured, detail: `${cloudLabel(configured)} (from ${upn.split('@')[1]})` };
  }
  if (tenantInitialDomain) {
    const fromTenant = checkCloud(`admin@${tenantInitialDomain}`, configured);
    if (!fromTenant.ok) {
      return {
        ok: false,
        detail: fromTenant.detail,
        message: `${upn} uses a custom domain; its tenant’s initial domain is ${tenantInitialDomain}. ${cloudMismatch(upn, configured, cloudsOf(tenantInitialDomain))}`,
      };
    }
    return {
      ok: true,
      cloud: configured,
      detail: `${cloudLabel(configured)} (custom domain; tenant’s initial domain ${tenantInitialDomain})`,
    };
  }
  return {
    ok: true,
    cloud: configured,
    detail: `${cloudLabel(configured)} (custom domain: found in this cloud’s directory)`,
  };
}

function cloudsOf(domain: string): MicrosoftCloud[] {
  const found = cloudOfUpn(`admin@${domain}`);
  return found.kind === 'known' ? found.clouds : [];
}

/** The facts Graph gives about an admin account. */
export interface AccountFacts {
  id: string;
  upn: string;
  displayName: string;
  accountEnabled: boolean;
  /** Licences assigned to the account (assignedLicenses). */
  licences: number;
  /** Service plans of its licences that are enabled, by service name (e.g. exchange, SharePoint). */
  enabledServices: string[];
  /** Role template ids of active, direct, tenant-wide assignments (directoryScopeId '/'). */
  roleIds: string[];
  /** Role template ids assigned only on a narrower scope (an administrative unit, one object). */
  scopedRoleIds: string[];
}

/** The outcome of checking one admin account for one target kind. */
export interface AccountFindings {
  kind: TargetKind;
  cloud: CloudFinding;
  account: AccountFacts;
  results: RequirementResult[];
  licensed: boolean;
  /** What fails the check, one sentence each; empty when it passes. */
  problems: string[];
  passed: boolean;
}

const SERVICE_HINTS: Record<TargetKind, { pattern: RegExp; name: string }> = {
  office365: { pattern: /sharepoint/i, name: 'SharePoint Online' },
  exchange: { pattern: /exchange/i, name: 'Exchange Online' },
};

/** The licence line of the card: licensed or not, and whether the target's service is in it. */
export function licenceDetail(kind: TargetKind, account: AccountFacts): string {
  if (account.licences === 0) return 'no licence';
  const hint = SERVICE_HINTS[kind];
  const count = account.licences === 1 ? '1 licence' : `${account.licences} licences`;
  return account.enabledServices.some((s) => hint.pattern.test(s))
    ? `yes: ${count}, with ${hint.name}`
    : `yes: ${count} (no ${hint.name} plan found)`;
}

/** Puts the facts together: the check passes when the cloud matches, the account is enabled and licensed, and no required role is missing. */
export function assessAccount(kind: TargetKind, cloud: CloudFinding, account: AccountFacts): AccountFindings {
  const results = evaluateRequirements(kind, account.roleIds);
  const problems: string[] = [];
  if (!cloud.ok) problems.push(cloud.message);
  if (!account.accountEnabled) problems.push(`${account.upn} is blocked from signing in (account disabled).`);
  const licensed = account.licences > 0;
  if (!licensed) {
    problems.push(
      `${account.upn} has no licence. The admin account must have a Microsoft 365 account provisioned: assign it a licence and sign in with it once.`,
    );
  }
  for (const result of results) {
    if (result.state === 'missing') {
      problems.push(`Missing ${result.requirement.name}: needed to ${result.requirement.purpose}.`);
    }
  }
  return { kind, cloud, account, results, licensed, problems, passed: problems.length === 0 };
}

/** Under the roles: what a direct-assignment check cannot see. */
export const DIRECT_ASSIGNMENTS_NOTE =
  'I read direct, active, tenant-wide role assignments. A role held through a role-assignable group, or a Privileged Identity Management (PIM) eligible role that is not activated, may not show here and is then listed as missing.';

/**
 * Multi-factor authentication, by target kind. CodeTwo's wizard (seed 004) signs in with a
 * password, so its Important notes stand as the seed gives them; the Office 365 Connector signs
 * in with modern authentication and never takes a password.
 */
export const MFA_NOTES: Record<TargetKind, string> = {
  exchange:
    'Multi-factor authentication (CodeTwo’s notes): if this admin account has MFA enabled, give CodeTwo’s Target server connection wizard its app password instead of the regular Office 365 password, or the configuration will fail. The same goes for a Global Administrator account you give the wizard to assign missing roles: use its app password if it is MFA-enabled, or the roles cannot be assigned with it. I never ask for either password.',
  office365:
    'Multi-factor authentication: keep it on. The Office 365 Connector signs in with modern authentication (OAuth 2.0, with your MFA prompt) and never asks for a password or an app password, and the app works through the admin consent a Global Administrator grants.',
};

/** Seed 004: the approving global admin's account only assigns the roles. */
export const APPROVER_NOTE =
  'Your account is not used for the migration, only to approve these roles. I assign the approved ones with Microsoft Graph and record each decision in the audit log.';

/** `roles [upn] [office365|exchange]`, in either order. */
export type RolesArgs = { upn?: string; kind?: TargetKind } | { unknownWord: string };

export const ROLES_USAGE = 'roles [upn] [office365|exchange]';

export function parseRolesArgs(args: string): RolesArgs {
  const words = args.split(/\s+/).filter(Boolean);
  let upn: string | undefined;
  let kind: TargetKind | undefined;
  for (const word of words) {
    const asKind = parseTargetKind(word);
    if (asKind && !kind) kind = asKind;
    else if (word.includes('@') && !upn && word.length <= 254) upn = word;
    else return { unknownWord: word.slice(0, 60) };
  }
  return { upn, kind };
}
