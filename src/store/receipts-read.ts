/** Reading receipts back (the gateway writes them in batches: see gateway/receipt-writer.ts). */
import type { Db } from './db.ts';
import type { ReceiptRecord } from './receipts-write.ts';
import type { ConfigRow } from './repos/receipts.ts';

/** A receipt row as stored (the writer's record). */
export type ReceiptRow = ReceiptRecord;

/** Newest first; `fromId`: starting at that receipt (a later page), none when it is not the workflow's. */
export function listReceipts(db: Db, q: { workflow: string; purpose?: string; limit: number; beforeTs?: number; fromId?: string }): ReceiptRow[] {
  const args: unknown[] = [q.workflow, q.purpose ?? 'production'];
  let where = 'workflow = ? AND purpose = ?';
  if (q.beforeTs) {
    where += ' AND ts < ?';
    args.push(q.beforeTs);
  }
  if (q.fromId !== undefined) {
    const from = db.prepare('SELECT ts, id FROM receipts WHERE id = ? AND workflow = ?').get(q.fromId, q.workflow) as { ts: number; id: string } | undefined;
    if (!from) return [];
    where += ' AND (ts < ? OR (ts = ? AND id <= ?))';
    args.push(from.ts, from.ts, from.id);
  }
  return db.prepare(`SELECT * FROM receipts WHERE ${where} ORDER BY ts DESC, id DESC LIMIT ?`).all(...args, q.limit) as ReceiptRow[];
}

/** A config's production calls of a workflow in [from, to), newest first, at most `limit` (see repos/receipts.ts configRows). */
export function configRows(db: Db, workflow: string, configHash: string, from: number, to: number, limit: number): ConfigRow[] {
  return db
    .prepare(
      `SELECT status, latency_ms, escalated, overridden, reported FROM receipts
       WHERE workflow = ? AND purpose = 'production' AND ts >= ? AND ts < ? AND config_hash = ?
       ORDER BY ts DESC LIMIT ?`,
    )
    .all(workflow, from, to, configHash, limit) as ConfigRow[];
}

export function getReceipt(db: Db, id: string): ReceiptRow | undefined {
  return db.prepare('SELECT * FROM receipts WHERE id = ?').get(id) as ReceiptRow | undefined;
}

/** A receipt as the API shows it: the contract's field names, booleans and JSON decoded. */
export function receiptJson(r: ReceiptRow): Record<string, unknown> {
  const bool = (v: number | null) => (v === null ? null : v === 1);
  return {
    ...r,
    release_id: r.release_id === null ? null : `REL-${r.release_id}`,
    tool_calls: r.tool_calls ? (JSON.parse(r.tool_calls) as unknown) : [],
    sources: r.sources ? (JSON.parse(r.sources) as unknown) : [],
    needs_approval: r.needs_approval === 1,
    approved: bool(r.approved),
    edited: bool(r.edited),
    escalated: bool(r.escalated),
    overridden: bool(r.overridden),
    reported: bool(r.reported),
  };
}
