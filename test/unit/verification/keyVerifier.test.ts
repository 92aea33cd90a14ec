import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import { defaultBlobEndpoint, ServiceKeyVerifier } from '../../../src/verification/keyVerifier';
import { startAzurite, type AzuriteInstance } from '../../support/azurite';
import { installNetworkGuard, type NetworkGuard } from '../../support/networkGuard';

let guard: NetworkGuard;
let azurite: AzuriteInstance;
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
const verifier = new ServiceKeyVerifier();

function listen(server: net.Server): Promise<number> {
  servers.push(server);
  // close() waits for open connections: the silent server never reads its socket's end, and the SDK's
  // keep-alive agent holds the others; afterAll destroys them.
  server.on('connection', (socket: net.Socket) => sockets.add(socket));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Answers every request the way Azure Storage answers a refused one. */
async function fakeStorageRefusing(code: string, message: string): Promise<string> {
  const port = await listen(
    http.createServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/xml', 'x-ms-error-code': code });
      res.end(
        `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:00000000-0000-0000-0000-000000000000\nTime:2025-01-01T00:00:00.0000000Z</Message></Error>`,
      );
    }),
  );
  return `http://127.0.0.1:${port}/contosomigration01`;
}

function azureValues(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    accountName: azurite.accountName,
    accountKey: azurite.accountKey,
    blobEndpoint: azurite.blobEndpoint,
    ...overrides,
  };
}

beforeAll(async () => {
  guard = installNetworkGuard();
  azurite = await startAzurite();
  const admin = new BlobServiceClient(
    azurite.blobEndpoint,
    new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey),
  );
  await admin.createContainer('migration-source');
  await admin.createContainer('migration-target');
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await azurite?.stop();
  guard.uninstall();
  expect(guard.describe()).toBe('none');
});

describe('ServiceKeyVerifier, azure-blob against Azurite', () => {
  test('the right account and key are verified by listing containers', async () => {
    const result = await verifier.verify('azure-blob', azureValues(), 'global');
    expect(result).toEqual({
      verified: true,
      detail: "Listed containers of storage account 'devstoreaccount1' (2 found on the first page).",
    });
  });

  test('a trailing slash on the endpoint is fine', async () => {
    const result = await verifier.verify(
      'azure-blob',
      azureValues({ blobEndpoint: `${azurite.blobEndpoint}/` }),
      'global',
    );
    expect(result.verified).toBe(true);
  });

  test('a wrong key of the right format is rejected, and the detail holds no key', async () => {
    const wrongKey = randomBytes(64).toString('base64');
    const started = Date.now();
    const result = await verifier.verify('azure-blob', azureValues({ accountKey: wrongKey }), 'global');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.verified).toBe(false);
    // Azurite reports a bad signature as AuthorizationFailure; Azure itself as AuthenticationFailed (next test).
    expect(result.detail).toBe(
      "The storage account rejected the key (AuthorizationFailure): check the key and that it belongs to 'devstoreaccount1'.",
    );
    expect(result.detail).not.toContain(wrongKey);
    expect(result.detail).not.toContain(azurite.accountKey);
  });

  test('an account the endpoint does not have reads like any endpoint where no storage answered', async () => {
    const result = await verifier.verify(
      'azure-blob',
      azureValues({
        accountName: 'nosuchaccount',
        blobEndpoint: azurite.blobEndpoint.replace(/[^/]+$/, 'nosuchaccount'),
      }),
      'global',
    );
    expect(result.verified).toBe(false);
    expect(result.detail).toMatch(
      /^No storage account 'nosuchaccount' answered at 127\.0\.0\.1:\d+, so the key was not checked/,
    );
  });
});

describe('ServiceKeyVerifier, azure-blob failures', () => {
  test('Azure refusing the signature (AuthenticationFailed) means the key was rejected', async () => {
    const blobEndpoint = await fakeStorageRefusing(
      'AuthenticationFailed',
      'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
    );
    const key = randomBytes(64).toString('base64');
    const result = await verifier.verify(
      'azure-blob',
      { accountName: 'contosomigration01', accountKey: key, blobEndpoint },
      'global',
    );
    expect(result).toEqual({
      verified: false,
      detail:
        "The storage account rejected the key (AuthenticationFailed): check the key and that it belongs to 'contosomigration01'.",
    });
  });

  test.each([
    [
      'AuthorizationFailure',
      'This request is not authorized to perform this operation.',
      /firewall or network rules/,
    ],
    [
      'KeyBasedAuthenticationNotPermitted',
      'Key based authentication is not permitted on this storage account.',
      /does not allow access keys/,
    ],
    [
      'InsufficientAccountPermissions',
      'The account being accessed does not have sufficient permissions.',
      /refused the request \(InsufficientAccountPermissions\)/,
    ],
  ])('a 403 %s is explained without blaming the key', async (code, message, expected) => {
    const blobEndpoint = await fakeStorageRefusing(code, message);
    const result = await verifier.verify(
      'azure-blob',
      { ...azureValues(), accountName: 'contosomigration01', blobEndpoint },
      'global',
    );
    expect(result.verified).toBe(false);
    expect(result.detail).toMatch(expected);
    expect(result.detail).not.toMatch(/rejected the key/);
  });

  test('a 403 that is not from Azure Storage reads like no answer (it is not a storage account)', async () => {
    const port = await listen(
      http.createServer((_req, res) => {
        res.writeHead(403, { 'content-type': 'text/html' });
        res.end('<html><body>Access denied by proxy</body></html>');
      }),
    );
    const result = await verifier.verify(
      'azure-blob',
      azureValues({ blobEndpoint: `http://127.0.0.1:${port}/devstoreaccount1` }),
      'global',
    );
    expect(result).toEqual({
      verified: false,
      detail: `No storage account 'devstoreaccount1' answered at 127.0.0.1:${port}, so the key was not checked: check the account name, the cloud and the endpoint, then try again.`,
    });
  });

  test('an unreachable loopback endpoint fails fast', async () => {
    const port = await closedPort();
    const started = Date.now();
    const result = await verifier.verify(
      'azure-blob',
      azureValues({ blobEndpoint: `http://127.0.0.1:${port}/devstoreaccount1` }),
      'global',
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toEqual({
      verified: false,
      detail: `No storage account 'devstoreaccount1' answered at 127.0.0.1:${port}, so the key was not checked: check the account name, the cloud and the endpoint, then try again.`,
    });
  });

  test('an endpoint that never answers times out with the same message as a refused connection', async () => {
    const port = await listen(net.createServer(() => undefined));
    const started = Date.now();
    const result = await new ServiceKeyVerifier({ timeoutMs: 300 }).verify(
      'azure-blob',
      azureValues({ blobEndpoint: `http://127.0.0.1:${port}/devstoreaccount1` }),
      'global',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.verified).toBe(false);
    expect(result.detail).toBe(
      `No storage account 'devstoreaccount1' answered at 127.0.0.1:${port}, so the key was not checked: check the account name, the cloud and the endpoint, then try again.`,
    );
  });

  test('malformed values are not sent anywhere', async () => {
    const result = await verifier.verify(
      'azure-blob',
      { accountName: 'evil.example.com/x#', accountKey: 'short', blobEndpoint: azurite.blobEndpoint },
      'global',
    );
    expect(result).toEqual({
      verified: false,
      detail: 'Not tested: accountName, accountKey do not have the expected format.',
    });
  });
});

describe('ServiceKeyVerifier, other types', () => {
  test('amazon-s3 and google-cloud-storage are format-checked only', async () => {
    await expect(
      verifier.verify(
        'amazon-s3',
        { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
        'global',
      ),
    ).resolves.toEqual({
      verified: false,
      detail: 'Format checked; the keys were not tested against Amazon S3 (unverified).',
    });
    await expect(
      verifier.verify(
        'google-cloud-storage',
        {
          accessKey: 'GOOGTS7C7FUP3AIRVJTE2BCD',
          secret: 'bGoa+V7g/yqDXvKRqq+JTFn4uQZbPiQJo4pf9RzJ',
          projectId: 'contoso-migration-42',
        },
        'china',
      ),
    ).resolves.toEqual({
      verified: false,
      detail: 'Format checked; the keys were not tested against Google Cloud Storage (unverified).',
    });
  });

  test('a malformed S3 secret is reported by field, never by value', async () => {
    const result = await verifier.verify(
      'amazon-s3',
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'tooshort' },
      'global',
    );
    expect(result).toEqual({
      verified: false,
      detail: 'Not tested: secretAccessKey does not have the expected format.',
    });
  });
});

test('the default blob endpoint follows the cloud', () => {
  expect(defaultBlobEndpoint('contoso', 'global')).toBe('https://contoso.blob.core.windows.net');
  expect(defaultBlobEndpoint('contoso', 'usgovhigh')).toBe('https://contoso.blob.core.usgovcloudapi.net');
  expect(defaultBlobEndpoint('contoso', 'dod')).toBe('https://contoso.blob.core.usgovcloudapi.net');
  expect(defaultBlobEndpoint('contoso', 'china')).toBe('https://contoso.blob.core.chinacloudapi.cn');
});
