import { describe, expect, it } from 'vitest';
import {
  fisherExact, mannWhitneyU, mcnemarMidP, mean, median, normalCdf, normalQuantile, percentile,
  percentileOfCounts, twoProportionZ, valueCountsOf, wilson,
} from '../../src/core/stats/index.ts';

describe('mean and percentile', () => {
  it('mean of 1..4 is 2.5; empty is NaN', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(mean([])).toBeNaN();
  });
  it('interpolates linearly between closest ranks', () => {
    // sorted [1,2,3,4]: p95 -> h = 3*0.95 = 2.85 -> 3 + 0.85*(4-3) = 3.85
    expect(percentile([4, 1, 3, 2], 95)).toBeCloseTo(3.85, 12);
    // p50 -> h = 1.5 -> 2.5
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([7], 95)).toBe(7);
    expect(() => percentile([1], 101)).toThrow(/0\.\.100/);
  });
  it('value counts give the same percentile as the raw sample', () => {
    const xs = [5, 1, 1, 9, 3, 3, 3, 12, 7, 1];
    for (const p of [0, 10, 50, 90, 95, 100]) expect(percentileOfCounts(valueCountsOf(xs), p)).toBeCloseTo(percentile(xs, p), 12);
  });
});

describe('normal distribution', () => {
  it('matches table values', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.0013499, 7);
    expect(normalCdf(0)).toBe(0.5);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
  });
  it('inverts its CDF far into the tail', () => {
    for (const p of [1e-9, 1e-6, 0.001, 0.3, 0.9, 0.999999]) expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 8);
  });
});

describe('wilson', () => {
  it('8/10 gives [0.4902, 0.9433]', () => {
    // centre = (0.8 + 1.96²/20) / (1 + 1.96²/10) = 0.99208/1.38416 = 0.71673
    // half = 1.96*sqrt(0.016 + 1.96²/400)/1.38416 = 1.96*0.160012/1.38416 = 0.22658
    const { low, high } = wilson(8, 10);
    expect(low).toBeCloseTo(0.4902, 4);
    expect(high).toBeCloseTo(0.9433, 3);
  });
  it('stays inside [0, 1] and is uninformative with no runs', () => {
    expect(wilson(0, 10).low).toBe(0);
    expect(wilson(10, 10).high).toBe(1);
    expect(wilson(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

describe('mcnemarMidP', () => {
  it('b=1, c=6: 2*P(X<1) + P(X=1) with X~Bin(7,1/2) = 2/128 + 7/128 = 9/128', () => {
    expect(mcnemarMidP(1, 6)).toBeCloseTo(9 / 128, 12);
    expect(mcnemarMidP(6, 1)).toBeCloseTo(9 / 128, 12);
  });
  it('b=0, c=5: P(X=0) = 1/32; b=c caps at 1; no discordant pairs gives 1', () => {
    expect(mcnemarMidP(0, 5)).toBeCloseTo(1 / 32, 12);
    // b=c=3: 2*(1+6+15)/64 + 20/64 = 64/64
    expect(mcnemarMidP(3, 3)).toBe(1);
    expect(mcnemarMidP(0, 0)).toBe(1);
  });
});

describe('fisherExact', () => {
  it('tea tasting [[3,1],[1,3]]: two-sided 34/70, greater 17/70', () => {
    // P(a=k) = C(4,k)C(4,4-k)/C(8,4): 1,16,36,16,1 over 70
    const r = fisherExact(3, 1, 1, 3);
    expect(r.twoSided).toBeCloseTo(0.4857, 4);
    expect(r.greater).toBeCloseTo(17 / 70, 12);
    expect(r.less).toBeCloseTo(69 / 70, 12);
  });
  it('the most extreme table [[4,0],[0,4]] is 2/70 two-sided', () => {
    expect(fisherExact(4, 0, 0, 4).twoSided).toBeCloseTo(2 / 70, 12);
  });
});

describe('twoProportionZ', () => {
  it('10/100 vs 20/100: pooled p=0.15, se=sqrt(0.15*0.85*0.02)=0.050498, z=1.9803', () => {
    const r = twoProportionZ(10, 100, 20, 100);
    expect(r.z).toBeCloseTo(1.9803, 4);
    expect(r.greater).toBeCloseTo(0.02383, 4);
    expect(r.twoSided).toBeCloseTo(0.04767, 4);
    expect(twoProportionZ(20, 100, 10, 100).less).toBeCloseTo(0.02383, 4);
  });
});

describe('mannWhitneyU', () => {
  it('[1,2,3] vs [4,5,6]: U=9, mu=4.5, var=3*3*7/12=5.25, z=(9-4.5-0.5)/2.2913=1.7457', () => {
    const r = mannWhitneyU([1, 2, 3], [4, 5, 6]);
    expect(r.u).toBe(9);
    expect(r.z).toBeCloseTo(1.7457, 4);
    expect(r.greater).toBeCloseTo(0.04043, 4);
    expect(r.twoSided).toBeCloseTo(0.08086, 4);
    expect(r.effect).toBeCloseTo(5 / 2 - 1, 12);
  });
  it('tie-corrects: [1,2,2] vs [2,3,3]', () => {
    // y=2 beats 1 and ties two 2s: 1+1 = 2; each y=3 beats all three x: 3+3 -> U = 8
    // ties: value 2 (t=3) and 3 (t=2): sum t^3-t = 24+6 = 30; var = 9/12*(7 - 30/30) = 4.5
    // z = (8 - 4.5 - 0.5)/sqrt(4.5) = 1.4142
    const r = mannWhitneyU([1, 2, 2], [2, 3, 3]);
    expect(r.u).toBe(8);
    expect(r.z).toBeCloseTo(1.4142, 4);
    expect(r.greater).toBeCloseTo(0.07865, 4);
  });
  it('identical samples are not significant; an empty side gives p=1', () => {
    expect(mannWhitneyU([1, 2, 3, 4], [1, 2, 3, 4]).twoSided).toBe(1);
    expect(mannWhitneyU([], [1]).twoSided).toBe(1);
  });
});
