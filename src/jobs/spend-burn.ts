/**
 * Canary spend burn: does the candidate's cost per run take the workflow over its daily cap today?
 *
 * Projection (simple on purpose): each arm keeps the call rate it has had since the stage began,
 *   projected = today's spend so far + minutes left today × Σ_arm (calls/min × cost per run)
 *   ifStable  = the same with the candidate's calls priced at the stable cost per run.
 * The release is paused when `projected` passes `caps.dailyUsd` while `ifStable` would not: the
 * candidate's extra cost is what takes the workflow over (a workflow over its cap at stable prices
 * is a budget matter the gateway enforces, not the release's fault). Both arms need
 * MIN_BURN_CALLS calls first, so a handful of expensive calls cannot pause a release.
 */
import type { SpendBurn } from '../core/views/canary.ts';

export const MIN_BURN_CALLS = 20;

export interface BurnInput {
  capUsd: number;
  spentTodayUsd: number;
  msLeftToday: number;
  /** How long the arms' calls took to arrive (since the stage began). */
  elapsedMs: number;
  baseline: { calls: number; costSumUsd: number };
  candidate: { calls: number; costSumUsd: number };
}

/** The projection, or null when there are too few calls to project from. */
export function projectSpendBurn(i: BurnInput): (SpendBurn & { over: boolean }) | null {
  if (i.baseline.calls < MIN_BURN_CALLS || i.candidate.calls < MIN_BURN_CALLS) return null;
  const elapsed = Math.max(i.elapsedMs, 60_000);
  const stableCpr = i.baseline.costSumUsd / i.baseline.calls;
  const candidateCpr = i.candidate.costSumUsd / i.candidate.calls;
  const perMs = (i.baseline.costSumUsd + i.candidate.costSumUsd) / elapsed;
  const perMsIfStable = ((i.baseline.calls + i.candidate.calls) * stableCpr) / elapsed;
  const projectedUsd = i.spentTodayUsd + i.msLeftToday * perMs;
  const projectedIfStableUsd = i.spentTodayUsd + i.msLeftToday * perMsIfStable;
  return {
    capUsd: i.capUsd,
    spentTodayUsd: i.spentTodayUsd,
    projectedUsd,
    projectedIfStableUsd,
    candidateCostPerRun: candidateCpr,
    stableCostPerRun: stableCpr,
    over: projectedUsd > i.capUsd && projectedIfStableUsd <= i.capUsd && candidateCpr > stableCpr,
  };
}
