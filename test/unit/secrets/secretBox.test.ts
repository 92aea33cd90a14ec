import { randomBytes } from 'node:crypto';
import { SecretBox, SecretBoxError } from '../../../src/secrets/secretBox';

const KEY = randomBytes(32);
const AAD = 'tenant-1/connector-1';
const VALUE = { accountName: 'contosomigration01', accountKey: 'c2VjcmV0LWtleS12YWx1ZS1mb3ItdGVzdHM=' };

function flipByte(sealed: string, part: 1 | 2 | 3, which: 'first' | 'last' = 'first'): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part], 'base64url');
  bytes[which === 'first' ? 0 : bytes.length - 1] ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

function openError(box: SecretBox, sealed: string, aad = AAD): SecretBoxError {
  try {
    box.open(sealed, aad);
  } catch (err) {
    expect(err).toBeInstanceOf(SecretBoxError);
    return err as SecretBoxError;
  }
  throw new Error('open() did not throw');
}

describe('SecretBox', () => {
  const box = new SecretBox(KEY);

  test('opens what it sealed, for the same record', () => {
    const sealed = box.seal(VALUE, AAD);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(box.open(sealed, AAD)).toEqual(VALUE);
    expect(new SecretBox(Buffer.from(KEY)).open(sealed, AAD)).toEqual(VALUE);
    expect(box.open(box.seal({}, AAD), AAD)).toEqual({});
    const unicode = { note: 'Zürich – 東京 – 🔑' };
    expect(box.open(box.seal(unicode, AAD), AAD)).toEqual(unicode);
  });

  test('every seal differs (random IV) and none contains the plaintext', () => {
    const seals = Array.from({ length: 20 }, () => box.seal(VALUE, AAD));
    expect(new Set(seals).size).toBe(seals.length);
    expect(new Set(seals.map((s) => s.split('.')[1])).size).toBe(seals.length);
    for (const sealed of seals) {
      for (const plain of [...Object.values(VALUE), ...Object.keys(VALUE)]) {
        expect(sealed).not.toContain(plain);
        expect(Buffer.from(sealed.split('.')[3], 'base64url').toString('latin1')).not.toContain(plain);
      }
    }
  });

  test('refuses a wrong key, the wrong record, and any changed byte', () => {
    const sealed = box.seal(VALUE, AAD);
    expect(openError(new SecretBox(randomBytes(32)), sealed).reason).toBe('authentication');
    expect(openError(box, sealed, 'tenant-1/connector-2').reason).toBe('authentication');
    expect(openError(box, sealed, '').reason).toBe('authentication');
    for (const part of [1, 2, 3] as const) {
      expect(openError(box, flipByte(sealed, part)).reason).toBe('authentication');
      expect(openError(box, flipByte(sealed, part, 'last')).reason).toBe('authentication');
    }
  });

  test.each([
    ['empty', ''],
    ['no version', 'abc'],
    ['another version', 'v2.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA'],
    ['too few parts', 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA'],
    ['too many parts', 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA.AAAA'],
    ['short IV', 'v1.AAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA'],
    ['short tag', 'v1.AAAAAAAAAAAAAAAA.AAAA.AAAA'],
    ['empty ciphertext', 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.'],
    ['standard base64 characters', 'v1.AAAAAAAAAAAAAAA+.AAAAAAAAAAAAAAAAAAAAAA.AAAA'],
    ['padding', 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AA=='],
  ])('refuses a bad format (%s)', (_what, sealed) => {
    const err = openError(box, sealed);
    expect(err.code).toBe('SECRET_UNREADABLE');
    expect(err.reason).toBe('format');
  });

  test('refuses a non-canonical encoding of otherwise valid data', () => {
    const sealed = box.seal(VALUE, AAD);
    const parts = sealed.split('.');
    // 16 tag bytes take 22 characters, the last of which has 4 unused bits: setting them changes only the text.
    const last = parts[2].slice(-1);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    parts[2] = parts[2].slice(0, -1) + alphabet[alphabet.indexOf(last) | 0b11];
    expect(parts.join('.')).not.toBe(sealed);
    expect(openError(box, parts.join('.')).reason).toBe('format');
  });

  test('its errors never carry the plaintext', () => {
    const sealed = box.seal(VALUE, AAD);
    const errors = [
      openError(new SecretBox(randomBytes(32)), sealed),
      openError(box, sealed, 'other'),
      openError(box, flipByte(sealed, 3)),
      openError(box, 'nonsense'),
    ];
    for (const err of errors) {
      expect(err.name).toBe('SecretBoxError');
      const text = `${err.message} ${err.stack ?? ''} ${JSON.stringify(err)} ${String(err.cause ?? '')}`;
      for (const plain of Object.values(VALUE)) expect(text).not.toContain(plain);
    }
  });

  test('needs a 32-byte key', () => {
    for (const key of [Buffer.alloc(0), randomBytes(16), randomBytes(31), randomBytes(33), randomBytes(64)]) {
      expect(() => new SecretBox(key)).toThrow('32-byte key');
    }
    expect(() => new SecretBox('x'.repeat(32) as unknown as Buffer)).toThrow('32-byte key');
  });

  test('keeps its own copy of the key', () => {
    const key = randomBytes(32);
    const own = new SecretBox(key);
    const sealed = own.seal(VALUE, AAD);
    key.fill(0);
    expect(own.open(sealed, AAD)).toEqual(VALUE);
  });

  test('seal refuses an empty record binding and non-string values', () => {
    expect(() => box.seal(VALUE, '')).toThrow(TypeError);
    expect(() => box.seal({ n: 1 } as unknown as Record<string, string>, AAD)).toThrow(TypeError);
  });
});
