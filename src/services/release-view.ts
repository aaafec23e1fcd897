/** Gathers what the release card shows (the card itself is a pure view in core/views). */
import type { ReleaseConfig } from '../config/types.ts';
import type { ConfigSummary, ReleaseView, VerdictLike } from '../core/views/release.ts';
import { getConfig } from '../store/configs.ts';
import type { ReleaseRecord } from '../store/releases.ts';
import { reviewTally } from '../store/review.ts';
import { canaryViewOf } from '../store/canary-snapshots.ts';
import type { AppContext } from './context.ts';
import { approvalState } from './releases.ts';

function summary(ctx: AppContext, hash: string): ConfigSummary {
  const s = getConfig(ctx.db, hash);
  const c: ReleaseConfig | undefined = s?.config;
  return {
    hash,
    model: c?.model ?? '?',
    promptFile: s?.promptFile ?? null,
    prompt: c?.prompt ?? '',
    params: c?.params ?? {},
    rag: c?.rag ?? null,
    tools: (c?.tools ?? []).map((t) => ({ name: t.name, effect: t.effect })),
    guardrails: c?.guardrails ?? {},
  };
}

export function releaseView(ctx: AppContext, r: ReleaseRecord): ReleaseView {
  const wf = ctx.config.workflows[r.workflow];
  const ap = wf ? approvalState(ctx, r, wf) : { approvals: [], needed: 1, financeNeeded: false };
  const recent = ctx.db
    .prepare('SELECT action, actor, ts FROM audit WHERE release_id = ? ORDER BY seq DESC LIMIT 2')
    .all(r.id) as { action: string; actor: string; ts: number }[];
  // A request starts its first evaluation in the same transaction: the card says "Requested by".
  const last = recent[0]?.action === 'evals_started' && recent[1]?.action === 'release_requested' && recent[1].ts === recent[0].ts ? recent[1] : recent[0];
  const tally = reviewTally(ctx.db, r.id, r.gateRuns);
  return {
    key: r.key,
    workflow: r.workflow,
    team: wf?.team ?? '?',
    state: r.state,
    stageIndex: r.stageIndex,
    stages: wf?.rollout.stages ?? [100],
    requester: r.requester,
    reason: r.reason,
    source: r.source,
    createdAt: r.createdAt,
    completedAt: r.completedAt,
    baseline: summary(ctx, r.baselineHash),
    candidate: summary(ctx, r.candidateHash),
    verdict: (r.verdict as VerdictLike | null) ?? null,
    overrideReason: r.overrideReason,
    approvals: ap.approvals,
    approvalsNeeded: ap.needed,
    financeNeeded: ap.financeNeeded,
    last: last ? { action: last.action, actor: last.actor, at: last.ts } : null,
    canary: canaryViewOf(ctx.db, r),
    review: tally.pairs ? { pairs: tally.pairs, voted: tally.voted, required: wf?.evals.humanReview.required ?? false } : null,
    now: ctx.now(),
  };
}
