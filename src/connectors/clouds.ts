/** The Microsoft clouds an Office 365 connector can live in (seed 000 and CodeTwo's wizard, seed 004). */

export type MicrosoftCloud = 'global' | 'usgovhigh' | 'dod' | 'china';

export const MICROSOFT_CLOUDS: readonly {
  id: MicrosoftCloud;
  label: string;
  domain: string;
  loginHost: string;
  /**
   * Where an admin manages the tenant's enterprise applications: the Microsoft Entra admin center
   * worldwide, the cloud's own Azure portal elsewhere (Microsoft's national cloud endpoints).
   */
  adminPortal: { host: string; tenantInPath: boolean };
}[] = [
  {
    id: 'global',
    label: 'Microsoft 365 worldwide',
    domain: 'onmicrosoft.com',
    loginHost: 'https://login.microsoftonline.com',
    adminPortal: { host: 'https://entra.microsoft.com', tenantInPath: true },
  },
  {
    id: 'usgovhigh',
    label: 'US Government GCC High',
    domain: 'onmicrosoft.us',
    loginHost: 'https://login.microsoftonline.us',
    adminPortal: { host: 'https://portal.azure.us', tenantInPath: false },
  },
  {
    id: 'dod',
    label: 'US Government DoD',
    domain: 'onmicrosoft.us',
    loginHost: 'https://login.microsoftonline.us',
    adminPortal: { host: 'https://portal.azure.us', tenantInPath: false },
  },
  {
    id: 'china',
    label: 'China operated by 21Vianet',
    domain: 'partner.onmschina.cn',
    loginHost: 'https://login.chinacloudapi.cn',
    adminPortal: { host: 'https://portal.azure.cn', tenantInPath: false },
  },
];

export function cloudLabel(id: MicrosoftCloud): string {
  return MICROSOFT_CLOUDS.find((c) => c.id === id)?.label ?? id;
}

/**
 * Enterprise applications > Admin consent requests in the cloud's admin portal, for the tenant
 * when the portal takes it in the path (otherwise the portal opens the admin's own directory).
 */
export function adminConsentRequestsUrl(id: MicrosoftCloud, tenantId: string): string {
  const portal = (MICROSOFT_CLOUDS.find((c) => c.id === id) ?? MICROSOFT_CLOUDS[0]).adminPortal;
  const tenant = portal.tenantInPath ? `/${encodeURIComponent(tenantId)}` : '';
  return `${portal.host}${tenant}/#view/Microsoft_AAD_IAM/StartboardApplicationsMenuBlade/~/AccessRequests`;
}

export function isMicrosoftCloud(value: unknown): value is MicrosoftCloud {
  return typeof value === 'string' && MICROSOFT_CLOUDS.some((c) => c.id === value);
}

/** What a UPN's domain says about the cloud of its tenant. */
export type UpnCloud =
  | { kind: 'known'; clouds: MicrosoftCloud[] }
  | { kind: 'germany' }
  | { kind: 'custom-domain' }
  | { kind: 'invalid' };

const UPN = /^[^\s@<>"'`]{1,64}@([a-z0-9-]+(\.[a-z0-9-]+)+)$/i;

/**
 * Reads the cloud from a UPN's initial domain: onmicrosoft.com is worldwide, onmicrosoft.us is
 * GCC High or DoD, partner.onmschina.cn is 21Vianet, onmicrosoft.de was Office 365 Germany.
 * A custom domain (contoso.com) does not tell.
 */
export function cloudOfUpn(upn: string): UpnCloud {
  const match = UPN.exec(upn.trim());
  if (!match) return { kind: 'invalid' };
  const domain = match[1].toLowerCase();
  if (domain.endsWith('.onmicrosoft.de')) return { kind: 'germany' };
  if (domain.endsWith('.onmicrosoft.com')) return { kind: 'known', clouds: ['global'] };
  if (domain.endsWith('.onmicrosoft.us')) return { kind: 'known', clouds: ['usgovhigh', 'dod'] };
  if (domain.endsWith('.partner.onmschina.cn')) return { kind: 'known', clouds: ['china'] };
  return { kind: 'custom-domain' };
}

/** The seed 004 explanation, updated for the closure of Office 365 Germany. */
export const GERMANY_CLOUD_CLOSED =
  'Office 365 Germany (onmicrosoft.de) was closed, and its tenants were moved to Microsoft 365 worldwide. Worldwide and the other Microsoft clouds are completely independent: credentials of one cloud never work in another. Sign in with your tenant’s worldwide account (…onmicrosoft.com).';

/** Seed 004: clouds are independent. */
export function cloudMismatchMessage(
  upn: string,
  chosen: MicrosoftCloud,
  upnClouds: MicrosoftCloud[],
): string {
  return `${upn} belongs to ${upnClouds.map(cloudLabel).join(' or ')}, but you chose ${cloudLabel(chosen)}. The Microsoft clouds are completely independent: credentials of one cloud never work in another. Pick the cloud of the account you will sign in with.`;
}
