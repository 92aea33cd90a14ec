import type { SecretStore } from '../connectors/ports';
import { SecretBox, SecretBoxError } from './secretBox';

/**
 * What the check found: a stored value the key opened, one too damaged to tell (not in the sealed
 * format, whatever the key), or none to try.
 */
export type SecretsKeyCheck = 'opened' | 'damaged' | 'nothing-stored';

/** Where the bot's secrets key came from, for the advice when it does not open the store. */
export type SecretsKeySource =
  { kind: 'vault'; url: string; secretName: string } | { kind: 'setting' } | { kind: 'file'; file: string };

/** The secrets key does not open what the store holds: start-up must stop. */
export class SecretsKeyMismatchError extends Error {
  readonly code = 'SECRETS_KEY_MISMATCH';
  constructor() {
    super('the secrets key does not open the stored secrets');
    this.name = 'SecretsKeyMismatchError';
  }
}

/**
 * Opens one stored sealed value with `box` (one small read): a secrets key replaced by mistake (a
 * re-provision that wrote a new Key Vault secret, another SECRETS_KEY, a new key file) is found at
 * start-up, instead of as "cannot read this connector's keys" on every connector later. Throws
 * {@link SecretsKeyMismatchError} only when the key fails to authenticate the value; a value that
 * is damaged (not in the sealed format) says nothing about the key and passes.
 */
export async function checkSecretsKey(
  secrets: Pick<SecretStore, 'sample'>,
  box: SecretBox,
): Promise<SecretsKeyCheck> {
  const stored = await secrets.sample();
  if (!stored) return 'nothing-stored';
  try {
    box.open(stored.sealed, `${stored.tenantId}/${stored.connectorId}`);
  } catch (err) {
    if (!(err instanceof SecretBoxError)) throw err;
    if (err.reason === 'authentication') throw new SecretsKeyMismatchError();
    // 'content': it decrypted, so the key is the right one.
    if (err.reason === 'format') return 'damaged';
  }
  return 'opened';
}

/** The one line start-up prints when the key does not open the store: the setting, then what to do. */
export function secretsKeyMismatchLine(source: SecretsKeySource): string {
  const stored = 'does not open the stored secrets (the sealed connector keys)';
  switch (source.kind) {
    case 'vault':
      return `SECRETS_KEY_SECRET_NAME: the SECRETS_KEY in Key Vault secret "${source.secretName}" of ${source.url} ${stored}: restore the secret's previous version in Key Vault (a re-provision may have written a new key over it), then restart`;
    case 'setting':
      return `SECRETS_KEY: ${stored}: set it back to the key that sealed them (if it was copied from Key Vault, restore the secret's previous version there)`;
    case 'file':
      return `SECRETS_KEY: the key in ${source.file} ${stored}: restore the original file, or set SECRETS_KEY to the key that sealed them (from Key Vault, the secret's previous version)`;
  }
}
