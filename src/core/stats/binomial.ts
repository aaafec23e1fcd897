/**
 * Exact binomial and Poisson tails, and the conditional binomial test of two event counts.
 *
 * Tails are summed term by term from the first term (computed in log space), walking away from
 * the mode so every added term is smaller than the last: relative accuracy about 1e-13 with no
 * normal approximation anywhere.
 */
import { logChoose, logFactorial } from './logFactorial.ts';

/** P(X >= k) for X ~ Binomial(n, p). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const mean = n * p;
  if (k > mean) return sumUp(k, n, p);
  return Math.max(0, 1 - sumDown(k - 1, n, p));
}

/** P(X <= k) for X ~ Binomial(n, p). */
export function binomialLowerTail(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  return k < n * p ? sumDown(k, n, p) : Math.max(0, 1 - sumUp(k + 1, n, p));
}

function logPmf(k: number, n: number, p: number): number {
  return logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/** Σ_{j >= k} pmf(j), for k above the mean (terms fall from the first one). */
function sumUp(k: number, n: number, p: number): number {
  let term = Math.exp(logPmf(k, n, p));
  let sum = 0;
  const ratio = p / (1 - p);
  for (let j = k; j <= n; j++) {
    sum += term;
    if (term <= sum * 1e-17) break;
    term *= ((n - j) / (j + 1)) * ratio;
  }
  return Math.min(1, sum);
}

/** Σ_{j <= k} pmf(j), for k below the mean (terms fall walking down). */
function sumDown(k: number, n: number, p: number): number {
  let term = Math.exp(logPmf(k, n, p));
  let sum = 0;
  const ratio = (1 - p) / p;
  for (let j = k; j >= 0; j--) {
    sum += term;
    if (term <= sum * 1e-17) break;
    term *= (j / (n - j + 1)) * ratio;
  }
  return Math.min(1, sum);
}

/** P(X >= k) for X ~ Poisson(mu). */
export function poissonUpperTail(k: number, mu: number): number {
  if (k <= 0) return 1;
  if (mu <= 0) return 0;
  const logPois = (j: number) => -mu + j * Math.log(mu) - logFactorial(j);
  if (k > mu) {
    let term = Math.exp(logPois(k));
    let sum = 0;
    for (let j = k; ; j++) {
      sum += term;
      if (term <= sum * 1e-17 || term === 0) break;
      term *= mu / (j + 1);
    }
    return Math.min(1, sum);
  }
  let term = Math.exp(logPois(k - 1));
  let sum = 0;
  for (let j = k - 1; j >= 0; j--) {
    sum += term;
    if (term <= sum * 1e-17) break;
    term *= j / mu;
  }
  return Math.max(0, 1 - sum);
}

export interface ConditionalBinomialResult {
  /** Events in both arms together. */
  events: number;
  /** The candidate's share of the calls, n_c / (n_b + n_c): its chance of holding any one event under no change. */
  share: number;
  /** Events the candidate would hold under no change: events × share. */
  expected: number;
  /** The candidate's events are at or above `expected` (always, with direction 'greater'). */
  higher: boolean;
  /**
   * The one-sided exact p-value in the direction of the difference: P(X >= x_c) when higher,
   * else P(X <= x_c), with X ~ Bin(events, share).
   */
  p: number;
}

/**
 * The conditional binomial test of two rates. Given the total number of events, under equal
 * rates each event falls in the candidate's arm with probability share = n_c / (n_b + n_c), so the
 * candidate's count is Bin(events, share) whatever the common rate is: the test is exact for
 * Poisson counts and conservative for binomial ones (the hypergeometric it approximates is
 * narrower), with no large-sample approximation.
 */
export function conditionalBinomialTest(xb: number, nb: number, xc: number, nc: number, direction: 'auto' | 'greater' = 'auto'): ConditionalBinomialResult {
  const events = xb + xc;
  const share = nb + nc > 0 ? nc / (nb + nc) : 0;
  const expected = events * share;
  const higher = direction === 'greater' || xc >= expected;
  const p = higher ? binomialUpperTail(xc, events, share) : binomialLowerTail(xc, events, share);
  return { events, share, expected, higher, p };
}
