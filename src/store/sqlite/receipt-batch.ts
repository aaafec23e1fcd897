/**
 * SQLite's receipt batch writer: receipts (idempotent by id, early feedback merged) and their
 * `spend_daily` rollups with statements prepared once — the largest piece of the gateway's own
 * work per request. Synchronous, inside the caller's transaction: used by the store (inline) and
 * by the receipt writer's worker thread on its own connection.
 */
import { RECEIPT_COLUMNS, applyFeedbackTo, rollupsOf, type BatchItem, type Feedback } from '../repos/receipts.ts';
import type { Connection } from './connection.ts';

export class SqliteReceiptBatch {
  private insert;
  private upsertRollup;
  private pendingOf;
  private dropPending;

  constructor(db: Connection) {
    this.insert = db.prepare(
      `INSERT INTO receipts (${RECEIPT_COLUMNS.join(', ')}) VALUES (${RECEIPT_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`,
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
  }

  /** Writes the batch in the open transaction; per item 1 when new, 0 for an id written before. */
  write(items: readonly BatchItem[], tz: string): Uint8Array {
    const written = new Uint8Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const { receipt: r, merge } = items[i]!;
      if (merge) {
        const p = this.pendingOf.get(r.id, r.team ?? '') as { fields: string } | undefined;
        if (p) applyFeedbackTo(r, JSON.parse(p.fields) as Feedback);
        this.dropPending.run(r.id);
      }
      const added = this.insert.run(
        r.id, r.ts, r.purpose, r.workflow, r.team, r.release_id, r.variant, r.config_hash, r.provider, r.model_requested,
        r.model_served, r.system_fingerprint, r.unit_hash, r.input_tokens, r.cached_tokens, r.output_tokens, r.reasoning_tokens,
        r.cost_usd, r.price_version, r.latency_ms, r.status, r.error_type, r.tool_calls, r.sources, r.output, r.needs_approval,
        r.approved, r.edited, r.escalated, r.overridden, r.reported, r.csat,
      ).changes;
      if (added > 0) written[i] = 1;
    }
    for (const u of rollupsOf(items, written, tz)) this.upsertRollup.run(u);
    return written;
  }
}
