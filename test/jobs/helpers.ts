/** Jobs test helpers: receipts written directly (with their spend_daily rollups) and releases moved into canary. */
import { dayKey } from '../../src/core/time.ts';
import type { AppContext } from '../../src/services/context.ts';
import { applyTransition } from '../../src/services/releases.ts';
import { requestRelease } from '../../src/services/request.ts';
import type { Db } from '../../src/store/db.ts';
import type { ReleaseRecord } from '../../src/store/releases.ts';
import { getRelease } from '../../src/store/releases.ts';

export interface TestReceipt {
  workflow: string;
  ts: number;
  purpose?: 'production' | 'eval';
  team?: string;
  releaseId?: number | null;
  variant?: 'stable' | 'candidate';
  configHash?: string | null;
  status?: string;
  costUsd?: number;
  inputTokens?: number;
  outputTokens?: number;
  latencyMs?: number;
  needsApproval?: boolean;
  approved?: boolean | null;
  edited?: boolean | null;
  escalated?: boolean | null;
  csat?: number | null;
}

let seq = 0;
const b = (v: boolean | null | undefined) => (v === undefined || v === null ? null : v ? 1 : 0);

/** Inserts one receipt and adds it to its spend_daily rollup, as the gateway's writer does. */
export function insertReceipt(db: Db, r: TestReceipt, tz = 'UTC'): string {
  const id = `rcpt_test_${++seq}`;
  const purpose = r.purpose ?? 'production';
  const variant = r.variant ?? 'stable';
  const status = r.status ?? 'ok';
  const cost = r.costUsd ?? 0.001;
  const inp = r.inputTokens ?? 100;
  const out = r.outputTokens ?? 50;
  db.prepare(
    `INSERT INTO receipts (id, ts, purpose, workflow, team, release_id, variant, config_hash, input_tokens, output_tokens, cost_usd, latency_ms, status,
       needs_approval, approved, edited, escalated, csat)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, r.ts, purpose, r.workflow, r.team ?? null, r.releaseId ?? null, variant, r.configHash ?? null, inp, out, cost, r.latencyMs ?? 800, status,
    r.needsApproval ? 1 : 0, b(r.approved), b(r.edited), b(r.escalated), r.csat ?? null);
  db.prepare(
    `INSERT INTO spend_daily (day, workflow, team, purpose, variant, calls, errors, cost_usd, input_tokens, output_tokens)
     VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
     ON CONFLICT(day, workflow, purpose, variant) DO UPDATE SET calls = calls + 1, errors = errors + excluded.errors,
       cost_usd = cost_usd + excluded.cost_usd, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens`,
  ).run(dayKey(r.ts, tz), r.workflow, r.team ?? '', purpose, variant, status === 'ok' ? 0 : 1, cost, inp, out);
  return id;
}

/**
 * `n` calls of one arm of a release, spread evenly from `from` over `spanMs`, exactly `errors` of
 * them failing (spread through the run), with a small deterministic spread of latency and cost.
 */
export function insertArm(
  db: Db,
  a: {
    release: ReleaseRecord; variant: 'stable' | 'candidate'; n: number; errors: number; from: number; spanMs: number; costUsd?: number;
    /** Stable calls before the release took traffic: no release id, the baseline's config hash. */
    beforeRelease?: boolean;
  },
): void {
  db.transaction(() => {
    for (let i = 0; i < a.n; i++) {
      insertReceipt(db, {
        workflow: a.release.workflow,
        releaseId: a.beforeRelease ? null : a.release.id,
        variant: a.variant,
        configHash: a.variant === 'stable' ? a.release.baselineHash : a.release.candidateHash,
        ts: a.from + Math.floor((i * a.spanMs) / a.n),
        status: Math.floor(((i + 1) * a.errors) / a.n) > Math.floor((i * a.errors) / a.n) ? 'upstream_error' : 'ok',
        latencyMs: 700 + (i % 10) * 20,
        costUsd: (a.costUsd ?? 0.002) * (1 + (i % 5) / 100),
        inputTokens: 300 + (i % 7),
        outputTokens: 120 + (i % 3),
      });
    }
  })();
}

/** Requests a release of `workflow` (a model change) and moves it through the gate and approval. */
export function releaseTo(ctx: AppContext, workflow: string, target: 'awaiting_approval' | 'canary'): ReleaseRecord {
  const wf = ctx.config.workflows[workflow]!;
  const model = Object.keys(ctx.config.pricing).find((m) => m !== wf.config.model)!;
  const req = requestRelease(ctx, { person: ctx.config.people.ops, surface: 'cli' }, { workflow, model, source: 'cli', reason: 'test' });
  if (!req.ok) throw new Error(req.error.message);
  const passed = applyTransition(ctx, req.value.id, 'gate_passed', 'gate', {}, 'evaluating');
  if (!passed.ok) throw new Error(passed.error.message);
  if (target === 'canary') {
    const ap = applyTransition(ctx, req.value.id, 'approved', wf.approvers[0]!, {}, 'awaiting_approval');
    if (!ap.ok) throw new Error(ap.error.message);
  }
  return getRelease(ctx.db, req.value.id)!;
}

export interface AlertEvent {
  condition: string;
  card: { title: string; actions?: { id: string; command: string }[]; blocks: unknown[] };
  notify: string[];
  releaseId: number | null;
}

export function alertEvents(db: Db, condition?: string): AlertEvent[] {
  return (db.prepare("SELECT release_id, payload FROM events WHERE kind = 'alert' ORDER BY id").all() as { release_id: number | null; payload: string }[])
    .map((e) => ({ ...(JSON.parse(e.payload) as Omit<AlertEvent, 'releaseId'>), releaseId: e.release_id }))
    .filter((e) => !condition || e.condition === condition);
}
