/** Gathers what the release card shows (the card itself is a pure view in core/views). */
import type { ReleaseConfig } from '../config/types.ts';
import type { ConfigSummary, ReleaseView, VerdictLike } from '../core/views/release.ts';
import type { ReleaseRecord } from '../store/repos/releases.ts';
import type { AppContext } from './context.ts';
import { approvalState } from './releases.ts';

async function summary(ctx: AppContext, hash: string): Promise<ConfigSummary> {
  const s = await ctx.store.configs.get(hash);
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

/** The snapshot of the release's current stage, as the release card shows it (null: none yet). */
async function canaryViewOf(ctx: AppContext, r: ReleaseRecord): Promise<ReleaseView['canary']> {
  if (r.state !== 'canary' && r.state !== 'ramp' && r.state !== 'paused') return null;
  const s = await ctx.store.canarySnapshots.load(r.id);
  if (!s || s.stage !== r.stageIndex) return null;
  return {
    status: s.judgement.status,
    reason: s.judgement.reason,
    samplesNeeded: s.judgement.samplesNeeded,
    metrics: s.judgement.metrics.map((m) => ({ name: m.name, baseline: m.baseline, candidate: m.candidate, classification: m.classification, test: m.test })),
  };
}

export async function releaseView(ctx: AppContext, r: ReleaseRecord): Promise<ReleaseView> {
  const wf = ctx.config.workflows[r.workflow];
  const ap = wf ? await approvalState(ctx.store, r, wf) : { approvals: [], needed: 1, financeNeeded: false };
  const recent = await ctx.store.audit.list({ releaseId: r.id, limit: 2 });
  // A request starts its first evaluation in the same transaction: the card says "Requested by".
  const last = recent[0]?.action === 'evals_started' && recent[1]?.action === 'release_requested' && recent[1].ts === recent[0].ts ? recent[1] : recent[0];
  const tally = await ctx.store.review.tally(r.id, r.gateRuns);
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
    baseline: await summary(ctx, r.baselineHash),
    candidate: await summary(ctx, r.candidateHash),
    verdict: (r.verdict as VerdictLike | null) ?? null,
    overrideReason: r.overrideReason,
    approvals: ap.approvals,
    approvalsNeeded: ap.needed,
    financeNeeded: ap.financeNeeded,
    last: last ? { action: last.action, actor: last.actor, at: last.ts } : null,
    canary: await canaryViewOf(ctx, r),
    review: tally.pairs ? { pairs: tally.pairs, voted: tally.voted, required: wf?.evals.humanReview.required ?? false } : null,
    now: ctx.now(),
  };
}
