import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSecretsKey, SECRETS_KEY_FILE } from '../../../src/secrets/secretsKey';

// A plain copy of node:fs, whose own exports cannot be redefined, so single calls can be made to fail.
jest.mock('node:fs', () => ({ ...jest.requireActual<typeof import('node:fs')>('node:fs') }));
/** The module object itself: `import * as` gives a namespace whose bindings cannot be spied on. */
const fsModule = jest.requireMock<typeof import('node:fs')>('node:fs');

const posix = process.platform !== 'win32';
const dirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'concierge-secrets-key-'));
  dirs.push(dir);
  return dir;
}

function mode(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('loadSecretsKey', () => {
  test('a configured key wins and no file is written', () => {
    const dir = tempDir();
    const configured = randomBytes(32);
    expect(loadSecretsKey(configured, dir).equals(configured)).toBe(true);
    expect(fs.existsSync(path.join(dir, SECRETS_KEY_FILE))).toBe(false);
  });

  test('a configured key of the wrong length is refused', () => {
    expect(() => loadSecretsKey(randomBytes(16), tempDir())).toThrow(/^SECRETS_KEY:/);
  });

  test('the first call creates DATA_DIR and a 0600 file holding 32 bytes in base64; later calls read it', () => {
    const dataDir = path.join(tempDir(), 'nested', 'data');
    const key = loadSecretsKey(undefined, dataDir);
    const file = path.join(dataDir, SECRETS_KEY_FILE);

    expect(key).toHaveLength(32);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.trim()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(text.trim(), 'base64').equals(key)).toBe(true);
    if (posix) expect(mode(file)).toBe(0o600);

    expect(loadSecretsKey(undefined, dataDir).equals(key)).toBe(true);
    expect(loadSecretsKey(undefined, dataDir).equals(key)).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  test('two data directories get different keys', () => {
    expect(loadSecretsKey(undefined, tempDir()).equals(loadSecretsKey(undefined, tempDir()))).toBe(false);
  });

  test('a key file written by hand (no newline) is read', () => {
    const dir = tempDir();
    const key = randomBytes(32);
    fs.writeFileSync(path.join(dir, SECRETS_KEY_FILE), key.toString('base64'), { mode: 0o600 });
    expect(loadSecretsKey(undefined, dir).equals(key)).toBe(true);
  });

  test.each([
    ['garbage', 'not a key'],
    ['too short', randomBytes(16).toString('base64')],
    ['too long', randomBytes(33).toString('base64')],
    ['hex', randomBytes(32).toString('hex')],
    ['base64url', 'A'.repeat(42) + '_-'],
  ])('a corrupt key file (%s) is refused with an error naming the file', (_what, content) => {
    const dir = tempDir();
    const file = path.join(dir, SECRETS_KEY_FILE);
    fs.writeFileSync(file, content, { mode: 0o600 });
    expect(() => loadSecretsKey(undefined, dir)).toThrow(/^SECRETS_KEY: /);
    expect(() => loadSecretsKey(undefined, dir)).toThrow(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(content);
  });

  test('an empty key file is refused after a short wait for a concurrent writer', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, SECRETS_KEY_FILE), '', { mode: 0o600 });
    const started = Date.now();
    expect(() => loadSecretsKey(undefined, dir)).toThrow(/^SECRETS_KEY: .*secrets\.key/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  test('a key path that is a directory gives a SECRETS_KEY error', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, SECRETS_KEY_FILE));
    expect(() => loadSecretsKey(undefined, dir)).toThrow(/^SECRETS_KEY: .*cannot be read \(EISDIR\)/);
  });

  (posix ? test : test.skip)('a key file readable by others is tightened to 0600, and still read', () => {
    const dir = tempDir();
    const file = path.join(dir, SECRETS_KEY_FILE);
    const key = randomBytes(32);
    fs.writeFileSync(file, key.toString('base64') + '\n');
    fs.chmodSync(file, 0o644);
    expect(loadSecretsKey(undefined, dir).equals(key)).toBe(true);
    expect(mode(file)).toBe(0o600);

    fs.chmodSync(file, 0o400);
    loadSecretsKey(undefined, dir);
    expect(mode(file)).toBe(0o400);
  });

  (posix ? test : test.skip)(
    'a key file that cannot be tightened is still read, and the operator is told',
    () => {
      const dir = tempDir();
      const file = path.join(dir, SECRETS_KEY_FILE);
      const key = randomBytes(32);
      fs.writeFileSync(file, key.toString('base64') + '\n');
      fs.chmodSync(file, 0o644);
      const chmod = jest.spyOn(fsModule, 'chmodSync').mockImplementation(() => {
        throw Object.assign(new Error('read-only file system'), { code: 'EROFS' });
      });
      const warnings: string[] = [];
      try {
        expect(loadSecretsKey(undefined, dir, (m) => warnings.push(m)).equals(key)).toBe(true);
      } finally {
        chmod.mockRestore();
      }
      expect(warnings).toEqual([
        `SECRETS_KEY: ${file} is readable by others (mode 0644) and could not be made 0600 (EROFS); restrict it yourself`,
      ]);
    },
  );

  test('a key file whose write fails is removed, so the next start makes a key rather than asking to restore one', () => {
    const dir = tempDir();
    const file = path.join(dir, SECRETS_KEY_FILE);
    const write = jest.spyOn(fsModule, 'writeSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    });
    try {
      expect(() => loadSecretsKey(undefined, dir)).toThrow(
        /^SECRETS_KEY: .* cannot be written \(ENOSPC\); no key was kept, so the next start makes a new one$/,
      );
    } finally {
      write.mockRestore();
    }
    expect(fs.existsSync(file)).toBe(false);
    expect(loadSecretsKey(undefined, dir)).toHaveLength(32);
  });
});
