/** Jobs test helpers: receipts written through the store (with their spend_daily rollups) and releases moved into canary. */
import type { AppContext } from '../../src/services/context.ts';
import { applyTransition } from '../../src/services/releases.ts';
import { requestRelease } from '../../src/services/request.ts';
import type { ReceiptRecord } from '../../src/store/repos/receipts.ts';
import type { ReleaseRecord } from '../../src/store/repos/releases.ts';
import type { Repositories } from '../../src/store/store.ts';

export interface TestReceipt {
  workflow: string;
  ts: number;
  purpose?: 'production' | 'eval';
  team?: string;
  releaseId?: number | null;
  variant?: 'stable' | 'candidate';
  configHash?: string | null;
  status?: 'ok' | 'error';
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

function record(r: TestReceipt): ReceiptRecord {
  const status = r.status ?? 'ok';
  return {
    id: `rcpt_test_${++seq}`, ts: r.ts, purpose: r.purpose ?? 'production', workflow: r.workflow, team: r.team ?? null, release_id: r.releaseId ?? null,
    variant: r.variant ?? 'stable', config_hash: r.configHash ?? null, provider: null, model_requested: null, model_served: null, system_fingerprint: null,
    unit_hash: null, input_tokens: r.inputTokens ?? 100, cached_tokens: 0, output_tokens: r.outputTokens ?? 50, reasoning_tokens: 0,
    cost_usd: r.costUsd ?? 0.001, price_version: null, latency_ms: r.latencyMs ?? 800, status, error_type: status === 'ok' ? null : 'upstream_error',
    tool_calls: null, sources: null, output: null, needs_approval: r.needsApproval ? 1 : 0, approved: b(r.approved), edited: b(r.edited),
    escalated: b(r.escalated), overridden: null, reported: null, csat: r.csat ?? null,
  };
}

/** Writes receipts with their spend_daily rollups, as the gateway's writer does; their ids. */
export async function insertReceipts(db: Repositories, rs: TestReceipt[], tz = 'UTC'): Promise<string[]> {
  const items = rs.map((r) => ({ receipt: record(r), forwarded: true, merge: false }));
  await db.receipts.writeBatch(items, tz);
  return items.map((i) => i.receipt.id);
}

/** One receipt (see insertReceipts); its id. */
export async function insertReceipt(db: Repositories, r: TestReceipt, tz = 'UTC'): Promise<string> {
  return (await insertReceipts(db, [r], tz))[0]!;
}

/**
 * `n` calls of one arm of a release, spread evenly from `from` over `spanMs`, exactly `errors` of
 * them failing (spread through the run), with a small deterministic spread of latency and cost.
 */
export function insertArm(
  db: Repositories,
  a: {
    release: ReleaseRecord; variant: 'stable' | 'candidate'; n: number; errors: number; from: number; spanMs: number; costUsd?: number;
    /** Stable calls before the release took traffic: no release id, the baseline's config hash. */
    beforeRelease?: boolean;
  },
): Promise<string[]> {
  const rs: TestReceipt[] = [];
  for (let i = 0; i < a.n; i++) {
    rs.push({
      workflow: a.release.workflow,
      releaseId: a.beforeRelease ? null : a.release.id,
      variant: a.variant,
      configHash: a.variant === 'stable' ? a.release.baselineHash : a.release.candidateHash,
      ts: a.from + Math.floor((i * a.spanMs) / a.n),
      status: Math.floor(((i + 1) * a.errors) / a.n) > Math.floor((i * a.errors) / a.n) ? 'error' : 'ok',
      latencyMs: 700 + (i % 10) * 20,
      costUsd: (a.costUsd ?? 0.002) * (1 + (i % 5) / 100),
      inputTokens: 300 + (i % 7),
      outputTokens: 120 + (i % 3),
    });
  }
  return insertReceipts(db, rs);
}

/** Requests a release of `workflow` (a model change) and moves it through the gate and approval. */
export async function releaseTo(ctx: AppContext, workflow: string, target: 'awaiting_approval' | 'canary'): Promise<ReleaseRecord> {
  const wf = ctx.config.workflows[workflow]!;
  const model = Object.keys(ctx.config.pricing).find((m) => m !== wf.config.model)!;
  const req = await requestRelease(ctx, { person: ctx.config.people.ops, surface: 'cli' }, { workflow, model, source: 'cli', reason: 'test' });
  if (!req.ok) throw new Error(req.error.message);
  const passed = await applyTransition(ctx, req.value.id, 'gate_passed', 'gate', {}, 'evaluating');
  if (!passed.ok) throw new Error(passed.error.message);
  if (target === 'canary') {
    const ap = await applyTransition(ctx, req.value.id, 'approved', wf.approvers[0]!, {}, 'awaiting_approval');
    if (!ap.ok) throw new Error(ap.error.message);
  }
  return (await ctx.store.releases.get(req.value.id))!;
}

export interface AlertEvent {
  condition: string;
  card: { title: string; actions?: { id: string; command: string }[]; blocks: unknown[] };
  notify: string[];
  releaseId: number | null;
}

export async function alertEvents(db: Repositories, condition?: string): Promise<AlertEvent[]> {
  return (await db.events.after(0, 1_000_000))
    .filter((e) => e.kind === 'alert')
    .map((e) => ({ ...(e.payload as Omit<AlertEvent, 'releaseId'>), releaseId: e.releaseId }))
    .filter((e) => !condition || e.condition === condition);
}
