import { isIP } from 'node:net';

/**
 * Where Azure Blob keys may be sent for checking. A `suffix` admits `https://<name>.<suffix>`;
 * a `loopback` entry admits exactly one host and port on this machine (the storage emulator).
 */
export type BlobEndpointRule =
  { kind: 'suffix'; suffix: string } | { kind: 'loopback'; host: string; port: string };

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
const DNS_SUFFIX =
  /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Reads one BLOB_ENDPOINT_SUFFIXES entry, or says why it is refused: a DNS suffix with at least
 * two labels (never an IP address), or `localhost:PORT`, `127.0.0.1:PORT`, `[::1]:PORT`.
 */
export function parseBlobEndpointRule(entry: string): BlobEndpointRule | string {
  const value = entry.trim().toLowerCase().replace(/^\./, '');
  const loopback = /^(localhost|127\.0\.0\.1|\[::1\]):(\d{1,5})$/.exec(value);
  if (loopback) {
    const port = Number(loopback[2]);
    if (port < 1 || port > 65535) return `"${entry}" has no valid port`;
    return { kind: 'loopback', host: loopback[1], port: String(port) };
  }
  if (LOOPBACK_NAMES.has(value)) return `"${entry}": a loopback entry needs its port, e.g. 127.0.0.1:10000`;
  if (isIP(value.replace(/^\[|\]$/g, '').replace(/:\d+$/, '')) !== 0 || /^[\d.:[\]]+$/.test(value)) {
    return `"${entry}" is an IP address; give a host name suffix such as blob.core.windows.net`;
  }
  if (!DNS_SUFFIX.test(value)) {
    return `"${entry}" is not a host name suffix such as blob.core.windows.net (no scheme, port, path or wildcard)`;
  }
  return { kind: 'suffix', suffix: value };
}

/** True when `endpoint` (a URL the format check accepted) is admitted by one of the rules. */
export function isAllowedBlobEndpoint(endpoint: string, rules: readonly BlobEndpointRule[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  const host = url.hostname.toLowerCase();
  return rules.some((rule) =>
    rule.kind === 'suffix'
      ? url.protocol === 'https:' && host.endsWith(`.${rule.suffix}`) && url.port === ''
      : host === rule.host && url.port === rule.port,
  );
}

/** The rules in words, for messages (no `*`, which card markdown would read as emphasis). */
export function describeBlobEndpointRules(rules: readonly BlobEndpointRule[]): string {
  return rules
    .map((r) => (r.kind === 'suffix' ? `an https address ending in .${r.suffix}` : `${r.host}:${r.port}`))
    .join(' or ');
}
