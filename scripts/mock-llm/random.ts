/**
 * Deterministic randomness for the mock LLM simulator: every draw comes from a hash of the
 * seed, the request's content and how many times that same request was seen before, so
 * repeats of one eval case differ while a re-run with the same seed reproduces exactly.
 */
import { createHash } from 'node:crypto';
import { mulberry32 } from '../../src/core/random.ts';

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One item, each with probability proportional to its weight. */
  weighted<T>(items: readonly { item: T; weight: number }[]): T | undefined;
  /** Lognormal draw around `median` (sigma is the log-space spread). */
  lognormal(median: number, sigma: number): number;
}


export function seedFrom(...parts: (string | number)[]): number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return digest.readUInt32LE(0);
}

export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  return {
    next,
    chance: (p) => p > 0 && next() < p,
    weighted(items) {
      const total = items.reduce((sum, i) => sum + Math.max(0, i.weight), 0);
      if (total <= 0) return undefined;
      let r = next() * total;
      for (const i of items) {
        r -= Math.max(0, i.weight);
        if (r < 0) return i.item;
      }
      return items[items.length - 1]?.item;
    },
    lognormal(median, sigma) {
      // Box-Muller; 1 - next() keeps the log argument above zero.
      const z = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
      return median * Math.exp(sigma * z);
    },
  };
}
