/**
 * What a gate run leaves in the store: one receipt (purpose `eval`) per upstream call and per
 * critic-graded run (variant `critic`), the `spend_daily` rollup rows (purpose `eval`, apart from
 * production) — both through the gateway's `ReceiptStore` — and one `eval_results` row per run.
 * Call inside the caller's transaction.
 */
import { randomBytes } from 'node:crypto';
import type { EvalRun } from '../core/gate.ts';
import { dayKey } from '../core/time.ts';
import type { Db } from '../store/db.ts';
import { ReceiptStore, type ReceiptRecord } from '../store/receipts-write.ts';
import type { CriticSpend, EvalCall, RunResult, Variant } from './runner.ts';

export interface SpendScope {
  workflow: string;
  team: string;
  releaseId: number | null;
  priceVersion: string;
  tz: string;
  critic?: { provider: string; model: string };
}

export function writeEvalSpend(db: Db, scope: SpendScope, calls: EvalCall[], critic: CriticSpend[]): void {
  const store = new ReceiptStore(db);
  const base = {
    purpose: 'eval' as const, workflow: scope.workflow, team: scope.team, release_id: scope.releaseId, unit_hash: null,
    price_version: scope.priceVersion, sources: null, needs_approval: 0 as const, approved: null, edited: null, escalated: null,
    overridden: null, reported: null, csat: null,
  };
  for (const c of calls) {
    const r: ReceiptRecord = {
      ...base, id: c.id, ts: c.ts, variant: c.variant, config_hash: c.configHash, provider: c.provider, model_requested: c.modelRequested,
      model_served: c.modelServed, system_fingerprint: c.systemFingerprint, input_tokens: c.usage.inputTokens, cached_tokens: c.usage.cachedTokens,
      output_tokens: c.usage.outputTokens, reasoning_tokens: c.usage.reasoningTokens, cost_usd: c.costUsd, latency_ms: c.latencyMs,
      status: c.status, error_type: c.errorType, tool_calls: c.toolCalls ? JSON.stringify(c.toolCalls) : null, output: c.output,
    };
    if (!store.insertReceipt(r, false)) continue;
    store.addRollup({
      day: dayKey(c.ts, scope.tz), workflow: scope.workflow, team: scope.team, purpose: 'eval', variant: c.variant, calls: 1, upstreamCalls: 1,
      errors: c.status === 'ok' ? 0 : 1, costUsd: c.costUsd, inputTokens: c.usage.inputTokens, outputTokens: c.usage.outputTokens,
    });
  }
  for (const s of critic) {
    const r: ReceiptRecord = {
      ...base, id: `rcp_${randomBytes(9).toString('hex')}`, ts: s.ts, variant: 'critic', config_hash: null, provider: scope.critic?.provider ?? null,
      model_requested: scope.critic?.model ?? null, model_served: null, system_fingerprint: null, input_tokens: 0, cached_tokens: 0,
      output_tokens: 0, reasoning_tokens: 0, cost_usd: s.costUsd, latency_ms: null, status: 'ok', error_type: null, tool_calls: null, output: null,
    };
    store.insertReceipt(r, false);
    store.addRollup({
      day: dayKey(s.ts, scope.tz), workflow: scope.workflow, team: scope.team, purpose: 'eval', variant: 'critic', calls: 1, upstreamCalls: 1,
      errors: 0, costUsd: s.costUsd, inputTokens: 0, outputTokens: 0,
    });
  }
}

export function saveEvalResults(db: Db, releaseId: number, gateRun: number, runs: RunResult[]): void {
  db.prepare('DELETE FROM eval_results WHERE release_id = ? AND gate_run = ?').run(releaseId, gateRun);
  const ins = db.prepare(
    `INSERT INTO eval_results (release_id, gate_run, variant, case_id, repeat, passed, score, escalated, cost_usd, tokens, latency_ms, error, output, details)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const r of runs) {
    ins.run(
      releaseId, gateRun, r.variant, r.caseId, r.repeat, r.passed ? 1 : 0, r.score, r.escalated ? 1 : 0, r.costUsd, r.tokens, r.latencyMs,
      r.error ?? null, r.output,
      JSON.stringify({ assertions: r.details, criticCostUsd: r.criticCostUsd, configHash: r.configHash, ...(r.usageEstimated ? { usageEstimated: true } : {}) }),
    );
  }
}

export interface StoredRun extends EvalRun {
  variant: Variant;
  output: string | null;
}

export function loadEvalResults(db: Db, releaseId: number, gateRun: number): { baseline: StoredRun[]; candidate: StoredRun[] } {
  const rows = db
    .prepare('SELECT * FROM eval_results WHERE release_id = ? AND gate_run = ? ORDER BY case_id, repeat')
    .all(releaseId, gateRun) as {
    variant: Variant; case_id: string; repeat: number; passed: number; escalated: number; cost_usd: number; tokens: number;
    latency_ms: number; error: string | null; output: string | null; details: string | null;
  }[];
  const estimated = (details: string | null) => details !== null && (JSON.parse(details) as { usageEstimated?: boolean }).usageEstimated === true;
  const runs: StoredRun[] = rows.map((r) => ({
    variant: r.variant, caseId: r.case_id, repeat: r.repeat, passed: r.passed === 1, escalated: r.escalated === 1, costUsd: r.cost_usd,
    tokens: r.tokens, latencyMs: r.latency_ms, output: r.output, ...(r.error ? { error: r.error } : {}), ...(estimated(r.details) ? { usageEstimated: true } : {}),
  }));
  return { baseline: runs.filter((r) => r.variant === 'baseline'), candidate: runs.filter((r) => r.variant === 'candidate') };
}
