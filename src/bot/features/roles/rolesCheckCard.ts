import type { RoleRow, RolesCheckCardData } from '../../../cards/rolesCards';
import { cloudLabel, cloudOfUpn } from '../../../connectors/clouds';
import { DIRECT_ASSIGNMENTS_NOTE, licenceDetail, MFA_NOTES } from '../../../directoryRoles/accountCheck';
import type { AccountCheck } from '../../../directoryRoles/directory';
import {
  assignableRoles,
  TARGET_KINDS,
  targetKindLabel,
  type RequirementResult,
  type TargetKind,
} from '../../../directoryRoles/requirements';
import type { RolesShared } from './rolesShared';
import type { DateFormatter } from '../../../util/dates';

const KIND_CHOICES = TARGET_KINDS.map((k) => ({ title: k.label, value: k.id }));

export const roleRow = (result: RequirementResult, upn: string): RoleRow => {
  const { requirement, state, heldAs } = result;
  const why = `Needed to ${requirement.purpose}. ${requirement.why}`;
  switch (state) {
    case 'present':
      return { name: requirement.name, status: `held as ${heldAs?.name ?? requirement.name}`, why };
    case 'missing':
      return {
        name: requirement.name,
        status:
          requirement.assign.via === 'graph'
            ? `not assigned (I would assign ${requirement.assign.role.name})`
            : 'not assigned',
        why,
      };
    case 'optional':
      return { name: requirement.name, status: `not assigned; only to ${requirement.purpose}`, why };
    case 'unverifiable':
      return {
        name: requirement.name,
        status: `cannot be checked with Microsoft Graph${requirement.optional ? `; only to ${requirement.purpose}` : ''}`,
        why: `${why} ${requirement.assign.via === 'exchange' ? requirement.assign.how(upn) : ''}`.trim(),
      };
  }
};

type CheckedAccount = Extract<AccountCheck, { outcome: 'checked' }>;
type UncheckedAccount = Exclude<AccountCheck, CheckedAccount>;

const baseCardData = (
  shared: Pick<RolesShared, 'cloud' | 'clock'>,
  kind: TargetKind,
  subject: string,
  dates: DateFormatter,
): RolesCheckCardData => ({
  title: 'Target connection check',
  subtitle: `${targetKindLabel(kind)} · ${cloudLabel(shared.cloud)} · checked ${dates.dateTime(shared.clock.now())}`,
  verdict: '',
  verdictStyle: 'attention',
  problems: [],
  facts: [],
  present: [],
  missing: [],
  optional: [],
  unchecked: [],
  notes: [{ text: MFA_NOTES[kind] }],
  subject,
  kind,
  kindChoices: KIND_CHOICES,
  canAssign: false,
  defined: false,
});

/** The card's data when the account could not be checked (Graph unavailable, another cloud, no such account). */
const uncheckedCardData = (
  base: RolesCheckCardData,
  check: UncheckedAccount,
  cloud: RolesShared['cloud'],
): RolesCheckCardData => {
  switch (check.outcome) {
    case 'unavailable':
      return {
        ...base,
        verdict: 'I could not check the account',
        verdictStyle: 'warning',
        problems: [{ text: check.message }],
      };
    case 'wrong-cloud':
      return {
        ...base,
        verdict: 'The check failed: the account is in another cloud',
        problems: [{ text: check.message }],
        facts: [
          { title: 'Admin account', value: check.upn },
          { title: 'Its cloud', value: check.detail },
          { title: 'This bot’s cloud', value: `${cloudLabel(cloud)} (CLOUD=${cloud})` },
        ],
      };
    case 'not-found':
      return {
        ...base,
        verdict: 'The check failed: no such account',
        problems: [
          {
            text: `There is no account ${check.upn} in this tenant. Check the spelling; the admin account must belong to this tenant.`,
          },
        ],
      };
  }
};

/** Seed 004's advice for the admin account's address. */
const ONMICROSOFT_ADVICE =
  'CodeTwo recommends entering this account’s primary email address from the *.onmicrosoft.com domain (for example admin@my-company.onmicrosoft.com): it prevents issues if you change the domain on your target server during the migration.';

/** Whether a required role could not be read with Graph (Exchange Online management roles). */
const uncheckedNeeded = (results: readonly RequirementResult[]) =>
  results.some((r) => r.state === 'unverifiable' && !r.requirement.optional);

/** The card's data for an account whose roles were read. */
const checkedCardData = (
  base: RolesCheckCardData,
  check: CheckedAccount,
  kind: TargetKind,
  defined: boolean,
): RolesCheckCardData => {
  const { findings, otherRoles, scopedRoles } = check;
  const { account, results } = findings;
  const notes = [{ text: DIRECT_ASSIGNMENTS_NOTE }];
  if (scopedRoles.length > 0) {
    notes.push({
      text: `Assigned on a narrower scope only (an administrative unit or one object), which does not count: ${scopedRoles.join(', ')}.`,
    });
  }
  // A custom domain (contoso.com) rather than the tenant's initial one (…onmicrosoft.com).
  if (kind === 'exchange' && cloudOfUpn(account.upn).kind === 'custom-domain')
    notes.push({ text: ONMICROSOFT_ADVICE });
  notes.push({ text: MFA_NOTES[kind] });
  const facts = [
    { title: 'Admin account', value: `${account.displayName} (${account.upn})` },
    { title: 'Cloud', value: `${findings.cloud.ok ? '' : '✗ '}${findings.cloud.detail}` },
    { title: 'Sign-in', value: account.accountEnabled ? 'enabled' : '✗ blocked' },
    { title: 'Licensed', value: `${findings.licensed ? '' : '✗ '}${licenceDetail(kind, account)}` },
  ];
  if (otherRoles.length > 0) facts.push({ title: 'Other roles', value: otherRoles.join(', ') });
  return {
    ...base,
    title: `Roles of ${account.displayName}`,
    verdict: findings.passed
      ? `The check passed: ${account.upn} can be the admin account of your ${targetKindLabel(kind)} target, as far as Microsoft Graph shows.${uncheckedNeeded(results) ? ' The roles Graph cannot read are checked by CodeTwo when you click Configure.' : ''}${defined ? ' It is saved as a defined target connection.' : ''}`
      : 'The check failed',
    verdictStyle: findings.passed ? 'good' : 'attention',
    problems: findings.problems.map((text) => ({ text })),
    facts,
    present: results.filter((r) => r.state === 'present').map((r) => roleRow(r, account.upn)),
    missing: results.filter((r) => r.state === 'missing').map((r) => roleRow(r, account.upn)),
    optional: results.filter((r) => r.state === 'optional').map((r) => roleRow(r, account.upn)),
    unchecked: results.filter((r) => r.state === 'unverifiable').map((r) => roleRow(r, account.upn)),
    notes,
    subject: account.id,
    canAssign: assignableRoles(results).length > 0,
    defined,
  };
};

/** The roles card's data for a check of `subject` (an account id or UPN) against a `kind` target. */
export const checkCardData = (
  shared: Pick<RolesShared, 'cloud' | 'clock'>,
  check: AccountCheck,
  kind: TargetKind,
  subject: string,
  defined: boolean,
  dates: DateFormatter,
): RolesCheckCardData => {
  const base = baseCardData(shared, kind, subject, dates);
  return check.outcome === 'checked'
    ? checkedCardData(base, check, kind, defined)
    : uncheckedCardData(base, check, shared.cloud);
};
