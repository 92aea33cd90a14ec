/** Builds the links a global admin needs to grant admin consent (seed 000, steps 6 to 9). */

import { connectorApp, type Config, type OwnApps } from '../config/config';
import { GUID } from '../util/ids';
import { MICROSOFT_CLOUDS, type MicrosoftCloud } from './clouds';

/** A value that must not go into a consent URL. */
export class ConsentLinkError extends Error {
  readonly code = 'CONSENT_LINK_INVALID';
}

export interface AdminConsentUrlInput {
  /** Login host of the connector's cloud, e.g. https://login.microsoftonline.us. */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  /** Only when the deployment registered one on the connector app; see below. */
  redirectUri?: string;
}

/**
 * The Microsoft identity platform admin-consent URL for the connector app in one tenant:
 * {authority}/{tenant}/adminconsent?client_id=…. A redirect_uri is added only when one is
 * configured: the connector app is not ours, so we do not know its registered redirect URIs, and
 * a redirect it does not list makes Entra refuse the request (AADSTS50011) before consent is
 * asked. Without one, Entra returns to the app's own default redirect. Ids are checked to be
 * GUIDs before they go into the URL, so nothing typed by a person can reshape it.
 */
export function adminConsentUrl(input: AdminConsentUrlInput): string {
  if (!GUID.test(input.tenantId)) throw new ConsentLinkError('the tenant id is not a GUID');
  if (!GUID.test(input.clientId)) throw new ConsentLinkError('the connector app id is not a GUID');
  const authority = new URL(input.authorityHost);
  if (authority.protocol !== 'https:') throw new ConsentLinkError('the authority host is not https');
  const url = new URL(`/${input.tenantId.toLowerCase()}/adminconsent`, authority);
  url.searchParams.set('client_id', input.clientId.toLowerCase());
  if (input.redirectUri !== undefined) {
    // Checked, then passed exactly as registered: Entra compares it character for character.
    if (new URL(input.redirectUri).protocol !== 'https:')
      throw new ConsentLinkError('the redirect URI is not https');
    url.searchParams.set('redirect_uri', input.redirectUri);
  }
  return url.toString();
}

/**
 * The consent links steps 6 to 9 show, the configured link and the direct URL, as buttons: a URL
 * as a fact value overflows the card. The facts only say what is not available.
 */
export function consentLinks(
  state: { cloud?: MicrosoftCloud; tenantId: string },
  env: { config: OwnApps & Pick<Config, 'adminConsentLink' | 'connectorAppId' | 'consentRedirectUri'> },
) {
  const facts: { title: string; value: string }[] = [];
  const links = [{ title: 'Open the consent link', url: env.config.adminConsentLink }];
  // Never a link that grants consent to the bot's own app (CONNECTOR_APP_ID's default).
  const { appId, reason } = connectorApp(env.config);
  const cloud = MICROSOFT_CLOUDS.find((c) => c.id === (state.cloud ?? 'global'))!;
  if (appId) {
    try {
      const url = adminConsentUrl({
        authorityHost: cloud.loginHost,
        tenantId: state.tenantId,
        clientId: appId,
        redirectUri: env.config.consentRedirectUri,
      });
      links.push({ title: 'Grant admin consent directly', url });
    } catch {
      // A tenant id that is not a GUID cannot be put in a URL; the consent link alone still works.
    }
  } else {
    facts.push({
      title: 'Direct admin-consent URL',
      value: `Not available: ${reason}`,
    });
  }
  return { facts, links };
}
