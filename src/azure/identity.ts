import type { TokenCredential } from '@azure/identity';
import * as tls from 'node:tls';
import { CLOUD_HOSTS } from '../config/config';

/** Who the bot is towards Azure Storage and Key Vault (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET). */
export interface AzureIdentitySettings {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** The sign-in host (AZURE_AUTHORITY_HOST, or the CLOUD's). */
  authorityHost: string;
}

/**
 * How the Azure SDK clients reach their services. `ca` adds certificate authorities to the
 * system ones: in-process tests serve HTTPS with a CA of their own (a child process gets it
 * through NODE_EXTRA_CA_CERTS instead).
 */
export interface AzureTransport {
  ca?: string;
}

/**
 * One settings object per CA: the SDK's HTTP client keeps one keep-alive agent per settings
 * object, so every client shares its connections instead of opening (and verifying) its own.
 */
const tlsSettings = new Map<string, { ca: string[] }>();

/** SDK client options that trust `transport.ca` besides the system CAs; nothing when there is none. */
export function transportOptions(transport: AzureTransport = {}): { tlsOptions?: { ca: string[] } } {
  const ca = transport.ca;
  if (!ca) return {};
  let settings = tlsSettings.get(ca);
  if (!settings) {
    settings = { ca: [...tls.rootCertificates, ca] };
    tlsSettings.set(ca, settings);
  }
  return { tlsOptions: settings };
}

/** The sign-in hosts of Microsoft's clouds, whose instance metadata MSAL can look up. */
const KNOWN_AUTHORITY_HOSTS = new Set(Object.values(CLOUD_HOSTS).map((h) => new URL(h.authorityHost).host));

/** A short description for logs: which credential, never the secret. */
export function describeIdentity(settings: Omit<AzureIdentitySettings, 'authorityHost'>): string {
  return settings.clientSecret !== undefined
    ? `service principal ${settings.clientId} of tenant ${settings.tenantId}`
    : settings.clientId !== undefined
      ? `managed identity ${settings.clientId}`
      : 'DefaultAzureCredential (in Azure, the system-assigned managed identity)';
}

/**
 * The token credential for Storage and Key Vault. With a tenant, client id and secret: that
 * service principal against `authorityHost`; instance discovery is off for a host that is not one
 * of Microsoft's clouds, because MSAL cannot look up a private or local authority. Otherwise
 * DefaultAzureCredential, which in Azure is the managed identity (the user-assigned one named by
 * `clientId`, when given). @azure/identity is loaded here, only when Azure is configured.
 */
export async function createAzureCredential(
  settings: AzureIdentitySettings,
  transport: AzureTransport = {},
): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  const { tenantId, clientId, clientSecret, authorityHost } = settings;
  const options = {
    ...transportOptions(transport),
    // Token requests fail fast: start-up reports the failure instead of waiting for retries.
    retryOptions: { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 },
  };
  if (tenantId !== undefined && clientId !== undefined && clientSecret !== undefined) {
    return new identity.ClientSecretCredential(tenantId, clientId, clientSecret, {
      ...options,
      authorityHost,
      disableInstanceDiscovery: !KNOWN_AUTHORITY_HOSTS.has(new URL(authorityHost).host),
    });
  }
  return new identity.DefaultAzureCredential({
    ...options,
    authorityHost,
    ...(clientId !== undefined ? { managedIdentityClientId: clientId } : {}),
    ...(tenantId !== undefined ? { tenantId } : {}),
  });
}
