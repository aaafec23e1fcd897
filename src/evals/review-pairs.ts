/**
 * The human-review pairs of a release's latest gate run as the review card shows them: the case's
 * user message, then the baseline's and the candidate's answers with whether each passed. Used
 * when the gate posts the pairs and by `review <release>` (a page of them, `--from` a pair).
 */
import type { EvalSuite, ReleaseConfig } from '../config/types.ts';
import type { Card } from '../core/card.ts';
import { reviewCard, type ReviewPairView } from '../core/views/review.ts';
import type { AppContext } from '../services/context.ts';
import type { ReleaseRecord } from '../store/repos/releases.ts';
import { loadEvalResults } from './eval-store.ts';
import { buildMessages } from './runner.ts';

/** The user message a reviewer sees for a case. */
export function caseInput(suite: EvalSuite, caseId: string, config: ReleaseConfig): string {
  const c = suite.cases.find((x) => x.id === caseId);
  if (!c) return caseId;
  const m = buildMessages(config, c);
  if (!m.ok) return c.input ?? caseId;
  const users = m.messages.filter((x) => x.role === 'user');
  return users.map((u) => u.content).join('\n') || caseId;
}

export interface RunOutput {
  caseId: string;
  repeat: number;
  passed: boolean;
  error?: string;
  output: string | null;
}

/** The pairs of gate run `gateRun` paired with their runs' outputs. */
export function pairViews(
  pairs: { pair: number; caseId: string; repeat: number }[],
  suite: EvalSuite,
  candidate: ReleaseConfig,
  baseline: readonly RunOutput[],
  candidates: readonly RunOutput[],
): ReviewPairView[] {
  const byKey = (runs: readonly RunOutput[]) => new Map(runs.map((x) => [`${x.caseId}\u0000${x.repeat}`, x]));
  const b = byKey(baseline);
  const c = byKey(candidates);
  return pairs.map((p) => {
    const k = `${p.caseId}\u0000${p.repeat}`;
    const br = b.get(k);
    const cr = c.get(k);
    return {
      pair: p.pair,
      caseId: p.caseId,
      repeat: p.repeat,
      input: caseInput(suite, p.caseId, candidate),
      baseline: br?.output ?? br?.error ?? null,
      candidate: cr?.output ?? cr?.error ?? null,
      baselinePassed: !!br?.passed && !br.error,
      candidatePassed: !!cr?.passed && !cr.error,
    };
  });
}

/** The review card of a release's latest gate run, from pair `from` on; null when it has no pairs. */
export async function reviewCardOf(ctx: AppContext, r: ReleaseRecord, from = 1): Promise<Card | null> {
  const wf = ctx.config.workflows[r.workflow];
  const candidate = await ctx.store.configs.get(r.candidateHash);
  if (!wf || !candidate) return null;
  const pairs = await ctx.store.review.listPairs(r.id, r.gateRuns);
  if (pairs.length === 0) return null;
  const runs = await loadEvalResults(ctx.store, r.id, r.gateRuns);
  const shown = pairs.filter((p) => p.pair >= from);
  const views = pairViews(shown, wf.evals, candidate.config, runs.baseline, runs.candidate);
  return reviewCard(
    { releaseKey: r.key, workflow: r.workflow, team: wf.team, requester: r.requester, required: wf.evals.humanReview.required, pairs: views },
    { offset: pairs.length - shown.length, total: pairs.length },
  );
}
