import {
  createHash,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Test TLS material made in memory at test start, with node:crypto alone (no package, no CLI):
 * a self-signed CA and a server certificate it signed for 127.0.0.1, ::1 and localhost. Keys are
 * ECDSA P-256, so making them takes a millisecond.
 *
 * Why: MSAL refuses http:// authorities and the Graph client only attaches tokens to https://
 * hosts, so the fakes of Microsoft's services serve HTTPS. In-process code under test trusts
 * `ca` through its HTTP agent; a child process trusts it through a NODE_EXTRA_CA_CERTS bundle
 * made by {@link writeCaBundle}.
 */
export interface TestTls {
  /** The CA certificate, PEM: what the code under test must trust. */
  ca: string;
  /** The server certificate (signed by the CA), PEM. */
  cert: string;
  /** The server certificate's private key, PEM (PKCS#8). */
  key: string;
}

// ---------------------------------------------------------------------------------------------
// A minimal DER writer: just the ASN.1 types an X.509 v3 certificate needs.

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octets = (content: Buffer) => tlv(0x04, content);
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const bool = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
/** BIT STRING with `unused` padding bits in the last byte. */
const bits = (content: Buffer, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), content]));
/** [n] EXPLICIT (constructed, context-specific). */
const explicit = (n: number, content: Buffer) => tlv(0xa0 | n, content);
/** [n] IMPLICIT primitive (context-specific). */
const implicit = (n: number, content: Buffer) => tlv(0x80 | n, content);

/** A positive INTEGER from big-endian bytes. */
function integer(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  let content = bytes.subarray(start);
  if (content[0] & 0x80) content = Buffer.concat([Buffer.from([0]), content]);
  return tlv(0x02, content);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * parts[0] + parts[1]];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let v = Math.floor(part / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime for years before 2050, GeneralizedTime after, as RFC 5280 asks. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii'))
    : tlv(0x18, Buffer.from(iso, 'ascii'));
}

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

function name(commonName: string): Buffer {
  return seq(
    set(seq(oid(OID.organization), utf8('Connector Concierge tests'))),
    set(seq(oid(OID.commonName), utf8(commonName))),
  );
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

/** SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1). */
function keyIdentifier(spki: Buffer): Buffer {
  // An EC SPKI is SEQUENCE { SEQUENCE { algorithm }, BIT STRING }; the 65-byte point closes it.
  return createHash('sha1')
    .update(spki.subarray(spki.length - 65))
    .digest();
}

function pem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

interface CertificateSpec {
  subject: string;
  publicKey: KeyObject;
  issuer: string;
  issuerKey: KeyObject;
  issuerKeyId: Buffer;
  ca: boolean;
  /** DNS names and IP addresses, for a server certificate. */
  altNames?: { dns: string[]; ip: string[] };
}

function ipBytes(ip: string): Buffer {
  if (ip.includes(':')) {
    // Enough IPv6 for loopback-style literals: expand "::" and write 8 groups.
    const [head, tail = ''] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    return Buffer.from(groups.flatMap((g) => [(parseInt(g, 16) >> 8) & 0xff, parseInt(g, 16) & 0xff]));
  }
  return Buffer.from(ip.split('.').map(Number));
}

function certificate(spec: CertificateSpec): string {
  const spki = spec.publicKey.export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive, never zero
  const now = Date.now();
  const extensions = [
    extension(OID.basicConstraints, true, spec.ca ? seq(bool(true)) : seq()),
    // CA: keyCertSign + cRLSign (bits 5, 6); server: digitalSignature (bit 0).
    extension(OID.keyUsage, true, spec.ca ? bits(Buffer.from([0x06]), 1) : bits(Buffer.from([0x80]), 7)),
    extension(OID.subjectKeyIdentifier, false, octets(keyIdentifier(spki))),
    extension(OID.authorityKeyIdentifier, false, seq(implicit(0, spec.issuerKeyId))),
  ];
  if (!spec.ca) {
    extensions.push(extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))));
    const alt = spec.altNames ?? { dns: [], ip: [] };
    extensions.push(
      extension(
        OID.subjectAltName,
        false,
        seq(
          ...alt.dns.map((d) => implicit(2, Buffer.from(d, 'ascii'))),
          ...alt.ip.map((ip) => implicit(7, ipBytes(ip))),
        ),
      ),
    );
  }
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    algorithm,
    name(spec.issuer),
    seq(time(new Date(now - 60 * 60 * 1000)), time(new Date(now + 2 * 24 * 60 * 60 * 1000))),
    name(spec.subject),
    spki,
    explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, spec.issuerKey); // DER-encoded ECDSA signature
  return pem(seq(tbs, algorithm, bits(signature)));
}

/**
 * Makes a CA and a server certificate for 127.0.0.1, ::1 and localhost, valid from an hour ago
 * for two days. Checks the chain with node:crypto before returning it.
 */
export function createTestTls(): TestTls {
  const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const serverKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caName = `Connector Concierge test CA ${randomBytes(4).toString('hex')}`;
  const caKeyId = keyIdentifier(caKeys.publicKey.export({ type: 'spki', format: 'der' }));
  const ca = certificate({
    subject: caName,
    publicKey: caKeys.publicKey,
    issuer: caName,
    issuerKey: caKeys.privateKey,
    issuerKeyId: caKeyId,
    ca: true,
  });
  const cert = certificate({
    subject: '127.0.0.1',
    publicKey: serverKeys.publicKey,
    issuer: caName,
    issuerKey: caKeys.privateKey,
    issuerKeyId: caKeyId,
    ca: false,
    altNames: { dns: ['localhost'], ip: ['127.0.0.1', '::1'] },
  });
  const caCert = new X509Certificate(ca);
  const serverCert = new X509Certificate(cert);
  if (!caCert.ca || !serverCert.checkIssued(caCert) || !serverCert.verify(caCert.publicKey)) {
    throw new Error('test TLS: the generated certificate chain does not verify');
  }
  return {
    ca,
    cert,
    key: serverKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

let shared: TestTls | undefined;

/** One CA and server certificate per test file (jest module registry), made on first use. */
export function testTls(): TestTls {
  shared ??= createTestTls();
  return shared;
}

/** The system CA bundle a child process would otherwise trust: NODE_EXTRA_CA_CERTS, or the OS bundle. */
export function systemCaBundlePath(): string | undefined {
  const candidates = [
    process.env.NODE_EXTRA_CA_CERTS,
    '/etc/ssl/certs/ca-certificates.crt',
    '/etc/pki/tls/certs/ca-bundle.crt',
  ];
  return candidates.find((p): p is string => !!p && fs.existsSync(p));
}

/**
 * Writes `dir/ca-bundle.pem` = the system bundle (see {@link systemCaBundlePath}) + the test CA,
 * and returns its path: hand it to a child process as NODE_EXTRA_CA_CERTS. A new file is needed
 * because Node reads NODE_EXTRA_CA_CERTS once, at start, and this machine already points it at
 * the system bundle; replacing it with the test CA alone would drop the system CAs.
 */
export function writeCaBundle(dir: string, ca: string = testTls().ca): string {
  const system = systemCaBundlePath();
  const parts = [system ? fs.readFileSync(system, 'utf8').trimEnd() + '\n' : '', ca];
  const file = path.join(dir, 'ca-bundle.pem');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, parts.join(''));
  return file;
}
