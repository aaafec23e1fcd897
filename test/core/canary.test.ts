import { describe, expect, it } from 'vitest';
import { judgeCanary, type CanaryArm, type PriorCalls } from '../../src/core/canary.ts';
import { alphaSplit, canaryLookDue, earlyStop, mainLevel } from '../../src/core/canary-policy.ts';
import { binomialUpperTail } from '../../src/core/stats/binomial.ts';
import { mulberry32 as prng } from '../../src/core/random.ts';

const MIN = 60_000;

/** An arm with `n` calls, `errors` of them failed, latencies 700..880 ms for the successful ones. */
function arm(n: number, errors: number, extra: Partial<CanaryArm> = {}): CanaryArm {
  const ok = n - errors;
  return {
    n, errors, escalations: 0, overrides: 0, reported: 0,
    latencyMs: Array.from({ length: ok }, (_, i) => 700 + (i % 10) * 20), costUsd: [], tokens: [], csat: [],
    ...extra,
  };
}

const prior = (n: number, errors: number, latencyP95Ms: number | null = null): PriorCalls => ({ n, errors, reported: 0, escalations: 0, overrides: 0, latencyP95Ms });
const metricOf = (j: ReturnType<typeof judgeCanary>, name: string) => j.metrics.find((m) => m.name === name)!;

describe('judgeCanary: exact tests', () => {
  it('the issue example is not a regression: 13 of 250 candidate errors against 95 of 4,750 is exact p = 0.0029, above the boundary', () => {
    // The old z test said p = 3.5e-4 and rolled back. Conditionally on 108 errors, the candidate's
    // count is Bin(108, 250/5000): P(>= 13) = 0.0029329 (stats_reference.py, exact fractions).
    const j = judgeCanary({ baseline: arm(4750, 95), candidate: arm(250, 13), minSamples: 200 });
    const errors = metricOf(j, 'error rate');
    expect(errors.p!).toBeCloseTo(0.0029329134137168106, 12);
    expect(errors.boundary).toBe(mainLevel(alphaSplit(3).main, 200, 4750, 250)!.level);
    expect(errors.test).toBe('exact binomial p=0.0029 > 5.1e-5 (13 of 108 events, 5.4 expected)');
    expect(errors.classification).toBe('Pass');
    expect(j.status).toBe('healthy');
  });

  it('the early stop catches 2% → 30% from about 20 candidate calls, before minSamples, with the hour before the stage as baseline', () => {
    // 6,000 stable calls before the stage (120 errors) + 456 in it (9): 129 stable errors; the
    // candidate's 4 errors in 24 calls: P(Bin(133, 24/6480) >= 4) = 0.0016036 <= the flat level 0.0021.
    const before = prior(6000, 120);
    const caught = judgeCanary({ baseline: arm(456, 9), candidate: arm(24, 4), minSamples: 200, prior: before });
    const errors = metricOf(caught, 'error rate');
    expect(caught.status).toBe('regressed');
    expect(errors.decidedBy).toBe('early stop');
    expect(errors.p!).toBeCloseTo(0.0016035622890443851, 12);
    expect(errors.boundary).toBe(earlyStop(alphaSplit(3)).level);
    expect(caught.reason).toMatch(/^error rate 16\.7% vs 2\.0% — early stop: exact binomial p=0\.0016 ≤ 0\.0021 \(4 of 133 events, 0\.5 expected\)$/);
    // Three errors are not enough, and nor are four without the hour before (P(Bin(13, 0.05) >= 4) = 0.0025).
    expect(judgeCanary({ baseline: arm(456, 9), candidate: arm(24, 3), minSamples: 200, prior: before }).status).toBe('inconclusive');
    expect(judgeCanary({ baseline: arm(456, 9), candidate: arm(24, 4), minSamples: 200 }).status).toBe('inconclusive');
  });

  it('never stops early on fewer than 4 candidate events, however unlikely', () => {
    const j = judgeCanary({ baseline: arm(2000, 0), candidate: arm(3, 3), minSamples: 200, prior: prior(20000, 10) });
    expect(metricOf(j, 'error rate').p!).toBeLessThan(1e-6);
    expect(j.status).toBe('inconclusive');
  });

  it('below minSamples says per arm what the main test waits for (not "N more per arm" when one arm has enough)', () => {
    const j = judgeCanary({ baseline: arm(381, 8), candidate: arm(24, 0), minSamples: 200 });
    expect(j.status).toBe('inconclusive');
    expect(j.callsNeeded).toEqual({ baseline: 0, candidate: 176 });
    expect(j.samplesNeeded).toBe(176);
    expect(j.reason).toBe('the main test waits for 200 calls per arm: candidate 24 (176 more), stable 381 (enough); the early stop watches every call meanwhile');
    expect(metricOf(j, 'error rate').test).toMatch(/^early stop: exact binomial p=1\.0 > 0\.0021 \(0 of 8 events, 0\.5 expected\); main test from 200 calls per arm$/);
    expect(metricOf(j, 'cost per run').test).toBe('no values');
  });

  it('splits alpha across the critical metrics, the workflow’s extras included', () => {
    const plain = judgeCanary({ baseline: arm(300, 6), candidate: arm(300, 6), minSamples: 200 });
    expect(plain.alpha).toMatchObject({ total: 0.01, criticalMetrics: 3 });
    expect(plain.alpha.perMetric).toBeCloseTo(0.01 / 3, 15);
    expect(plain.alpha.earlyStop + plain.alpha.main).toBeCloseTo(plain.alpha.perMetric, 15);
    const extra = judgeCanary({ baseline: arm(300, 6), candidate: arm(300, 6), minSamples: 200, criticalExtras: ['escalation rate'] });
    expect(extra.alpha.perMetric).toBeCloseTo(0.0025, 15);
    expect(metricOf(extra, 'escalation rate').critical).toBe(true);
    expect(metricOf(plain, 'escalation rate').critical).toBe(false);
  });

  it('lists every metric with direction and criticality, and ignores a tiny-but-significant rise', () => {
    // 2.0% vs 2.3% on 200k calls each: p < 1e-9, yet +0.3 pp is below min(20% of 2%, 1 pp) = 0.4 pp
    const j = judgeCanary({ baseline: arm(200_000, 4_000, { latencyMs: [] }), candidate: arm(200_000, 4_600, { latencyMs: [] }), minSamples: 200 });
    expect(j.metrics.map((m) => [m.name, m.direction, m.critical])).toEqual([
      ['error rate', 'increase_is_bad', true], ['escalation rate', 'increase_is_bad', false],
      ['override rate', 'increase_is_bad', false], ['reported rate', 'increase_is_bad', true],
      ['latency p95', 'increase_is_bad', true], ['cost per run', 'increase_is_bad', false],
      ['tokens per run', 'increase_is_bad', false], ['CSAT', 'decrease_is_bad', false],
    ]);
    const errors = j.metrics[0];
    expect(errors.p!).toBeLessThan(1e-9);
    expect(errors.classification).toBe('Pass');
    expect(j.status).toBe('healthy');
  });

  it('latency p95 is judged as the rate of calls slower than the stable p95 before the stage', () => {
    const stable = arm(600, 0);
    const slow = arm(600, 0, { latencyMs: Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? 1500 : 800)) });
    const j = judgeCanary({ baseline: stable, candidate: slow, minSamples: 200, prior: prior(5000, 100, 860) });
    const latency = metricOf(j, 'latency p95');
    expect(latency.critical).toBe(true);
    expect(latency.classification).toBe('High');
    expect(latency.test).toMatch(/^slow calls \(> 860 ms, stable p95 before the stage\): exact binomial p=.* ≤ .* \(200 of 260 events, 130 expected\)$/);
    expect(j.status).toBe('regressed');
    // Equally many slow calls but a p95 within 20% of the stable one is below the practical minimum.
    const slightly = arm(600, 0, { latencyMs: Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? 900 : 800)) });
    expect(metricOf(judgeCanary({ baseline: stable, candidate: slightly, minSamples: 200, prior: prior(5000, 100, 860) }), 'latency p95').classification).toBe('Pass');
  });

  it('two non-critical regressions (cost and tokens per run) roll back; one alone does not', () => {
    const r = prng(3);
    const sample = (n: number, f: () => number) => Array.from({ length: n }, f);
    const mk = (costScale: number, tokenScale: number): CanaryArm => ({
      ...arm(500, 10),
      costUsd: sample(500, () => costScale * (0.01 + 0.01 * r())), tokens: sample(500, () => Math.round(tokenScale * (400 + 200 * r()))),
    });
    const both = judgeCanary({ baseline: mk(1, 1), candidate: mk(1.5, 1.5), minSamples: 200 });
    expect(both.status).toBe('regressed');
    expect(both.reason).toMatch(/cost per run \$.* — Mann-Whitney p=.* ≤ .*; tokens per run/);
    const one = judgeCanary({ baseline: mk(1, 1), candidate: mk(1.5, 1), minSamples: 200 });
    expect(one.status).toBe('healthy');
    expect(metricOf(one, 'cost per run').classification).toBe('High');
    expect(one.reason).toContain('is worse but not critical');
  });
});

describe('what the canary can see', () => {
  it('shows the smallest rise caught with 80% power by the end of the bake, and so far, at the current traffic', () => {
    const j = judgeCanary({
      baseline: arm(95 * 20, 38), candidate: arm(5 * 20, 2), minSamples: 200, prior: prior(6000, 120), elapsedMs: 20 * MIN, bakeMs: 60 * MIN,
    });
    const atBake = j.detectable!;
    const soFar = j.detectableSoFar!;
    expect(atBake.minutes).toBe(60);
    expect(atBake.candidatePerMinute).toBe(5);
    expect(soFar.minutes).toBe(20);
    const err = atBake.rows.find((r) => r.metric === 'error rate')!;
    expect(err.baseline).toBeCloseTo(0.02, 12);
    // About 2% → 7.5% within the hour at 5 calls a minute; 2% → 4% is out of reach.
    expect(err.detectable!).toBeGreaterThan(0.06);
    expect(err.detectable!).toBeLessThan(0.09);
    expect(soFar.rows[0].detectable!).toBeGreaterThan(err.detectable!);
    // Ten times the traffic sees smaller regressions in the same time.
    const busy = judgeCanary({ baseline: arm(950 * 20, 380), candidate: arm(50 * 20, 20), minSamples: 200, elapsedMs: 20 * MIN, bakeMs: 60 * MIN });
    expect(busy.detectable!.rows[0].detectable!).toBeLessThan(0.04);
  });

  it('the detectable rate is where the crossing count is reached with probability 0.8', () => {
    const j = judgeCanary({ baseline: arm(95 * 60, 114), candidate: arm(5 * 60, 6), minSamples: 200, elapsedMs: 60 * MIN, bakeMs: 60 * MIN });
    const p1 = j.detectable!.rows[0].detectable!;
    // The smallest candidate count that crosses at 300 calls: the power of Bin(300, p1) there is 0.8.
    let crossing = 0;
    for (let x = 6; x < 300; x++) {
      const k = judgeCanary({ baseline: arm(95 * 60, 114), candidate: arm(5 * 60, x), minSamples: 200 });
      if (k.status === 'regressed') {
        crossing = x;
        break;
      }
    }
    expect(crossing).toBeGreaterThan(6);
    expect(binomialUpperTail(crossing, 300, p1)).toBeCloseTo(0.8, 6);
  });
});

describe('canary cadence', () => {
  it('looks at every 10 s tick while the stage is younger than 30 minutes, then once a minute', () => {
    expect(canaryLookDue(5 * MIN, 5 * MIN - 10_000, 5 * MIN)).toBe(true);
    expect(canaryLookDue(29 * MIN, 29 * MIN - 10_000, 29 * MIN)).toBe(true);
    expect(canaryLookDue(40 * MIN, 40 * MIN - 10_000, 40 * MIN)).toBe(false);
    expect(canaryLookDue(40 * MIN, 40 * MIN - 60_000, 40 * MIN)).toBe(true);
    expect(canaryLookDue(40 * MIN, null, 40 * MIN)).toBe(true);
  });
});
