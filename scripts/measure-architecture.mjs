// Prints the figures issue 17 is measured by: largest files, largest functions and imports
// that run from a lower layer to a higher one (layers: scripts/architecture-layers.json).
// Usage: node scripts/measure-architecture.mjs [--top N]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ts = createRequire(import.meta.url)('typescript');
const srcDir = path.join(root, 'src');
const topArg = process.argv.indexOf('--top');
const top = topArg > 0 ? Number(process.argv[topArg + 1]) : 10;
const { layers } = JSON.parse(fs.readFileSync(path.join(root, 'scripts/architecture-layers.json'), 'utf8'));

function sourceFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The layer index of a path under src/ (its first segment: a folder, or a top-level file). */
function layerOf(file) {
  const segments = path.relative(srcDir, file).split(path.sep);
  // A top-level module is named with its extension (an import of './compose' means compose.ts).
  const first = segments.length === 1 && !segments[0].endsWith('.ts') ? `${segments[0]}.ts` : segments[0];
  const index = layers.findIndex((names) => names.includes(first));
  if (index < 0) throw new Error(`src/${first} is in no layer of scripts/architecture-layers.json`);
  return index;
}

const files = sourceFiles(srcDir);
const rel = (file) => path.relative(root, file);

const sizes = files.map((file) => ({
  file: rel(file),
  lines: fs.readFileSync(file, 'utf8').split('\n').length,
}));
sizes.sort((a, b) => b.lines - a.lines);

const functions = [];
const upward = [];
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const lineOf = (pos) => source.getLineAndCharacterOfPosition(pos).line;
  const nameOf = (node) => {
    if (node.name) return node.name.getText(source);
    const parent = node.parent;
    if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(source);
    if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(source);
    if (parent && ts.isCallExpression(parent))
      return `(callback of ${parent.expression.getText(source).slice(0, 40)})`;
    return '(anonymous)';
  };
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const lines = lineOf(node.getEnd()) - lineOf(node.getStart(source)) + 1;
      functions.push({
        where: `${rel(file)}:${lineOf(node.getStart(source)) + 1}`,
        name: nameOf(node),
        lines,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);

  for (const imported of ts.preProcessFile(text, true, true).importedFiles) {
    if (!imported.fileName.startsWith('.')) continue;
    const target = path.resolve(path.dirname(file), imported.fileName);
    if (!target.startsWith(srcDir + path.sep)) continue;
    if (layerOf(target) > layerOf(file)) {
      upward.push(`${rel(file)} -> ${rel(target)} (layer ${layerOf(file)} -> ${layerOf(target)})`);
    }
  }
}
functions.sort((a, b) => b.lines - a.lines);

console.log(`src: ${files.length} files, ${sizes.reduce((n, s) => n + s.lines, 0)} lines`);
console.log(`\nLargest files (lines):`);
for (const s of sizes.slice(0, top)) console.log(`  ${String(s.lines).padStart(5)}  ${s.file}`);
console.log(`\nLargest functions (lines, nested functions counted inside their parent too):`);
for (const f of functions.slice(0, top))
  console.log(`  ${String(f.lines).padStart(5)}  ${f.name}  ${f.where}`);
const overLimit = functions.filter((f) => f.lines > 60);
console.log(`\nFunctions over 60 lines: ${overLimit.length}`);
// Listed in full (not cut at --top) because this is the list issue 17 works down.
for (const f of overLimit) console.log(`  ${String(f.lines).padStart(5)}  ${f.name}  ${f.where}`);
console.log(`\nUpward imports: ${upward.length}`);
for (const u of upward) console.log(`  ${u}`);
