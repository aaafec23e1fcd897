import { describe, expect, it } from 'vitest';
import type { GateRules } from '../../src/config/types.ts';
import { approvalBlockedByReview, computeGateVerdict, rowsFailingFirst, selectReviewPairs, type EvalRun } from '../../src/core/gate.ts';

const rules: GateRules = {
  minPassRate: 0.9, maxPassRateDrop: 0, maxCostPerRunIncrease: 0.1,
  maxTokensPerRunIncrease: 0.25, maxLatencyP95Ms: 4000, maxEscalationRateIncrease: 0.02,
};

/** 20 cases x 1 repeat; `fail` lists the cases that fail; `escalate` how many runs escalate. */
function runs(opts: { fail?: number[]; cost?: number; tokens?: number; latency?: number; escalate?: number; error?: boolean } = {}): EvalRun[] {
  return Array.from({ length: 20 }, (_, i) => ({
    caseId: `case-${String(i).padStart(2, '0')}`, repeat: 0,
    passed: !opts.error && !(opts.fail ?? []).includes(i),
    costUsd: opts.cost ?? 0.01, tokens: opts.tokens ?? 500, latencyMs: opts.latency ?? 1000 + i * 10,
    escalated: i < (opts.escalate ?? 0),
    ...(opts.error ? { error: 'timeout' } : {}),
  }));
}
const row = (v: ReturnType<typeof computeGateVerdict>, rule: string) => v.rows.find((r) => r.rule === rule)!;

describe('computeGateVerdict', () => {
  it('a clean pass shows every rule with B, C and its test', () => {
    const v = computeGateVerdict(rules, runs({ fail: [0] }), runs({ fail: [0] }));
    expect(v.outcome).toBe('pass');
    expect(v.failed).toEqual([]);
    expect(v.rows.map((r) => r.rule)).toEqual([
      'minPassRate', 'maxPassRateDrop', 'maxCostPerRunIncrease', 'maxTokensPerRunIncrease', 'maxLatencyP95Ms', 'latencyP50', 'maxEscalationRateIncrease',
    ]);
    // 19/20 = 0.95: Wilson 95% [0.76, 0.99]
    expect(row(v, 'minPassRate').test).toBe('Wilson 95% [0.76, 0.99] (19/20)');
    expect(row(v, 'latencyP50').outcome).toBe('info');
    expect(v.summary).toMatch(/passed/);
  });

  it('a significant pass-rate drop fails; the same drop with too few differing cases does not', () => {
    // B fails nothing, C fails 6 cases (one run each): sign-flip over 6 cases with d = +1:
    // P(|S| >= 6) = 2/64 = 0.031 < 0.05. Per-run McNemar b=6, c=0: mid-p = 1/64 = 0.016 (information).
    const strict = { ...rules, minPassRate: 0.5 };
    const sig = computeGateVerdict(strict, runs(), runs({ fail: [1, 2, 3, 4, 5, 6] }));
    expect(sig.outcome).toBe('fail');
    expect(sig.failed).toEqual(['maxPassRateDrop']);
    expect(row(sig, 'maxPassRateDrop').test).toBe(
      'case-clustered sign-flip p = 0.031 (20 cases: 6 worse, 0 better); per-run McNemar mid-p = 0.016 (6 worse, 0 better; information)',
    );
    // A 30 pp drop (B 14/20, C 8/20) on overlapping cases: 8 cases worse, 2 better, S = 6 over 10
    // differing cases: P(|S| >= 6) = 2 × (45 + 10 + 1)/1024 = 0.109 >= 0.05.
    const b = runs({ fail: [0, 1, 2, 3, 4, 5] });
    const c = runs({ fail: [6, 7, 8, 9, 10, 11, 12, 13, 0, 1, 2, 3] });
    const notSig = computeGateVerdict({ ...strict, minPassRate: 0.3 }, b, c);
    expect(row(notSig, 'maxPassRateDrop').test).toContain('case-clustered sign-flip p = 0.109 (20 cases: 8 worse, 2 better)');
    expect(row(notSig, 'maxPassRateDrop').delta).toBeCloseTo(-0.3, 12);
    expect(notSig.outcome).toBe('pass');
  });

  it('repeats of one case fail together: four cases failing all three repeats are four pieces of evidence, not twelve', () => {
    const threeRepeats = (failing: number[]): EvalRun[] =>
      runs().flatMap((r, i) => [1, 2, 3].map((repeat) => ({ ...r, repeat, passed: !failing.includes(i) })));
    const v = computeGateVerdict({ ...rules, minPassRate: 0 }, threeRepeats([]), threeRepeats([2, 5, 9, 14]));
    const drop = row(v, 'maxPassRateDrop');
    // Per run: b = 12, c = 0, McNemar mid-p = 2^-12 — as if 12 independent failures. Per case:
    // four cases with d = 3: P(|S| >= 12) = 2/16 = 0.125.
    expect(drop.test).toBe('case-clustered sign-flip p = 0.125 (20 cases: 4 worse, 0 better); per-run McNemar mid-p = 2.4e-4 (12 worse, 0 better; information)');
    expect(drop.outcome).toBe('pass');
  });

  it('cost +15% over a 10% limit with quality holding needs cost approval', () => {
    const v = computeGateVerdict(rules, runs(), runs({ cost: 0.0115 }));
    expect(v.outcome).toBe('needs_cost_approval');
    expect(row(v, 'maxCostPerRunIncrease').outcome).toBe('cost_approval');
    expect(row(v, 'maxCostPerRunIncrease').delta).toBeCloseTo(0.15, 10);
    expect(v.failed).toEqual([]);
    expect(v.summary).toMatch(/finance/);
  });

  it('cost +15% and a significant escalation rise fail naming both', () => {
    // escalation: B 0/20, C 6/20 = +30 pp; per case d = 1 in 6 of 20: SE = sqrt(20/19 · (6·0.7² + 14·0.3²))/20 = 0.1051,
    // lower bound 0.3 − t(0.95, 19) · 0.1051 = 0.3 − 1.7291 · 0.1051 = +11.8 pp > 2 pp.
    const v = computeGateVerdict(rules, runs(), runs({ cost: 0.0115, escalate: 6 }));
    expect(v.outcome).toBe('fail');
    expect(v.failed).toEqual(['maxCostPerRunIncrease', 'maxEscalationRateIncrease']);
    expect(row(v, 'maxEscalationRateIncrease').delta).toBeCloseTo(0.3, 12);
    expect(row(v, 'maxEscalationRateIncrease').test).toBe(
      'increase +30.0 pp, one-sided 95% lower bound +11.8 pp > +2.0 pp (paired by case, t with 19 df; upper bound +48.2 pp)',
    );
    expect(v.summary).toContain('maxCostPerRunIncrease, maxEscalationRateIncrease');
  });

  it('one extra escalated run is not an escalation rise: the bound, not the raw difference, is held against the tolerance', () => {
    // B 0/20, C 1/20 = +5 pp raw, which failed before; the lower bound is below 0.
    const v = computeGateVerdict(rules, runs(), runs({ escalate: 1 }));
    const esc = row(v, 'maxEscalationRateIncrease');
    expect(esc.delta).toBeCloseTo(0.05, 12);
    expect(esc.test).toMatch(/^increase \+5\.0 pp, one-sided 95% lower bound -3\.6 pp ≤ \+2\.0 pp/);
    expect(esc.outcome).toBe('pass');
  });

  it('cost and tokens are means over answered runs: a candidate that times out more does not look cheaper', () => {
    // C answers 16 of 20 at +14% cost; its 4 timeouts have no cost. Over all runs it would read −9%.
    const c = runs({ cost: 0.0114, tokens: 500 }).map((r, i) => (i < 4 ? { ...r, passed: false, costUsd: 0, tokens: 0, error: 'timeout' } : r));
    const v = computeGateVerdict({ ...rules, minPassRate: 0 }, runs(), c);
    const cost = row(v, 'maxCostPerRunIncrease');
    expect(cost.delta).toBeCloseTo(0.14, 10);
    expect(cost.test).toBe('relative +14% (means over 20 and 16 successful runs)');
    expect(v.candidate.errors).toBe(4);
    expect(v.candidate.successful).toBe(16);
    expect(v.candidate.passRate).toBe(0.8); // the timeouts count against quality
    expect(v.outcome).toBe('needs_cost_approval');
  });

  it('says when usage was estimated from the text', () => {
    const c = runs().map((r, i) => (i < 3 ? { ...r, usageEstimated: true } : r));
    const v = computeGateVerdict(rules, runs(), c);
    expect(row(v, 'maxTokensPerRunIncrease').test).toBe('relative +0% (means over 20 and 20 successful runs; 3 with usage estimated from the text)');
    expect(v.candidate.usageEstimated).toBe(3);
  });

  it('latency p95 over the limit fails; tokens within +25% pass', () => {
    // C latencies 3900..4090 step 10: p95 at h=18.05 -> 4080 + 0.05*10 = 4080.5 > 4000
    const v = computeGateVerdict(rules, runs(), runs({ latency: undefined, tokens: 600 }).map((r, i) => ({ ...r, latencyMs: 3900 + i * 10 })));
    expect(row(v, 'maxLatencyP95Ms').candidate).toBeCloseTo(4080.5, 10);
    expect(v.failed).toEqual(['maxLatencyP95Ms']);
    expect(row(v, 'maxTokensPerRunIncrease').outcome).toBe('pass');
  });

  it('an all-error candidate fails, and a candidate with no runs fails every rule', () => {
    const errored = computeGateVerdict(rules, runs(), runs({ error: true }));
    expect(errored.outcome).toBe('fail');
    expect(errored.failed).toContain('minPassRate');
    expect(errored.failed).toContain('maxPassRateDrop');
    const none = computeGateVerdict(rules, runs(), []);
    expect(none.failed).toEqual(['minPassRate', 'maxPassRateDrop', 'maxCostPerRunIncrease', 'maxTokensPerRunIncrease', 'maxLatencyP95Ms', 'maxEscalationRateIncrease']);
    expect(none.summary).toMatch(/candidate has no runs/);
  });

  it('a free baseline lets only a free candidate through on cost', () => {
    expect(computeGateVerdict(rules, runs({ cost: 0 }), runs({ cost: 0 })).outcome).toBe('pass');
    expect(computeGateVerdict(rules, runs({ cost: 0 }), runs({ cost: 0.001 })).outcome).toBe('needs_cost_approval');
  });

  it('human review: voted worse on more than half the pairs fails; unvoted pairs show progress', () => {
    const worse = computeGateVerdict(rules, runs(), runs(), { pairs: 5, voted: 5, candidateWorse: 3, candidateBetter: 1, ties: 1 });
    expect(worse.outcome).toBe('fail');
    expect(worse.failed).toEqual(['humanReview']);
    const half = computeGateVerdict(rules, runs(), runs(), { pairs: 6, voted: 4, candidateWorse: 3, candidateBetter: 0, ties: 1 });
    expect(half.outcome).toBe('pass');
    expect(half.rows.find((r) => r.outcome === 'info' && r.test === '4 of 6 pairs voted')).toBeDefined();
  });

  it('rowsFailingFirst keeps rule order within each group', () => {
    const v = computeGateVerdict(rules, runs(), runs({ cost: 0.0115, escalate: 6 }));
    expect(rowsFailingFirst(v.rows).slice(0, 2).map((r) => r.rule)).toEqual(['maxCostPerRunIncrease', 'maxEscalationRateIncrease']);
    expect(v.rows[0].rule).toBe('minPassRate');
  });
});

describe('human review helpers', () => {
  it('approval is refused until every pair has a vote when review is required', () => {
    const tally = { pairs: 5, voted: 3, candidateWorse: 0, candidateBetter: 1, ties: 2 };
    expect(approvalBlockedByReview(true, tally)).toBe('human review: 3 of 5 pairs voted');
    expect(approvalBlockedByReview(false, tally)).toBeNull();
    expect(approvalBlockedByReview(true, { ...tally, voted: 5 })).toBeNull();
  });

  it('selects disagreements first, then the rest, in case order', () => {
    const b = runs({ fail: [7] });
    const c = runs({ fail: [3, 7] });
    expect(selectReviewPairs(b, c, 3)).toEqual([
      { caseId: 'case-03', repeat: 0 }, { caseId: 'case-00', repeat: 0 }, { caseId: 'case-01', repeat: 0 },
    ]);
  });
});
