import { describe, expect, it } from 'vitest';
import { judgeCanary, type CanaryArm } from '../../src/core/canary.ts';
import type { ValueCounts } from '../../src/core/stats/valueCounts.ts';
import { mulberry32 as prng } from '../../src/core/random.ts';


const grid = (from: number, step: number, count: number): ValueCounts => ({
  values: Array.from({ length: count }, (_, i) => from + i * step), counts: new Array(count).fill(0),
});

/** One arm kept as running counts: latencies 300..3250 ms in 50 ms steps (right-skewed), tokens 300..690. */
function arm(): CanaryArm & { latencyMs: ValueCounts; tokens: ValueCounts; costUsd: ValueCounts; csat: ValueCounts } {
  return {
    n: 0, errors: 0, escalations: 0, overrides: 0, reported: 0,
    latencyMs: grid(300, 50, 60), tokens: grid(300, 10, 40), costUsd: grid(300 * 2e-6, 10 * 2e-6, 40), csat: grid(1, 1, 5),
  };
}

interface Rates { error: number; escalation: number; override: number; reported: number }
const healthy: Rates = { error: 0.02, escalation: 0.05, override: 0.03, reported: 0.01 };

function call(a: ReturnType<typeof arm>, r: () => number, rates: Rates) {
  a.n++;
  if (r() < rates.error) a.errors++;
  if (r() < rates.escalation) a.escalations++;
  if (r() < rates.override) a.overrides++;
  if (r() < rates.reported) a.reported++;
  const u = r();
  a.latencyMs.counts[Math.floor(u * u * 60)]++;
  const t = Math.floor(r() * 40);
  a.tokens.counts[t]++;
  a.costUsd.counts[t]++;
  if (r() < 0.1) a.csat.counts[Math.min(4, Math.floor(r() * 3) + 2)]++;
}

describe('judgeCanary', () => {
  it('healthy canary judged every minute for a day raises false alarms on fewer than 1 in 100 days', () => {
    const r = prng(20240601);
    const days = 400;
    const perMinute = 30; // calls per arm per minute: a 5% canary on a ~600 calls/min workflow
    let falseAlarms = 0;
    let looks = 0;
    for (let day = 0; day < days; day++) {
      const b = arm();
      const c = arm();
      for (let minute = 0; minute < 1440; minute++) {
        for (let i = 0; i < perMinute; i++) {
          call(b, r, healthy);
          call(c, r, healthy);
        }
        looks++;
        if (judgeCanary({ baseline: b, candidate: c, minSamples: 200 }).status === 'regressed') {
          falseAlarms++;
          break;
        }
      }
    }
    expect(looks).toBeGreaterThan(days * 1400);
    console.info(`false alarms: ${falseAlarms} in ${days} days`);
    expect(falseAlarms / days).toBeLessThan(1 / 100);
  });

  it('a 10% vs 2% error rate is caught before either arm reaches 400 calls in at least 95% of runs', () => {
    const r = prng(7);
    const sims = 1000;
    let caught = 0;
    for (let s = 0; s < sims; s++) {
      const b = arm();
      const c = arm();
      while (b.n + 30 < 400) {
        for (let i = 0; i < 30; i++) {
          call(b, r, healthy);
          call(c, r, { ...healthy, error: 0.1 });
        }
        const j = judgeCanary({ baseline: b, candidate: c, minSamples: 200 });
        if (j.status === 'regressed') {
          expect(j.reason).toMatch(/^error rate \d+\.\d% vs \d+\.\d% \((Fisher|z=)/);
          caught++;
          break;
        }
      }
    }
    console.info(`caught: ${caught} of ${sims}`);
    expect(caught / sims).toBeGreaterThanOrEqual(0.95);
  });

  it('too few samples is inconclusive and says how many more calls each arm needs', () => {
    const b = { ...arm(), n: 150, errors: 3, latencyMs: [100, 200], costUsd: [0.01], tokens: [400], csat: [] };
    const c = { ...arm(), n: 120, errors: 30, latencyMs: [900, 800], costUsd: [0.02], tokens: [800], csat: [] };
    const j = judgeCanary({ baseline: b, candidate: c, minSamples: 200 });
    expect(j.status).toBe('inconclusive');
    expect(j.samplesNeeded).toBe(80);
    expect(j.reason).toContain('80 more needed');
    const errors = j.metrics.find((m) => m.name === 'error rate')!;
    expect(errors.classification).toBe('NoData');
    expect(errors.candidate).toBeCloseTo(0.25, 12);
  });

  it('lists every metric with direction and criticality, and ignores a tiny-but-significant rise', () => {
    // 2.0% vs 2.3% on 200k calls each: z ≈ 6.5, yet +0.3pp is below min(20% of 2%, 1pp) = 0.4pp
    const base = { ...arm(), n: 200_000, errors: 4_000 };
    const cand = { ...arm(), n: 200_000, errors: 4_600 };
    const j = judgeCanary({ baseline: base, candidate: cand, minSamples: 200 });
    expect(j.metrics.map((m) => [m.name, m.direction, m.critical])).toEqual([
      ['error rate', 'increase_is_bad', true], ['escalation rate', 'increase_is_bad', true],
      ['override rate', 'increase_is_bad', false], ['reported rate', 'increase_is_bad', true],
      ['latency p95', 'increase_is_bad', false], ['cost per run', 'increase_is_bad', false],
      ['tokens per run', 'increase_is_bad', false], ['CSAT', 'decrease_is_bad', false],
    ]);
    const errors = j.metrics[0];
    expect(errors.p!).toBeLessThan(1e-9);
    expect(errors.classification).toBe('Pass');
    expect(j.status).toBe('healthy');
  });

  it('two non-critical regressions (latency and cost) roll back; one alone does not', () => {
    const r = prng(3);
    const sample = (n: number, f: () => number) => Array.from({ length: n }, f);
    const mk = (latScale: number, costScale: number): CanaryArm => ({
      n: 500, errors: 10, escalations: 25, overrides: 15, reported: 5,
      latencyMs: sample(500, () => latScale * (500 + 1000 * r())), costUsd: sample(500, () => costScale * (0.01 + 0.01 * r())),
      tokens: sample(500, () => 400 + Math.floor(200 * r())), csat: sample(60, () => 1 + Math.floor(5 * r())),
    });
    const both = judgeCanary({ baseline: mk(1, 1), candidate: mk(1.5, 1.5), minSamples: 200 });
    expect(both.status).toBe('regressed');
    expect(both.reason).toMatch(/latency p95 .* ms vs .* ms \(Mann-Whitney p=.*; cost per run \$/);
    const one = judgeCanary({ baseline: mk(1, 1), candidate: mk(1.5, 1), minSamples: 200 });
    expect(one.status).toBe('healthy');
    expect(one.metrics.find((m) => m.name === 'latency p95')!.classification).toBe('High');
    expect(one.reason).toContain('is worse but not critical');
  });
});
