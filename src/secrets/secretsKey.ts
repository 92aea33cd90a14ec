import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Name of the key file in DATA_DIR, used when SECRETS_KEY is not set. */
export const SECRETS_KEY_FILE = 'secrets.key';

const KEY_BYTES = 32;
const KEY_BASE64 = /^[A-Za-z0-9+/]{43}=$/;
// Another process may have created the file but not yet written it; wait this long for its content.
const EMPTY_FILE_WAIT_MS = 1_000;
const EMPTY_FILE_POLL_MS = 25;

function keyError(file: string, problem: string): Error {
  return new Error(`SECRETS_KEY: ${file} ${problem}`);
}

function errnoCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Creates the file with a new key unless it exists; true when this call created it. */
function createKeyFile(file: string): boolean {
  let fd: number;
  try {
    // 'wx' fails when the file exists, so of two processes starting together only one writes a key.
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw keyError(file, `cannot be created (${errnoCode(err)})`);
  }
  try {
    fs.writeSync(fd, randomBytes(KEY_BYTES).toString('base64') + '\n');
    fs.fsyncSync(fd);
  } catch (err) {
    // A half-written file would make the next start ask to "restore the original", which never
    // existed: nothing was sealed with this key yet, so the file goes.
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw keyError(
      file,
      `cannot be written (${errnoCode(err)}); no key was kept, so the next start makes a new one`,
    );
  }
  fs.closeSync(fd);
  return true;
}

function readKeyFile(file: string): Buffer {
  const deadline = Date.now() + EMPTY_FILE_WAIT_MS;
  let text: string;
  for (;;) {
    try {
      text = fs.readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw keyError(file, `cannot be read (${errnoCode(err)})`);
    }
    if (text !== '' || Date.now() >= deadline) break;
    sleepSync(EMPTY_FILE_POLL_MS);
  }
  if (!KEY_BASE64.test(text)) {
    // Never suggest deleting it: values sealed with the lost key could not be read any more.
    throw keyError(
      file,
      `does not hold a ${KEY_BYTES}-byte key in base64; restore the original file or set SECRETS_KEY`,
    );
  }
  return Buffer.from(text, 'base64');
}

/** Makes a key file readable by group or others 0600; says so when it cannot. */
function tightenMode(file: string, warn: (message: string) => void): void {
  let mode: number;
  try {
    mode = fs.statSync(file).mode & 0o777;
  } catch {
    return; // Read next, where a missing or unreadable file is reported.
  }
  if ((mode & 0o077) === 0) return;
  try {
    fs.chmodSync(file, 0o600);
  } catch (err) {
    // A read-only mount or a file owned by someone else is the operator's to fix; the key still
    // works, but others on the machine can read it, and the operator should know.
    warn(
      `SECRETS_KEY: ${file} is readable by others (mode ${mode.toString(8).padStart(4, '0')}) and could not be made 0600 (${errnoCode(err)}); restrict it yourself`,
    );
  }
}

/**
 * Returns the configured key, or reads DATA_DIR/secrets.key, creating it (32 random bytes, base64, file mode
 * 0600, created with the 'wx' flag so two processes starting together cannot both write it) on first start.
 * Creates DATA_DIR when missing and tightens a key file readable by group or others to 0600,
 * telling `warn` when it cannot.
 *
 * Throws an Error whose message starts with `SECRETS_KEY:` and names the file when the key cannot be had.
 */
export function loadSecretsKey(
  configured: Buffer | undefined,
  dataDir: string,
  warn: (message: string) => void = () => undefined,
): Buffer {
  if (configured !== undefined) {
    if (configured.length !== KEY_BYTES)
      throw new Error(`SECRETS_KEY: the configured key is not ${KEY_BYTES} bytes`);
    return configured;
  }
  const file = path.join(dataDir, SECRETS_KEY_FILE);
  try {
    fs.mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw keyError(file, `cannot be created: its folder cannot be created (${errnoCode(err)})`);
  }
  if (!createKeyFile(file)) tightenMode(file, warn);
  return readKeyFile(file);
}
