import { generateKeyPairSync } from 'node:crypto';
import {
  AuthorityAnswer,
  KeysUnavailableError,
  MAX_LOADS_IN_FLIGHT,
  OpenIdKeys,
  type FetchJson,
} from '../../../src/api/openIdKeys';

const HOST = 'https://login.example';
const jwk = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }),
  kid: 'k1',
};

/** An authority host whose tenants answer their metadata and keys; `hold` keeps answers back. */
function authority() {
  const fetched: string[] = [];
  let release: () => void = () => {};
  let held: Promise<void> | undefined;
  const fetchJson: FetchJson = async (url) => {
    fetched.push(url);
    if (held) await held;
    const tenant = /^https:\/\/login\.example\/([^/]+)\//.exec(url)?.[1] ?? '';
    if (tenant === 'unknown') throw new AuthorityAnswer(400, `${url} answered 400`);
    if (tenant === 'down') throw new AuthorityAnswer(503, `${url} answered 503`);
    if (url.endsWith('openid-configuration'))
      return { issuer: `${HOST}/${tenant}/v2.0`, jwks_uri: `${HOST}/${tenant}/discovery/v2.0/keys` };
    return { keys: [jwk] };
  };
  return {
    fetched,
    fetchJson,
    hold() {
      held = new Promise((resolve) => (release = resolve));
    },
    release: () => {
      held = undefined;
      release();
    },
  };
}

describe('OpenIdKeys', () => {
  test('an authority that answers 5xx is "unavailable" (the token is not judged); one that says no is not', async () => {
    const { fetchJson } = authority();
    const keys = new OpenIdKeys(HOST, fetchJson);
    await expect(keys.keys('down', 'v2')).rejects.toBeInstanceOf(KeysUnavailableError);
    await expect(keys.keys('unknown', 'v2')).rejects.toBeInstanceOf(AuthorityAnswer);
    await expect(keys.keys('contoso', 'v2')).resolves.toMatchObject({ issuer: `${HOST}/contoso/v2.0` });
  });

  test('look-ups of tenants not in the cache are capped; cached tenants are answered meanwhile', async () => {
    const host = authority();
    const keys = new OpenIdKeys(HOST, host.fetchJson);
    await keys.keys('contoso', 'v2');
    host.hold();
    const forged = Array.from({ length: MAX_LOADS_IN_FLIGHT }, (_, i) => keys.keys(`forged-${i}`, 'v2'));
    await expect(keys.keys('one-too-many', 'v2')).rejects.toBeInstanceOf(KeysUnavailableError);
    await expect(keys.keys('contoso', 'v2')).resolves.toMatchObject({ issuer: `${HOST}/contoso/v2.0` });
    host.release();
    await Promise.all(forged);
    // Room again once they are done.
    await expect(keys.keys('fabrikam', 'v2')).resolves.toMatchObject({ issuer: `${HOST}/fabrikam/v2.0` });
  });

  test('a tenant in use is kept while forged tids fill the cache', async () => {
    const host = authority();
    const keys = new OpenIdKeys(HOST, host.fetchJson);
    await keys.keys('contoso', 'v2');
    for (let i = 0; i < 600; i++) {
      await keys.keys(`forged-${i}`, 'v2');
      if (i % 100 === 0) await keys.keys('contoso', 'v2');
    }
    await keys.keys('contoso', 'v2');
    // Read once (metadata and keys), never evicted and read again.
    expect(host.fetched.filter((url) => url.includes('/contoso/'))).toHaveLength(2);
  });
});
