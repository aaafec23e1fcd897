/**
 * The append-only, hash-chained audit log. Each event's hash is
 * sha256(prev_hash + canonical event), appended inside the caller's transaction (under the
 * `audit` lock), so concurrent writers never fork the chain.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../core/canonical.ts';
import { marks, type Dialect, type SqlExecutor, type SqlValue } from '../sql.ts';

export const GENESIS = '0'.repeat(64);

export interface AuditInput {
  ts: number;
  actor: string;
  action: string;
  workflow?: string | null;
  releaseId?: number | null;
  data?: Record<string, unknown>;
}

export interface AuditEvent {
  seq: number;
  ts: number;
  actor: string;
  action: string;
  workflow: string | null;
  release_id: number | null;
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** An audit row as stored (data as canonical JSON text). */
export interface AuditRow extends Omit<AuditEvent, 'data'> {
  data: string;
}

export type AuditRowView = Omit<AuditRow, 'prev_hash'>;

export type AuditVerification =
  | { ok: true; head: string; count: number }
  | { ok: false; count: number; badSeq: number; message: string };

export interface AuditQuery {
  workflow?: string;
  releaseId?: number;
  sinceTs?: number;
  /** Events up to this one (a later page, newest first). */
  maxSeq?: number;
  limit?: number;
}

export interface AuditRepo {
  /** Appends one event. Only inside `store.tx`, in the same transaction as the change it records. */
  append(input: AuditInput): Promise<AuditEvent>;
  /** Walks the whole chain in order; names the first event that does not hold. */
  verify(): Promise<AuditVerification>;
  /** The hash of the last event (GENESIS when there is none). */
  head(): Promise<string>;
  /** Newest first (`desc`, for lists) or oldest first (`asc`, for export). */
  list(q: AuditQuery, order?: 'asc' | 'desc'): Promise<AuditEvent[]>;
  /** One page, newest first, of the given workflows (plus workflow-less events when `global`). */
  page(q: { workflows: readonly string[]; global: boolean; releaseId?: number; beforeSeq?: number; limit: number }): Promise<{ rows: AuditRowView[]; nextBefore?: number }>;
  /** When a release last entered `state` (an event whose data says `to: state`). */
  lastEntered(releaseId: number, state: string): Promise<number | null>;
}

function eventHash(prev: string, e: Omit<AuditEvent, 'prev_hash' | 'hash'>): string {
  const canonical = canonicalJson({
    seq: e.seq,
    ts: e.ts,
    actor: e.actor,
    action: e.action,
    workflow: e.workflow,
    release_id: e.release_id,
    data: e.data,
  });
  return createHash('sha256').update(prev + canonical).digest('hex');
}

const toEvent = (r: AuditRow): AuditEvent => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> });

/** Rows read per round trip while verifying. */
const VERIFY_PAGE = 2000;

export function sqlAudit(db: SqlExecutor, dialect: Dialect): AuditRepo {
  return {
    async append(input) {
      if (!db.inTransaction) throw new Error('audit.append must run inside store.tx (the event belongs to the change it records)');
      await db.lock('audit');
      const last = await db.get<{ seq: number; hash: string }>('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
      const base = {
        seq: (last?.seq ?? 0) + 1,
        ts: input.ts,
        actor: input.actor,
        action: input.action,
        workflow: input.workflow ?? null,
        release_id: input.releaseId ?? null,
        data: input.data ?? {},
      };
      const prev = last?.hash ?? GENESIS;
      const hash = eventHash(prev, base);
      await db.run('INSERT INTO audit (seq, ts, actor, action, workflow, release_id, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
        base.seq, base.ts, base.actor, base.action, base.workflow, base.release_id, canonicalJson(base.data), prev, hash,
      ]);
      return { ...base, prev_hash: prev, hash };
    },

    async verify() {
      let prev = GENESIS;
      let expectedSeq = 1;
      let count = 0;
      let after = Number.MIN_SAFE_INTEGER;
      for (;;) {
        const rows = await db.all<AuditRow>('SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?', [after, VERIFY_PAGE]);
        for (const row of rows) {
          count++;
          if (row.seq !== expectedSeq)
            return { ok: false, count, badSeq: row.seq, message: `event ${row.seq} is out of place: expected event ${expectedSeq} (a row was deleted or the rows were reordered)` };
          if (row.prev_hash !== prev)
            return { ok: false, count, badSeq: row.seq, message: `event ${row.seq} does not follow the event before it (prev_hash mismatch)` };
          let data: Record<string, unknown>;
          try {
            data = JSON.parse(row.data) as Record<string, unknown>;
          } catch {
            return { ok: false, count, badSeq: row.seq, message: `event ${row.seq} holds unreadable data` };
          }
          const hash = eventHash(prev, { ...row, data });
          if (hash !== row.hash) return { ok: false, count, badSeq: row.seq, message: `event ${row.seq} was altered: its content does not match its hash` };
          prev = row.hash;
          expectedSeq++;
        }
        if (rows.length < VERIFY_PAGE) return { ok: true, head: prev, count };
        after = rows[rows.length - 1]!.seq;
      }
    },

    async head() {
      const last = await db.get<{ hash: string }>('SELECT hash FROM audit ORDER BY seq DESC LIMIT 1');
      return last?.hash ?? GENESIS;
    },

    async list(q, order = 'desc') {
      const where: string[] = [];
      const args: SqlValue[] = [];
      if (q.workflow) {
        where.push('workflow = ?');
        args.push(q.workflow);
      }
      if (q.releaseId !== undefined) {
        where.push('release_id = ?');
        args.push(q.releaseId);
      }
      if (q.sinceTs !== undefined) {
        where.push('ts >= ?');
        args.push(q.sinceTs);
      }
      if (q.maxSeq !== undefined) {
        where.push('seq <= ?');
        args.push(q.maxSeq);
      }
      if (q.limit) args.push(q.limit);
      const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${order === 'asc' ? 'ASC' : 'DESC'}${q.limit ? ' LIMIT ?' : ''}`;
      return (await db.all<AuditRow>(sql, args)).map(toEvent);
    },

    async page(q) {
      const scope: string[] = [];
      const args: SqlValue[] = [];
      if (q.workflows.length) {
        scope.push(`workflow IN (${marks(q.workflows.length)})`);
        args.push(...q.workflows);
      }
      if (q.global) scope.push('workflow IS NULL');
      if (scope.length === 0) return { rows: [] };
      let where = `(${scope.join(' OR ')})`;
      if (q.releaseId !== undefined) {
        where += ' AND release_id = ?';
        args.push(q.releaseId);
      }
      if (q.beforeSeq !== undefined) {
        where += ' AND seq < ?';
        args.push(q.beforeSeq);
      }
      args.push(q.limit + 1);
      const rows = await db.all<AuditRowView>(`SELECT seq, ts, actor, action, workflow, release_id, data, hash FROM audit WHERE ${where} ORDER BY seq DESC LIMIT ?`, args);
      const more = rows.length > q.limit;
      const page = more ? rows.slice(0, q.limit) : rows;
      return { rows: page, ...(more ? { nextBefore: page[page.length - 1]!.seq } : {}) };
    },

    async lastEntered(releaseId, state) {
      const row = await db.get<{ ts: number }>(
        `SELECT ts FROM audit WHERE release_id = ? AND ${dialect.jsonText('data', 'to')} = ? ORDER BY seq DESC LIMIT 1`,
        [releaseId, state],
      );
      return row?.ts ?? null;
    },
  };
}
