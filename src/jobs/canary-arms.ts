/**
 * The two arms of a release's canary, read from its production receipts since the stage began
 * (index receipts(release_id, variant, ts)), with their feedback columns.
 */
import type { CanaryArm } from '../core/canary.ts';
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
