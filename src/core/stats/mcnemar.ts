import { logChoose } from './logFactorial.ts';

/**
 * McNemar's exact test with the mid-p correction, two-sided, for paired binary outcomes.
 * b = pairs where the baseline passed and the candidate failed, c = the reverse.
 * With m = b + c discordant pairs and X ~ Bin(m, 1/2):
 *   mid-p = 2 * P(X < min(b, c)) + P(X = min(b, c)), capped at 1; 1 when m = 0.
 */
export function mcnemarMidP(b: number, c: number): number {
  const m = b + c;
  if (m === 0) return 1;
  const k = Math.min(b, c);
  const pmf = (x: number) => Math.exp(logChoose(m, x) - m * Math.LN2);
  let below = 0;
  for (let x = 0; x < k; x++) below += pmf(x);
  return Math.min(1, 2 * below + pmf(k));
}
