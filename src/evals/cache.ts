/**
 * The eval cache of `eval run`: a scored run keyed by (config hash, case content hash, repeat),
 * so an unchanged re-run spends nothing. The case content hash is the sha256 of the canonical
 * JSON of the case together with the suite's escalation rule (which also shapes the result).
 * Failed runs (errors, timeouts) are never cached: a re-run tries them again.
 * Every entry a run may use is read before it starts (one query), so the runner asks in memory.
 * The server's gate never reads it.
 */
import { createHash } from 'node:crypto';
import type { EvalCase, EvalSuite } from '../config/types.ts';
import { canonicalJson } from '../core/canonical.ts';
import type { Repositories } from '../store/store.ts';
import type { RunCache, RunResult } from './runner.ts';

export function caseContentHash(c: EvalCase, escalation: EvalSuite['escalation']): string {
  return createHash('sha256').update(canonicalJson({ case: c, escalation })).digest('hex').slice(0, 24);
}

export function cacheKey(configHash: string, caseHash: string, repeat: number): string {
  return `${configHash}:${caseHash}:${repeat}`;
}

type Stored = Omit<RunResult, 'cached'>;

export class EvalCache implements RunCache {
  /** The cache entries of `suite` run against `configHashes` (read now, in one go). */
  static async load(db: Repositories, suite: EvalSuite, configHashes: readonly string[]): Promise<EvalCache> {
    const keys: string[] = [];
    for (const hash of configHashes)
      // Repeats are numbered from 1; 0 too, should a runner number them from 0.
      for (const c of suite.cases) for (let repeat = 0; repeat <= suite.repeats; repeat++) keys.push(cacheKey(hash, caseContentHash(c, suite.escalation), repeat));
    return new EvalCache(suite.escalation, await db.evalCache.getMany(keys));
  }

  private constructor(
    private readonly escalation: EvalSuite['escalation'],
    private readonly entries: Map<string, string>,
  ) {}

  get(configHash: string, c: EvalCase, repeat: number): RunResult | undefined {
    const json = this.entries.get(cacheKey(configHash, caseContentHash(c, this.escalation), repeat));
    if (json === undefined) return undefined;
    try {
      return { ...(JSON.parse(json) as Stored), cached: true };
    } catch {
      return undefined;
    }
  }

  /** Stores successful fresh runs (in the caller's transaction); how many. */
  async put(db: Repositories, entries: { case: EvalCase; result: RunResult }[], now: number): Promise<number> {
    const rows: { key: string; result: string }[] = [];
    for (const { case: c, result } of entries) {
      if (result.error) continue;
      const { cached: _cached, ...stored } = result;
      rows.push({ key: cacheKey(result.configHash, caseContentHash(c, this.escalation), result.repeat), result: JSON.stringify(stored) });
    }
    await db.evalCache.put(rows, now);
    return rows.length;
  }
}
