/**
 * `npm run bench`: builds the bot (the npm script), starts it and the echo baseline as their own
 * processes, measures every part and prints one table. See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, killStarted, log, parseOptions, type Part } from './common';
import { runFanout } from './fanout';
import { runLatency } from './latency';
import { runProvisioning } from './provisioning';
import { runScanner } from './scanner';
import { runSoak } from './soak';
import { runStartup } from './startup';
import { renderMarkdown, type Section } from './table';
import type { BenchOptions } from './common';

const RUNNERS: Record<Part, (options: BenchOptions) => Promise<Section>> = {
  startup: runStartup,
  latency: runLatency,
  scanner: runScanner,
  fanout: runFanout,
  provisioning: runProvisioning,
  soak: runSoak,
};

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const loadBefore = os.loadavg()[0];
  log(`parts: ${options.parts.join(', ')}; size: ${options.size}`);
  const sections: Section[] = [];
  for (const part of options.parts) {
    const partStarted = performance.now();
    sections.push(await RUNNERS[part](options));
    log(`${part} done in ${((performance.now() - partStarted) / 1000).toFixed(1)} s`);
  }
  const totalS = (performance.now() - started) / 1000;
  const table = renderMarkdown(sections);
  const header = [
    `Run ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} on ${machine()}.`,
    `Parts: ${options.parts.join(', ')}; size: ${options.size}; total ${Math.floor(totalS / 60)} min ${Math.round(totalS % 60)} s.`,
    `Load average (1 min) ${loadBefore.toFixed(1)} at the start and ${os.loadavg()[0].toFixed(1)} at the end: anything else running on the machine weighs on both the bot and its baseline.`,
  ].join(' ');
  process.stdout.write(`\n${header}\n\n${table}\n`);
  if (options.resultsFile) {
    fs.writeFileSync(
      options.resultsFile,
      `# Benchmark results\n\nWritten by \`npm run bench\`; see [README.md](README.md) for what each figure measures.\n\n${header}\n\n${table}\n`,
    );
    // The repository's lint runs prettier over every markdown file; the table is written in its style.
    const prettier = path.join(ROOT, 'node_modules', '.bin', 'prettier');
    if (options.resultsFile.startsWith(ROOT + path.sep) && fs.existsSync(prettier))
      spawnSync(prettier, ['--write', '--log-level', 'warn', options.resultsFile], {
        cwd: ROOT,
        stdio: 'inherit',
      });
    log(`table written to ${options.resultsFile}`);
  }
  const over = sections.flatMap((s) => s.rows).filter((r) => r.verdict === 'OVER' || r.verdict === 'FAIL');
  if (over.length > 0) log(`${over.length} figure(s) over target: ${over.map((r) => r.measure).join('; ')}`);
}

const interrupt = () => {
  killStarted();
  process.exit(130);
};
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);

main().catch((err) => {
  killStarted();
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
