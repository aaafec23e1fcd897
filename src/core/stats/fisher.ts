import { logChoose } from './logFactorial.ts';

export interface FisherResult {
  /** Sum of the probabilities of all tables as likely as or less likely than the observed one. */
  twoSided: number;
  /** P(cell a >= observed): the first row's share of the first column is larger. */
  greater: number;
  /** P(cell a <= observed). */
  less: number;
}

/**
 * Fisher's exact test on the 2x2 table [[a, b], [c, d]] with fixed margins
 * (cell a is hypergeometric).
 */
export function fisherExact(a: number, b: number, c: number, d: number): FisherResult {
  const row1 = a + b;
  const row2 = c + d;
  const col1 = a + c;
  const n = row1 + row2;
  const lo = Math.max(0, col1 - row2);
  const hi = Math.min(row1, col1);
  const logDenominator = logChoose(n, col1);
  const prob = (x: number) => Math.exp(logChoose(row1, x) + logChoose(row2, col1 - x) - logDenominator);
  const observed = prob(a);
  const tolerance = observed * (1 + 1e-7);
  let twoSided = 0;
  let greater = 0;
  let less = 0;
  for (let x = lo; x <= hi; x++) {
    const p = prob(x);
    if (p <= tolerance) twoSided += p;
    if (x >= a) greater += p;
    if (x <= a) less += p;
  }
  return { twoSided: Math.min(1, twoSided), greater: Math.min(1, greater), less: Math.min(1, less) };
}
