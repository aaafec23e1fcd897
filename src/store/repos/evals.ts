/** A gate run's results (one row per case × repeat × variant) and the `eval run` cache. */
import { marks, type SqlExecutor } from '../sql.ts';

export interface EvalResultRecord {
  variant: string;
  caseId: string;
  repeat: number;
  passed: boolean;
  score: number;
  escalated: boolean;
  costUsd: number;
  tokens: number;
  latencyMs: number;
  error: string | null;
  output: string | null;
  /** JSON: assertion details and the like. */
  details: string | null;
}

export interface EvalResultRepo {
  /** Replaces the results of one gate run. */
  save(releaseId: number, gateRun: number, results: readonly EvalResultRecord[]): Promise<void>;
  /** The results of one gate run, by case and repeat. */
  load(releaseId: number, gateRun: number): Promise<EvalResultRecord[]>;
}

export interface EvalCacheRepo {
  /** The cached result (JSON) of a key. */
  get(key: string): Promise<string | undefined>;
  /** The cached results (JSON) of the keys that have one. */
  getMany(keys: readonly string[]): Promise<Map<string, string>>;
  put(entries: readonly { key: string; result: string }[], now: number): Promise<void>;
}

interface Row {
  variant: string;
  case_id: string;
  repeat: number;
  passed: number;
  score: number;
  escalated: number;
  cost_usd: number;
  tokens: number;
  latency_ms: number;
  error: string | null;
  output: string | null;
  details: string | null;
}

export function sqlEvalResults(db: SqlExecutor): EvalResultRepo {
  return {
    async save(releaseId, gateRun, results) {
      await db.run('DELETE FROM eval_results WHERE release_id = ? AND gate_run = ?', [releaseId, gateRun]);
      for (const r of results) {
        await db.run(
          `INSERT INTO eval_results (release_id, gate_run, variant, case_id, repeat, passed, score, escalated, cost_usd, tokens, latency_ms, error, output, details)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [releaseId, gateRun, r.variant, r.caseId, r.repeat, r.passed ? 1 : 0, r.score, r.escalated ? 1 : 0, r.costUsd, r.tokens, r.latencyMs, r.error, r.output, r.details],
        );
      }
    },
    async load(releaseId, gateRun) {
      const rows = await db.all<Row>(
        `SELECT variant, case_id, repeat, passed, score, escalated, cost_usd, tokens, latency_ms, error, output, details FROM eval_results
         WHERE release_id = ? AND gate_run = ? ORDER BY case_id, repeat, variant`,
        [releaseId, gateRun],
      );
      return rows.map((r) => ({
        variant: r.variant,
        caseId: r.case_id,
        repeat: r.repeat,
        passed: r.passed === 1,
        score: r.score,
        escalated: r.escalated === 1,
        costUsd: r.cost_usd,
        tokens: r.tokens,
        latencyMs: r.latency_ms,
        error: r.error,
        output: r.output,
        details: r.details,
      }));
    },
  };
}

export function sqlEvalCache(db: SqlExecutor): EvalCacheRepo {
  return {
    async get(key) {
      return (await db.get<{ result: string }>('SELECT result FROM eval_cache WHERE key = ?', [key]))?.result;
    },
    async getMany(keys) {
      const out = new Map<string, string>();
      for (let i = 0; i < keys.length; i += 500) {
        const chunk = keys.slice(i, i + 500);
        for (const r of await db.all<{ key: string; result: string }>(`SELECT key, result FROM eval_cache WHERE key IN (${marks(chunk.length)})`, chunk))
          out.set(r.key, r.result);
      }
      return out;
    },
    async put(entries, now) {
      for (const e of entries)
        await db.run('INSERT INTO eval_cache (key, result, created_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET result = excluded.result, created_at = excluded.created_at', [
          e.key,
          e.result,
          now,
        ]);
    },
  };
}
