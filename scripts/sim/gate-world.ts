/**
 * Simulated eval gates: K cases × R repeats per variant, with per-case pass and escalation
 * probabilities, cost per answered run and timeouts, as EvalRun lists for the product's
 * `computeGateVerdict`.
 */
import type { EvalRun } from '../../src/core/gate.ts';
import type { Uniform } from './random.ts';

/** A draw from Beta(a, b) (Jöhnk for small shapes is slow; Gamma ratios via Marsaglia–Tsang). */
export function beta(u: Uniform, a: number, b: number): number {
  const x = gamma(u, a);
  const y = gamma(u, b);
  return x / (x + y);
}

function normal(u: Uniform): number {
  // Box–Muller (one of the pair).
  const r = Math.sqrt(-2 * Math.log(1 - u()));
  return r * Math.cos(2 * Math.PI * u());
}

function gamma(u: Uniform, shape: number): number {
  if (shape < 1) return gamma(u, shape + 1) * u() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(u);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const w = u();
    if (w < 1 - 0.0331 * x ** 4 || Math.log(w) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export interface VariantModel {
  /** Pass probability of each case's runs. */
  pass: number[];
  /** Escalation probability of each case's runs. */
  escalate: number[];
  /** Mean cost of an answered run (USD); each run varies ±30% around it. */
  costUsd: number;
  /** Share of runs that time out (no answer: failed, no cost). */
  timeout: number;
}

export function drawRuns(u: Uniform, m: VariantModel, repeats: number): EvalRun[] {
  const out: EvalRun[] = [];
  for (let k = 0; k < m.pass.length; k++) {
    for (let r = 1; r <= repeats; r++) {
      const timedOut = u() < m.timeout;
      const cost = m.costUsd * (0.7 + 0.6 * u());
      out.push({
        caseId: `case-${k}`,
        repeat: r,
        passed: !timedOut && u() < m.pass[k],
        costUsd: timedOut ? 0 : cost,
        tokens: timedOut ? 0 : Math.round(cost * 50_000),
        latencyMs: timedOut ? 30_000 : 800 + 400 * u(),
        escalated: !timedOut && u() < m.escalate[k],
        ...(timedOut ? { error: 'timeout: no answer within 30000 ms' } : {}),
      });
    }
  }
  return out;
}
