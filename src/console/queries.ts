/** What the console reads, shaped for its pages (paged receipts, eval outputs, canary samples, audit pages). */
import type { AuditRowView } from '../store/repos/audit.ts';
import type { ReceiptCursor, ReceiptRow } from '../store/repos/receipts.ts';
import type { ReleaseState } from '../core/release.ts';
import type { Store } from '../store/store.ts';
import type { AlphaSplit, DetectableAtTraffic } from '../core/canary.ts';

export type { AuditRowView, ReceiptCursor };

export const encodeCursor = (c: ReceiptCursor): string => `${c.ts}_${c.id}`;
export function decodeCursor(s: string | null): ReceiptCursor | undefined {
  const m = s ? /^(\d+)_([A-Za-z0-9_-]+)$/.exec(s) : null;
  return m ? { ts: Number(m[1]), id: m[2]! } : undefined;
}

/** One page of receipts, newest first, strictly after `before` (ts, id) — no row is skipped on ties. */
export function receiptPage(store: Store, q: { workflows: string[]; purpose: string; limit: number; before?: ReceiptCursor }): Promise<{ rows: ReceiptRow[]; next?: ReceiptCursor }> {
  return store.receipts.page(q);
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
export async function caseOutputs(store: Store, releaseId: number, gateRun: number): Promise<CaseOutputs[]> {
  const byKey = new Map<string, CaseOutputs>();
  for (const r of await store.evalResults.load(releaseId, gateRun)) {
    const key = `${r.caseId}\u0000${r.repeat}`;
    let c = byKey.get(key);
    if (!c) byKey.set(key, (c = { caseId: r.caseId, repeat: r.repeat }));
    const out: EvalOutput = { passed: r.passed, score: r.score, escalated: r.escalated, latencyMs: r.latencyMs, costUsd: r.costUsd, error: r.error, output: r.output };
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
export async function canarySamples(store: Store, releaseId: number, limit = 200_000): Promise<CanarySample[]> {
  return (await store.receipts.samples(releaseId, limit)).map((r) => ({ ts: r.ts, variant: r.variant, ok: r.status === 'ok', latencyMs: r.latency_ms }));
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

/** The canary job's latest judgement of a release, when it has stored one. */
export async function canarySnapshot(store: Store, releaseId: number): Promise<CanarySnapshot | null> {
  const s = await store.canarySnapshots.load(releaseId);
  if (!s) return null;
  return { stage: s.stage, judgedAt: s.judgedAt, status: s.judgement.status, samplesNeeded: s.judgement.samplesNeeded, judgement: s.judgement };
}

/** Releases that have had traffic, newest first (the canary page's picker). */
export function releasesWithTraffic(store: Store, workflows: string[], limit = 50): Promise<{ id: number; workflow: string; state: ReleaseState }[]> {
  return store.releases.withTraffic(workflows, limit);
}

/** One page of the audit log, newest first, of the given workflows (plus workflow-less events when `global`). */
export function auditPage(store: Store, q: { workflows: string[]; global: boolean; releaseId?: number; beforeSeq?: number; limit: number }): Promise<{ rows: AuditRowView[]; nextBefore?: number }> {
  return store.audit.page(q);
}
