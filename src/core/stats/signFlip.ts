/**
 * The exact paired sign-flip (permutation) test for clustered data: one integer difference per
 * cluster (e.g. per eval case: baseline passes − candidate passes over its repeats). Under the
 * null hypothesis the two variants are exchangeable within each cluster, so each cluster's
 * difference is as likely to have either sign; the statistic S = Σ d_k is compared with its
 * exact distribution over all 2^K sign patterns (computed by convolution, not enumeration).
 * Clustering is respected because a whole cluster flips at once, however correlated its runs are.
 */

export interface SignFlipResult {
  /** S = Σ d_k. */
  statistic: number;
  /** Clusters with a non-zero difference (the others cannot move S). */
  nonzero: number;
  /** P(S' >= S) under the null (one-sided, "the differences are positive"). */
  greater: number;
  /** P(|S'| >= |S|): two-sided. */
  twoSided: number;
}

export function signFlipTest(diffs: readonly number[]): SignFlipResult {
  const d: number[] = [];
  for (const x of diffs) {
    if (!Number.isInteger(x)) throw new RangeError(`signFlipTest needs integer differences, got ${x}`);
    if (x !== 0) d.push(Math.abs(x));
  }
  const statistic = diffs.reduce((a, b) => a + b, 0);
  const total = d.reduce((a, b) => a + b, 0);
  if (d.length === 0) return { statistic, nonzero: 0, greater: 1, twoSided: 1 };
  // ways[s + total] = number of sign patterns with sum s (integers: exact below 2^53).
  let ways = new Array<number>(2 * total + 1).fill(0);
  ways[total] = 1;
  for (const x of d) {
    const next = new Array<number>(2 * total + 1).fill(0);
    for (let i = 0; i < ways.length; i++) {
      const w = ways[i];
      if (w === 0) continue;
      next[i + x] += w;
      next[i - x] += w;
    }
    ways = next;
  }
  const patterns = 2 ** d.length;
  let greater = 0;
  let extreme = 0;
  for (let i = 0; i < ways.length; i++) {
    const s = i - total;
    if (s >= statistic) greater += ways[i];
    if (Math.abs(s) >= Math.abs(statistic)) extreme += ways[i];
  }
  return { statistic, nonzero: d.length, greater: greater / patterns, twoSided: extreme / patterns };
}
