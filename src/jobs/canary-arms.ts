/**
 * The two arms of a release's canary, read from its production receipts since the stage began
 * (index receipts(release_id, variant, ts)), with their feedback columns; and the stable config's
 * calls in the hour before the stage began (the early stop's extra baseline, read once a stage).
 */
import { MIN_THRESHOLD_LATENCIES, type CanaryArm, type PriorCalls } from '../core/canary.ts';
import { percentile } from '../core/stats/percentile.ts';
import type { ArmRow } from '../store/repos/receipts.ts';
import type { Repositories } from '../store/store.ts';

export interface ArmTotals extends CanaryArm {
  /** Total cost of the arm's calls (USD), for the spend-burn projection. */
  costSumUsd: number;
}

type Row = ArmRow;

function arm(rows: Row[]): ArmTotals {
  const a: ArmTotals = { n: rows.length, errors: 0, escalations: 0, overrides: 0, reported: 0, latencyMs: [], costUsd: [], tokens: [], csat: [], costSumUsd: 0 };
  const latency = a.latencyMs as number[];
  const cost = a.costUsd as number[];
  const tokens = a.tokens as number[];
  const csat = a.csat as number[];
  for (const r of rows) {
    if (r.status !== 'ok') a.errors++;
    if (r.escalated === 1) a.escalations++;
    if (r.overridden === 1) a.overrides++;
    if (r.reported === 1) a.reported++;
    if (r.latency_ms !== null && r.status === 'ok') latency.push(r.latency_ms);
    cost.push(r.cost_usd);
    a.costSumUsd += r.cost_usd;
    tokens.push(r.tokens);
    if (r.csat !== null) csat.push(r.csat);
  }
  return a;
}

/** Baseline (`stable`) and candidate arms of `releaseId` since `since` (ms). */
export async function canaryArms(db: Repositories, releaseId: number, since: number): Promise<{ baseline: ArmTotals; candidate: ArmTotals }> {
  return {
    baseline: arm(await db.receipts.armRows(releaseId, 'stable', since)),
    candidate: arm(await db.receipts.armRows(releaseId, 'candidate', since)),
  };
}

/** How far before the stage the stable config's calls are the early stop's extra baseline. */
export const PRIOR_WINDOW_MS = 60 * 60_000;
/** At most this many of them (the newest): beyond it the prior no longer sharpens the early stop. */
const PRIOR_MAX_CALLS = 20_000;

/** The stable config's production calls of `workflow` in the hour before `since`. */
export async function priorCalls(db: Repositories, workflow: string, stableHash: string, since: number): Promise<PriorCalls> {
  const rows = await db.receipts.configRows(workflow, stableHash, since - PRIOR_WINDOW_MS, since, PRIOR_MAX_CALLS);
  const p: PriorCalls = { n: rows.length, errors: 0, reported: 0, escalations: 0, overrides: 0, latencyP95Ms: null };
  const latencies: number[] = [];
  for (const r of rows) {
    if (r.status !== 'ok') p.errors++;
    else if (r.latency_ms !== null) latencies.push(r.latency_ms);
    if (r.escalated === 1) p.escalations++;
    if (r.overridden === 1) p.overrides++;
    if (r.reported === 1) p.reported++;
  }
  if (latencies.length >= MIN_THRESHOLD_LATENCIES) p.latencyP95Ms = percentile(latencies, 95);
  return p;
}
