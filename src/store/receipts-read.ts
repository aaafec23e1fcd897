/** Reading receipts back (the gateway writes them in batches: see gateway/receipt-writer.ts). */
import type { Db } from './db.ts';

export interface ReceiptRow {
  id: string;
  ts: number;
  purpose: string;
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
  status: string;
  error_type: string | null;
  tool_calls: string | null;
  sources: string | null;
  output: string | null;
  needs_approval: number;
  approved: number | null;
  edited: number | null;
  escalated: number | null;
  overridden: number | null;
  reported: number | null;
  csat: number | null;
}

export function listReceipts(db: Db, q: { workflow: string; purpose?: string; limit: number; beforeTs?: number }): ReceiptRow[] {
  return db
    .prepare(
      `SELECT * FROM receipts WHERE workflow = ? AND purpose = ? ${q.beforeTs ? 'AND ts < ?' : ''} ORDER BY ts DESC, id DESC LIMIT ?`,
    )
    .all(...[q.workflow, q.purpose ?? 'production', ...(q.beforeTs ? [q.beforeTs] : []), q.limit]) as ReceiptRow[];
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
