import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Why a sealed value could not be opened; deliberately vague, so it can be logged safely. */
export type SecretBoxFailure = 'format' | 'authentication' | 'content';

/** A sealed value that cannot be opened. The message never contains any part of the plaintext. */
export class SecretBoxError extends Error {
  readonly code = 'SECRET_UNREADABLE';
  constructor(readonly reason: SecretBoxFailure) {
    super(
      reason === 'format'
        ? 'Sealed secret is not in the v1 format.'
        : reason === 'authentication'
          ? 'Sealed secret cannot be opened: wrong key, wrong record, or the data was changed.'
          : 'Sealed secret opened but does not hold string values.',
    );
    this.name = 'SecretBoxError';
  }
}

function decode(part: string, expectedBytes?: number): Buffer {
  if (!BASE64URL.test(part)) throw new SecretBoxError('format');
  const bytes = Buffer.from(part, 'base64url');
  // Round-tripping refuses non-canonical encodings, so that every change to the string is detected.
  if (bytes.toString('base64url') !== part) throw new SecretBoxError('format');
  if (expectedBytes !== undefined && bytes.length !== expectedBytes) throw new SecretBoxError('format');
  return bytes;
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

/**
 * Seals small string maps (connector keys) with AES-256-GCM. The additional authenticated data binds a
 * sealed value to its record (for example `tenantId/connectorId`): copied onto another record, it no
 * longer opens.
 *
 * Format: `v1.<iv>.<tag>.<ciphertext>`, each part base64url, with a random 12-byte IV per seal.
 */
export class SecretBox {
  readonly #key: Buffer;

  /** @param key 32 bytes; anything else throws. */
  constructor(key: Buffer) {
    if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
      throw new Error(`SecretBox needs a ${KEY_BYTES}-byte key`);
    }
    // A private copy, so that a caller reusing or zeroing its buffer cannot change the key.
    this.#key = Buffer.from(key);
  }

  /** Encrypts `value` for the record named by `aad`; every call gives a different string. */
  seal(value: Record<string, string>, aad: string): string {
    if (!isStringRecord(value)) throw new TypeError('SecretBox.seal expects an object of string values');
    if (aad === '') throw new TypeError('SecretBox.seal needs the record it binds the value to (aad)');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, ...[iv, tag, ciphertext].map((part) => part.toString('base64url'))].join('.');
  }

  /** Decrypts a value sealed for the same record; throws {@link SecretBoxError} otherwise. */
  open(sealed: string, aad: string): Record<string, string> {
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretBoxError('format');
    const iv = decode(parts[1], IV_BYTES);
    const tag = decode(parts[2], TAG_BYTES);
    const ciphertext = decode(parts[3]);

    let plaintext: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(String(aad), 'utf8'));
      decipher.setAuthTag(tag);
      plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('authentication');
    }

    let value: unknown;
    try {
      value = JSON.parse(plaintext);
    } catch {
      // JSON.parse's own message quotes the text it choked on, so it must not travel on.
      throw new SecretBoxError('content');
    }
    if (!isStringRecord(value)) throw new SecretBoxError('content');
    return value;
  }
}
