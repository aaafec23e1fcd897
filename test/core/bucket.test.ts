import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bucketOf, takesCandidate } from '../../src/core/bucket.ts';

describe('sticky bucketing', () => {
  const units = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);
  const salt = 'a1b2c3d4e5f60718';

  it('is sha256(salt:unit) mod 10000 over the whole digest', () => {
    const big = BigInt(`0x${createHash('sha256').update(`${salt}:user-42`).digest('hex')}`);
    expect(bucketOf(salt, 'user-42')).toBe(Number(big % 10000n));
  });

  it.each([5, 25, 50])('splits %i%% within ±1 pp over 20k units', (w) => {
    const share = units.filter((u) => takesCandidate(salt, u, w)).length / units.length;
    expect(Math.abs(share * 100 - w)).toBeLessThanOrEqual(1);
  });

  it('raising the weight never moves a unit back to stable', () => {
    const weights = [0, 5, 25, 50, 100];
    for (let i = 1; i < weights.length; i++) {
      for (const u of units) {
        if (takesCandidate(salt, u, weights[i - 1]!)) expect(takesCandidate(salt, u, weights[i]!)).toBe(true);
      }
    }
  });

  it('another salt gives another assignment', () => {
    const a = units.filter((u) => takesCandidate(salt, u, 25));
    const b = new Set(units.filter((u) => takesCandidate('other-salt', u, 25)));
    const overlap = a.filter((u) => b.has(u)).length / a.length;
    expect(overlap).toBeLessThan(0.4);
  });
});
