import { GraphError } from './errors';
import { GUID } from '../util/ids';

/** A DNS name with at least two labels, e.g. contoso.onmicrosoft.com. */
const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;

/**
 * Returns the tenant id in canonical form (a GUID lowercased, or a domain lowercased), or throws
 * GRAPH_INVALID_REQUEST. App-only tokens need a real tenant: `common`, `organizations` and anything
 * that could change the authority URL's path are refused before they reach it.
 */
export function normalizeTenantId(tenantId: string): string {
  const value = typeof tenantId === 'string' ? tenantId.trim() : '';
  if (GUID.test(value) || DOMAIN.test(value)) return value.toLowerCase();
  throw new GraphError(
    'GRAPH_INVALID_REQUEST',
    `"${value.slice(0, 80)}" is not a tenant id: expected a directory (tenant) GUID or a verified domain such as contoso.onmicrosoft.com`,
  );
}

/** The MSAL `auth` settings that pin one tenant's authority and keep MSAL off the network. */
export interface PinnedAuthority {
  /** `${authorityHost}/${tenantId}` */
  authority: string;
  /** host[:port] of the authority host: MSAL trusts it without instance discovery. */
  knownAuthorities: string[];
  /** A cloud instance discovery response (JSON) naming only this host. */
  cloudDiscoveryMetadata: string;
  /** The tenant's OpenID configuration (JSON), so that MSAL fetches no .well-known document. */
  authorityMetadata: string;
  /** The endpoint MSAL will post client-credential requests to. */
  tokenEndpoint: string;
}

/** https://login.microsoftonline.com/ → { origin: https://login.microsoftonline.com, host: login.microsoftonline.com } */
export function parseAuthorityHost(authorityHost: string): { base: string; host: string } {
  let url: URL;
  try {
    url = new URL(authorityHost);
  } catch {
    throw new GraphError('GRAPH_NOT_CONFIGURED', `AZURE_AUTHORITY_HOST is not a URL: "${authorityHost}"`);
  }
  if (url.protocol !== 'https:') {
    throw new GraphError(
      'GRAPH_NOT_CONFIGURED',
      `AZURE_AUTHORITY_HOST must be an https:// URL: "${authorityHost}"`,
    );
  }
  // url.host drops a default :443, and lowercases: the same form MSAL compares with.
  const path = url.pathname.replace(/\/+$/, '');
  return { base: `https://${url.host}${path}`, host: url.host.toLowerCase() };
}

/**
 * Everything MSAL would otherwise look up on the internet, written down for one tenant:
 *
 * - `knownAuthorities: [host]` makes the host trusted without asking
 *   login.microsoftonline.com/common/discovery/instance;
 * - `cloudDiscoveryMetadata` is that instance discovery answer, with the host as its only alias
 *   and its preferred network/cache name (MSAL reads it before its hard-coded list, so even
 *   login.microsoftonline.com is not swapped for another alias);
 * - `authorityMetadata` is the tenant's OpenID configuration (MSAL checks that it has
 *   authorization_endpoint, token_endpoint, issuer and jwks_uri), so MSAL never fetches
 *   `{authority}/v2.0/.well-known/openid-configuration`.
 *
 * With these, the only request MSAL makes for a client-credentials token is the POST to
 * `{authorityHost}/{tenant}/oauth2/v2.0/token`.
 */
export function pinAuthority(authorityHost: string, tenantId: string): PinnedAuthority {
  const tenant = normalizeTenantId(tenantId);
  const { base, host } = parseAuthorityHost(authorityHost);
  const authority = `${base}/${tenant}`;
  const tokenEndpoint = `${authority}/oauth2/v2.0/token`;
  const openIdConfiguration = {
    token_endpoint: tokenEndpoint,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${authority}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${authority}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${base}/oidc/userinfo`,
    authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${authority}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid', 'oid'],
    kerberos_endpoint: `${authority}/kerberos`,
    tenant_region_scope: null,
    cloud_instance_name: host,
    cloud_graph_host_name: null,
    msgraph_host: null,
    rbac_url: null,
  };
  const instanceDiscovery = {
    tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  };
  return {
    authority,
    knownAuthorities: [host],
    cloudDiscoveryMetadata: JSON.stringify(instanceDiscovery),
    authorityMetadata: JSON.stringify(openIdConfiguration),
    tokenEndpoint,
  };
}
