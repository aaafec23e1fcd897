import { normalCdf } from './normal.ts';

export interface TwoProportionResult {
  /** (p2 - p1) / pooled standard error: positive when the second proportion is higher. */
  z: number;
  twoSided: number;
  /** One-sided p for "the second proportion is greater than the first". */
  greater: number;
  /** One-sided p for "the second proportion is less than the first". */
  less: number;
}

/** The pooled two-proportion z test of x1/n1 against x2/n2. */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): TwoProportionResult {
  if (n1 <= 0 || n2 <= 0) return { z: 0, twoSided: 1, greater: 1, less: 1 };
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const diff = x2 / n2 - x1 / n1;
  const z = se > 0 ? diff / se : 0;
  const greater = normalCdf(-z);
  const less = normalCdf(z);
  return { z, twoSided: Math.min(1, 2 * Math.min(greater, less)), greater, less };
}
