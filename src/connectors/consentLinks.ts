/** Builds the links a global admin needs to grant admin consent (seed 000, steps 6 to 9). */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A value that must not go into a consent URL. */
export class ConsentLinkError extends Error {
  readonly code = 'CONSENT_LINK_INVALID';
}

export interface AdminConsentUrlInput {
  /** Login host of the connector's cloud, e.g. https://login.microsoftonline.us. */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  redirectUri: string;
}

/**
 * The Microsoft identity platform admin-consent URL for the connector app in one tenant:
 * {authority}/{tenant}/adminconsent?client_id=…&redirect_uri=…. Ids are checked to be GUIDs
 * before they go into the URL, so nothing typed by a person can reshape it.
 */
export function adminConsentUrl(input: AdminConsentUrlInput): string {
  if (!GUID.test(input.tenantId)) throw new ConsentLinkError('the tenant id is not a GUID');
  if (!GUID.test(input.clientId)) throw new ConsentLinkError('the connector app id is not a GUID');
  const authority = new URL(input.authorityHost);
  if (authority.protocol !== 'https:') throw new ConsentLinkError('the authority host is not https');
  const redirect = new URL(input.redirectUri);
  if (redirect.protocol !== 'https:') throw new ConsentLinkError('the redirect URI is not https');
  const url = new URL(`/${input.tenantId.toLowerCase()}/adminconsent`, authority);
  url.searchParams.set('client_id', input.clientId.toLowerCase());
  url.searchParams.set('redirect_uri', redirect.toString());
  return url.toString();
}

/** The redirect URI used when none is configured: the cloud's own native-client page. */
export function defaultConsentRedirectUri(authorityHost: string): string {
  return new URL('/common/oauth2/nativeclient', authorityHost).toString();
}
