/**
 * The directory roles that can grant tenant-wide admin consent, as CONSENT_REVIEWER_ROLES names
 * them. Here, below the domain, because start-up validates the setting against this table.
 */

/** A directory role that can grant tenant-wide admin consent to delegated permissions. */
export interface ConsentReviewerRole {
  /** Template id, the same in every tenant. */
  id: string;
  name: string;
  /** Why this role may grant it, as the card says. */
  why: string;
}

export const GLOBAL_ADMIN_REVIEWER_ROLE: ConsentReviewerRole = {
  id: '62e90394-69f5-4237-9190-012177145e10',
  name: 'Global Administrator',
  why: 'can grant consent to any permission of any app (the role the Office 365 Connector steps name)',
};

/**
 * The roles CONSENT_REVIEWER_ROLES may add beside Global Administrator: Microsoft Entra lets
 * each of them grant tenant-wide admin consent to delegated permissions (Privileged Role
 * Administrator also to application permissions).
 */
export const OPTIONAL_REVIEWER_ROLES: readonly ConsentReviewerRole[] = [
  {
    id: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
    name: 'Privileged Role Administrator',
    why: 'can grant tenant-wide consent to delegated and application permissions',
  },
  {
    id: '158c047a-c907-4556-b7ef-446551a6b5f7',
    name: 'Cloud Application Administrator',
    why: 'can grant tenant-wide consent to delegated permissions (not to Microsoft Graph application permissions)',
  },
  {
    id: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
    name: 'Application Administrator',
    why: 'can grant tenant-wide consent to delegated permissions (not to Microsoft Graph application permissions)',
  },
];

/** Matches a configured role name to its definition, ignoring case and spacing; undefined if unknown. */
export function reviewerRoleByName(name: string): ConsentReviewerRole | undefined {
  const key = name.replace(/\s+/g, '').toLowerCase();
  return [GLOBAL_ADMIN_REVIEWER_ROLE, ...OPTIONAL_REVIEWER_ROLES].find(
    (r) => r.name.replace(/\s+/g, '').toLowerCase() === key,
  );
}
