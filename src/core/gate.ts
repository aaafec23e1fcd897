/**
 * The eval gate's verdict: candidate C against baseline B on the same cases and repeats,
 * exactly the contract's gate rules, one row per rule showing B, C, delta, limit and test.
 *
 * Conventions:
 * - Errors and timeouts are failed runs (the runner records them with passed = false): they count
 *   against quality, and are left out of cost, tokens per run (means over successful runs, so a
 *   candidate that times out more does not look cheaper). Usage estimated from the text (the
 *   answer carried none) is counted and said so in the row.
 * - A variant with zero runs fails every rule (the gate fails closed).
 * - Runs of one case are not independent (same input, repeats): the paired rules are judged per
 *   case. maxPassRateDrop: the exact sign-flip permutation test on each case's pass-count
 *   difference (two-sided p < 0.05) — the per-run McNemar mid-p (runs paired by caseId + repeat;
 *   a run with no counterpart pairs with a failed one) is shown as information.
 *   maxEscalationRateIncrease: fails only when the one-sided 95% confidence bound (case-clustered,
 *   Student t on the per-case differences) puts the increase above the tolerance, i.e. the
 *   increase is significantly larger than allowed; the raw point difference alone never fails.
 * - Relative rules (cost, tokens) when B's mean is 0: C must be 0 too; any C above 0 is an
 *   unbounded increase and over the limit.
 * - Cost over its limit: `needs_cost_approval` when every other rule holds (row outcome
 *   `cost_approval`), otherwise `fail` with the cost rule named among the failures.
 */
import type { GateRules } from '../config/types.ts';
import { mcnemarMidP } from './stats/mcnemar.ts';
import { mean } from './stats/mean.ts';
import { percentile } from './stats/percentile.ts';
import { caseTallies, escalationIncrease, passRateDropTest } from './gate-paired.ts';
import { wilson } from './stats/wilson.ts';

/** Significance for the paired rules. */
export const GATE_ALPHA = 0.05;

export interface EvalRun {
  caseId: string;
  repeat: number;
  passed: boolean;
  costUsd: number;
  tokens: number;
  latencyMs: number;
  escalated: boolean;
  error?: string;
  /** The answer carried no `usage`: tokens and cost were estimated from the text. */
  usageEstimated?: boolean;
}

export interface HumanReviewTally {
  pairs: number;
  voted: number;
  candidateWorse: number;
  candidateBetter: number;
  ties: number;
}

export interface GateRow {
  rule: string;
  metric: string;
  baseline: number | null;
  candidate: number | null;
  delta: number | null;
  limit: string;
  test: string;
  outcome: 'pass' | 'fail' | 'info' | 'cost_approval';
}

export interface VariantSummary {
  runs: number;
  passed: number;
  errors: number;
  /** Runs that got an answer (no error or timeout): the runs cost and tokens are averaged over. */
  successful: number;
  /** Successful runs whose usage was estimated from the text. */
  usageEstimated: number;
  /** null with zero runs */
  passRate: number | null;
  /** Means over successful runs; null with none. */
  meanCostUsd: number | null;
  meanTokens: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  escalationRate: number | null;
}

export interface GateVerdict {
  outcome: 'pass' | 'fail' | 'needs_cost_approval';
  rows: GateRow[];
  failed: string[];
  summary: string;
  baseline: VariantSummary;
  candidate: VariantSummary;
}

export function summarizeRuns(runs: readonly EvalRun[]): VariantSummary {
  const n = runs.length;
  const passed = runs.filter((r) => r.passed && !r.error).length;
  const orNull = (x: number) => (n === 0 ? null : x);
  const latencies = runs.map((r) => r.latencyMs);
  const answered = runs.filter((r) => !r.error);
  const overAnswered = (x: number) => (answered.length === 0 ? null : x);
  return {
    runs: n,
    passed,
    errors: n - answered.length,
    successful: answered.length,
    usageEstimated: answered.filter((r) => r.usageEstimated).length,
    passRate: orNull(passed / n),
    meanCostUsd: overAnswered(mean(answered.map((r) => r.costUsd))),
    meanTokens: overAnswered(mean(answered.map((r) => r.tokens))),
    latencyP50Ms: orNull(percentile(latencies, 50)),
    latencyP95Ms: orNull(percentile(latencies, 95)),
    escalationRate: orNull(runs.filter((r) => r.escalated).length / n),
  };
}

const key = (r: { caseId: string; repeat: number }) => `${r.caseId}\u0000${r.repeat}`;
const passedRun = (r: EvalRun | undefined) => r !== undefined && r.passed && !r.error;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const pp = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} pp`;
const rel = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`;

/** Discordant pairs: b = baseline passed & candidate failed, c = the reverse. */
export function discordantPairs(baseline: readonly EvalRun[], candidate: readonly EvalRun[]): { b: number; c: number } {
  const bByKey = new Map(baseline.map((r) => [key(r), r]));
  const cByKey = new Map(candidate.map((r) => [key(r), r]));
  let b = 0;
  let c = 0;
  for (const k of new Set([...bByKey.keys(), ...cByKey.keys()])) {
    const bp = passedRun(bByKey.get(k));
    const cp = passedRun(cByKey.get(k));
    if (bp && !cp) b++;
    if (!bp && cp) c++;
  }
  return { b, c };
}

function relativeRow(
  rule: string, metric: string, limit: number, B: VariantSummary, C: VariantSummary, pick: (s: VariantSummary) => number | null, show: (x: number) => string,
): GateRow {
  const limitText = `≤ ${rel(limit)} vs baseline`;
  const b = pick(B);
  const c = pick(C);
  if (b === null || c === null) {
    const why = B.runs === 0 || C.runs === 0 ? 'no runs' : `no successful runs in the ${b === null ? 'baseline' : 'candidate'}`;
    return { rule, metric, baseline: b, candidate: c, delta: null, limit: limitText, test: why, outcome: 'fail' };
  }
  const delta = b === 0 ? (c === 0 ? 0 : Infinity) : c / b - 1;
  const over = b === 0 ? c > 0 : c > b * (1 + limit);
  const estimated = B.usageEstimated + C.usageEstimated;
  const over_ = `means over ${B.successful} and ${C.successful} successful runs${estimated > 0 ? `; ${estimated} with usage estimated from the text` : ''}`;
  const test = b === 0 ? `relative (baseline ${show(0)}: candidate must be ${show(0)}; ${over_})` : `relative ${rel(delta)} (${over_})`;
  return { rule, metric, baseline: b, candidate: c, delta: Number.isFinite(delta) ? delta : null, limit: limitText, test, outcome: over ? 'fail' : 'pass' };
}

const fmtP = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));

export function computeGateVerdict(rules: GateRules, baseline: EvalRun[], candidate: EvalRun[], review?: HumanReviewTally): GateVerdict {
  const B = summarizeRuns(baseline);
  const C = summarizeRuns(candidate);
  const empty = B.runs === 0 || C.runs === 0;
  const rows: GateRow[] = [];

  // minPassRate
  {
    const ci = wilson(C.passed, C.runs);
    const ok = !empty && C.passRate! >= rules.minPassRate;
    rows.push({
      rule: 'minPassRate', metric: 'pass rate', baseline: B.passRate, candidate: C.passRate,
      delta: B.passRate !== null && C.passRate !== null ? C.passRate - B.passRate : null,
      limit: `≥ ${pct(rules.minPassRate)}`,
      test: C.runs === 0 ? 'no runs' : `Wilson 95% [${ci.low.toFixed(2)}, ${ci.high.toFixed(2)}] (${C.passed}/${C.runs})`,
      outcome: ok ? 'pass' : 'fail',
    });
  }
  const cases = caseTallies(baseline, candidate);
  // maxPassRateDrop: decided by the case-clustered test; the per-run McNemar is information.
  {
    const { b, c } = discordantPairs(baseline, candidate);
    const mcnemar = mcnemarMidP(b, c);
    const clustered = passRateDropTest(cases);
    const drop = empty ? null : B.passRate! - C.passRate!;
    const fails = empty || (drop! > rules.maxPassRateDrop && clustered.twoSided < GATE_ALPHA);
    rows.push({
      rule: 'maxPassRateDrop', metric: 'pass-rate drop', baseline: B.passRate, candidate: C.passRate,
      delta: drop === null ? null : -drop,
      limit: `drop ≤ ${pp(rules.maxPassRateDrop).replace('+', '')} or not significant (case-clustered p ≥ ${GATE_ALPHA})`,
      test: empty
        ? 'no runs'
        : `case-clustered sign-flip p = ${fmtP(clustered.twoSided)} (${clustered.cases} cases: ${clustered.worse} worse, ${clustered.better} better); ` +
          `per-run McNemar mid-p = ${fmtP(mcnemar)} (${b} worse, ${c} better; information)`,
      outcome: fails ? 'fail' : 'pass',
    });
  }
  const costRow = relativeRow('maxCostPerRunIncrease', 'cost per run (USD)', rules.maxCostPerRunIncrease, B, C, (s) => s.meanCostUsd, (x) => `$${x.toFixed(4)}`);
  rows.push(costRow);
  rows.push(relativeRow('maxTokensPerRunIncrease', 'tokens per run', rules.maxTokensPerRunIncrease, B, C, (s) => s.meanTokens, (x) => x.toFixed(0)));
  // maxLatencyP95Ms, with p50 shown for information
  rows.push({
    rule: 'maxLatencyP95Ms', metric: 'latency p95 (ms)', baseline: B.latencyP95Ms, candidate: C.latencyP95Ms,
    delta: B.latencyP95Ms !== null && C.latencyP95Ms !== null ? C.latencyP95Ms - B.latencyP95Ms : null,
    limit: `≤ ${rules.maxLatencyP95Ms} ms`, test: empty ? 'no runs' : 'absolute',
    outcome: !empty && C.latencyP95Ms! <= rules.maxLatencyP95Ms ? 'pass' : 'fail',
  });
  rows.push({
    rule: 'latencyP50', metric: 'latency p50 (ms)', baseline: B.latencyP50Ms, candidate: C.latencyP50Ms,
    delta: B.latencyP50Ms !== null && C.latencyP50Ms !== null ? C.latencyP50Ms - B.latencyP50Ms : null,
    limit: '—', test: 'information', outcome: 'info',
  });
  // maxEscalationRateIncrease: fails only when the increase is significantly above the tolerance.
  {
    const delta = empty ? null : C.escalationRate! - B.escalationRate!;
    const tol = rules.maxEscalationRateIncrease;
    const bound = escalationIncrease(cases);
    let test: string;
    let fails: boolean;
    if (empty) {
      test = 'no runs';
      fails = true;
    } else if (bound.lower === null) {
      test = `one case: no paired test, judged on the point difference ${pp(bound.estimate)}`;
      fails = bound.estimate > tol + 1e-12;
    } else {
      fails = bound.lower > tol + 1e-12;
      test =
        `increase ${pp(bound.estimate)}, one-sided 95% lower bound ${pp(bound.lower)} ${fails ? '>' : '≤'} ${pp(tol)} ` +
        `(paired by case, t with ${bound.df} df; upper bound ${pp(bound.upper!)})`;
    }
    rows.push({
      rule: 'maxEscalationRateIncrease', metric: 'escalation rate', baseline: B.escalationRate, candidate: C.escalationRate, delta,
      limit: `≤ ${pp(tol)} (fails when significantly above)`, test, outcome: fails ? 'fail' : 'pass',
    });
  }
  // humanReview
  if (review) {
    const worseMajority = review.candidateWorse > review.pairs / 2;
    rows.push({
      rule: 'humanReview', metric: 'candidate voted worse', baseline: null, candidate: review.candidateWorse,
      delta: null, limit: `≤ half of ${review.pairs} pairs`,
      test: `${review.candidateWorse} worse, ${review.candidateBetter} better, ${review.ties} ties`,
      outcome: worseMajority ? 'fail' : 'pass',
    });
    if (review.voted < review.pairs) {
      rows.push({
        rule: 'humanReviewProgress', metric: 'pairs voted', baseline: null, candidate: review.voted, delta: null,
        limit: `${review.pairs} pairs`, test: `${review.voted} of ${review.pairs} pairs voted`, outcome: 'info',
      });
    }
  }

  const othersFailed = rows.filter((r) => r.outcome === 'fail' && r.rule !== costRow.rule).map((r) => r.rule);
  const costOver = costRow.outcome === 'fail';
  let outcome: GateVerdict['outcome'];
  if (othersFailed.length > 0) outcome = 'fail';
  else if (costOver) {
    outcome = 'needs_cost_approval';
    costRow.outcome = 'cost_approval';
  } else outcome = 'pass';
  const failed = rows.filter((r) => r.outcome === 'fail').map((r) => r.rule);
  return { outcome, rows, failed, summary: summarize(outcome, failed, B, C, costRow), baseline: B, candidate: C };
}

function summarize(outcome: GateVerdict['outcome'], failed: string[], B: VariantSummary, C: VariantSummary, cost: GateRow): string {
  if (B.runs === 0 || C.runs === 0) {
    return `Gate failed: the ${B.runs === 0 ? 'baseline' : 'candidate'} has no runs, so every rule fails.`;
  }
  const rates = `pass rate ${pct(C.passRate!)} vs ${pct(B.passRate!)}`;
  if (outcome === 'fail') return `Gate failed on ${failed.join(', ')} (${rates}).`;
  if (outcome === 'needs_cost_approval') {
    return `Quality holds (${rates}) but cost per run rises ${cost.test.replace('relative ', '')}: a finance approval is needed.`;
  }
  return `Gate passed: every rule holds (${rates}).`;
}

/** The rows with failing ones first (for renderers); the verdict keeps the rule order. */
export function rowsFailingFirst(rows: readonly GateRow[]): GateRow[] {
  const rank = (r: GateRow) => (r.outcome === 'fail' ? 0 : r.outcome === 'cost_approval' ? 1 : 2);
  return rows.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map((x) => x.r);
}

/** The refusal text when approval must wait for human review, else null. */
export function approvalBlockedByReview(required: boolean, tally: HumanReviewTally | undefined): string | null {
  if (!required || !tally || tally.voted >= tally.pairs) return null;
  return `human review: ${tally.voted} of ${tally.pairs} pairs voted`;
}

/**
 * The pairs to post for human review: disagreements (one variant passed, the other failed)
 * first, then the rest; each group ordered by caseId then repeat.
 */
export function selectReviewPairs(baseline: readonly EvalRun[], candidate: readonly EvalRun[], sample: number): { caseId: string; repeat: number }[] {
  const bByKey = new Map(baseline.map((r) => [key(r), r]));
  const both = candidate.filter((r) => bByKey.has(key(r)));
  const order = (x: EvalRun, y: EvalRun) => (x.caseId < y.caseId ? -1 : x.caseId > y.caseId ? 1 : x.repeat - y.repeat);
  const disagree = (r: EvalRun) => passedRun(r) !== passedRun(bByKey.get(key(r)));
  const sorted = [...both.filter(disagree).sort(order), ...both.filter((r) => !disagree(r)).sort(order)];
  return sorted.slice(0, Math.max(0, sample)).map((r) => ({ caseId: r.caseId, repeat: r.repeat }));
}
