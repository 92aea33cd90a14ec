import { createHash } from 'node:crypto';

/**
 * Key and value encodings for Azure Table storage. PartitionKey and RowKey may not contain
 * / \ # ? or control characters and are limited to 1 KiB, so every caller-supplied part of a key
 * goes through one of these.
 */

const PLAIN = /^[A-Za-z0-9._-]$/;
/** Past this length a key part is replaced by its hash (Table keys are limited to 1 KiB). */
const MAX_PART = 400;

function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * A readable, injective encoding: letters, digits, "." "_" "-" stay as they are and every other
 * byte becomes "~XX" (UTF-8, upper-case hex). The output never contains "|", so parts joined
 * with "|" stay unambiguous. Very long values become "~~" + a SHA-256, which plain encoding never
 * produces; "" becomes "~".
 */
export function escapeKey(value: string): string {
  if (value === '') return '~';
  let out = '';
  for (const ch of value) {
    if (PLAIN.test(ch)) out += ch;
    else
      for (const byte of Buffer.from(ch, 'utf8'))
        out += `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out.length > MAX_PART ? `~~${digest(value)}` : out;
}

/**
 * The value {@link escapeKey} encoded; undefined for a long value it replaced by a hash, which
 * cannot be turned back.
 */
export function unescapeKey(key: string): string | undefined {
  if (key === '~') return '';
  if (key.startsWith('~~')) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < key.length; i++) {
    if (key[i] === '~') {
      bytes.push(parseInt(key.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(key.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * An order-preserving encoding: the UTF-8 bytes in lower-case hex, so that comparing encoded
 * keys compares the values byte by byte (as SQLite's BINARY collation does). Joined with "-"
 * (which sorts before every hex digit) a shorter value still sorts before its extensions.
 * Values longer than 200 bytes are cut (order then ties on the first 200 bytes).
 */
export function orderedKey(value: string): string {
  return Buffer.from(value, 'utf8').toString('hex').slice(0, MAX_PART);
}

/** Like {@link orderedKey} but never cut: long values become "z" + a hash (hex never has a "z"). */
export function orderedUniqueKey(value: string): string {
  const hex = Buffer.from(value, 'utf8').toString('hex');
  return hex.length > MAX_PART ? `z${digest(value)}` : hex;
}

/** Latest moment the index can represent (9999-12-31), so buckets stay 8 digits. */
const MAX_MS = 253402300799999;

function clampMs(ms: number): number {
  return Math.min(Math.max(0, Math.floor(ms)), MAX_MS);
}

/** Milliseconds since the epoch as 15 digits, so that string order is time order. */
export function padMs(ms: number): string {
  return String(clampMs(ms)).padStart(15, '0');
}

/** The UTC day of a moment, yyyymmdd: the expiry index's partition. */
export function dayBucket(ms: number): string {
  return new Date(clampMs(ms)).toISOString().slice(0, 10).replace(/-/g, '');
}

/** The smallest string greater than every string that starts with `prefix`. */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** Table string properties hold at most 64 KiB (32 Ki UTF-16 units); longer JSON is split. */
const CHUNK = 30_000;
const MAX_CHUNKS = 30;

/** Splits a JSON document over `name`, `name1`, `name2`, ... properties. */
export function packDoc(value: unknown, name = 'doc'): Record<string, string> {
  const json = JSON.stringify(value);
  const props: Record<string, string> = {};
  const count = Math.max(1, Math.ceil(json.length / CHUNK));
  if (count > MAX_CHUNKS)
    throw new Error(`record too large for Azure Table storage (${json.length} characters)`);
  for (let i = 0; i < count; i++)
    props[i === 0 ? name : `${name}${i}`] = json.slice(i * CHUNK, (i + 1) * CHUNK);
  return props;
}

/** The JSON text of a document written by {@link packDoc}; undefined when the entity has none. */
export function packedText(entity: Record<string, unknown>, name = 'doc'): string | undefined {
  if (typeof entity[name] !== 'string') return undefined;
  let json = entity[name] as string;
  for (let i = 1; typeof entity[`${name}${i}`] === 'string'; i++) json += entity[`${name}${i}`] as string;
  return json;
}

/** Reassembles a document written by {@link packDoc}. */
export function unpackDoc<T>(entity: Record<string, unknown>, name = 'doc'): T {
  return JSON.parse(packedText(entity, name) ?? String(entity[name] ?? '')) as T;
}

/** An opaque cursor around a string position. */
export function encodeCursor(position: string): string {
  return Buffer.from(JSON.stringify({ after: position }), 'utf8').toString('base64url');
}

/** The position in a cursor from {@link encodeCursor}; undefined when it does not decode. */
export function decodeCursor(
  cursor: string | undefined,
  valid: (position: string) => boolean,
): string | undefined {
  if (!cursor) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof value?.after === 'string' && valid(value.after)) return value.after;
  } catch {
    // A cursor that does not decode is treated as no cursor: the caller gets the first page.
  }
  return undefined;
}
