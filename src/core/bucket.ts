/**
 * Sticky bucketing, LaunchDarkly/Statsig style: a unit's bucket is
 * `sha256(salt + ":" + unit) mod 10000`, with a fixed salt per release, and the unit takes the
 * candidate when `bucket < weight × 100`. Raising the weight only adds units to the candidate.
 */
import { createHash } from 'node:crypto';

export const BUCKETS = 10_000;

/** The whole 256-bit digest taken mod 10000 (byte by byte, no BigInt needed). */
export function bucketOf(salt: string, unit: string): number {
  const digest = createHash('sha256').update(`${salt}:${unit}`).digest();
  let r = 0;
  for (let i = 0; i < digest.length; i++) r = (r * 256 + digest[i]!) % BUCKETS;
  return r;
}

/** Whether a unit gets the candidate at `weightPct` percent. */
export function takesCandidate(salt: string, unit: string, weightPct: number): boolean {
  if (weightPct <= 0) return false;
  if (weightPct >= 100) return true;
  return bucketOf(salt, unit) < weightPct * 100;
}
