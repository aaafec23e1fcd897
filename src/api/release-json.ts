/** A release as the HTTP API shows it (snake_case, REL ids, ISO times). */
import { candidateWeight, stageLabel } from '../core/release.ts';
import type { AppContext } from '../services/context.ts';
import { approvalState } from '../services/releases.ts';
import type { ReleaseRecord } from '../store/repos/releases.ts';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export async function releaseJson(ctx: AppContext, r: ReleaseRecord): Promise<Record<string, unknown>> {
  const wf = ctx.config.workflows[r.workflow];
  const stages = wf?.rollout.stages ?? [100];
  const ap = wf ? await approvalState(ctx.store, r, wf) : null;
  const cand = await ctx.store.configs.get(r.candidateHash);
  const base = await ctx.store.configs.get(r.baselineHash);
  const tally = await ctx.store.review.tally(r.id, r.gateRuns);
  return {
    id: r.key,
    workflow: r.workflow,
    state: r.state,
    stage: r.stageIndex >= 0 ? stages[r.stageIndex] ?? null : null,
    stage_label: r.state === 'canary' || r.state === 'ramp' || r.state === 'paused' ? stageLabel(stages, r.stageIndex) : null,
    candidate_weight: candidateWeight({ state: r.state, stageIndex: r.stageIndex, stages }),
    stages,
    baseline_config: r.baselineHash,
    candidate_config: r.candidateHash,
    baseline_model: base?.config.model ?? null,
    candidate_model: cand?.config.model ?? null,
    salt: r.salt,
    requester: r.requester,
    reason: r.reason,
    source: r.source,
    changes: r.changes,
    gate_outcome: r.gateOutcome,
    gate_runs: r.gateRuns,
    verdict: r.verdict,
    override_reason: r.overrideReason,
    approvals: (ap?.approvals ?? []).map((a) => ({ person: a.person, finance: a.finance, at: iso(a.at) })),
    approvals_needed: ap?.needed ?? null,
    cost_approval_needed: ap?.financeNeeded ?? false,
    human_review: tally.pairs ? { pairs: tally.pairs, voted: tally.voted, candidate_worse: tally.candidateWorse, candidate_better: tally.candidateBetter, ties: tally.ties } : null,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
    stage_started_at: iso(r.stageStartedAt),
    completed_at: iso(r.completedAt),
    ended_at: iso(r.endedAt),
  };
}
