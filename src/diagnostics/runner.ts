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
  const findings = pendingFindings(plan);
  const position = new Map(findings.map((f, i) => [f.id, i]));
  const queue = [...plan.checks].sort((a, b) => Number(!!b.slow) - Number(!!a.slow));
  let blocked: unknown;

  const publish = async () => {
    try {
      await options.onUpdate?.(findings.map((f) => ({ ...f })));
    } catch (err) {
      options.logger?.warn('diagnostics update failed', { error: err });
    }
  };

  const runOne = async (check: DiagnosticCheck): Promise<Finding> => {
    const missing = {
      graph: check.needsGraph && !graph.configured ? graph.missingSettings() : [],
      other: check.missingSettings?.(ctx) ?? [],
    };
    if (missing.graph.length > 0 || missing.other.length > 0) return notConfiguredFinding(check, missing);
    if (check.needsGraph && blocked !== undefined) return failedFinding(check, blocked);
    let lastProgress = Number.NEGATIVE_INFINITY;
    const progress = (found: string) => {
      const now = ctx.elapsed();
      const i = position.get(check.id) as number;
      if (now - lastProgress < PROGRESS_INTERVAL_MS || findings[i].status !== 'pending') return;
      lastProgress = now;
      findings[i] = { ...findings[i], found };
      void publish();
    };
    try {
      return await check.run(graph, tenantId, { ...ctx, progress });
    } catch (err) {
      if (blocksGraph(err)) blocked ??= err;
      options.logger?.warn('diagnostic check could not run', { check: check.id, tenantId, error: err });
      return failedFinding(check, err);
    }
  };

  const worker = async () => {
    for (let check = queue.shift(); check; check = queue.shift()) {
      const started = ctx.elapsed();
      const finding = await runOne(check);
      findings[position.get(check.id) as number] = {
        ...finding,
        id: check.id,
        ms: Math.round(ctx.elapsed() - started),
      };
      await publish();
    }
  };
  const workers = Math.max(1, Math.min(ctx.limits.checkConcurrency, queue.length));
  await Promise.all(Array.from({ length: workers }, worker));

  for (const derived of plan.derived) {
    findings[position.get(derived.id) as number] = { ...derived.derive(findings, ctx), id: derived.id };
  }
  if (plan.derived.length > 0 || plan.checks.length === 0) await publish();
  return findings;
}
