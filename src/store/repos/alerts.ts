/**
 * Alerts raised once: a release's alert per (stage, condition) — claimed in the same transaction
 * as the event that posts it, acknowledged later — and a budget's alert level once per period.
 * The last model/fingerprint seen per config (drift detection) lives here too.
 */
import type { SqlExecutor } from '../sql.ts';

export interface AlertClaim {
  releaseId: number;
  stage: number;
  condition: string;
  now: number;
  data?: unknown;
}

export interface AlertRepo {
  /** Claims the alert; false when it was raised before. */
  claim(a: AlertClaim): Promise<boolean>;
  raised(releaseId: number, stage: number, condition: string): Promise<boolean>;
  /** A release's alerts nobody has acknowledged, newest first. */
  open(releaseId: number): Promise<{ stage: number; condition: string }[]>;
  /** Acknowledges every open alert of the release; how many. */
  acknowledge(releaseId: number, who: string, now: number): Promise<number>;
  /** Records a budget alert level once per period; true only the first time. */
  claimBudget(scope: string, period: string, level: number, now: number): Promise<boolean>;
}

export interface ServedModel {
  model: string | null;
  fingerprint: string | null;
}

export interface ServedModelRepo {
  /** The last model/fingerprint seen per config hash. */
  all(): Promise<Map<string, ServedModel>>;
  put(configHash: string, seen: ServedModel, now: number): Promise<void>;
}

export function sqlAlerts(db: SqlExecutor): AlertRepo {
  return {
    async claim(a) {
      const r = await db.run(
        'INSERT INTO alerts (release_id, stage, condition, at, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (release_id, stage, condition) DO NOTHING',
        [a.releaseId, a.stage, a.condition, a.now, a.data === undefined ? null : JSON.stringify(a.data)],
      );
      return r.changes === 1;
    },
    async raised(releaseId, stage, condition) {
      return !!(await db.get('SELECT 1 AS one FROM alerts WHERE release_id = ? AND stage = ? AND condition = ?', [releaseId, stage, condition]));
    },
    open: (releaseId) => db.all('SELECT stage, condition FROM alerts WHERE release_id = ? AND acked_at IS NULL ORDER BY at DESC, stage DESC, condition', [releaseId]),
    async acknowledge(releaseId, who, now) {
      return (await db.run('UPDATE alerts SET acked_by = ?, acked_at = ? WHERE release_id = ? AND acked_at IS NULL', [who, now, releaseId])).changes;
    },
    async claimBudget(scope, period, level, now) {
      const r = await db.run('INSERT INTO budget_alerts (scope, period, level, at) VALUES (?, ?, ?, ?) ON CONFLICT (scope, period, level) DO NOTHING', [scope, period, level, now]);
      return r.changes > 0;
    },
  };
}

export function sqlServedModels(db: SqlExecutor): ServedModelRepo {
  return {
    async all() {
      const rows = await db.all<{ config_hash: string; model_served: string | null; system_fingerprint: string | null }>(
        'SELECT config_hash, model_served, system_fingerprint FROM served_models',
      );
      return new Map(rows.map((r) => [r.config_hash, { model: r.model_served, fingerprint: r.system_fingerprint }]));
    },
    async put(configHash, seen, now) {
      await db.run(
        `INSERT INTO served_models (config_hash, model_served, system_fingerprint, seen_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (config_hash) DO UPDATE SET model_served = excluded.model_served, system_fingerprint = excluded.system_fingerprint, seen_at = excluded.seen_at`,
        [configHash, seen.model, seen.fingerprint, now],
      );
    },
  };
}
