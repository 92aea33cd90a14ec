import type { CloudName } from '../config/config';

/** Request-SPOPersonalSite takes at most this many users a call. */
export const PERSONAL_SITE_BATCH = 200;

/** Placeholder admin URL when the tenant's initial domain could not be read. */
export const ADMIN_URL_PLACEHOLDER = 'https://<your-tenant>-admin.sharepoint.com';

const SHAREPOINT_HOSTS: Record<CloudName, string> = {
  global: 'sharepoint.com',
  usgovhigh: 'sharepoint.us',
  dod: 'sharepoint-mil.us',
  china: 'sharepoint.cn',
};

/**
 * The SharePoint Online admin center of a tenant, from its initial domain:
 * contoso.onmicrosoft.com → https://contoso-admin.sharepoint.com. US Government tenants
 * (contoso.onmicrosoft.us) use sharepoint.us, or sharepoint-mil.us in DoD, and 21Vianet ones
 * (contoso.partner.onmschina.cn) sharepoint.cn; the domain decides when it says so, else the
 * configured cloud.
 */
export function sharePointAdminUrl(initialDomain: string | undefined, cloud: CloudName): string {
  const domain = (initialDomain ?? '').trim().toLowerCase();
  const prefix = domain.split('.')[0];
  if (!prefix || !/^[a-z0-9-]+$/.test(prefix)) return ADMIN_URL_PLACEHOLDER;
  const host = domain.endsWith('.onmicrosoft.us')
    ? cloud === 'dod'
      ? SHAREPOINT_HOSTS.dod
      : SHAREPOINT_HOSTS.usgovhigh
    : domain.endsWith('.onmschina.cn')
      ? 'sharepoint.cn'
      : SHAREPOINT_HOSTS[cloud];
  return `https://${prefix}-admin.${host}`;
}

/** GCC High and DoD admin centers, which Connect-SPOService reaches only with `-Region ITAR`. */
function usGovernment(adminUrl: string): boolean {
  return /\.sharepoint(-mil)?\.us$/i.test(adminUrl);
}

/** A PowerShell single-quoted string: nothing inside is expanded; ' is doubled. */
function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * A ready-to-run SharePoint Online Management Shell script (seed 001, "User provisioning"):
 * Connect-SPOService to the admin URL, then Request-SPOPersonalSite for the users in batches of
 * at most 200.
 */
export function provisioningScript(adminUrl: string, userEmails: readonly string[]): string {
  const lines = [
    `# Provisions OneDrive for ${userEmails.length} licensed user${userEmails.length === 1 ? '' : 's'} who never signed in.`,
    '# Run in the SharePoint Online Management Shell as a SharePoint or global admin (you are asked to sign in).',
    `Connect-SPOService -Url ${adminUrl}${usGovernment(adminUrl) ? ' -Region ITAR' : ''}`,
  ];
  for (let i = 0; i < userEmails.length; i += PERSONAL_SITE_BATCH) {
    const batch = userEmails.slice(i, i + PERSONAL_SITE_BATCH);
    lines.push('Request-SPOPersonalSite -UserEmails @(');
    batch.forEach((email, j) => lines.push(`  ${quote(email)}${j < batch.length - 1 ? ',' : ''}`));
    lines.push(')');
  }
  return lines.join('\n');
}

/**
 * The longest script for a prefix of `userEmails` that stays within `maxChars` (a card must fit
 * in Teams' 28 KB): the script and how many users it covers.
 */
export function provisioningScriptWithin(
  adminUrl: string,
  userEmails: readonly string[],
  maxChars: number,
): { text: string; included: number } {
  // Each user adds its quoted address, indentation and a comma; every batch adds two lines.
  let size = provisioningScript(adminUrl, []).length;
  let included = 0;
  for (const email of userEmails) {
    const extra =
      quote(email).length +
      4 +
      (included % PERSONAL_SITE_BATCH === 0 ? 'Request-SPOPersonalSite -UserEmails @(\n)\n'.length : 0);
    if (size + extra > maxChars) break;
    size += extra;
    included += 1;
  }
  return { text: provisioningScript(adminUrl, userEmails.slice(0, included)), included };
}
