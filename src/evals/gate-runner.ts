/**
 * The server's gate: on `gate_requested` (from any process) it runs the release's eval suite in
 * the background — never inside a request — and records the verdict, the results, the eval
 * receipts and the transition (gate_passed / gate_failed) in one transaction. A result that went
 * stale meanwhile (the release left `evaluating`, or a newer gate run started) is dropped, its
 * spend still recorded. At start, every release found in `evaluating` is evaluated again.
 * Human-review votes (`review_voted`) re-compute the verdict; a candidate voted worse on more
 * than half of the pairs turns it to `fail` (and an awaiting release to gate_failed).
 * The gate never uses the eval cache.
 */
import { setMaxListeners } from 'node:events';
import type { EvalSuite } from '../config/types.ts';
import { computeGateVerdict, selectReviewPairs, type GateVerdict, type HumanReviewTally } from '../core/gate.ts';
import { reviewCard } from '../core/views/review.ts';
import { sharedUpstreams, type UpstreamTarget, type Upstreams } from '../gateway/upstream.ts';
import type { Runtime, ServerPlugin } from '../server/runtime.ts';
import type { AppContext } from '../services/context.ts';
import { emitAlert } from '../services/notify.ts';
import { transitionIn } from '../services/releases.ts';
import type { StoredEvent } from '../store/repos/events.ts';
import { loadEvalResults, saveEvalResults, writeEvalSpend } from './eval-store.ts';
import { pairViews } from './review-pairs.ts';
import { runSuite } from './runner.ts';
import { criticFor } from './setup.ts';

export interface GateDeps {
  ctx: AppContext;
  target: (provider: string) => UpstreamTarget | null;
  tz: string;
  upstreams?: Upstreams;
  sleep?: (ms: number) => Promise<void>;
  log?: { info(msg: string, f?: Record<string, unknown>): void; error(msg: string, f?: Record<string, unknown>): void };
}

export type GateRunOutcome = { status: 'applied'; outcome: GateVerdict['outcome'] } | { status: 'stale' | 'skipped'; reason: string };

const emptyTally = (pairs: number): HumanReviewTally => ({ pairs, voted: 0, candidateWorse: 0, candidateBetter: 0, ties: 0 });

/** Runs gate run `gateRun` of a release to its end and applies the result (unless stale). */
export async function evaluateRelease(deps: GateDeps, releaseId: number, gateRun: number, signal?: AbortSignal): Promise<GateRunOutcome> {
  const { ctx } = deps;
  const r = await ctx.store.releases.get(releaseId);
  if (!r || r.state !== 'evaluating' || r.gateRuns !== gateRun) return { status: 'stale', reason: 'the release is no longer evaluating this gate run' };
  const wf = ctx.config.workflows[r.workflow];
  const baseline = await ctx.store.configs.get(r.baselineHash);
  const candidate = await ctx.store.configs.get(r.candidateHash);
  if (!wf || !baseline || !candidate) return { status: 'skipped', reason: `workflow ${r.workflow} or its configs are gone` };
  const suite = wf.evals;
  const run = await runSuite({
    suite,
    variants: [
      { variant: 'baseline', config: baseline.config, hash: baseline.hash },
      { variant: 'candidate', config: candidate.config, hash: candidate.hash },
    ],
    pricing: ctx.config.pricing,
    target: deps.target,
    upstreams: deps.upstreams ?? sharedUpstreams(),
    concurrency: ctx.config.evalDefaults.concurrency,
    timeoutMs: ctx.config.evalDefaults.timeoutMs,
    critic: criticFor(ctx.config, deps.target),
    sleep: deps.sleep,
    now: ctx.now,
    signal,
  });
  const pairs = selectReviewPairs(run.baseline, run.candidate, suite.humanReview.sample);
  const verdict = computeGateVerdict(wf.gate, run.baseline, run.candidate, pairs.length > 0 ? emptyTally(pairs.length) : undefined);

  return ctx.store.tx(async (t): Promise<GateRunOutcome> => {
    const now = ctx.now();
    await writeEvalSpend(
      t,
      { workflow: r.workflow, team: wf.team, releaseId: r.id, priceVersion: ctx.config.priceVersion, tz: deps.tz, critic: ctx.config.evalDefaults.critic },
      run.calls,
      run.critic,
    );
    const fresh = await t.releases.get(releaseId);
    if (!fresh || fresh.state !== 'evaluating' || fresh.gateRuns !== gateRun || signal?.aborted)
      return { status: 'stale', reason: 'the release left evaluating or a newer gate run started meanwhile' };
    await saveEvalResults(t, r.id, gateRun, [...run.baseline, ...run.candidate]);
    await t.review.savePairs(r.id, gateRun, pairs);
    await t.releases.setVerdict(r.id, verdict, verdict.outcome, now);
    const moved = await transitionIn(
      t,
      ctx,
      r.id,
      verdict.outcome === 'fail' ? 'gate_failed' : 'gate_passed',
      'gate',
      {
        outcome: verdict.outcome,
        failed: verdict.failed,
        gate_run: gateRun,
        pass_rate: { baseline: verdict.baseline.passRate, candidate: verdict.candidate.passRate },
        eval_cost_usd: run.stats.evalCostUsd,
        critic_cost_usd: run.stats.criticCostUsd,
      },
      'evaluating',
    );
    if (!moved.ok) throw new Error(moved.error.message);
    if (pairs.length > 0) {
      const views = pairViews(await t.review.listPairs(r.id, gateRun), suite, candidate.config, run.baseline, run.candidate);
      const card = reviewCard({ releaseKey: r.key, workflow: r.workflow, team: wf.team, requester: r.requester, required: suite.humanReview.required, pairs: views });
      const team = ctx.config.teams[wf.team];
      const voters = [...new Set([...(team?.members ?? []), ...wf.approvers])].filter((p) => p !== r.requester);
      await emitAlert(t, { workflow: r.workflow, releaseId: r.id, condition: 'human_review', card, notify: voters, now });
    }
    return { status: 'applied', outcome: verdict.outcome };
  });
}

/** After a vote: the verdict's human-review row from the votes so far; a worse majority fails the gate. */
export function refreshReviewVerdict(ctx: AppContext, releaseId: number): Promise<GateVerdict | null> {
  return ctx.store.tx(async (t) => {
    const r = await t.releases.get(releaseId);
    if (!r || !r.verdict || !['awaiting_approval', 'gate_failed'].includes(r.state)) return null;
    const wf = ctx.config.workflows[r.workflow];
    if (!wf) return null;
    const tally = await t.review.tally(r.id, r.gateRuns);
    if (tally.pairs === 0) return null;
    const runs = await loadEvalResults(t, r.id, r.gateRuns);
    if (runs.baseline.length === 0 && runs.candidate.length === 0) return null;
    const verdict = computeGateVerdict(wf.gate, runs.baseline, runs.candidate, tally);
    const now = ctx.now();
    // An overridden gate stays overridden: its verdict is shown, its state kept.
    await t.releases.setVerdict(r.id, verdict, verdict.outcome, now);
    if (verdict.outcome === 'fail' && r.state === 'awaiting_approval' && !r.overrideReason) {
      const moved = await transitionIn(t, ctx, r.id, 'gate_failed', 'human-review', { outcome: 'fail', failed: verdict.failed, votes: tally }, 'awaiting_approval');
      if (!moved.ok) throw new Error(moved.error.message);
    } else {
      const sentence = `human review of ${r.key}: ${tally.voted} of ${tally.pairs} pairs voted (${tally.candidateWorse} worse, ${tally.candidateBetter} better, ${tally.ties} ties)`;
      await t.events.emit({ kind: 'release_changed', releaseId: r.id, workflow: r.workflow, payload: { action: 'review_tallied', actor: 'gate', sentence }, now });
    }
    return verdict;
  });
}

/** The server plugin. */
export function gateRunnerPlugin(rt: Runtime): ServerPlugin {
  const running = new Map<number, { gateRun: number; controller: AbortController; done: Promise<void> }>();
  const deps = (): GateDeps => ({ ctx: rt.ctx, target: (p) => rt.providers.get(p), tz: rt.settings.tz, log: rt.log });
  let stopped = false;

  const schedule = (releaseId: number, gateRun: number) => {
    if (stopped) return;
    const cur = running.get(releaseId);
    if (cur && cur.gateRun >= gateRun) return;
    cur?.controller.abort();
    const controller = new AbortController();
    // Every call of the run listens to this one signal.
    setMaxListeners(0, controller.signal);
    const entry = { gateRun, controller, done: Promise.resolve() };
    entry.done = (async () => {
      // Let the request that asked for the gate answer first.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        const out = await evaluateRelease(deps(), releaseId, gateRun, controller.signal);
        rt.log.info('gate run finished', { release: `REL-${releaseId}`, gate_run: gateRun, ...out });
      } catch (err) {
        rt.log.error('gate run failed', { release: `REL-${releaseId}`, gate_run: gateRun, error: (err as Error).message });
      } finally {
        if (running.get(releaseId) === entry) running.delete(releaseId);
        rt.kick();
      }
    })();
    running.set(releaseId, entry);
  };

  return {
    name: 'gate',
    async start() {
      for (const r of await rt.ctx.store.releases.list({ state: 'evaluating', limit: 1000 })) schedule(r.id, r.gateRuns);
    },
    async onEvent(e: StoredEvent) {
      if (e.releaseId === null) return;
      if (e.kind === 'gate_requested') {
        const gateRun = Number(e.payload.gateRun);
        const r = await rt.ctx.store.releases.get(e.releaseId);
        if (r && r.state === 'evaluating' && r.gateRuns === gateRun) schedule(r.id, gateRun);
      } else if (e.kind === 'review_voted') {
        await refreshReviewVerdict(rt.ctx, e.releaseId);
      } else if (e.kind === 'release_changed') {
        // Cancelled (or re-requested) meanwhile: stop spending on a result nobody will use.
        const cur = running.get(e.releaseId);
        const r = cur && (await rt.ctx.store.releases.get(e.releaseId));
        if (cur && r && (r.state !== 'evaluating' || r.gateRuns !== cur.gateRun)) cur.controller.abort();
      }
    },
    async stop() {
      stopped = true;
      const all = [...running.values()];
      for (const x of all) x.controller.abort();
      await Promise.all(all.map((x) => x.done));
    },
  };
}
