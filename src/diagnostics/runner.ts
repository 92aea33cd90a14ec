import type { GraphGateway } from '../graph/graphGateway';
import type { Logger } from '../util/logger';
import {
  pendingFinding,
  type DiagnosticCheck,
  type DiagnosticContext,
  type DiagnosticPlan,
  type Finding,
} from './finding';
import { blocksGraph, failedFinding, notConfiguredFinding } from './graphFailure';

/** Progress rows go to the card at most this often (a card update is a Bot Connector call). */
export const PROGRESS_INTERVAL_MS = 3_000;

export interface RunOptions {
  /**
   * Called with every row (finished or pending, in card order) each time a check finishes, and
   * when a long check reports progress (at most every {@link PROGRESS_INTERVAL_MS}).
   */
  onUpdate?(findings: Finding[]): void | Promise<void>;
  logger?: Logger;
}

/** Every row of a plan, pending: what the card shows before any check finishes. */
export function pendingFindings(plan: DiagnosticPlan): Finding[] {
  return [...plan.checks, ...plan.derived].map(pendingFinding);
}

/** One run of a plan: its rows as they stand, and the sign-in refusal that stops Graph checks. */
class DiagnosticRun {
  readonly findings: Finding[];
  private readonly position: Map<string, number>;
  private blocked: unknown;

  constructor(
    private readonly graph: GraphGateway,
    private readonly tenantId: string,
    plan: DiagnosticPlan,
    private readonly ctx: DiagnosticContext,
    private readonly options: RunOptions,
  ) {
    this.findings = pendingFindings(plan);
    this.position = new Map(this.findings.map((f, i) => [f.id, i]));
  }

  async publish(): Promise<void> {
    try {
      await this.options.onUpdate?.(this.findings.map((f) => ({ ...f })));
    } catch (err) {
      this.options.logger?.warn('diagnostics update failed', { error: err });
    }
  }

  /** Takes checks off the shared queue until it is empty, publishing each row as it finishes. */
  async work(queue: DiagnosticCheck[]): Promise<void> {
    for (let check = queue.shift(); check; check = queue.shift()) {
      const started = this.ctx.elapsed();
      const finding = await this.runOne(check);
      this.set(check.id, { ...finding, id: check.id, ms: Math.round(this.ctx.elapsed() - started) });
      await this.publish();
    }
  }

  set(id: string, finding: Finding): void {
    this.findings[this.position.get(id) as number] = finding;
  }

  private async runOne(check: DiagnosticCheck): Promise<Finding> {
    const { graph, ctx } = this;
    const missing = {
      graph: check.needsGraph && !graph.configured ? graph.missingSettings() : [],
      other: check.missingSettings?.(ctx) ?? [],
    };
    if (missing.graph.length > 0 || missing.other.length > 0) return notConfiguredFinding(check, missing);
    if (check.needsGraph && this.blocked !== undefined) return failedFinding(check, this.blocked);
    try {
      return await check.run(graph, this.tenantId, { ...ctx, progress: this.progressOf(check) });
    } catch (err) {
      if (blocksGraph(err)) this.blocked ??= err;
      this.options.logger?.warn('diagnostic check could not run', {
        check: check.id,
        tenantId: this.tenantId,
        error: err,
      });
      return failedFinding(check, err);
    }
  }

  /** A long check's progress: shown in its pending row, at most every PROGRESS_INTERVAL_MS. */
  private progressOf(check: DiagnosticCheck): (found: string) => void {
    let lastProgress = Number.NEGATIVE_INFINITY;
    return (found: string) => {
      const now = this.ctx.elapsed();
      const i = this.position.get(check.id) as number;
      if (now - lastProgress < PROGRESS_INTERVAL_MS || this.findings[i].status !== 'pending') return;
      lastProgress = now;
      this.findings[i] = { ...this.findings[i], found };
      void this.publish();
    };
  }
}

/**
 * Runs a plan's checks, `ctx.limits.checkConcurrency` at a time (long ones first), then its
 * derived rows. A check that lacks settings is not run: its row says which settings enable it.
 * A check that fails is "could not run" with the reason, and the others still run; once the
 * sign-in service has refused the app, the remaining Graph checks are not tried again. Never
 * throws: every row ends with a status.
 */
export async function runDiagnostics(
  graph: GraphGateway,
  tenantId: string,
  plan: DiagnosticPlan,
  ctx: DiagnosticContext,
  options: RunOptions = {},
): Promise<Finding[]> {
  const run = new DiagnosticRun(graph, tenantId, plan, ctx, options);
  const queue = [...plan.checks].sort((a, b) => Number(!!b.slow) - Number(!!a.slow));
  const workers = Math.max(1, Math.min(ctx.limits.checkConcurrency, queue.length));
  await Promise.all(Array.from({ length: workers }, () => run.work(queue)));

  for (const derived of plan.derived) {
    run.set(derived.id, { ...derived.derive(run.findings, ctx), id: derived.id });
  }
  if (plan.derived.length > 0 || plan.checks.length === 0) await run.publish();
  return run.findings;
}
