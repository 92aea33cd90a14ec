import AdmZip from 'adm-zip';
import type AjvCore from 'ajv/dist/core';
import type { ErrorObject, Options } from 'ajv/dist/core';
import Ajv from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { inflateSync } from 'node:zlib';

const root = join(__dirname, '..', '..');
const appDir = join(root, 'appPackage');
const manifestPath = join(appDir, 'manifest.json');
const zipPath = join(appDir, 'build', 'appPackage.zip');
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const COMMANDS = [
  'help',
  'connect',
  'connectors',
  'status',
  'reauthorize',
  'delete',
  'rename',
  'which',
  'diagnose',
  'roles',
  'transfer',
  'subscribe',
  'unsubscribe',
  'consents',
];
const SCOPES = ['personal', 'team', 'groupChat'];

interface Command {
  title: string;
  description: string;
}
interface CommandList {
  scopes: string[];
  commands: Command[];
}
interface Bot {
  botId: string;
  scopes: string[];
  supportsFiles?: boolean;
  isNotificationOnly?: boolean;
  commandLists?: CommandList[];
}
interface Manifest {
  $schema: string;
  manifestVersion: string;
  id: string;
  name: { short: string; full?: string };
  description: { short: string; full: string };
  developer: { name: string; websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  icons: { color: string; outline: string };
  bots: Bot[];
}

const readManifest = (): Manifest => JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;

type AjvCtor = new (opts: Options) => AjvCore;

// The Teams schemas are draft-04, which Ajv 8 only handles via ajv-draft-04. That package is the validator
// @microsoft/app-manifest itself depends on, so resolve it from there rather than relying on npm hoisting.
function ajvFor(schemaDialect: string, manifestPkgDir: string): AjvCtor {
  if (schemaDialect.includes('draft-04')) {
    const requireFromManifestPkg = createRequire(join(manifestPkgDir, 'package.json'));
    return (requireFromManifestPkg('ajv-draft-04') as { default: AjvCtor }).default;
  }
  if (schemaDialect.includes('draft-06') || schemaDialect.includes('draft-07')) return Ajv;
  if (schemaDialect.includes('2019-09')) return Ajv2019;
  if (schemaDialect.includes('2020-12')) return Ajv2020;
  throw new Error(`Unsupported JSON Schema dialect ${JSON.stringify(schemaDialect)}`);
}

function collectExternalRefs(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) collectExternalRefs(item, out);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && !value.startsWith('#')) out.add(value.split('#')[0]);
      else collectExternalRefs(value, out);
    }
  }
  return out;
}

function compileManifestSchema(manifestVersion: string) {
  const manifestPkgDir = dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const schemaDir = join(manifestPkgDir, 'build', 'json-schemas', 'teams', `v${manifestVersion}`);
  const schemaFile = join(schemaDir, 'MicrosoftTeams.schema.json');
  if (!existsSync(schemaFile)) {
    throw new Error(`No bundled Teams schema for manifestVersion ${manifestVersion} at ${schemaFile}`);
  }
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
  const AjvClass = ajvFor(String(schema.$schema ?? ''), manifestPkgDir);
  const ajv = new AjvClass({ strict: false, allErrors: true });
  addFormats(ajv as unknown as Parameters<typeof addFormats>[0]);

  // Tests run offline, so any cross-file $ref must be satisfied from the schema's own folder.
  for (const ref of collectExternalRefs(schema, new Set())) {
    const local = join(schemaDir, basename(ref));
    if (!existsSync(local)) throw new Error(`Schema references ${ref}, which is not bundled in ${schemaDir}`);
    ajv.addSchema(JSON.parse(readFileSync(local, 'utf8')) as object, ref);
  }
  return ajv.compile(schema);
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
    .join('\n');
}

// --- Minimal PNG reader: enough to check what Teams validates (size, transparency, colour). ---

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface Png {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
  idat: Buffer;
}

function readPng(file: string): Png {
  const buf = readFileSync(file);
  expect(buf.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  let offset = 8;
  let header: Omit<Png, 'idat'> | undefined;
  const idat: Buffer[] = [];
  while (offset < buf.length) {
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('ascii', offset + 4, offset + 8);
    const data = buf.subarray(offset + 8, offset + 8 + length);
    // A bad CRC makes Teams reject the upload with an unhelpful message, so catch it here.
    if (buf.readUInt32BE(offset + 8 + length) !== crc32(buf.subarray(offset + 4, offset + 8 + length))) {
      throw new Error(`${file}: bad CRC on ${type} chunk`);
    }
    if (type === 'IHDR') {
      header = {
        width: data.readUInt32BE(0),
        height: data.readUInt32BE(4),
        bitDepth: data[8],
        colorType: data[9],
        interlace: data[12],
      };
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  if (!header) throw new Error(`${file}: no IHDR chunk`);
  return { ...header, idat: Buffer.concat(idat) };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** Decodes a non-interlaced 8-bit RGBA PNG into raw RGBA bytes, handling all five scanline filters. */
function decodeRgba(png: Png): Buffer {
  if (png.bitDepth !== 8 || png.colorType !== 6 || png.interlace !== 0) {
    throw new Error(`unsupported PNG format: depth ${png.bitDepth}, colour type ${png.colorType}`);
  }
  const bpp = 4;
  const stride = png.width * bpp;
  const raw = inflateSync(png.idat);
  expect(raw.length).toBe((stride + 1) * png.height);
  const out = Buffer.alloc(stride * png.height);
  for (let y = 0; y < png.height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp] : 0;
      const b = y > 0 ? out[row - stride + x] : 0;
      const c = x >= bpp && y > 0 ? out[row - stride + x - bpp] : 0;
      let predictor: number;
      switch (filter) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = a;
          break;
        case 2:
          predictor = b;
          break;
        case 3:
          predictor = (a + b) >> 1;
          break;
        case 4:
          predictor = paeth(a, b, c);
          break;
        default:
          throw new Error(`invalid PNG filter type ${filter} on row ${y}`);
      }
      out[row + x] = (line[x] + predictor) & 0xff;
    }
  }
  return out;
}

describe('Teams app package', () => {
  describe('manifest.json', () => {
    const manifest = readManifest();

    it('validates against the official Teams schema for its manifestVersion', () => {
      const validate = compileManifestSchema(manifest.manifestVersion);
      const valid = validate(manifest);
      if (!valid) console.error(`manifest.json schema errors:\n${formatErrors(validate.errors)}`);
      expect(formatErrors(validate.errors)).toBe('');
      expect(valid).toBe(true);
    });

    it('points $schema at the same version it declares', () => {
      expect(manifest.$schema).toBe(
        `https://developer.microsoft.com/en-us/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`,
      );
    });

    it('uses fixed GUIDs for the app and the bot', () => {
      expect(manifest.id).toMatch(GUID);
      expect(manifest.bots).toHaveLength(1);
      expect(manifest.bots[0].botId).toMatch(GUID);
      expect(manifest.bots[0].botId).not.toBe(manifest.id);
    });

    it('declares a conversational bot in personal, team and groupChat', () => {
      const [bot] = manifest.bots;
      expect([...bot.scopes].sort()).toEqual([...SCOPES].sort());
      expect(bot.supportsFiles).toBe(false);
      expect(bot.isNotificationOnly).toBe(false);
    });

    it('has one command list per scope, each within the Teams limit of 10 commands', () => {
      const lists = manifest.bots[0].commandLists ?? [];
      expect(lists.map((l) => l.scopes).sort()).toEqual(SCOPES.map((s) => [s]).sort());
      for (const list of lists) {
        expect(list.commands.length).toBeGreaterThan(0);
        expect(list.commands.length).toBeLessThanOrEqual(10);
        const titles = list.commands.map((c) => c.title);
        expect(new Set(titles).size).toBe(titles.length);
        for (const command of list.commands) {
          expect(COMMANDS).toContain(command.title);
          // Teams' documented limits are stricter than the schema's (128 / 4000).
          expect(command.title.length).toBeLessThanOrEqual(32);
          expect(command.description.length).toBeGreaterThan(0);
          expect(command.description.length).toBeLessThanOrEqual(128);
        }
      }
    });

    it('offers every bot command in at least one scope', () => {
      const offered = new Set(manifest.bots[0].commandLists?.flatMap((l) => l.commands.map((c) => c.title)));
      expect(COMMANDS.filter((c) => !offered.has(c))).toEqual([]);
    });

    it('contains no placeholder text in names or descriptions', () => {
      const texts = [
        manifest.name.short,
        manifest.name.full ?? '',
        manifest.description.short,
        manifest.description.full,
        manifest.developer.name,
        ...(manifest.bots[0].commandLists ?? []).flatMap((l) => l.commands.map((c) => c.description)),
      ];
      const placeholders = ['todo', 'tbd', 'lorem', '${{', '<', 'placeholder', 'your app'];
      const found = texts.flatMap((text) =>
        placeholders
          .filter((p) => text.toLowerCase().includes(p))
          .map((p) => `${JSON.stringify(p)} in ${text}`),
      );
      expect(found).toEqual([]);
    });

    it('links developer pages over https', () => {
      const { websiteUrl, privacyUrl, termsOfUseUrl } = manifest.developer;
      for (const url of [websiteUrl, privacyUrl, termsOfUseUrl]) expect(url).toMatch(/^https:\/\//);
    });
  });

  describe('icons', () => {
    const manifest = readManifest();

    it('color icon is an opaque 192x192 RGBA PNG', () => {
      const png = readPng(join(appDir, manifest.icons.color));
      expect([png.width, png.height]).toEqual([192, 192]);
      const pixels = decodeRgba(png);
      const colours = new Set<number>();
      let translucent = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3] !== 255) translucent++;
        colours.add(pixels.readUInt32BE(i));
      }
      expect(translucent).toBe(0);
      // Guards against a blank tile slipping through after a botched regeneration.
      expect(colours.size).toBeGreaterThan(1);
    });

    it('outline icon is 32x32 with only white or fully transparent pixels', () => {
      const png = readPng(join(appDir, manifest.icons.outline));
      expect([png.width, png.height]).toEqual([32, 32]);
      const pixels = decodeRgba(png);
      const offending: string[] = [];
      let visible = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        const [r, g, b, a] = pixels.subarray(i, i + 4);
        if (a === 0) continue;
        visible++;
        if (r !== 255 || g !== 255 || b !== 255) offending.push(`(${(i / 4) % 32},${Math.floor(i / 128)})`);
      }
      expect(offending).toEqual([]);
      expect(visible).toBeGreaterThan(0);
    });
  });

  describe('scripts/package-app.mjs', () => {
    const runPackage = (appId: string) =>
      spawnSync(process.execPath, [join(root, 'scripts', 'package-app.mjs')], {
        cwd: root,
        env: { ...process.env, MicrosoftAppId: appId },
        encoding: 'utf8',
      });

    it('zips manifest and icons at the root with MicrosoftAppId as the botId', () => {
      const appId = 'b3a6f3de-6c3e-4f55-9a7e-2f1d0c9e8a71';
      const before = readFileSync(manifestPath, 'utf8');
      const result = runPackage(appId);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toContain('appPackage.zip');

      const zip = new AdmZip(zipPath);
      expect(
        zip
          .getEntries()
          .map((e) => e.entryName)
          .sort(),
      ).toEqual(['color.png', 'manifest.json', 'outline.png']);
      const packaged = JSON.parse(zip.readAsText('manifest.json')) as Manifest;
      expect(packaged.bots[0].botId).toBe(appId);
      expect(packaged.id).toBe(readManifest().id);
      expect(zip.readFile('color.png')?.equals(readFileSync(join(appDir, 'color.png')))).toBe(true);
      expect(zip.readFile('outline.png')?.equals(readFileSync(join(appDir, 'outline.png')))).toBe(true);
      // The committed manifest keeps its stand-in botId; only the zip gets the real one.
      expect(readFileSync(manifestPath, 'utf8')).toBe(before);
    });

    it('rejects a MicrosoftAppId that is not a GUID with one clear line', () => {
      const result = runPackage('not-a-guid');
      expect(result.status).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('MicrosoftAppId');
      expect(result.stdout).toBe('');
    });
  });
});
