/**
 * What a gate run leaves in the store: one receipt (purpose `eval`) per upstream call and per
 * critic-graded run (variant `critic`) with their `spend_daily` rollups (purpose `eval`, apart
 * from production), written as one receipt batch, and one `eval_results` row per run.
 * Call inside the caller's transaction.
 */
import { randomBytes } from 'node:crypto';
import type { EvalRun } from '../core/gate.ts';
import type { EvalResultRecord } from '../store/repos/evals.ts';
import type { BatchItem, ReceiptRecord } from '../store/repos/receipts.ts';
import type { Repositories } from '../store/store.ts';
import type { CriticSpend, EvalCall, RunResult, Variant } from './runner.ts';

export interface SpendScope {
  workflow: string;
  team: string;
  releaseId: number | null;
  priceVersion: string;
  tz: string;
  critic?: { provider: string; model: string };
}

export async function writeEvalSpend(db: Repositories, scope: SpendScope, calls: EvalCall[], critic: CriticSpend[]): Promise<void> {
  const base = {
    purpose: 'eval' as const, workflow: scope.workflow, team: scope.team, release_id: scope.releaseId, unit_hash: null,
    price_version: scope.priceVersion, sources: null, needs_approval: 0 as const, approved: null, edited: null, escalated: null,
    overridden: null, reported: null, csat: null,
  };
  const items: BatchItem[] = [];
  for (const c of calls) {
    const r: ReceiptRecord = {
      ...base, id: c.id, ts: c.ts, variant: c.variant, config_hash: c.configHash, provider: c.provider, model_requested: c.modelRequested,
      model_served: c.modelServed, system_fingerprint: c.systemFingerprint, input_tokens: c.usage.inputTokens, cached_tokens: c.usage.cachedTokens,
      output_tokens: c.usage.outputTokens, reasoning_tokens: c.usage.reasoningTokens, cost_usd: c.costUsd, latency_ms: c.latencyMs,
      status: c.status, error_type: c.errorType, tool_calls: c.toolCalls ? JSON.stringify(c.toolCalls) : null, output: c.output,
    };
    items.push({ receipt: r, forwarded: true, merge: false });
  }
  for (const s of critic) {
    const r: ReceiptRecord = {
      ...base, id: `rcp_${randomBytes(9).toString('hex')}`, ts: s.ts, variant: 'critic', config_hash: null, provider: scope.critic?.provider ?? null,
      model_requested: scope.critic?.model ?? null, model_served: null, system_fingerprint: null, input_tokens: 0, cached_tokens: 0,
      output_tokens: 0, reasoning_tokens: 0, cost_usd: s.costUsd, latency_ms: null, status: 'ok', error_type: null, tool_calls: null, output: null,
    };
    items.push({ receipt: r, forwarded: true, merge: false });
  }
  if (items.length > 0) await db.receipts.writeBatch(items, scope.tz);
}

export function saveEvalResults(db: Repositories, releaseId: number, gateRun: number, runs: RunResult[]): Promise<void> {
  const rows: EvalResultRecord[] = runs.map((r) => ({
    variant: r.variant,
    caseId: r.caseId,
    repeat: r.repeat,
    passed: r.passed,
    score: r.score,
    escalated: r.escalated,
    costUsd: r.costUsd,
    tokens: r.tokens,
    latencyMs: r.latencyMs,
    error: r.error ?? null,
    output: r.output,
    details: JSON.stringify({ assertions: r.details, criticCostUsd: r.criticCostUsd, configHash: r.configHash, ...(r.usageEstimated ? { usageEstimated: true } : {}) }),
  }));
  return db.evalResults.save(releaseId, gateRun, rows);
}

export interface StoredRun extends EvalRun {
  variant: Variant;
  output: string | null;
}

export async function loadEvalResults(db: Repositories, releaseId: number, gateRun: number): Promise<{ baseline: StoredRun[]; candidate: StoredRun[] }> {
  const estimated = (details: string | null) => details !== null && (JSON.parse(details) as { usageEstimated?: boolean }).usageEstimated === true;
  const runs: StoredRun[] = (await db.evalResults.load(releaseId, gateRun)).map((r) => ({
    variant: r.variant as Variant, caseId: r.caseId, repeat: r.repeat, passed: r.passed, escalated: r.escalated, costUsd: r.costUsd,
    tokens: r.tokens, latencyMs: r.latencyMs, output: r.output, ...(r.error ? { error: r.error } : {}), ...(estimated(r.details) ? { usageEstimated: true } : {}),
  }));
  return { baseline: runs.filter((r) => r.variant === 'baseline'), candidate: runs.filter((r) => r.variant === 'candidate') };
}
