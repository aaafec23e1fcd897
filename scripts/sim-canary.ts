/**
 * sim:canary — the canary analysis, simulated with the product's own decision functions
 * (`judgeCanary` at the canary job's cadence `canaryLookDue`: every 10 s while a stage is younger
 * than 30 minutes, then every minute), seeded.
 *
 * Traffic: a 5% canary (the stable arm gets 19 calls for each candidate call), calls evenly spaced,
 * error and reported rates 2%, escalation 5%, override 3%, latencies right-skewed (p95 ≈ 1.5 s),
 * minSamples 200; the stable config's hour before the stage (at the whole workflow's traffic) is
 * the prior baseline. Healthy rows: both arms identical, watched for 24 h; a false alarm is any
 * "regressed" in that time. Regression rows: the candidate's error rate rises from the first call;
 * the time counts from the stage's start to the look that says "regressed" (the wait for the
 * analysis included).
 *
 *   npm run sim:canary [-- --days 2000 --seed 1 --jobs 2]
 */
import { alphaSplit, earlyStop, mainLevel } from '../src/core/canary-policy.ts';
import { numberOption } from './bench/args.ts';
import { HEALTHY, runStage, type StageScenario } from './sim/canary-world.ts';
import { runRows, serveRow } from './sim/pool.ts';
import { seeded } from './sim/random.ts';

interface Row {
  label: string;
  candidatePerMinute: number;
  candidateError: number;
  arrivals?: StageScenario['arrivals'];
  priorMinutes?: number;
  note?: string;
}

const ROWS: Row[] = [
  { label: 'healthy (2% vs 2%)', candidatePerMinute: 5, candidateError: 0.02 },
  { label: 'healthy (2% vs 2%)', candidatePerMinute: 50, candidateError: 0.02 },
  ...[0.04, 0.06, 0.1, 0.3].flatMap((e) =>
    [5, 50].map((perMin) => ({ label: `errors 2% → ${Math.round(e * 100)}%`, candidatePerMinute: perMin, candidateError: e })),
  ),
  { label: 'errors 2% → 30%', candidatePerMinute: 5, candidateError: 0.3, arrivals: 'poisson', note: 'Poisson arrivals' },
  { label: 'errors 2% → 30%', candidatePerMinute: 5, candidateError: 0.3, priorMinutes: 0, note: 'no hour before the stage' },
];

const args = process.argv.slice(2);
const days = Math.round(numberOption(args, '--days', 2000));
const seed = Math.round(numberOption(args, '--seed', 1));
const jobs = Math.round(numberOption(args, '--jobs', 2));
const rowArgs = ['--days', String(days), '--seed', String(seed)];
const HORIZON_MIN = 24 * 60;

function rowRunner(index: number): () => (number | null)[] {
  return () => {
    const r = ROWS[index];
    const u = seeded(seed * 1000 + index);
    const s: StageScenario = {
      candidatePerMinute: r.candidatePerMinute,
      baselinePerMinute: r.candidatePerMinute * 19,
      arrivals: r.arrivals ?? 'even',
      candidate: { ...HEALTHY, error: r.candidateError },
      minSamples: 200,
      horizonMinutes: HORIZON_MIN,
      priorMinutes: r.priorMinutes ?? 60,
    };
    const out: (number | null)[] = [];
    for (let d = 0; d < days; d++) out.push(runStage(u, s));
    return out;
  };
}

function minutes(ms: number): string {
  const m = ms / 60_000;
  if (m < 10) return `${m.toFixed(1)} min`;
  if (m < 120) return `${m.toFixed(0)} min`;
  return `${(m / 60).toFixed(1)} h`;
}

function quantile(sorted: number[], q: number): string {
  const v = sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return Number.isFinite(v) ? minutes(v) : `> ${HORIZON_MIN / 60} h`;
}

const share = (k: number, n: number) => `${((k / n) * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  const started = performance.now();
  const split = alphaSplit(3);
  const early = earlyStop(split);
  console.log(`sim:canary — ${days} simulated stages per row, seed ${seed}, product cadence (10 s while younger than 30 min, then 1 min)`);
  console.log(
    `alpha per stage ${split.total} over ${split.criticalMetrics} critical metrics: ${split.perMetric.toFixed(5)} each = ` +
      `early stop ${split.earlyStop.toFixed(5)} (flat level ${early.level.toExponential(2)}, exact false alarm ${early.falseAlarm.toExponential(3)}) + ` +
      `main ${split.main.toFixed(5)} (epoch 0 level ${mainLevel(split.main, 200, 200, 200)!.level.toExponential(2)})`,
  );
  console.log('');
  const results = await runRows<(number | null)[]>(new URL(import.meta.url), ROWS.length, jobs, rowArgs);
  const header = ['scenario', 'candidate calls/min', 'stages', 'alarmed within 24 h', 'within 5 min', 'within 20 min', 'median time', 'p95 time'];
  const lines = ROWS.map((r, i) => {
    const times = results[i].map((t) => (t === null ? Infinity : t)).sort((a, b) => a - b);
    const within = (min: number) => share(times.filter((t) => t <= min * 60_000).length, days);
    const healthy = r.candidateError === 0.02;
    return [
      `${r.label}${r.note ? ` (${r.note})` : ''}`,
      String(r.candidatePerMinute),
      String(days),
      within(HORIZON_MIN),
      within(5),
      within(20),
      healthy ? '—' : quantile(times, 0.5),
      healthy ? '—' : quantile(times, 0.95),
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
  const row = (cells: string[]) => `| ${cells.map((x, c) => x.padEnd(widths[c])).join(' | ')} |`;
  console.log(row(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const l of lines) console.log(row(l));
  console.log('');
  console.log(`"alarmed within 24 h" is the false-alarm rate on healthy rows and the detection probability on the others.`);
  console.log(`took ${((performance.now() - started) / 1000).toFixed(0)} s on ${Math.min(jobs, ROWS.length)} worker thread(s)`);
}

if (!serveRow(process.argv.slice(2), rowRunner)) await main();
