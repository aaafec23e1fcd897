/** The console's read-only queries (paged receipts, eval outputs, canary samples, audit pages). */
import type { Db } from '../store/db.ts';
import type { ReceiptRow } from '../store/receipts-read.ts';
import type { AuditRow } from '../store/audit.ts';
import type { AlphaSplit, DetectableAtTraffic } from '../core/canary.ts';

export interface ReceiptCursor {
  ts: number;
  id: string;
}

export const encodeCursor = (c: ReceiptCursor): string => `${c.ts}_${c.id}`;
export function decodeCursor(s: string | null): ReceiptCursor | undefined {
  const m = s ? /^(\d+)_([A-Za-z0-9_-]+)$/.exec(s) : null;
  return m ? { ts: Number(m[1]), id: m[2]! } : undefined;
}

/** One page of receipts, newest first, strictly after `before` (ts, id) — no row is skipped on ties. */
export function receiptPage(db: Db, q: { workflows: string[]; purpose: string; limit: number; before?: ReceiptCursor }): { rows: ReceiptRow[]; next?: ReceiptCursor } {
  if (q.workflows.length === 0) return { rows: [] };
  const args: unknown[] = [...q.workflows, q.purpose];
  let where = `workflow IN (${q.workflows.map(() => '?').join(',')}) AND purpose = ?`;
  if (q.before) {
    where += ' AND (ts < ? OR (ts = ? AND id < ?))';
    args.push(q.before.ts, q.before.ts, q.before.id);
  }
  args.push(q.limit + 1);
  const rows = db.prepare(`SELECT * FROM receipts WHERE ${where} ORDER BY ts DESC, id DESC LIMIT ?`).all(...args) as ReceiptRow[];
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const last = page[page.length - 1];
  return { rows: page, ...(more && last ? { next: { ts: last.ts, id: last.id } } : {}) };
}

export interface CaseOutputs {
  caseId: string;
  repeat: number;
  baseline?: EvalOutput;
  candidate?: EvalOutput;
}

export interface EvalOutput {
  passed: boolean;
  score: number;
  escalated: boolean;
  latencyMs: number;
  costUsd: number;
  error: string | null;
  output: string | null;
}

/** Baseline and candidate outputs of one gate run, paired per case and repeat. */
export function caseOutputs(db: Db, releaseId: number, gateRun: number): CaseOutputs[] {
  const rows = db
    .prepare(
      `SELECT variant, case_id, repeat, passed, score, escalated, latency_ms, cost_usd, error, output FROM eval_results
       WHERE release_id = ? AND gate_run = ? ORDER BY case_id, repeat`,
    )
    .all(releaseId, gateRun) as {
    variant: string;
    case_id: string;
    repeat: number;
    passed: number;
    score: number;
    escalated: number;
    latency_ms: number;
    cost_usd: number;
    error: string | null;
    output: string | null;
  }[];
  const byKey = new Map<string, CaseOutputs>();
  for (const r of rows) {
    const key = `${r.case_id}\u0000${r.repeat}`;
    let c = byKey.get(key);
    if (!c) byKey.set(key, (c = { caseId: r.case_id, repeat: r.repeat }));
    const out: EvalOutput = {
      passed: r.passed === 1,
      score: r.score,
      escalated: r.escalated === 1,
      latencyMs: r.latency_ms,
      costUsd: r.cost_usd,
      error: r.error,
      output: r.output,
    };
    if (r.variant === 'baseline') c.baseline = out;
    else if (r.variant === 'candidate') c.candidate = out;
  }
  return [...byKey.values()];
}

export interface CanarySample {
  ts: number;
  variant: string;
  ok: boolean;
  latencyMs: number | null;
}

/** Production calls of a release (both arms), oldest first, capped. */
export function canarySamples(db: Db, releaseId: number, limit = 200_000): CanarySample[] {
  return (
    db
      .prepare(
        `SELECT ts, variant, status, latency_ms FROM receipts WHERE release_id = ? AND purpose = 'production' AND variant IN ('stable', 'candidate')
         ORDER BY ts LIMIT ?`,
      )
      .all(releaseId, limit) as { ts: number; variant: string; status: string; latency_ms: number | null }[]
  ).map((r) => ({ ts: r.ts, variant: r.variant, ok: r.status === 'ok', latencyMs: r.latency_ms }));
}

export interface CanarySnapshot {
  stage: number;
  judgedAt: number;
  status: string;
  samplesNeeded: number;
  judgement: {
    status?: string;
    reason?: string;
    metrics?: { name: string; baseline: number | null; candidate: number | null; delta?: number | null; test: string; classification: string }[];
    callsNeeded?: { baseline: number; candidate: number };
    detectable?: DetectableAtTraffic | null;
    alpha?: AlphaSplit;
  };
}

/** The canary job's latest judgement of a release, when that job has stored one (its table may not exist). */
export function canarySnapshot(db: Db, releaseId: number): CanarySnapshot | null {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'canary_snapshots'").get();
  if (!exists) return null;
  const r = db.prepare('SELECT stage, judged_at, status, samples_needed, judgement FROM canary_snapshots WHERE release_id = ?').get(releaseId) as
    | { stage: number; judged_at: number; status: string; samples_needed: number; judgement: string }
    | undefined;
  if (!r) return null;
  let judgement: CanarySnapshot['judgement'] = {};
  try {
    // Stored as { judgement, baselineCalls, candidateCalls, prior }.
    const body = JSON.parse(r.judgement) as { judgement?: CanarySnapshot['judgement'] } & CanarySnapshot['judgement'];
    judgement = body.judgement ?? body;
  } catch {
    judgement = {};
  }
  return { stage: r.stage, judgedAt: r.judged_at, status: r.status, samplesNeeded: r.samples_needed, judgement };
}

/** Releases that have had traffic, newest first (the canary page's picker). */
export function releasesWithTraffic(db: Db, workflows: string[], limit = 50): { id: number; workflow: string; state: string }[] {
  if (workflows.length === 0) return [];
  return db
    .prepare(
      `SELECT id, workflow, state FROM releases WHERE traffic_started_at IS NOT NULL AND workflow IN (${workflows.map(() => '?').join(',')})
       ORDER BY id DESC LIMIT ?`,
    )
    .all(...workflows, limit) as { id: number; workflow: string; state: string }[];
}

export type AuditRowView = Omit<AuditRow, 'prev_hash'>;

/** One page of the audit log, newest first, of the given workflows (plus workflow-less events when `global`). */
export function auditPage(db: Db, q: { workflows: string[]; global: boolean; releaseId?: number; beforeSeq?: number; limit: number }): { rows: AuditRowView[]; nextBefore?: number } {
  const scope: string[] = [];
  const args: unknown[] = [];
  if (q.workflows.length) {
    scope.push(`workflow IN (${q.workflows.map(() => '?').join(',')})`);
    args.push(...q.workflows);
  }
  if (q.global) scope.push('workflow IS NULL');
  if (scope.length === 0) return { rows: [] };
  let where = `(${scope.join(' OR ')})`;
  if (q.releaseId !== undefined) {
    where += ' AND release_id = ?';
    args.push(q.releaseId);
  }
  if (q.beforeSeq !== undefined) {
    where += ' AND seq < ?';
    args.push(q.beforeSeq);
  }
  args.push(q.limit + 1);
  const rows = db.prepare(`SELECT seq, ts, actor, action, workflow, release_id, data, hash FROM audit WHERE ${where} ORDER BY seq DESC LIMIT ?`).all(...args) as AuditRowView[];
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  return { rows: page, ...(more ? { nextBefore: page[page.length - 1]!.seq } : {}) };
}
