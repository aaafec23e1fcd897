/**
 * The event log: written in the same transaction as each change, read by consumers (chat cards,
 * the gate runner, the console) from their own persisted cursor. This is how a change made by the
 * CLI in another process reaches Slack and Teams.
 */
import type { SqlExecutor } from '../sql.ts';

export interface StoredEvent {
  id: number;
  kind: string;
  releaseId: number | null;
  workflow: string | null;
  payload: Record<string, unknown>;
  createdAt: number;
}

export interface NewEvent {
  kind: string;
  releaseId?: number | null;
  workflow?: string | null;
  payload?: Record<string, unknown>;
  now: number;
}

export interface EventRepo {
  /** Appends an event; its id. Inside the transaction of the change it announces. */
  emit(e: NewEvent): Promise<number>;
  /** Events after `afterId`, oldest first. */
  after(afterId: number, limit?: number): Promise<StoredEvent[]>;
  /** The consumer's cursor; a new consumer starts at the present (it does not replay history). */
  cursorOf(consumer: string): Promise<number>;
  /** Moves the consumer's cursor forward to `id` (never back). */
  advance(consumer: string, id: number): Promise<void>;
}

interface Row {
  id: number;
  kind: string;
  release_id: number | null;
  workflow: string | null;
  payload: string;
  created_at: number;
}

export function sqlEvents(db: SqlExecutor): EventRepo {
  return {
    async emit(e) {
      const row = await db.get<{ id: number }>(
        'INSERT INTO events (kind, release_id, workflow, payload, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id',
        [e.kind, e.releaseId ?? null, e.workflow ?? null, JSON.stringify(e.payload ?? {}), e.now],
      );
      return row!.id;
    },
    async after(afterId, limit = 200) {
      const rows = await db.all<Row>('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?', [afterId, limit]);
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        releaseId: r.release_id,
        workflow: r.workflow,
        payload: JSON.parse(r.payload) as Record<string, unknown>,
        createdAt: r.created_at,
      }));
    },
    async cursorOf(consumer) {
      const r = await db.get<{ last_id: number }>('SELECT last_id FROM cursors WHERE consumer = ?', [consumer]);
      if (r) return r.last_id;
      const max = await db.get<{ m: number }>('SELECT COALESCE(MAX(id), 0) AS m FROM events');
      await db.run('INSERT INTO cursors (consumer, last_id) VALUES (?, ?) ON CONFLICT (consumer) DO NOTHING', [consumer, max!.m]);
      // Another writer may have created it meanwhile: its value wins.
      const again = await db.get<{ last_id: number }>('SELECT last_id FROM cursors WHERE consumer = ?', [consumer]);
      return again!.last_id;
    },
    async advance(consumer, id) {
      await db.run(
        `INSERT INTO cursors (consumer, last_id) VALUES (?, ?)
         ON CONFLICT (consumer) DO UPDATE SET last_id = CASE WHEN excluded.last_id > cursors.last_id THEN excluded.last_id ELSE cursors.last_id END`,
        [consumer, id],
      );
    },
  };
}
