/**
 * What an admin account needs to be the account of a target connection (seed 004, CodeTwo's
 * target connection wizard, applied to this bot's connectors). Pure: no Teams, HTTP or Graph.
 */
import type { TargetKind } from '../connectors/ports';

/** A Microsoft Entra built-in directory role; `id` is its template id, the same in every tenant. */
export interface DirectoryRole {
  id: string;
  name: string;
}

export const GLOBAL_ADMINISTRATOR: DirectoryRole = {
  id: '62e90394-69f5-4237-9190-012177145e10',
  name: 'Global Administrator',
};
export const SHAREPOINT_ADMINISTRATOR: DirectoryRole = {
  id: 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c',
  name: 'SharePoint Administrator',
};
export const EXCHANGE_ADMINISTRATOR: DirectoryRole = {
  id: '29232cdf-9323-42fd-ade2-1d097af3e4de',
  name: 'Exchange Administrator',
};
export const USER_ADMINISTRATOR: DirectoryRole = {
  id: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  name: 'User Administrator',
};
export const PRIVILEGED_ROLE_ADMINISTRATOR: DirectoryRole = {
  id: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  name: 'Privileged Role Administrator',
};

/** The built-in roles this bot names without asking Graph. */
export const KNOWN_ROLES: readonly DirectoryRole[] = [
  GLOBAL_ADMINISTRATOR,
  SHAREPOINT_ADMINISTRATOR,
  EXCHANGE_ADMINISTRATOR,
  USER_ADMINISTRATOR,
  PRIVILEGED_ROLE_ADMINISTRATOR,
];

export function knownRole(id: string): DirectoryRole | undefined {
  const key = id.toLowerCase();
  return KNOWN_ROLES.find((r) => r.id === key);
}

/** Roles that may assign directory roles to others: the asker must hold one of them. */
export const ROLE_ASSIGNERS: readonly DirectoryRole[] = [GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLE_ADMINISTRATOR];

/** The first role of `ROLE_ASSIGNERS` among the held ones, or undefined. */
export function assignerRole(heldRoleIds: Iterable<string>): DirectoryRole | undefined {
  const held = new Set([...heldRoleIds].map((id) => id.toLowerCase()));
  return ROLE_ASSIGNERS.find((r) => held.has(r.id));
}

/** The kinds of target a connection check is for (declared with the stored connection). */
export type { TargetKind };

export const TARGET_KINDS: readonly { id: TargetKind; label: string }[] = [
  { id: 'office365', label: 'Office 365 (SharePoint Online and OneDrive)' },
  { id: 'exchange', label: 'Exchange Online mailboxes' },
];

export const DEFAULT_TARGET_KIND: TargetKind = 'office365';

export function targetKindLabel(kind: TargetKind): string {
  return TARGET_KINDS.find((k) => k.id === kind)?.label ?? kind;
}

export function isTargetKind(value: unknown): value is TargetKind {
  return typeof value === 'string' && TARGET_KINDS.some((k) => k.id === value);
}

const KIND_WORDS: Record<string, TargetKind> = {
  office365: 'office365',
  o365: 'office365',
  sharepoint: 'office365',
  onedrive: 'office365',
  exchange: 'exchange',
  mailbox: 'exchange',
  mailboxes: 'exchange',
};

/** A target kind from a word typed after `roles` (office365, exchange and a few synonyms). */
export function parseTargetKind(word: string): TargetKind | undefined {
  return KIND_WORDS[word.trim().toLowerCase()];
}

/** How a missing role is given to the account. */
export type RoleAssignment =
  | { via: 'graph'; role: DirectoryRole }
  /** Exchange Online management roles: Microsoft Graph neither reads nor assigns them. */
  | { via: 'exchange'; how(upn: string): string };

/** One thing the admin account must (or may) be able to do, and the roles that let it. */
export interface RoleRequirement {
  /** Stable key, e.g. 'authorize'. */
  key: string;
  /** The role to show, e.g. "Global Administrator or SharePoint Administrator". */
  name: string;
  /** What it is for, in a few words. */
  purpose: string;
  /** Why it is needed (the seed's reason), one or two sentences. */
  why: string;
  /** Held directory roles that satisfy it (any one). Empty when Graph cannot tell (role groups). */
  satisfiedBy: readonly DirectoryRole[];
  /** What the bot offers to assign when it is missing. */
  assign: RoleAssignment;
  /** Optional roles are needed only in some cases (the seed's tip); unchecked by default. */
  optional: boolean;
}

/** Public Folder Management: the Exchange Online role group holding the Public Folders role. */
export const PUBLIC_FOLDER_ROLE_GROUP = 'Public Folder Management';

export function publicFolderHow(upn: string): string {
  return `It is an Exchange Online role group, not a Microsoft Entra directory role, so I can neither see nor assign it with Microsoft Graph. Add the account in the Exchange admin center (Roles > Admin roles > ${PUBLIC_FOLDER_ROLE_GROUP} > Assigned), or in Exchange Online PowerShell: Add-RoleGroupMember -Identity "${PUBLIC_FOLDER_ROLE_GROUP}" -Member ${upn || '<admin UPN>'}`;
}

const OFFICE365: readonly RoleRequirement[] = [
  {
    key: 'authorize',
    name: 'Global Administrator or SharePoint Administrator',
    purpose: 'authorize the connector',
    why: 'Steps 1 to 5 of the Office 365 Connector’s authorization (signing in and authorizing the connector) need a global or SharePoint admin. SharePoint Administrator is the less privileged of the two.',
    satisfiedBy: [GLOBAL_ADMINISTRATOR, SHAREPOINT_ADMINISTRATOR],
    assign: { via: 'graph', role: SHAREPOINT_ADMINISTRATOR },
    optional: false,
  },
  {
    key: 'consent',
    name: 'Global Administrator',
    purpose: 'grant the admin consent',
    why: 'The Office 365 Connector’s steps 6 to 9 name a global admin to grant the tenant-wide admin consent to the Office 365 Mover app (Mover: "Our app requires a global admin for authorization"). Needed only if this account grants it itself: otherwise the connect wizard hands consent to a global admin.',
    satisfiedBy: [GLOBAL_ADMINISTRATOR],
    assign: { via: 'graph', role: GLOBAL_ADMINISTRATOR },
    optional: true,
  },
];

/**
 * Seed 004 (CodeTwo's Target server connection wizard): the admin account needs "the necessary
 * management roles, as shown in the wizard", or the program assigns them at Configure; User
 * management administrator and Public Folders are optional. The management roles are Exchange
 * Online's, which Graph cannot read, so the bot names them and leaves them to CodeTwo's check.
 */
const EXCHANGE: readonly RoleRequirement[] = [
  {
    key: 'management-roles',
    name: 'The management roles CodeTwo’s wizard lists',
    purpose: 'access the target mailboxes through Exchange Web Services (EWS)',
    why: 'CodeTwo connects to the target Office 365 with EWS. Its Target server connection wizard shows the management roles this account needs; at Configure it attempts to assign the missing ones (click Yes), and may ask for an account with the Global administrator role, used only to assign them. They are Exchange Online roles, not Microsoft Entra directory roles, so I can neither see nor assign them with Microsoft Graph.',
    satisfiedBy: [],
    assign: {
      via: 'exchange',
      how: () =>
        'Let CodeTwo assign them: click Configure in its Target server connection wizard and accept with Yes, or assign the roles its Admin account step shows in the Exchange admin center (Roles > Admin roles).',
    },
    optional: false,
  },
  {
    key: 'create-mailboxes',
    name: `${USER_ADMINISTRATOR.name} (CodeTwo’s “User management administrator”)`,
    purpose: 'create new mailboxes on the target',
    why: 'CodeTwo needs the User management administrator role only to create new mailboxes on the target server; clear its checkbox in the wizard if every target mailbox exists. A Global Administrator has these rights too.',
    satisfiedBy: [USER_ADMINISTRATOR, GLOBAL_ADMINISTRATOR],
    assign: { via: 'graph', role: USER_ADMINISTRATOR },
    optional: true,
  },
  {
    key: 'public-folders',
    name: `Public Folders (${PUBLIC_FOLDER_ROLE_GROUP} role group)`,
    purpose: 'migrate public folders',
    why: 'The Public Folders role is only necessary if you plan to migrate public folders.',
    satisfiedBy: [],
    assign: { via: 'exchange', how: publicFolderHow },
    optional: true,
  },
];

/** The roles an admin account needs for a target kind, required ones first. */
export function requirementsFor(kind: TargetKind): readonly RoleRequirement[] {
  return kind === 'exchange' ? EXCHANGE : OFFICE365;
}

/** The requirement of a target kind that assigning `roleId` meets, if any. */
export function requirementAssigning(kind: TargetKind, roleId: string): RoleRequirement | undefined {
  return requirementsFor(kind).find((r) => r.assign.via === 'graph' && r.assign.role.id === roleId);
}

/** Where a requirement stands for one account. */
export type RequirementState =
  /** Held, through `heldAs`. */
  | 'present'
  /** Required and not held: the check fails. */
  | 'missing'
  /** Optional and not held. */
  | 'optional'
  /** Graph cannot tell (an Exchange role group): optional, checked by hand. */
  | 'unverifiable';

export interface RequirementResult {
  requirement: RoleRequirement;
  state: RequirementState;
  heldAs?: DirectoryRole;
}

/** Compares an account's tenant-wide directory roles with what a target kind needs. */
export function evaluateRequirements(kind: TargetKind, heldRoleIds: Iterable<string>): RequirementResult[] {
  const held = new Set([...heldRoleIds].map((id) => id.toLowerCase()));
  return requirementsFor(kind).map((requirement) => {
    if (requirement.satisfiedBy.length === 0) return { requirement, state: 'unverifiable' };
    const heldAs = requirement.satisfiedBy.find((r) => held.has(r.id));
    if (heldAs) return { requirement, state: 'present', heldAs };
    return { requirement, state: requirement.optional ? 'optional' : 'missing' };
  });
}

/** A role the bot can assign with Graph, as offered on the "Assign missing roles" card. */
export interface AssignableRole {
  role: DirectoryRole;
  requirement: RoleRequirement;
  /** Required roles are checked by default, optional ones not (the seed's tip). */
  checkedByDefault: boolean;
}

/** Missing and optional roles the bot can assign with Graph, one per role, required first. */
export function assignableRoles(results: readonly RequirementResult[]): AssignableRole[] {
  const out: AssignableRole[] = [];
  for (const result of results) {
    if (result.state !== 'missing' && result.state !== 'optional') continue;
    if (result.requirement.assign.via !== 'graph') continue;
    const role = result.requirement.assign.role;
    if (out.some((a) => a.role.id === role.id)) continue;
    out.push({ role, requirement: result.requirement, checkedByDefault: result.state === 'missing' });
  }
  return out.sort((a, b) => Number(b.checkedByDefault) - Number(a.checkedByDefault));
}

/** Requirements only a person can meet by hand (Exchange role groups), with how. */
export function manualRoles(
  results: readonly RequirementResult[],
  upn: string,
): { name: string; purpose: string; how: string }[] {
  const out: { name: string; purpose: string; how: string }[] = [];
  for (const { requirement, state } of results) {
    if (state !== 'unverifiable' || requirement.assign.via !== 'exchange') continue;
    out.push({ name: requirement.name, purpose: requirement.purpose, how: requirement.assign.how(upn) });
  }
  return out;
}
