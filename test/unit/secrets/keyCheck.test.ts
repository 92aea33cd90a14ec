import { randomBytes } from 'node:crypto';
import {
  checkSecretsKey,
  secretsKeyMismatchLine,
  SecretsKeyMismatchError,
} from '../../../src/secrets/keyCheck';
import { SecretBox } from '../../../src/secrets/secretBox';
import { InMemorySecrets } from '../connectors/inMemoryPorts';

const KEY = randomBytes(32);

async function storeWith(sealed?: string): Promise<InMemorySecrets> {
  const secrets = new InMemorySecrets();
  if (sealed !== undefined) await secrets.put('tenant-1', 'c-1', sealed);
  return secrets;
}

describe('the start-up check of the secrets key', () => {
  const sealed = new SecretBox(KEY).seal({ accountKey: 'k' }, 'tenant-1/c-1');

  it('passes when the key opens a stored sealed value', async () => {
    expect(await checkSecretsKey(await storeWith(sealed), new SecretBox(KEY))).toBe('opened');
  });

  it('refuses another key', async () => {
    await expect(checkSecretsKey(await storeWith(sealed), new SecretBox(randomBytes(32)))).rejects.toThrow(
      SecretsKeyMismatchError,
    );
  });

  it('passes with nothing stored, and reads one value only', async () => {
    const secrets = await storeWith();
    const sample = jest.spyOn(secrets, 'sample');
    expect(await checkSecretsKey(secrets, new SecretBox(KEY))).toBe('nothing-stored');
    expect(sample).toHaveBeenCalledTimes(1);
  });

  it('does not blame the key for a value that is not sealed at all', async () => {
    expect(await checkSecretsKey(await storeWith('not-sealed'), new SecretBox(KEY))).toBe('damaged');
  });

  it('says where the key came from and to restore the previous Key Vault version, in one line', () => {
    const lines = [
      secretsKeyMismatchLine({ kind: 'vault', url: 'https://kv.vault.azure.net', secretName: 'secrets-key' }),
      secretsKeyMismatchLine({ kind: 'setting' }),
      secretsKeyMismatchLine({ kind: 'file', file: '/data/secrets.key' }),
    ];
    expect(lines[0]).toBe(
      'SECRETS_KEY_SECRET_NAME: the SECRETS_KEY in Key Vault secret "secrets-key" of https://kv.vault.azure.net does not open the stored secrets (the sealed connector keys): restore the secret\'s previous version in Key Vault (a re-provision may have written a new key over it), then restart',
    );
    expect(lines[1]).toMatch(/^SECRETS_KEY: does not open the stored secrets .*previous version/);
    expect(lines[2]).toMatch(
      /^SECRETS_KEY: the key in \/data\/secrets\.key does not open the stored secrets/,
    );
    expect(lines.every((line) => !line.includes('\n'))).toBe(true);
  });
});
