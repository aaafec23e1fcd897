/**
 * Seeded draws for the simulations: exact binomial samples (inversion for small means, Hörmann's
 * BTRS transformed rejection for large ones) and multinomial counts by conditional binomials.
 */
import { logFactorial } from '../../src/core/stats/logFactorial.ts';
import { mulberry32 } from '../../src/core/random.ts';

export type Uniform = () => number;

export const seeded = (seed: number): Uniform => mulberry32(seed);

/** Binomial(n, p). */
export function binomial(u: Uniform, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(u, n, 1 - p);
  if (n * p < 10) return inversion(u, n, p);
  return btrs(u, n, p);
}

function inversion(u: Uniform, n: number, p: number): number {
  const q = 1 - p;
  const s = p / q;
  const a = (n + 1) * s;
  let r = q ** n;
  let x = u();
  let k = 0;
  while (x > r) {
    x -= r;
    k++;
    if (k > n) return n;
    r *= a / k - s;
  }
  return k;
}

/** W. Hörmann (1993), "The generation of binomial random variates", algorithm BTRS. */
function btrs(u: Uniform, n: number, p: number): number {
  const q = 1 - p;
  const spq = Math.sqrt(n * p * q);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const alpha = (2.83 + 5.1 / b) * spq;
  const lpq = Math.log(p / q);
  const m = Math.floor((n + 1) * p);
  const h = logFactorial(m) + logFactorial(n - m);
  for (;;) {
    const uu = u() - 0.5;
    let v = u();
    const us = 0.5 - Math.abs(uu);
    const k = Math.floor(((2 * a) / us + b) * uu + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    v = Math.log((v * alpha) / (a / (us * us) + b));
    if (v <= h - logFactorial(k) - logFactorial(n - k) + (k - m) * lpq) return k;
  }
}

/** Poisson(mu) by counting unit-rate exponential gaps (small mu) or a binomial with a huge n. */
export function poisson(u: Uniform, mu: number): number {
  if (mu <= 0) return 0;
  if (mu < 30) {
    const limit = Math.exp(-mu);
    let k = 0;
    let prod = u();
    while (prod > limit) {
      k++;
      prod *= u();
    }
    return k;
  }
  return binomial(u, 1_000_000_000, mu / 1_000_000_000);
}

/** Adds Multinomial(n, probs) to `into`: one draw per item for few items, else conditional binomials cell by cell. */
export function addMultinomial(u: Uniform, n: number, probs: readonly number[], into: number[], cumulative?: readonly number[]): void {
  if (cumulative && n < 40) {
    for (let i = 0; i < n; i++) {
      const x = u();
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      into[lo]++;
    }
    return;
  }
  let left = n;
  let mass = 1;
  for (let i = 0; i < probs.length && left > 0; i++) {
    const k = i === probs.length - 1 ? left : binomial(u, left, Math.min(1, probs[i] / mass));
    into[i] += k;
    left -= k;
    mass -= probs[i];
  }
}
