/**
 * The canary job: ticks every 10 s and judges every release taking traffic (canary or ramp) that
 * is due — at every tick while its stage is younger than 30 minutes (so a catastrophic regression
 * is caught within seconds of the evidence), else once a minute — on its production receipts
 * since the stage began, candidate against baseline (plus the stable config's hour before the
 * stage, read once a stage, for the early stop), and acts once per stage:
 *   inconclusive -> the snapshot says how many calls are still needed (release card);
 *   regressed    -> roll back at once (autoRollback) or alert with Rollback / Acknowledge / Pause;
 *   healthy past minBakeMinutes -> "ready to ramp" with the Ramp button (or promote: autoPromote);
 *   spend burn   -> pause when the candidate's cost per run projects the workflow over its daily cap.
 * A plain function of (context, now): cron only schedules it; all state is in SQLite.
 */
import { judgeCanary, type CanaryJudgement } from '../core/canary.ts';
import { canaryLookDue } from '../core/canary-policy.ts';
import { stageLabel } from '../core/release.ts';
import { dayKey, nextDayStart } from '../core/time.ts';
import { readyToRampCard, regressionAlertCard, spendBurnCard, type AlertSubject } from '../core/views/canary.ts';
import type { Workflow } from '../config/types.ts';
import type { AppContext } from '../services/context.ts';
import { transitionIn } from '../services/releases.ts';
import type { ReleaseRecord } from '../store/repos/releases.ts';
import { raiseAlertOnce } from './alerts.ts';
import { canaryArms, priorCalls, type ArmTotals } from './canary-arms.ts';
import { projectSpendBurn } from './spend-burn.ts';

export const CANARY_ACTOR = 'job:canary';

export type CanaryAction = 'none' | 'rolled_back' | 'alerted' | 'ready_to_ramp' | 'promoted' | 'paused_for_spend';

export interface CanaryOutcome {
  releaseId: number;
  key: string;
  status: CanaryJudgement['status'];
  samplesNeeded: number;
  action: CanaryAction;
}

/** Judges every release in canary or ramp that is due at `now` (see canaryLookDue). */
export async function runCanaryJob(ctx0: AppContext, now: number, tz = 'UTC'): Promise<CanaryOutcome[]> {
  const ctx: AppContext = { ...ctx0, now: () => now };
  const out: CanaryOutcome[] = [];
  for (const r of await ctx.store.releases.inStates(['canary', 'ramp'])) {
    const wf = ctx.config.workflows[r.workflow];
    if (!wf) continue;
    const judged = await judgeRelease(ctx, r, wf, now, tz);
    if (judged) out.push(judged);
  }
  return out;
}

function subjectOf(r: ReleaseRecord, wf: Workflow): AlertSubject {
  return { key: r.key, workflow: r.workflow, team: wf.team, stage: stageLabel(wf.rollout.stages, r.stageIndex) };
}

async function judgeRelease(ctx: AppContext, r: ReleaseRecord, wf: Workflow, now: number, tz: string): Promise<CanaryOutcome | null> {
  const since = r.stageStartedAt ?? r.trafficStartedAt ?? r.updatedAt;
  const last = await ctx.store.canarySnapshots.load(r.id);
  const thisStage = last && last.stage === r.stageIndex ? last : undefined;
  if (!canaryLookDue(now - since, thisStage?.judgedAt ?? null, now)) return null;
  const prior = thisStage?.prior !== undefined ? thisStage.prior : await priorCalls(ctx.store, r.workflow, r.baselineHash, since);
  const { baseline, candidate } = await canaryArms(ctx.store, r.id, since);
  const judgement = judgeCanary({
    baseline, candidate, prior, minSamples: wf.rollout.minSamples, criticalExtras: wf.rollout.criticalExtras,
    elapsedMs: now - since, bakeMs: wf.rollout.minBakeMinutes * 60_000,
  });
  const result = (action: CanaryAction): CanaryOutcome => ({ releaseId: r.id, key: r.key, status: judgement.status, samplesNeeded: judgement.samplesNeeded, action });
  await ctx.store.tx((t) =>
    t.canarySnapshots.save({ releaseId: r.id, stage: r.stageIndex, judgedAt: now, judgement, baselineCalls: baseline.n, candidateCalls: candidate.n, prior }),
  );

  if (await checkSpendBurn(ctx, r, wf, { baseline, candidate, since, now, tz })) return result('paused_for_spend');

  if (judgement.status === 'regressed') return result(await onRegression(ctx, r, wf, judgement, baseline.n, candidate.n, now));

  const bakedMs = now - since;
  if (judgement.status === 'healthy' && bakedMs >= wf.rollout.minBakeMinutes * 60_000) return result(await onReady(ctx, r, wf, judgement, bakedMs, now));
  return result('none');
}

function onRegression(ctx: AppContext, r: ReleaseRecord, wf: Workflow, judgement: CanaryJudgement, nb: number, nc: number, now: number): Promise<CanaryAction> {
  const s = subjectOf(r, wf);
  return ctx.store.tx(async (t): Promise<CanaryAction> => {
    if (await t.alerts.raised(r.id, r.stageIndex, 'canary_regression')) return 'none';
    let rolledBack = false;
    let refused: string | undefined;
    if (wf.rollout.autoRollback) {
      const rb = await transitionIn(t, ctx, r.id, 'rollback', CANARY_ACTOR, { reason: `canary regression: ${judgement.reason}` }, r.state);
      if (rb.ok) rolledBack = true;
      else if ((await t.releases.get(r.id))?.state !== r.state) return 'none'; // it moved meanwhile: nothing to alert about
      else refused = rb.error.message;
    }
    await raiseAlertOnce(t, {
      releaseId: r.id,
      stage: r.stageIndex,
      workflow: r.workflow,
      condition: 'canary_regression',
      card: regressionAlertCard(s, { judgement, baselineCalls: nb, candidateCalls: nc, rolledBack, rollbackRefused: refused }),
      notify: [...new Set([...wf.approvers, r.requester].filter((p) => ctx.config.people[p]))],
      now,
      data: { reason: judgement.reason, rolledBack },
    });
    return rolledBack ? 'rolled_back' : 'alerted';
  });
}

function onReady(ctx: AppContext, r: ReleaseRecord, wf: Workflow, judgement: CanaryJudgement, bakedMs: number, now: number): Promise<CanaryAction> {
  const s = subjectOf(r, wf);
  const next = wf.rollout.stages[r.stageIndex + 1] ?? 100;
  return ctx.store.tx(async (t): Promise<CanaryAction> => {
    if (await t.alerts.raised(r.id, r.stageIndex, 'ready_to_ramp')) return 'none';
    if (wf.rollout.autoPromote) {
      const p = await transitionIn(t, ctx, r.id, 'promote', CANARY_ACTOR, { reason: `healthy after the minimum bake: ${judgement.reason}` }, r.state);
      if (p.ok) {
        const promotedTo = p.value.state === 'completed' ? 'complete (100%)' : stageLabel(wf.rollout.stages, p.value.stageIndex);
        await raiseAlertOnce(t, {
          releaseId: r.id,
          stage: r.stageIndex,
          workflow: r.workflow,
          condition: 'ready_to_ramp',
          card: readyToRampCard(s, { next, bakedMs, judgement, promoted: true, promotedTo }),
          now,
        });
        return 'promoted';
      }
      if ((await t.releases.get(r.id))?.state !== r.state) return 'none';
    }
    await raiseAlertOnce(t, {
      releaseId: r.id,
      stage: r.stageIndex,
      workflow: r.workflow,
      condition: 'ready_to_ramp',
      card: readyToRampCard(s, { next, bakedMs, judgement, promoted: false }),
      now,
    });
    return 'ready_to_ramp';
  });
}

async function checkSpendBurn(
  ctx: AppContext,
  r: ReleaseRecord,
  wf: Workflow,
  a: { baseline: ArmTotals; candidate: ArmTotals; since: number; now: number; tz: string },
): Promise<boolean> {
  const capUsd = wf.caps.dailyUsd;
  if (capUsd === undefined) return false;
  const spentTodayUsd = await ctx.store.spend.productionCost(r.workflow, dayKey(a.now, a.tz));
  const burn = projectSpendBurn({
    capUsd,
    spentTodayUsd,
    msLeftToday: nextDayStart(a.now, a.tz) - a.now,
    elapsedMs: a.now - a.since,
    baseline: { calls: a.baseline.n, costSumUsd: a.baseline.costSumUsd },
    candidate: { calls: a.candidate.n, costSumUsd: a.candidate.costSumUsd },
  });
  if (!burn?.over) return false;
  const s = subjectOf(r, wf);
  return ctx.store.tx(async (t) => {
    if (await t.alerts.raised(r.id, r.stageIndex, 'spend_burn')) return false; // raised (and paused) once this stage; resumed since
    const p = await transitionIn(
      t,
      ctx,
      r.id,
      'pause',
      CANARY_ACTOR,
      { reason: `canary spend burn: projected $${burn.projectedUsd.toFixed(2)} today against a daily cap of $${capUsd}` },
      r.state,
    );
    if (!p.ok) return false;
    await raiseAlertOnce(t, {
      releaseId: r.id,
      stage: r.stageIndex,
      workflow: r.workflow,
      condition: 'spend_burn',
      data: burn,
      card: spendBurnCard(s, burn, true),
      notify: [...new Set([...wf.approvers, r.requester].filter((p2) => ctx.config.people[p2]))],
      now: a.now,
    });
    return true;
  });
}
