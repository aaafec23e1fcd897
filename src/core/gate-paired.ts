/**
 * The gate's paired rules, judged per eval case: the runs of one case share an input and are
 * not independent, so a case (all its repeats, both variants) is the unit of evidence.
 *
 * - The pass-rate drop: the exact sign-flip permutation test on d_k = baseline passes − candidate
 *   passes of case k (under "no difference" each case's d_k is as likely negated).
 * - The escalation-rate increase: the case-clustered estimate Σ(e_C − e_B) / Σ r_k with its
 *   cluster-robust standard error sqrt(K/(K−1) · Σ(d_k − Δ·r_k)²) / Σ r_k and a one-sided 95%
 *   Student t bound with K − 1 degrees of freedom.
 */
import type { EvalRun } from './gate.ts';
import { signFlipTest, type SignFlipResult } from './stats/signFlip.ts';
import { studentTQuantile } from './stats/studentT.ts';

export interface CaseTally {
  caseId: string;
  /** Repeats seen for the case in either variant. */
  repeats: number;
  baselinePasses: number;
  candidatePasses: number;
  baselineEscalations: number;
  candidateEscalations: number;
}

const passed = (r: EvalRun) => r.passed && !r.error;

export function caseTallies(baseline: readonly EvalRun[], candidate: readonly EvalRun[]): CaseTally[] {
  const byCase = new Map<string, CaseTally & { seen: Set<number> }>();
  const tally = (caseId: string) => {
    let t = byCase.get(caseId);
    if (!t) {
      t = { caseId, repeats: 0, baselinePasses: 0, candidatePasses: 0, baselineEscalations: 0, candidateEscalations: 0, seen: new Set() };
      byCase.set(caseId, t);
    }
    return t;
  };
  for (const r of baseline) {
    const t = tally(r.caseId);
    t.seen.add(r.repeat);
    if (passed(r)) t.baselinePasses++;
    if (r.escalated) t.baselineEscalations++;
  }
  for (const r of candidate) {
    const t = tally(r.caseId);
    t.seen.add(r.repeat);
    if (passed(r)) t.candidatePasses++;
    if (r.escalated) t.candidateEscalations++;
  }
  return [...byCase.values()].map(({ seen, ...t }) => ({ ...t, repeats: seen.size }));
}

export interface PassRateDropTest extends SignFlipResult {
  cases: number;
  /** Cases where the candidate passed fewer / more runs than the baseline. */
  worse: number;
  better: number;
}

/** The case-clustered test of the pass-rate difference (statistic > 0: the candidate passes fewer runs). */
export function passRateDropTest(cases: readonly CaseTally[]): PassRateDropTest {
  const d = cases.map((c) => c.baselinePasses - c.candidatePasses);
  return { ...signFlipTest(d), cases: cases.length, worse: d.filter((x) => x > 0).length, better: d.filter((x) => x < 0).length };
}

export interface IncreaseBound {
  /** Σ(candidate − baseline escalations) / Σ repeats. */
  estimate: number;
  /** The one-sided 95% lower bound; null with fewer than 2 cases. */
  lower: number | null;
  /** The one-sided 95% upper bound; null with fewer than 2 cases. */
  upper: number | null;
  df: number;
  standardError: number;
}

/** The case-clustered escalation-rate increase with its one-sided 95% bounds. */
export function escalationIncrease(cases: readonly CaseTally[], confidence = 0.95): IncreaseBound {
  const k = cases.length;
  const runs = cases.reduce((s, c) => s + c.repeats, 0);
  const diff = cases.map((c) => c.candidateEscalations - c.baselineEscalations);
  const estimate = runs > 0 ? diff.reduce((a, b) => a + b, 0) / runs : 0;
  if (k < 2 || runs === 0) return { estimate, lower: null, upper: null, df: Math.max(0, k - 1), standardError: NaN };
  let ss = 0;
  for (let i = 0; i < k; i++) ss += (diff[i] - estimate * cases[i].repeats) ** 2;
  const standardError = Math.sqrt((k / (k - 1)) * ss) / runs;
  const t = studentTQuantile(confidence, k - 1);
  return { estimate, lower: estimate - t * standardError, upper: estimate + t * standardError, df: k - 1, standardError };
}
