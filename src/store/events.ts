/**
 * The event log: written in the same transaction as each change, read by consumers (chat cards,
 * the gate runner, the console) from their own persisted cursor. This is how a change made by the
 * CLI in another process reaches Slack and Teams.
 */
import type { Db } from './db.ts';

export interface StoredEvent {
  id: number;
  kind: string;
  releaseId: number | null;
  workflow: string | null;
  payload: Record<string, unknown>;
  createdAt: number;
}

export function emitEvent(
  db: Db,
  e: { kind: string; releaseId?: number | null; workflow?: string | null; payload?: Record<string, unknown>; now: number },
): number {
  const r = db
    .prepare('INSERT INTO events (kind, release_id, workflow, payload, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(e.kind, e.releaseId ?? null, e.workflow ?? null, JSON.stringify(e.payload ?? {}), e.now);
  return Number(r.lastInsertRowid);
}

export function cursorOf(db: Db, consumer: string): number {
  const r = db.prepare('SELECT last_id FROM cursors WHERE consumer = ?').get(consumer) as { last_id: number } | undefined;
  if (r) return r.last_id;
  // A new consumer starts at the present: it does not replay history.
  const max = db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM events').get() as { m: number };
  db.prepare('INSERT OR IGNORE INTO cursors (consumer, last_id) VALUES (?, ?)').run(consumer, max.m);
  return max.m;
}

export function eventsAfter(db: Db, afterId: number, limit = 200): StoredEvent[] {
  return (
    db.prepare('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as {
      id: number;
      kind: string;
      release_id: number | null;
      workflow: string | null;
      payload: string;
      created_at: number;
    }[]
  ).map((r) => ({
    id: r.id,
    kind: r.kind,
    releaseId: r.release_id,
    workflow: r.workflow,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    createdAt: r.created_at,
  }));
}

export function advanceCursor(db: Db, consumer: string, id: number): void {
  db.prepare(
    'INSERT INTO cursors (consumer, last_id) VALUES (?, ?) ON CONFLICT(consumer) DO UPDATE SET last_id = MAX(last_id, excluded.last_id)',
  ).run(consumer, id);
}
