/**
 * Run receipts: written in batches (one transaction per batch, idempotent by receipt id, with the
 * `spend_daily` rollups of the new receipts and any early feedback merged — an engine-specific
 * writer, see `ReceiptBatchWriter`), read back for lists, the console, the canary and digests, and
 * given feedback.
 */
import { dayKey } from '../../core/time.ts';
import { marks, type Dialect, type SqlExecutor, type SqlValue } from '../sql.ts';

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

/** A receipt row as read back. */
export type ReceiptRow = ReceiptRecord;

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

/** One receipt of a batch, with what the writer knows about it. */
export interface BatchItem {
  receipt: ReceiptRecord;
  /** The call reached the provider (counts as an upstream call in the rollups). */
  forwarded: boolean;
  /** Early feedback may be waiting for this id (merge it in). */
  merge: boolean;
}

export interface Rollup {
  day: string;
  workflow: string;
  team: string;
  purpose: string;
  variant: string;
  calls: number;
  upstreamCalls: number;
  errors: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
}

/**
 * Writes a batch of receipts in one transaction (the caller's when called on a `store.tx`):
 * per item 1 when the receipt was new, 0 for an id written before; only new receipts count in the
 * rollups, so writing a batch twice changes nothing. Early feedback is merged only from the
 * receipt's own team; any other team's early feedback for that id is dropped.
 */
export type ReceiptBatchWriter = (items: readonly BatchItem[], tz: string) => Promise<Uint8Array>;

export interface ArmRow {
  status: string;
  latency_ms: number | null;
  cost_usd: number;
  tokens: number;
  escalated: number | null;
  overridden: number | null;
  reported: number | null;
  csat: number | null;
}

/** What the canary's early stop reads of the stable config's calls before a stage. */
export interface ConfigRow {
  status: string;
  latency_ms: number | null;
  escalated: number | null;
  overridden: number | null;
  reported: number | null;
}

export interface ReceiptCursor {
  ts: number;
  id: string;
}

export interface ReceiptRepo {
  writeBatch: ReceiptBatchWriter;
  get(id: string): Promise<ReceiptRow | undefined>;
  /** A workflow's receipts of one purpose (default production), newest first. */
  /** Newest first; `fromId`: starting at that receipt (a later page; none when it is not the workflow's). */
  list(q: { workflow: string; purpose?: string; limit: number; beforeTs?: number; fromId?: string }): Promise<ReceiptRow[]>;
  /** One page, newest first, strictly after `before` (ts, id): no row is skipped on ties. */
  page(q: { workflows: readonly string[]; purpose: string; limit: number; before?: ReceiptCursor }): Promise<{ rows: ReceiptRow[]; next?: ReceiptCursor }>;
  /** The team of a written receipt (undefined: no receipt has that id). */
  teamOf(id: string): Promise<{ team: string | null } | undefined>;
  /** Feedback on a written receipt; false when no receipt has that id (yet). */
  applyFeedback(id: string, f: Feedback): Promise<boolean>;
  /** Keeps a team's feedback for a receipt not written yet (merged with its earlier early feedback). */
  keepPendingFeedback(id: string, team: string, f: Feedback, now: number): Promise<void>;
  /** Receipt ids with early feedback waiting. */
  pendingFeedbackIds(): Promise<string[]>;
  /** One arm of a release's canary: its production calls of `variant` since `since`. */
  armRows(releaseId: number, variant: string, since: number): Promise<ArmRow[]>;
  /**
   * A config's production calls of a workflow in [from, to), newest first, at most `limit`: the
   * stable config's calls before a canary stage (the canary's early stop adds them to its baseline).
   */
  configRows(workflow: string, configHash: string, from: number, to: number, limit: number): Promise<ConfigRow[]>;
  /** Production calls of a release (both arms), oldest first, capped. */
  samples(releaseId: number, limit: number): Promise<{ ts: number; variant: string; status: string; latency_ms: number | null }[]>;
  /** Production answers of a workflow with neither `approved` nor `edited` feedback, older than `before`. */
  unreviewedDrafts(workflow: string, before: number): Promise<{ count: number; oldestTs: number | null }>;
  /** Receipts of a workflow marked `needs_approval` and not approved yet. */
  awaitingApproval(workflow: string): Promise<number>;
  /** How many receipts are stored (of one purpose when given). */
  count(purpose?: string): Promise<number>;
}

/** The `spend_daily` rollups of a batch's new receipts (`written[i] === 1`). */
export function rollupsOf(items: readonly BatchItem[], written: Uint8Array, tz: string): Rollup[] {
  const rollups = new Map<string, Rollup>();
  const days = new Map<number, string>();
  for (let i = 0; i < items.length; i++) {
    if (written[i] !== 1) continue;
    const { receipt: r, forwarded } = items[i]!;
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
  return [...rollups.values()];
}

export function applyFeedbackTo(r: ReceiptRecord, f: Feedback): void {
  for (const k of ['approved', 'edited', 'escalated', 'overridden', 'reported'] as const) if (f[k] !== undefined) r[k] = f[k] ? 1 : 0;
  if (f.csat !== undefined) r.csat = f.csat;
  if (f.approved === true) r.needs_approval = 0;
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

/**
 * The digest's authority-ladder counts (parameters: workflow, and for drafts the time before
 * which an answer counts as unreviewed). The partial index holds only rows still waiting for a
 * person; named where the planner (without statistics) would otherwise range-scan every old
 * receipt of the workflow.
 */
export const ladderSql = (dialect: Dialect) => ({
  unreviewedDrafts: `SELECT COUNT(*) AS n, MIN(ts) AS oldest FROM receipts${dialect.indexedBy('receipts_unreviewed')}
     WHERE workflow = ? AND purpose = 'production' AND COALESCE(approved, 0) = 0 AND COALESCE(edited, 0) = 0 AND ts < ?`,
  awaitingApproval: 'SELECT COUNT(*) AS n FROM receipts WHERE workflow = ? AND needs_approval = 1 AND (approved IS NULL OR approved = 0)',
});

export function sqlReceipts(db: SqlExecutor, dialect: Dialect, writeBatch: ReceiptBatchWriter): ReceiptRepo {
  const ladder = ladderSql(dialect);
  return {
    writeBatch,
    get: (id) => db.get<ReceiptRow>('SELECT * FROM receipts WHERE id = ?', [id]),
    async list(q) {
      const args: SqlValue[] = [q.workflow, q.purpose ?? 'production'];
      let where = 'workflow = ? AND purpose = ?';
      if (q.beforeTs) {
        where += ' AND ts < ?';
        args.push(q.beforeTs);
      }
      if (q.fromId !== undefined) {
        const from = await db.get<{ ts: number; id: string }>('SELECT ts, id FROM receipts WHERE id = ? AND workflow = ?', [q.fromId, q.workflow]);
        if (!from) return [];
        where += ' AND (ts < ? OR (ts = ? AND id <= ?))';
        args.push(from.ts, from.ts, from.id);
      }
      args.push(q.limit);
      return db.all<ReceiptRow>(`SELECT * FROM receipts WHERE ${where} ORDER BY ts DESC, id DESC LIMIT ?`, args);
    },
    async page(q) {
      if (q.workflows.length === 0) return { rows: [] };
      const args: SqlValue[] = [...q.workflows, q.purpose];
      let where = `workflow IN (${marks(q.workflows.length)}) AND purpose = ?`;
      if (q.before) {
        where += ' AND (ts < ? OR (ts = ? AND id < ?))';
        args.push(q.before.ts, q.before.ts, q.before.id);
      }
      args.push(q.limit + 1);
      const rows = await db.all<ReceiptRow>(`SELECT * FROM receipts WHERE ${where} ORDER BY ts DESC, id DESC LIMIT ?`, args);
      const more = rows.length > q.limit;
      const page = more ? rows.slice(0, q.limit) : rows;
      const last = page[page.length - 1];
      return { rows: page, ...(more && last ? { next: { ts: last.ts, id: last.id } } : {}) };
    },
    teamOf: (id) => db.get<{ team: string | null }>('SELECT team FROM receipts WHERE id = ?', [id]),
    async applyFeedback(id, f) {
      const sets: string[] = [];
      const args: SqlValue[] = [];
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
      if (sets.length === 0) return !!(await db.get('SELECT 1 AS one FROM receipts WHERE id = ?', [id]));
      return (await db.run(`UPDATE receipts SET ${sets.join(', ')} WHERE id = ?`, [...args, id])).changes > 0;
    },
    async keepPendingFeedback(id, team, f, now) {
      const p = await db.get<{ fields: string }>('SELECT fields FROM pending_feedback WHERE receipt_id = ? AND team = ?', [id, team]);
      const merged = { ...(p ? (JSON.parse(p.fields) as Feedback) : {}), ...f };
      await db.run(
        'INSERT INTO pending_feedback (receipt_id, team, fields, at) VALUES (?, ?, ?, ?) ON CONFLICT (receipt_id, team) DO UPDATE SET fields = excluded.fields, at = excluded.at',
        [id, team, JSON.stringify(merged), now],
      );
    },
    async pendingFeedbackIds() {
      return (await db.all<{ receipt_id: string }>('SELECT DISTINCT receipt_id FROM pending_feedback')).map((r) => r.receipt_id);
    },
    armRows: (releaseId, variant, since) =>
      db.all<ArmRow>(
        `SELECT status, latency_ms, cost_usd, input_tokens + output_tokens AS tokens, escalated, overridden, reported, csat
         FROM receipts WHERE release_id = ? AND variant = ? AND ts >= ? AND purpose = 'production'`,
        [releaseId, variant, since],
      ),
    configRows: (workflow, configHash, from, to, limit) =>
      db.all<ConfigRow>(
        `SELECT status, latency_ms, escalated, overridden, reported FROM receipts
         WHERE workflow = ? AND purpose = 'production' AND ts >= ? AND ts < ? AND config_hash = ?
         ORDER BY ts DESC LIMIT ?`,
        [workflow, from, to, configHash, limit],
      ),
    samples: (releaseId, limit) =>
      db.all(
        `SELECT ts, variant, status, latency_ms FROM receipts WHERE release_id = ? AND purpose = 'production' AND variant IN ('stable', 'candidate')
         ORDER BY ts LIMIT ?`,
        [releaseId, limit],
      ),
    async unreviewedDrafts(workflow, before) {
      const r = await db.get<{ n: number; oldest: number | null }>(ladder.unreviewedDrafts, [workflow, before]);
      return { count: r?.n ?? 0, oldestTs: r?.oldest ?? null };
    },
    async awaitingApproval(workflow) {
      const r = await db.get<{ n: number }>(ladder.awaitingApproval, [workflow]);
      return r?.n ?? 0;
    },
    async count(purpose) {
      const r = purpose
        ? await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM receipts WHERE purpose = ?', [purpose])
        : await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM receipts');
      return r?.n ?? 0;
    },
  };
}
