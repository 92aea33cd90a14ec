import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import architecture from '../../scripts/architecture-layers.json';

/*
 * The layer order (lowest first, in scripts/architecture-layers.json, shared with
 * scripts/measure-architecture.mjs) and why each layer sits where it does:
 * - util: clock, ids, dates, logger — depends on nothing of ours.
 * - config: the validated settings; only util below it.
 * - connectors: the domain (catalog, rules, lifecycle, services) and the ports it needs; it is
 *   pure, so it sees only config and util.
 * - store, graph, diagnostics, roles, telemetry, secrets, verification, azure: adapters behind
 *   the ports and the Graph-backed checks. They call one another (diagnostics reads role names,
 *   the Azure store is built by azure start-up) but never a card, dialog or chat feature.
 * - cards, dialogs: views and multi-turn flows, built over the domain and checks.
 * - notify, api, bot: the three adapters that people and timers reach (scheduler, REST, chat).
 * - http, tools: the server that mounts the bot and the API; the command-line tools.
 * - compose.ts, index.ts: the composition root and the entry point, which may see everything.
 * Imports within one layer are allowed; the order is about direction, not about cycles.
 */
const root = path.resolve(__dirname, '../..');
const srcDir = path.join(root, 'src');
const layers: string[][] = architecture.layers;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function layerOf(file: string): number {
  const segments = path.relative(srcDir, file).split(path.sep);
  // A top-level module is named with its extension (an import of './compose' means compose.ts).
  const first = segments.length === 1 && !segments[0].endsWith('.ts') ? `${segments[0]}.ts` : segments[0];
  return layers.findIndex((names) => names.includes(first));
}

/** Relative imports (static, type-only, re-exports and dynamic) of one file, resolved to paths under src. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((imported) => imported.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => path.resolve(path.dirname(file), name))
    .filter((target) => target.startsWith(srcDir + path.sep));
}

const files = sourceFiles(srcDir);
const rel = (file: string) => path.relative(root, file);

describe('layering of src', () => {
  it('puts every top-level folder and file of src in a layer', () => {
    const targets = files.flatMap(importsOf);
    const unplaced = [...new Set([...files, ...targets].filter((file) => layerOf(file) < 0).map(rel))];
    expect(unplaced).toEqual([]);
  });

  it('has no import from a lower layer to a higher one', () => {
    const upward = files.flatMap((file) =>
      importsOf(file)
        .filter((target) => layerOf(target) > layerOf(file))
        .map((target) => `${rel(file)} -> ${rel(target)}`),
    );
    expect(upward).toEqual([]);
  });

  it('keeps the domain free of Teams, HTTP and SDK packages', () => {
    // Type-only imports compile to nothing: the ports name the Bot Framework shapes the store keeps
    // (bot state, conversation references) without the domain running any of that code.
    const offending = sourceFiles(path.join(srcDir, 'connectors')).flatMap((file) => {
      const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
      return source.statements
        .filter(ts.isImportDeclaration)
        .filter((statement) => !statement.importClause?.isTypeOnly)
        .map((statement) => (statement.moduleSpecifier as ts.StringLiteral).text)
        .filter((name) => !/^(node:|\.)/.test(name))
        .map((name) => `${rel(file)} imports ${name}`);
    });
    expect(offending).toEqual([]);
  });

  it('leaves connector records to the domain services in the chat, API and scheduler adapters', () => {
    const adapters = ['bot', 'api', 'notify'].flatMap((dir) => sourceFiles(path.join(srcDir, dir)));
    const direct = adapters.flatMap((file) =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .map((line, index) => ({ line, index }))
        .filter(({ line }) => /\bstore\s*\.\s*connectors\b|\bconnectors\s*:\s*ConnectorStore\b/.test(line))
        .map(({ index }) => `${rel(file)}:${index + 1}`),
    );
    expect(direct).toEqual([]);
  });
});
