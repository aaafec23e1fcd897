/**
 * The exact tests behind the canary and the gate, pinned against reference values computed
 * independently by test/core/stats_reference.py (python3: exact rational arithmetic with
 * fractions.Fraction for binomial tails and the sign-flip enumeration, mpmath at 50 digits for
 * Poisson tails, Student t quantiles and the early stop's dynamic programme).
 */
import { describe, expect, it } from 'vitest';
import { earlyStopDesign, earlyStopFalseAlarm, earlyStopLevel, EARLY_STOP_MIN_EVENTS, doublingBoundaryZ, doublingCrossing } from '../../src/core/stats/sequential.ts';
import { binomialLowerTail, binomialUpperTail, conditionalBinomialTest, poissonUpperTail } from '../../src/core/stats/binomial.ts';
import { signFlipTest } from '../../src/core/stats/signFlip.ts';
import { studentTCdf, studentTQuantile } from '../../src/core/stats/studentT.ts';
import { caseTallies, escalationIncrease } from '../../src/core/gate-paired.ts';
import type { EvalRun } from '../../src/core/gate.ts';

const rel = (got: number, want: number) => Math.abs(got / want - 1);

describe('binomial and Poisson tails', () => {
  it('match exact rational sums (python fractions) to 1e-10 relative (1e-12 below 1,000 trials)', () => {
    const cases: [number, number, number, 'upper' | 'lower', number][] = [
      [13, 108, 1 / 20, 'upper', 0.0029329134137168106],
      [13, 250, 1 / 50, 'upper', 0.0017858357716654151],
      [10, 20, 1 / 4, 'upper', 0.013864416943761171],
      [3, 1000, 1 / 100, 'lower', 0.01007265477201438],
      [130, 2000, 1 / 20, 'upper', 0.0017758262490794819],
      [80, 2000, 1 / 20, 'lower', 0.020087984908940365],
      [4, 133, 24 / 6480, 'upper', 0.0016035622890443851],
    ];
    for (const [k, n, p, side, want] of cases) {
      const got = side === 'upper' ? binomialUpperTail(k, n, p) : binomialLowerTail(k, n, p);
      expect(rel(got, want), `${side} ${k} ${n} ${p}`).toBeLessThan(n < 1000 ? 1e-12 : 1e-10);
    }
  });

  it('handle the edges: k ≤ 0, k > n, p at 0 and 1', () => {
    expect(binomialUpperTail(0, 10, 0.3)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.3)).toBe(0);
    expect(binomialUpperTail(1, 10, 0)).toBe(0);
    expect(binomialUpperTail(10, 10, 1)).toBe(1);
    expect(binomialLowerTail(-1, 10, 0.3)).toBe(0);
    expect(binomialLowerTail(10, 10, 0.3)).toBe(1);
  });

  it('Poisson tails match mpmath to 1e-12 relative', () => {
    expect(rel(poissonUpperTail(4, 0.5), 0.0017516225562908237)).toBeLessThan(1e-12);
    expect(rel(poissonUpperTail(10, 2), 4.6498075017263808e-5)).toBeLessThan(1e-12);
    expect(rel(poissonUpperTail(200, 150), 5.7096885742082443e-5)).toBeLessThan(1e-11);
  });

  it('the conditional binomial test of the issue example: 13 of 250 candidate errors against 95 of 4,750 is p = 0.0029, not 3.5e-4', () => {
    // Events 108, the candidate's share of calls 250/5000 = 1/20: P(Bin(108, 1/20) >= 13).
    const t = conditionalBinomialTest(95, 4750, 13, 250);
    expect(t.events).toBe(108);
    expect(t.share).toBe(0.05);
    expect(t.expected).toBeCloseTo(5.4, 12);
    expect(t.higher).toBe(true);
    expect(rel(t.p, 0.0029329134137168106)).toBeLessThan(1e-12);
  });
});

describe('always-valid boundaries', () => {
  it('the early stop’s exact false alarm matches an independent dynamic programme (mpmath) to 1e-9', () => {
    expect(rel(earlyStopFalseAlarm(0.0015), 0.00209084954874)).toBeLessThan(1e-9);
    expect(rel(earlyStopFalseAlarm(0.002), 0.00256982254532)).toBeLessThan(1e-9);
  });

  it('is calibrated to its alpha: the flat level spends exactly it, no more', () => {
    const d = earlyStopDesign(0.0025);
    expect(d.falseAlarm).toBeLessThanOrEqual(0.0025);
    expect(d.falseAlarm).toBeGreaterThan(0.0025 * 0.9999);
    expect(earlyStopFalseAlarm(d.level * 1.001)).toBeGreaterThan(0.0025);
  });

  it('a larger candidate share crosses less often than the Poisson limit it is calibrated on (exact DP over the event sequence)', () => {
    // Each event lands in the candidate's arm with probability `share`; the boundary is the
    // product's: exact binomial p-value <= earlyStopLevel(events × share), and >= 4 events.
    // Reference (stats_reference.py, mpmath): share 0.05 -> 0.00206476841648, 0.25 -> 0.00010246084283 (information <= 20).
    const level = 0.002;
    const eventFalseAlarm = (share: number) => {
      let dist = [1];
      let crossed = 0;
      for (let x = 1; x <= Math.round(20 / share); x++) {
        const lev = earlyStopLevel({ level }, x * share);
        let c = Math.max(EARLY_STOP_MIN_EVENTS, Math.floor(x * share));
        while (binomialUpperTail(c, x, share) > lev) c++;
        const next = new Array<number>(dist.length + 1).fill(0);
        dist.forEach((w, i) => {
          next[i] += w * (1 - share);
          next[i + 1] += w * share;
        });
        crossed += next.slice(c).reduce((a, b) => a + b, 0);
        dist = next.slice(0, c);
      }
      return crossed;
    };
    const limit = earlyStopFalseAlarm(level);
    const at5 = eventFalseAlarm(0.05);
    const at25 = eventFalseAlarm(0.25);
    expect(rel(at5, 0.00206476841648)).toBeLessThan(1e-8);
    expect(rel(at25, 0.00010246084283)).toBeLessThan(1e-7);
    expect(at5).toBeLessThan(limit);
    expect(at25).toBeLessThan(limit);
  });

  it('the doubling boundary solves Siegmund’s crossing equation', () => {
    for (const a of [1e-3, 2.5e-4, 1e-6]) expect(rel(doublingCrossing(doublingBoundaryZ(a)), a)).toBeLessThan(1e-9);
    // alpha 0.001: z = 3.576 (explore by hand: 1 − Φ(3.576) + 3.576·φ(3.576)·ln2/2 = 1.74e-4 + 8.26e-4)
    expect(doublingBoundaryZ(0.001)).toBeCloseTo(3.576, 3);
  });
});

describe('the gate’s paired tests', () => {
  it('sign-flip p-values equal brute-force enumeration of all 2^10 sign patterns (python fractions)', () => {
    const r = signFlipTest([1, 2, 0, -1, 3, 1, 1, 0, 2, -2, 1, 1]);
    expect(r.statistic).toBe(9);
    expect(r.nonzero).toBe(10);
    expect(r.greater).toBe(0.0625);
    expect(r.twoSided).toBe(0.125);
    expect(signFlipTest([0, 0])).toMatchObject({ greater: 1, twoSided: 1 });
    expect(() => signFlipTest([0.5])).toThrow(/integer/);
  });

  it('Student t quantiles match mpmath to 1e-10', () => {
    expect(rel(studentTQuantile(0.95, 29), 1.6991270265334973)).toBeLessThan(1e-10);
    expect(rel(studentTQuantile(0.95, 33), 1.692360309030344)).toBeLessThan(1e-10);
    expect(rel(studentTQuantile(0.975, 1), 12.706204736174693)).toBeLessThan(1e-10);
    expect(rel(studentTQuantile(0.95, 4), 2.1318467863266495)).toBeLessThan(1e-10);
    expect(studentTCdf(0, 7)).toBeCloseTo(0.5, 14);
  });

  it('the case-clustered escalation increase and its one-sided 95% bound match the hand computation', () => {
    // (repeats, baseline escalations, candidate escalations) per case; reference: estimate 5/24 = 0.2083,
    // lower bound −0.028489 (cluster-robust SE, t with 7 df; stats_reference.py).
    const cases: [number, number][] = [[0, 1], [1, 1], [0, 0], [0, 2], [2, 1], [0, 0], [0, 1], [1, 3]];
    const runs = (variant: 0 | 1): EvalRun[] =>
      cases.flatMap(([b, c], k) =>
        [1, 2, 3].map((repeat) => ({
          caseId: `c${k}`, repeat, passed: true, costUsd: 0, tokens: 0, latencyMs: 0, escalated: repeat <= (variant === 0 ? b : c),
        })),
      );
    const bound = escalationIncrease(caseTallies(runs(0), runs(1)));
    expect(bound.estimate).toBeCloseTo(5 / 24, 14);
    expect(rel(bound.lower!, -0.02848899230291759)).toBeLessThan(1e-9);
    expect(bound.df).toBe(7);
  });
});
