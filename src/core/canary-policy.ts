/**
 * The canary's error budget and when it looks.
 *
 * A stage may raise a false alarm with probability at most ALPHA_PER_STAGE (1%), however long it
 * runs and however often it is judged. The budget is split equally across the critical metrics
 * (error rate, reported rate, latency p95 and the workflow's extras); each metric's share is
 * split again between its early stop (80%: catastrophic regressions, from the first call) and
 * its main test (20%: every regression, from minSamples calls per arm on).
 *
 * - Early stop: an exact conditional binomial p-value against the early-stop boundary of
 *   stats/sequential.ts (calibrated by exact dynamic programming to its alpha), with the stable
 *   config's hour before the stage as extra baseline.
 * - Main test: the same exact p-value against a stitched boundary: information is cut into
 *   doubling epochs (epoch k holds the looks where the smaller arm has minSamples·2^k to
 *   minSamples·2^(k+1) calls) and epoch k spends alpha_k = alpha_main · 2^-(k+1), so the epochs sum to
 *   alpha_main (Howard, Ramdas, McAuliffe & Sekhon 2021, "Time-uniform, nonparametric,
 *   nonasymptotic confidence sequences"). Inside an epoch the per-look level is the one whose
 *   crossing probability over a doubling of information is alpha_k.
 */
import { doublingBoundaryZ, earlyStopDesign, type EarlyStopDesign } from './stats/sequential.ts';
import { normalCdf } from './stats/normal.ts';

/** The most a healthy stage may ever false-alarm, all critical metrics together. */
export const ALPHA_PER_STAGE = 0.01;
/** The share of each critical metric's alpha that goes to its early stop. */
export const EARLY_STOP_SHARE = 0.8;
/** Epoch k of the main test spends alpha_main · (1 − 1/EPOCH_DECAY) · EPOCH_DECAY^-k. */
const EPOCH_DECAY = 2;

/** How the canary's alpha is split for `criticalMetrics` critical metrics. */
export interface AlphaSplit {
  total: number;
  criticalMetrics: number;
  perMetric: number;
  earlyStop: number;
  main: number;
}

export function alphaSplit(criticalMetrics: number): AlphaSplit {
  const k = Math.max(1, criticalMetrics);
  const perMetric = ALPHA_PER_STAGE / k;
  return { total: ALPHA_PER_STAGE, criticalMetrics: k, perMetric, earlyStop: perMetric * EARLY_STOP_SHARE, main: perMetric * (1 - EARLY_STOP_SHARE) };
}

export function earlyStop(split: AlphaSplit): EarlyStopDesign {
  return earlyStopDesign(split.earlyStop);
}

export interface MainLevel {
  epoch: number;
  /** The alpha this epoch spends. */
  alpha: number;
  /** The one-sided per-look p-value threshold. */
  level: number;
}

/** Levels by main alpha, then by epoch (the same few repeat look after look). */
const levelCache = new Map<number, MainLevel[]>();
/** The main test's per-look level for arms of these sizes (null: fewer than minSamples calls in an arm). */
export function mainLevel(alphaMain: number, minSamples: number, nBaseline: number, nCandidate: number): MainLevel | null {
  const smaller = Math.min(nBaseline, nCandidate);
  if (smaller < Math.max(1, minSamples)) return null;
  const epoch = Math.max(0, Math.floor(Math.log2(smaller / Math.max(1, minSamples))));
  let levels = levelCache.get(alphaMain);
  if (!levels) levelCache.set(alphaMain, (levels = []));
  const hit = levels[epoch];
  if (hit) return hit;
  const alpha = alphaMain * (1 - 1 / EPOCH_DECAY) * EPOCH_DECAY ** -epoch;
  return (levels[epoch] = { epoch, alpha, level: normalCdf(-doublingBoundaryZ(alpha)) });
}

/** While a stage is younger than this, the analysis looks every YOUNG_LOOK_MS, then every LOOK_MS. */
export const YOUNG_STAGE_MS = 30 * 60_000;
export const YOUNG_LOOK_MS = 10_000;
export const LOOK_MS = 60_000;

/**
 * Whether a release's canary is due for a look: always while its stage is young (the job ticks
 * every YOUNG_LOOK_MS), else once LOOK_MS has passed since its last judgement (a small slack
 * absorbs the scheduler's jitter).
 */
export function canaryLookDue(stageAgeMs: number, lastJudgedAt: number | null, now: number): boolean {
  if (stageAgeMs < YOUNG_STAGE_MS || lastJudgedAt === null) return true;
  return now - lastJudgedAt >= LOOK_MS - YOUNG_LOOK_MS / 2;
}
