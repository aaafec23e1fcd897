/**
 * Always-valid boundaries for an event count watched at any number of looks.
 *
 * The count is the candidate's events X in a conditional binomial test, indexed by its null
 * expectation mu = events × share (information). In the limit of a small share X is a unit-rate
 * Poisson process in mu; the exact crossing probabilities below are computed for that process,
 * which is the worst case: for a larger share the same p-value boundary crosses less often
 * (checked by exact dynamic programming over the event sequence in test/core/sequential.test.ts).
 * Looking at every event is the most any schedule can look, so these hold for any look schedule.
 *
 * Two boundaries:
 * - `doublingBoundaryZ`: the per-look z over one doubling of information with crossing probability
 *   alpha for a continuously watched Brownian motion (Siegmund's approximation
 *   1 − Φ(c) + c·φ(c)·ln2/2). For exact Poisson p-values it is conservative: the exact crossing
 *   probability is 32–95% of alpha (smallest for small counts, approaching alpha as counts grow).
 * - the early stop: a p-value boundary gamma(mu) = g for mu ≤ 0.5, g·(0.5/mu)^2.5 beyond, and never
 *   before 4 candidate events. g is calibrated so the exact crossing probability over all mu is
 *   alpha: dynamic programming over the boundary's steps up to mu = 64, and the rest bounded by
 *   stitched doubling epochs.
 */
import { poissonUpperTail } from './binomial.ts';
import { logFactorial } from './logFactorial.ts';
import { normalCdf, normalQuantile } from './normal.ts';

const phi = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
/** Siegmund's crossing probability of level c over one doubling of information. */
export const doublingCrossing = (c: number): number => normalCdf(-c) + (c * phi(c) * Math.LN2) / 2;

const zCache = new Map<number, number>();
/** The per-look z with crossing probability `alpha` over one doubling of information. */
export function doublingBoundaryZ(alpha: number): number {
  const hit = zCache.get(alpha);
  if (hit !== undefined) return hit;
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const c = (lo + hi) / 2;
    if (doublingCrossing(c) > alpha) lo = c;
    else hi = c;
  }
  zCache.set(alpha, hi);
  return hi;
}

/** The early stop never fires on fewer candidate events than this. */
export const EARLY_STOP_MIN_EVENTS = 4;
/** Information (null-expected candidate events) up to which the early stop's level is flat. */
export const EARLY_STOP_FLAT_UNTIL = 0.5;
/** How fast the early stop's level falls beyond that: gamma ∝ mu^-2.5. */
export const EARLY_STOP_DECAY = 2.5;
/** The exact dynamic programme runs to this information; beyond it, stitched doubling epochs bound the rest. */
const EXACT_UNTIL = 64;

export interface EarlyStopDesign {
  /** The false-alarm probability it was calibrated to. */
  alpha: number;
  /** The flat per-look level (p-value threshold) for mu ≤ 0.5. */
  level: number;
  /** Its exact false-alarm probability (≤ alpha). */
  falseAlarm: number;
}

/** The early stop's per-look p-value threshold at information mu. */
export function earlyStopLevel(d: Pick<EarlyStopDesign, 'level'>, mu: number): number {
  return mu <= EARLY_STOP_FLAT_UNTIL ? d.level : d.level * (EARLY_STOP_FLAT_UNTIL / mu) ** EARLY_STOP_DECAY;
}

/** Whether X >= k is rejected at information mu (Poisson limit), i.e. P(Pois(mu) >= k) <= level. */
function rejects(level: number, k: number, mu: number): boolean {
  return k >= EARLY_STOP_MIN_EVENTS && poissonUpperTail(k, mu) <= earlyStopLevel({ level }, mu);
}

/**
 * The exact false-alarm probability of the early stop with flat level `level`: the probability a
 * unit-rate Poisson process ever reaches the boundary.
 */
export function earlyStopFalseAlarm(level: number): number {
  // The critical count starts at the minimum and steps up by one at each breakpoint.
  let count = EARLY_STOP_MIN_EVENTS;
  let from = 0;
  // P(not crossed, X = j) for j < count.
  let dist: number[] = [1];
  let crossed = 0;
  for (;;) {
    // Where does count stop being rejected? rejects(count, mu) is true for small mu and turns false once.
    let lo = from;
    let hi = Math.max(from * 2, 1);
    while (rejects(level, count, hi) && hi < EXACT_UNTIL * 2) hi *= 2;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (rejects(level, count, mid)) lo = mid;
      else hi = mid;
    }
    const to = Math.min(hi, EXACT_UNTIL);
    const step = advance(dist, to - from, count);
    crossed += step.crossed;
    dist = step.kept;
    from = to;
    if (from >= EXACT_UNTIL) break;
    count += 1;
  }
  return crossed + stitchedTail(level);
}

/** Poisson(d) increments from `dist`, absorbing at `count`: what stays below, and the mass that crossed. */
function advance(dist: readonly number[], d: number, count: number): { kept: number[]; crossed: number } {
  const inc: number[] = [];
  for (let j = 0; j < count; j++) inc.push(d > 0 ? Math.exp(-d + j * Math.log(d) - logFactorial(j)) : j === 0 ? 1 : 0);
  const kept = new Array<number>(count).fill(0);
  let before = 0;
  for (let i = 0; i < dist.length; i++) {
    before += dist[i];
    for (let j = 0; i + j < count; j++) kept[i + j] += dist[i] * inc[j];
  }
  let after = 0;
  for (const k of kept) after += k;
  return { kept, crossed: Math.max(0, before - after) };
}

/** Beyond the exact range: doubling epochs, each at its (largest) starting level. */
function stitchedTail(level: number): number {
  let sum = 0;
  for (let a = EXACT_UNTIL, i = 0; i < 64; i++, a *= 2) {
    const gamma = earlyStopLevel({ level }, a);
    sum += doublingCrossing(-normalQuantile(gamma));
  }
  return sum;
}

const designs = new Map<number, EarlyStopDesign>();
/** The early stop whose exact false-alarm probability is (just under) alpha. */
export function earlyStopDesign(alpha: number): EarlyStopDesign {
  const hit = designs.get(alpha);
  if (hit) return hit;
  let lo = 0;
  let hi = alpha;
  // The flat level can be at most alpha itself; the false alarm rises continuously with it.
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (earlyStopFalseAlarm(mid) <= alpha) lo = mid;
    else hi = mid;
  }
  const d = { alpha, level: lo, falseAlarm: earlyStopFalseAlarm(lo) };
  designs.set(alpha, d);
  return d;
}
