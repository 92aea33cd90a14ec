// Generates appPackage/color.png (192x192) and appPackage/outline.png (32x32) for the Teams app package.
// Only node:zlib is used so the icons can be regenerated on any machine without an image toolchain.
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'appPackage');

// Keep in sync with "accentColor" in appPackage/manifest.json so the tile and the accent match.
const ACCENT = [0x1e, 0x5a, 0x8a];
const WHITE = [0xff, 0xff, 0xff];
// Teal echoes "connected/healthy" without relying on colour alone: the glyph is readable in greyscale too.
const SPARK = [0x5c, 0xe1, 0xc6];

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([len, typeAndData, crc]);
}

function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

// libpng's "minimum sum of absolute differences" heuristic. For flat icons like these it saves nothing, but it
// makes rows use different filter types, so the committed icons exercise every branch of the test's decoder.
function bestFilter(line, prev) {
  const bpp = 4;
  let best;
  for (let type = 0; type <= 4; type++) {
    const out = Buffer.alloc(line.length);
    let score = 0;
    for (let x = 0; x < line.length; x++) {
      const a = x >= bpp ? line[x - bpp] : 0;
      const b = prev[x];
      const c = x >= bpp ? prev[x - bpp] : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][type];
      out[x] = (line[x] - predictor) & 0xff;
      score += out[x] < 128 ? out[x] : 256 - out[x];
    }
    if (!best || score < best[2]) best = [type, out, score];
  }
  return best;
}

function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const line = rgba.subarray(y * stride, (y + 1) * stride);
    const [type, filtered] = bestFilter(line, prev);
    raw[y * (stride + 1)] = type;
    filtered.copy(raw, y * (stride + 1) + 1);
    prev = line;
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Shapes live in a unit square so the same plug can be rasterised at 192px and 32px.
function inRoundRect(x, y, x0, y0, x1, y1, r) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function inTrapezoid(x, y, y0, y1, topX0, topX1, botX0, botX1) {
  if (y < y0 || y > y1) return false;
  const t = (y - y0) / (y1 - y0);
  return x >= topX0 + (botX0 - topX0) * t && x <= topX1 + (botX1 - topX1) * t;
}

function inPlug(x, y) {
  return (
    inRoundRect(x, y, 0.335, 0.12, 0.425, 0.36, 0.03) || // left prong
    inRoundRect(x, y, 0.575, 0.12, 0.665, 0.36, 0.03) || // right prong
    inRoundRect(x, y, 0.24, 0.32, 0.76, 0.58, 0.07) || // body
    inTrapezoid(x, y, 0.56, 0.7, 0.34, 0.66, 0.44, 0.56) || // neck
    inRoundRect(x, y, 0.445, 0.66, 0.555, 0.9, 0.03) // cable
  );
}

// A small "live" dot on the plug body hints at an authorized connection; too fine to survive at 32px.
function inSpark(x, y) {
  return (x - 0.5) ** 2 + (y - 0.45) ** 2 <= 0.055 ** 2;
}

// Supersampling gives anti-aliased edges without needing a real rasteriser.
function coverage(px, py, size, samples, inside) {
  let hits = 0;
  for (let sy = 0; sy < samples; sy++) {
    for (let sx = 0; sx < samples; sx++) {
      const x = (px + (sx + 0.5) / samples) / size;
      const y = (py + (sy + 0.5) / samples) / size;
      if (inside(x, y)) hits++;
    }
  }
  return hits / (samples * samples);
}

function mix(a, b, t) {
  return a.map((v, i) => Math.round(v + (b[i] - v) * t));
}

function renderColor(size) {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const plug = coverage(px, py, size, 4, (x, y) => inPlug(x, y) && !inSpark(x, y));
      const spark = coverage(px, py, size, 4, inSpark);
      const [r, g, b] = mix(mix(ACCENT, WHITE, plug), SPARK, spark);
      const i = (py * size + px) * 4;
      rgba[i] = r;
      rgba[i + 1] = g;
      rgba[i + 2] = b;
      // Teams requires an opaque full-colour icon; it applies its own rounded mask.
      rgba[i + 3] = 255;
    }
  }
  return rgba;
}

function renderOutline(size) {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const a = Math.round(coverage(px, py, size, 8, inPlug) * 255);
      const i = (py * size + px) * 4;
      // Teams tints the outline icon itself, so every pixel must be white; shape is carried by alpha only.
      rgba[i] = 255;
      rgba[i + 1] = 255;
      rgba[i + 2] = 255;
      rgba[i + 3] = a;
    }
  }
  return rgba;
}

mkdirSync(outDir, { recursive: true });
for (const [name, size, render] of [
  ['color.png', 192, renderColor],
  ['outline.png', 32, renderOutline],
]) {
  const file = join(outDir, name);
  const png = encodePng(size, size, render(size));
  writeFileSync(file, png);
  console.log(`${relative(process.cwd(), file)} ${size}x${size} (${png.length} bytes)`);
}
