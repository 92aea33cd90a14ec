/**
 * Typed readers of single environment variables: each names the variable in the
 * {@link ConfigError} it throws. src/config/config.ts builds the whole configuration from them.
 */
import { isIP } from 'node:net';
import { GUID } from '../util/ids';

/** The environment variables the configuration is read from. */
export type Env = Record<string, string | undefined>;

/** A configuration mistake: names the variable so the operator can fix it. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}

/** App Service's Key Vault reference syntax, passed through as text when it cannot resolve one. */
const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(/i;

/**
 * Returns the trimmed value, or undefined when the variable is unset or blank. A Key Vault
 * reference App Service left unresolved is refused: used as the value, it would be a wrong
 * password, or an API token anyone could guess from the vault and secret names.
 */
export function read(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (KEY_VAULT_REFERENCE.test(trimmed)) {
    throw new ConfigError(
      name,
      "is a Key Vault reference App Service did not resolve (check the app's identity has the Key Vault Secrets User role on the vault, then restart the app)",
    );
  }
  return trimmed === '' ? undefined : trimmed;
}

/** A whole number within [min, max]; `fallback` when unset. */
export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** A number above zero; `fallback` when unset. */
export function positiveNumber(env: Env, name: string, fallback: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(value > 0)) {
    throw new ConfigError(name, `expected a positive number, got "${raw}"`);
  }
  return value;
}

/** Comma-separated positive whole numbers; `fallback` (in the same form) when unset. */
export function integerList(env: Env, name: string, fallback: string): number[] {
  const raw = read(env, name) ?? fallback;
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) <= 0)) {
    throw new ConfigError(name, `expected a comma-separated list of positive whole numbers, got "${raw}"`);
  }
  return parts.map(Number);
}

/** A GUID, or undefined when unset. */
export function guid(env: Env, name: string): string | undefined {
  const raw = read(env, name);
  if (raw !== undefined && !GUID.test(raw)) {
    throw new ConfigError(name, `expected a GUID such as 00000000-0000-0000-0000-000000000000, got "${raw}"`);
  }
  return raw;
}

/**
 * An absolute https URL, without trailing slashes. `loopbackHttp` also accepts plain http on
 * loopback, for documents that tests serve themselves.
 */
export function httpsUrl(
  env: Env,
  name: string,
  options: { loopbackHttp?: boolean } = {},
): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const expected = options.loopbackHttp ? 'an https:// URL (http:// only on loopback)' : 'an https:// URL';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `expected ${expected}, got "${raw}"`);
  }
  const loopbackHttp =
    options.loopbackHttp && url.protocol === 'http:' && isLoopbackHost(url.hostname.replace(/^\[|\]$/g, ''));
  if (url.protocol !== 'https:' && !loopbackHttp)
    throw new ConfigError(name, `expected ${expected}, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

/**
 * A redirect URI as registered on an app: absolute https, no fragment, kept exactly as typed
 * (Entra compares redirect URIs character for character, trailing slash included).
 */
export function redirectUri(env: Env, name: string): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || url.hash !== '' || /\s/.test(raw)) {
    throw new ConfigError(name, `expected an https:// redirect URI without a #fragment, got "${raw}"`);
  }
  return raw;
}

/** One of `allowed`, matched without regard to case; `fallback` when unset. */
export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const match = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (!match) throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got "${raw}"`);
  return match;
}

/** True for addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}
