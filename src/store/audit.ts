/**
 * The append-only, hash-chained audit log. Each event's hash is
 * sha256(prev_hash + canonical event), appended inside the caller's transaction.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical.ts';
import type { Db } from './db.ts';

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

/** Appends one event. Call inside a BEGIN IMMEDIATE transaction so writers never fork the chain. */
export function appendAudit(db: Db, input: AuditInput): AuditEvent {
  const last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as
    | { seq: number; hash: string }
    | undefined;
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
  db.prepare(
    'INSERT INTO audit (seq, ts, actor, action, workflow, release_id, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(base.seq, base.ts, base.actor, base.action, base.workflow, base.release_id, canonicalJson(base.data), prev, hash);
  return { ...base, prev_hash: prev, hash };
}

const toEvent = (r: AuditRow): AuditEvent => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> });

export type AuditVerification =
  | { ok: true; head: string; count: number }
  | { ok: false; count: number; badSeq: number; message: string };

/** Walks the whole chain in order; names the first event that does not hold. */
export function verifyAudit(db: Db): AuditVerification {
  const rows = db.prepare('SELECT * FROM audit ORDER BY rowid').iterate() as IterableIterator<AuditRow>;
  let prev = GENESIS;
  let expectedSeq = 1;
  let count = 0;
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
    if (hash !== row.hash)
      return { ok: false, count, badSeq: row.seq, message: `event ${row.seq} was altered: its content does not match its hash` };
    prev = row.hash;
    expectedSeq++;
  }
  return { ok: true, head: prev, count };
}

export function auditHead(db: Db): string {
  const last = db.prepare('SELECT hash FROM audit ORDER BY seq DESC LIMIT 1').get() as { hash: string } | undefined;
  return last?.hash ?? GENESIS;
}

export interface AuditQuery {
  workflow?: string;
  releaseId?: number;
  sinceTs?: number;
  /** Events up to this one (a later page, newest first). */
  maxSeq?: number;
  limit?: number;
}

/** Newest first when limited; oldest first for export. */
export function listAudit(db: Db, q: AuditQuery, order: 'asc' | 'desc' = 'desc'): AuditEvent[] {
  const where: string[] = [];
  const args: unknown[] = [];
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
  const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${order === 'asc' ? 'ASC' : 'DESC'}${q.limit ? ' LIMIT ?' : ''}`;
  if (q.limit) args.push(q.limit);
  return (db.prepare(sql).all(...args) as AuditRow[]).map(toEvent);
}
