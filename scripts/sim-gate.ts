/**
 * sim:gate — the eval gate's paired rules, simulated with the product's own `computeGateVerdict`,
 * seeded: 30 cases × 3 repeats per variant (90 runs each), rules as in the example config
 * (maxPassRateDrop 0, maxEscalationRateIncrease 2 pp, maxCostPerRunIncrease 10%).
 *
 * Beside each rule as it is now, the column "before" applies the rule as it was: the drop judged by
 * the per-run McNemar mid-p (runs paired by repeat, as if independent), the escalation rule by the
 * raw point difference, cost and tokens averaged over every run with failed runs at 0.
 *
 *   npm run sim:gate [-- --gates 2000 --seed 1]
 */
import type { GateRules } from '../src/config/types.ts';
import { computeGateVerdict, discordantPairs, type EvalRun } from '../src/core/gate.ts';
import { mcnemarMidP } from '../src/core/stats/mcnemar.ts';
import { numberOption } from './bench/args.ts';
import { beta, drawRuns, type VariantModel } from './sim/gate-world.ts';
import { seeded, type Uniform } from './sim/random.ts';

const args = process.argv.slice(2);
const gates = Math.round(numberOption(args, '--gates', 2000));
const seed = Math.round(numberOption(args, '--seed', 1));
const CASES = 30;
const REPEATS = 3;
const RULES: GateRules = {
  minPassRate: 0, maxPassRateDrop: 0, maxCostPerRunIncrease: 0.1, maxTokensPerRunIncrease: 0.25, maxLatencyP95Ms: 60_000, maxEscalationRateIncrease: 0.02,
};

const base = (pass: number[], escalate: number[]): VariantModel => ({ pass, escalate, costUsd: 0.01, timeout: 0 });
const constant = (x: number) => new Array<number>(CASES).fill(x);
const outcome = (runsB: EvalRun[], runsC: EvalRun[], rule: string) => computeGateVerdict(RULES, runsB, runsC).rows.find((r) => r.rule === rule)!;
const pct = (k: number) => `${((k / gates) * 100).toFixed(1)}%`;

function table(header: string[], lines: string[][]): void {
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
  const row = (cells: string[]) => `| ${cells.map((x, c) => x.padEnd(widths[c])).join(' | ')} |`;
  console.log(row(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const l of lines) console.log(row(l));
  console.log('');
}

// --- pass-rate drop -------------------------------------------------------------------------
type Heterogeneity = 'none' | 'cases differ' | 'cases and variants differ';
const MEAN_PASS = 0.85;

/** Per-case pass probabilities of baseline and candidate, the candidate `drop` lower on average. */
function passModels(u: Uniform, h: Heterogeneity, drop: number): [number[], number[]] {
  if (h === 'none') return [constant(MEAN_PASS), constant(MEAN_PASS - drop)];
  const draw = () => beta(u, 3.4, 0.6); // mean 0.85, sd 0.16 across cases
  const b = Array.from({ length: CASES }, draw);
  const c = h === 'cases differ' ? [...b] : Array.from({ length: CASES }, draw);
  const scale = 1 - drop / MEAN_PASS;
  return [b, c.map((p) => p * scale)];
}

function dropRows(): string[][] {
  const out: string[][] = [];
  const kinds: Heterogeneity[] = ['none', 'cases differ', 'cases and variants differ'];
  let row = 0;
  for (const drop of [0, 0.05, 0.1]) {
    for (const h of kinds) {
      const u = seeded(seed * 1000 + row++);
      let now = 0;
      let before = 0;
      for (let g = 0; g < gates; g++) {
        const [pb, pc] = passModels(u, h, drop);
        const b = drawRuns(u, base(pb, constant(0)), REPEATS);
        const c = drawRuns(u, base(pc, constant(0)), REPEATS);
        if (outcome(b, c, 'maxPassRateDrop').outcome === 'fail') now++;
        const d = discordantPairs(b, c);
        const passB = b.filter((r) => r.passed).length;
        const passC = c.filter((r) => r.passed).length;
        if (passB > passC && mcnemarMidP(d.b, d.c) < 0.05) before++;
      }
      out.push([drop === 0 ? 'same quality on average' : `${Math.round(drop * 100)} pp drop`, h, String(gates), pct(now), pct(before)]);
    }
  }
  return out;
}

// --- escalation -----------------------------------------------------------------------------
function escalationRows(): string[][] {
  const out: string[][] = [];
  let row = 100;
  for (const rise of [0, 0.05, 0.1]) {
    for (const noisy of [false, true]) {
      const u = seeded(seed * 1000 + row++);
      let now = 0;
      let before = 0;
      for (let g = 0; g < gates; g++) {
        // Noisy: some cases escalate often, most rarely (mean 10%); else every case 10%.
        const e = noisy ? Array.from({ length: CASES }, () => beta(u, 0.5, 4.5)) : constant(0.1);
        const ec = e.map((x) => Math.min(1, x * (1 + rise / 0.1)));
        const b = drawRuns(u, base(constant(1), e), REPEATS);
        const c = drawRuns(u, base(constant(1), ec), REPEATS);
        if (outcome(b, c, 'maxEscalationRateIncrease').outcome === 'fail') now++;
        const raw = c.filter((r) => r.escalated).length / c.length - b.filter((r) => r.escalated).length / b.length;
        if (raw > RULES.maxEscalationRateIncrease + 1e-12) before++;
      }
      out.push([rise === 0 ? 'identical candidate' : `+${Math.round(rise * 100)} pp escalations`, noisy ? 'varies by case (mean 10%)' : '10% in every case', String(gates), pct(now), pct(before)]);
    }
  }
  return out;
}

// --- cost with timeouts ---------------------------------------------------------------------
function costRows(): string[][] {
  const out: string[][] = [];
  let row = 200;
  for (const [label, rise, timeoutB, timeoutC] of [
    ['same cost, same timeouts', 0, 0.05, 0.05],
    ['+14% per answer, more timeouts (5% → 9.4%)', 0.14, 0.05, 0.094],
    ['+5% per answer, more timeouts (5% → 9.4%)', 0.05, 0.05, 0.094],
  ] as const) {
    const u = seeded(seed * 1000 + row++);
    let now = 0;
    let before = 0;
    const seenNow: number[] = [];
    const seenBefore: number[] = [];
    for (let g = 0; g < gates; g++) {
      const b = drawRuns(u, { ...base(constant(0.9), constant(0)), timeout: timeoutB }, REPEATS);
      const c = drawRuns(u, { ...base(constant(0.9), constant(0)), costUsd: 0.01 * (1 + rise), timeout: timeoutC }, REPEATS);
      const r = outcome(b, c, 'maxCostPerRunIncrease');
      if (r.outcome !== 'pass') now++;
      seenNow.push(r.delta ?? NaN);
      const all = (xs: EvalRun[]) => xs.reduce((s, x) => s + x.costUsd, 0) / xs.length;
      const old = all(c) / all(b) - 1;
      seenBefore.push(old);
      if (old > RULES.maxCostPerRunIncrease) before++;
    }
    const median = (xs: number[]) => [...xs].sort((a, b2) => a - b2)[Math.floor(xs.length / 2)];
    const rel = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
    out.push([label, String(gates), rel(median(seenNow)), pct(now), rel(median(seenBefore)), pct(before)]);
  }
  return out;
}

const started = performance.now();
console.log(`sim:gate — ${gates} simulated gates per row, seed ${seed}, ${CASES} cases × ${REPEATS} repeats per variant\n`);
console.log('Pass-rate drop (maxPassRateDrop 0): share of gates the rule fails. Baseline pass rate 85%; "cases differ": each case has its own');
console.log('pass rate (Beta(3.4, 0.6) across cases); "variants differ": the candidate draws its own per case, equal on average.\n');
table(['candidate', 'per-case heterogeneity', 'gates', 'blocked: case-clustered sign-flip (decides)', 'blocked: per-run McNemar mid-p (before)'], dropRows());
console.log('Escalation rate (maxEscalationRateIncrease 2 pp): share of gates the rule fails.\n');
table(['candidate', 'per-case escalation', 'gates', 'blocked: 95% bound above 2 pp (now)', 'blocked: raw difference > 2 pp (before)'], escalationRows());
console.log('Cost per run (maxCostPerRunIncrease 10%) when the candidate times out more: timed-out runs have no cost.\n');
table(['candidate', 'gates', 'median increase seen (now: answered runs)', 'flagged (now)', 'median increase seen (before: all runs)', 'flagged (before)'], costRows());
console.log(`took ${((performance.now() - started) / 1000).toFixed(1)} s`);
