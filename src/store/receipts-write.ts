/**
 * Writing run receipts: a batch in one transaction, idempotent by receipt id, with the
 * `spend_daily` rollups updated in the same transaction and feedback that arrived early merged in.
 */
import { dayKey } from '../core/time.ts';
import type { Db } from './db.ts';

/** One receipt as stored (the contract's fields; JSON fields already serialised). */
export interface ReceiptRecord {
  id: string;
  ts: number;
  purpose: 'production' | 'eval';
  workflow: string;
  team: string | null;
  release_id: number | null;
  variant: string | null;
  config_hash: string | null;
  provider: string | null;
  model_requested: string | null;
  model_served: string | null;
  system_fingerprint: string | null;
  unit_hash: string | null;
  input_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  price_version: string | null;
  latency_ms: number | null;
  status: 'ok' | 'error';
  error_type: string | null;
  tool_calls: string | null;
  sources: string | null;
  output: string | null;
  needs_approval: 0 | 1;
  approved: 0 | 1 | null;
  edited: 0 | 1 | null;
  escalated: 0 | 1 | null;
  overridden: 0 | 1 | null;
  reported: 0 | 1 | null;
  csat: number | null;
}

export const RECEIPT_COLUMNS = [
  'id', 'ts', 'purpose', 'workflow', 'team', 'release_id', 'variant', 'config_hash', 'provider', 'model_requested',
  'model_served', 'system_fingerprint', 'unit_hash', 'input_tokens', 'cached_tokens', 'output_tokens', 'reasoning_tokens',
  'cost_usd', 'price_version', 'latency_ms', 'status', 'error_type', 'tool_calls', 'sources', 'output', 'needs_approval',
  'approved', 'edited', 'escalated', 'overridden', 'reported', 'csat',
] as const satisfies readonly (keyof ReceiptRecord)[];

/** Feedback fields (contract: `POST /v1/receipts/{id}/feedback`). */
export interface Feedback {
  approved?: boolean;
  edited?: boolean;
  escalated?: boolean;
  overridden?: boolean;
  reported?: boolean;
  csat?: number;
}

export interface RollupKey {
  day: string;
  workflow: string;
  team: string;
  purpose: string;
  variant: string;
}

export interface Rollup extends RollupKey {
  calls: number;
  upstreamCalls: number;
  errors: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
}

export class ReceiptStore {
  private insert;
  private upsertRollup;
  private pendingOf;
  private dropPending;
  private putPending;

  constructor(private db: Db) {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO receipts (${RECEIPT_COLUMNS.join(', ')}) VALUES (${RECEIPT_COLUMNS.map(() => '?').join(', ')})`,
    );
    this.upsertRollup = db.prepare(
      `INSERT INTO spend_daily (day, workflow, team, purpose, variant, calls, upstream_calls, errors, cost_usd, input_tokens, output_tokens)
       VALUES (@day, @workflow, @team, @purpose, @variant, @calls, @upstreamCalls, @errors, @costUsd, @inputTokens, @outputTokens)
       ON CONFLICT (day, workflow, purpose, variant) DO UPDATE SET
         calls = calls + excluded.calls, upstream_calls = upstream_calls + excluded.upstream_calls,
         errors = errors + excluded.errors, cost_usd = cost_usd + excluded.cost_usd,
         input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens`,
    );
    this.pendingOf = db.prepare('SELECT fields FROM pending_feedback WHERE receipt_id = ? AND team = ?');
    this.dropPending = db.prepare('DELETE FROM pending_feedback WHERE receipt_id = ?');
    this.putPending = db.prepare(
      'INSERT INTO pending_feedback (receipt_id, team, fields, at) VALUES (?, ?, ?, ?) ON CONFLICT (receipt_id, team) DO UPDATE SET fields = excluded.fields, at = excluded.at',
    );
  }

  /**
   * Inserts one receipt (call inside a transaction); false when its id was written before. Early
   * feedback is merged only from the receipt's own team; any other team's for this id is dropped.
   */
  insertReceipt(r: ReceiptRecord, mergePending: boolean): boolean {
    if (mergePending) {
      const p = this.pendingOf.get(r.id, r.team ?? '') as { fields: string } | undefined;
      if (p) applyFeedbackTo(r, JSON.parse(p.fields) as Feedback);
      this.dropPending.run(r.id);
    }
    return (
      this.insert.run(
        r.id, r.ts, r.purpose, r.workflow, r.team, r.release_id, r.variant, r.config_hash, r.provider, r.model_requested,
        r.model_served, r.system_fingerprint, r.unit_hash, r.input_tokens, r.cached_tokens, r.output_tokens, r.reasoning_tokens,
        r.cost_usd, r.price_version, r.latency_ms, r.status, r.error_type, r.tool_calls, r.sources, r.output, r.needs_approval,
        r.approved, r.edited, r.escalated, r.overridden, r.reported, r.csat,
      ).changes > 0
    );
  }

  addRollup(r: Rollup): void {
    this.upsertRollup.run(r);
  }

  /** Feedback on a written receipt; false when no receipt has that id (yet). */
  applyFeedback(id: string, f: Feedback): boolean {
    const sets: string[] = [];
    const args: (number | null)[] = [];
    for (const k of ['approved', 'edited', 'escalated', 'overridden', 'reported'] as const) {
      if (f[k] !== undefined) {
        sets.push(`${k} = ?`);
        args.push(f[k] ? 1 : 0);
      }
    }
    if (f.csat !== undefined) {
      sets.push('csat = ?');
      args.push(f.csat);
    }
    if (f.approved === true) sets.push('needs_approval = 0');
    if (sets.length === 0) return !!this.db.prepare('SELECT 1 FROM receipts WHERE id = ?').get(id);
    return this.db.prepare(`UPDATE receipts SET ${sets.join(', ')} WHERE id = ?`).run(...args, id).changes > 0;
  }

  /** Keeps a team's feedback for a receipt not written yet (merged with its earlier early feedback). */
  keepPending(id: string, team: string, f: Feedback, now: number): void {
    const p = this.pendingOf.get(id, team) as { fields: string } | undefined;
    const merged = { ...(p ? (JSON.parse(p.fields) as Feedback) : {}), ...f };
    this.putPending.run(id, team, JSON.stringify(merged), now);
  }

  pendingIds(): string[] {
    return (this.db.prepare('SELECT DISTINCT receipt_id FROM pending_feedback').all() as { receipt_id: string }[]).map((r) => r.receipt_id);
  }

  teamOf(id: string): { team: string | null } | undefined {
    return this.db.prepare('SELECT team FROM receipts WHERE id = ?').get(id) as { team: string | null } | undefined;
  }
}

/** One receipt of a batch, with what the writer knows about it. */
export interface BatchItem {
  receipt: ReceiptRecord;
  /** The call reached the provider (counts as an upstream call in the rollups). */
  forwarded: boolean;
  /** Early feedback may be waiting for this id (merge it in). */
  merge: boolean;
}

/**
 * Writes a batch of receipts and their `spend_daily` rollups in one BEGIN IMMEDIATE transaction
 * (on whichever connection `store` uses: the server's, or the receipt writer's worker thread).
 * Returns, per item, 1 when the receipt was new and 0 for an id written before; only new
 * receipts count in the rollups, so writing a batch twice changes nothing.
 */
export function writeReceiptBatch(db: Db, store: ReceiptStore, items: readonly BatchItem[], tz: string): Uint8Array {
  const written = new Uint8Array(items.length);
  db.transaction(() => {
    const rollups = new Map<string, Rollup>();
    const days = new Map<number, string>();
    for (let i = 0; i < items.length; i++) {
      const { receipt: r, forwarded, merge } = items[i]!;
      if (!store.insertReceipt(r, merge)) continue;
      written[i] = 1;
      // The day in TZ, computed once per minute of timestamps (Intl formatting is not free).
      const minute = Math.floor(r.ts / 60_000);
      let day = days.get(minute);
      if (day === undefined) days.set(minute, (day = dayKey(r.ts, tz)));
      const variant = r.variant ?? 'stable';
      const k = `${day}|${r.workflow}|${r.purpose}|${variant}`;
      let u = rollups.get(k);
      if (!u) {
        u = { day, workflow: r.workflow, team: r.team ?? '', purpose: r.purpose, variant, calls: 0, upstreamCalls: 0, errors: 0, costUsd: 0, inputTokens: 0, outputTokens: 0 };
        rollups.set(k, u);
      }
      u.calls++;
      if (forwarded) u.upstreamCalls++;
      if (r.status !== 'ok') u.errors++;
      u.costUsd += r.cost_usd;
      u.inputTokens += r.input_tokens;
      u.outputTokens += r.output_tokens;
    }
    for (const u of rollups.values()) store.addRollup(u);
  }).immediate();
  return written;
}

export function applyFeedbackTo(r: ReceiptRecord, f: Feedback): void {
  for (const k of ['approved', 'edited', 'escalated', 'overridden', 'reported'] as const) if (f[k] !== undefined) r[k] = f[k] ? 1 : 0;
  if (f.csat !== undefined) r.csat = f.csat;
  if (f.approved === true) r.needs_approval = 0;
}

/** Production spend per (day, workflow) from the rollups, for seeding the budget ledger. */
export function spendRows(db: Db, fromDay: string, toDay: string): { day: string; workflow: string; team: string; cost: number; upstream_calls: number }[] {
  return db
    .prepare(
      `SELECT day, workflow, team, SUM(cost_usd) AS cost, SUM(upstream_calls) AS upstream_calls FROM spend_daily
       WHERE purpose = 'production' AND day >= ? AND day <= ? GROUP BY day, workflow, team`,
    )
    .all(fromDay, toDay) as { day: string; workflow: string; team: string; cost: number; upstream_calls: number }[];
}

/** The last model/fingerprint seen per config (drift detection). */
export function servedModels(db: Db): Map<string, { model: string | null; fingerprint: string | null }> {
  const rows = db.prepare('SELECT config_hash, model_served, system_fingerprint FROM served_models').all() as {
    config_hash: string;
    model_served: string | null;
    system_fingerprint: string | null;
  }[];
  return new Map(rows.map((r) => [r.config_hash, { model: r.model_served, fingerprint: r.system_fingerprint }]));
}

export function putServedModel(db: Db, hash: string, model: string | null, fingerprint: string | null, now: number): void {
  db.prepare(
    `INSERT INTO served_models (config_hash, model_served, system_fingerprint, seen_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (config_hash) DO UPDATE SET model_served = excluded.model_served, system_fingerprint = excluded.system_fingerprint, seen_at = excluded.seen_at`,
  ).run(hash, model, fingerprint, now);
}

/** Records a budget alert level once per period; true only the first time. */
export function claimBudgetAlert(db: Db, scope: string, period: string, level: number, now: number): boolean {
  return db.prepare('INSERT OR IGNORE INTO budget_alerts (scope, period, level, at) VALUES (?, ?, ?, ?)').run(scope, period, level, now).changes > 0;
}
