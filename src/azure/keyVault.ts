import type { TokenCredential } from '@azure/identity';
import { decodeSecretsKey, isLoopbackHost } from '../config/config';
import { httpStatusOf } from '../util/httpStatus';
import { transportOptions, type AzureTransport } from './identity';

/** Why the secrets key could not come from Key Vault; the message is one line naming the setting. */
export class KeyVaultError extends Error {
  readonly code = 'KEY_VAULT';
  constructor(
    readonly setting: 'SECRETS_KEY_VAULT_URL' | 'SECRETS_KEY_SECRET_NAME',
    detail: string,
  ) {
    super(`${setting}: ${detail}`);
    this.name = 'KeyVaultError';
  }
}

/** One try may take this long; an unreachable vault stops start-up in seconds, not minutes. */
const TRY_TIMEOUT_MS = 5_000;

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split(/\r?\n/)[0];
}

/**
 * Reads SECRETS_KEY from a Key Vault secret, once, at start-up, with the bot's Azure identity
 * (role "Key Vault Secrets User" on the vault or the secret). @azure/keyvault-secrets is loaded
 * here, only when a vault is configured. The SDK authenticates after the vault's 401 challenge,
 * which names the token's resource; it checks that resource against the vault's domain, a check
 * a vault on loopback (a local stand-in) cannot pass, so it is skipped there alone.
 */
export async function readSecretsKeyFromVault(
  vault: { url: string; secretName: string },
  credential: TokenCredential,
  transport: AzureTransport = {},
): Promise<Buffer> {
  const { SecretClient } = await import('@azure/keyvault-secrets');
  const host = new URL(vault.url).hostname.replace(/^\[|\]$/g, '');
  // Sign-in failures surface from the SDK under many names (MSAL's, identity's); marked here.
  let signInFailure: unknown;
  const marked: TokenCredential = {
    getToken: (scopes, options) =>
      credential.getToken(scopes, options).catch((err: unknown) => {
        signInFailure = err;
        throw err;
      }),
  };
  const client = new SecretClient(vault.url, marked, {
    ...transportOptions(transport),
    retryOptions: { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 1_000 },
    disableChallengeResourceVerification: isLoopbackHost(host),
  });
  const secret = `secret "${vault.secretName}" in ${vault.url}`;
  let value: string | undefined;
  try {
    const found = await client.getSecret(vault.secretName, {
      abortSignal: AbortSignal.timeout(3 * TRY_TIMEOUT_MS),
    });
    value = found.value;
  } catch (err) {
    if (signInFailure !== undefined)
      throw new KeyVaultError(
        'SECRETS_KEY_VAULT_URL',
        `cannot get a token for ${vault.url}: ${firstLine(err)}`,
      );
    const status = httpStatusOf(err);
    const code = (err as { code?: unknown })?.code;
    const why = `${status}${typeof code === 'string' ? ` ${code}` : ''}`;
    if (status === 404)
      throw new KeyVaultError('SECRETS_KEY_SECRET_NAME', `${secret} does not exist (${why})`);
    if (status === 401 || status === 403) throw refusal(secret, why, vaultInnerCode(err));
    if (status !== undefined)
      throw new KeyVaultError(
        'SECRETS_KEY_VAULT_URL',
        `${vault.url} answered ${why} for ${secret}: ${firstLine(err)}`,
      );
    throw new KeyVaultError('SECRETS_KEY_VAULT_URL', `cannot read ${secret}: ${firstLine(err)}`);
  }
  const key = value === undefined ? undefined : decodeSecretsKey(value);
  if (key === undefined)
    throw new KeyVaultError(
      'SECRETS_KEY_SECRET_NAME',
      `${secret} is not 32 bytes encoded as base64 (44 characters)`,
    );
  return key;
}

/** Key Vault's inner error code (ForbiddenByRbac, ForbiddenByPolicy, ForbiddenByFirewall), if it gave one. */
function vaultInnerCode(err: unknown): string | undefined {
  // The SDK deserialises the body's `innererror` as `innerError`; the raw name is read too.
  const details = (err as { details?: unknown })?.details as { error?: Record<string, unknown> } | undefined;
  const inner = (details?.error?.innerError ?? details?.error?.innererror) as { code?: unknown } | undefined;
  return typeof inner?.code === 'string' ? inner.code : undefined;
}

/**
 * A 401/403 from the vault, said as its inner code shows: the firewall, an access-policy vault,
 * a token for another tenant (401), or the missing role of an RBAC vault (or no inner code).
 */
function refusal(secret: string, why: string, inner: string | undefined): KeyVaultError {
  const status = inner ? `${why}, ${inner}` : why;
  if (inner === 'ForbiddenByFirewall')
    return new KeyVaultError(
      'SECRETS_KEY_VAULT_URL',
      `the vault's firewall refused this bot reading ${secret} (${status}): allow its address or virtual network under the vault's Networking settings`,
    );
  if (inner === 'ForbiddenByPolicy')
    return new KeyVaultError(
      'SECRETS_KEY_SECRET_NAME',
      `the identity may not read ${secret} (${status}): the vault uses access policies, so give the identity the secret permission Get in one, or switch the vault to Azure RBAC and assign the role "Key Vault Secrets User"`,
    );
  if (why.startsWith('401'))
    return new KeyVaultError(
      'SECRETS_KEY_VAULT_URL',
      `the vault did not accept the identity's token for ${secret} (${status}): the vault may belong to another tenant than the identity`,
    );
  return new KeyVaultError(
    'SECRETS_KEY_SECRET_NAME',
    `the identity may not read ${secret} (${status}): it needs the role "Key Vault Secrets User"`,
  );
}
