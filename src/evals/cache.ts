/**
 * The eval cache of `eval run`: a scored run keyed by (config hash, case content hash, repeat),
 * so an unchanged re-run spends nothing. The case content hash is the sha256 of the canonical
 * JSON of the case together with the suite's escalation rule (which also shapes the result).
 * Failed runs (errors, timeouts) are never cached: a re-run tries them again.
 * The server's gate never reads it.
 */
import { createHash } from 'node:crypto';
import type { EvalCase, EvalSuite } from '../config/types.ts';
import { canonicalJson } from '../core/canonical.ts';
import type { Db } from '../store/db.ts';
import type { RunCache, RunResult } from './runner.ts';

export function caseContentHash(c: EvalCase, escalation: EvalSuite['escalation']): string {
  return createHash('sha256').update(canonicalJson({ case: c, escalation })).digest('hex').slice(0, 24);
}

export function cacheKey(configHash: string, caseHash: string, repeat: number): string {
  return `${configHash}:${caseHash}:${repeat}`;
}

type Stored = Omit<RunResult, 'cached'>;

export class EvalCache implements RunCache {
  private readonly read: ReturnType<Db['prepare']>;

  constructor(
    private readonly db: Db,
    private readonly escalation: EvalSuite['escalation'],
  ) {
    this.read = db.prepare('SELECT result FROM eval_cache WHERE key = ?');
  }

  get(configHash: string, c: EvalCase, repeat: number): RunResult | undefined {
    const row = this.read.get(cacheKey(configHash, caseContentHash(c, this.escalation), repeat)) as { result: string } | undefined;
    if (!row) return undefined;
    try {
      return { ...(JSON.parse(row.result) as Stored), cached: true };
    } catch {
      return undefined;
    }
  }

  /** Stores successful fresh runs; call inside the caller's transaction. */
  put(entries: { case: EvalCase; result: RunResult }[], now: number): number {
    const ins = this.db.prepare('INSERT OR REPLACE INTO eval_cache (key, result, created_at) VALUES (?, ?, ?)');
    let n = 0;
    for (const { case: c, result } of entries) {
      if (result.error) continue;
      const { cached: _cached, ...stored } = result;
      ins.run(cacheKey(result.configHash, caseContentHash(c, this.escalation), result.repeat), JSON.stringify(stored), now);
      n++;
    }
    return n;
  }
}
