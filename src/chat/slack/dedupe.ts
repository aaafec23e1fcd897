/**
 * Exactly-once for incoming Slack deliveries: the first delivery of a key is recorded in SQLite
 * (the `dedupe` table); a retry (X-Slack-Retry-Num) or a second copy of it finds the key and does
 * nothing. The services' state check covers two *different* deliveries racing (double clicks).
 */
import type { Db } from '../../store/db.ts';

const KEEP_MS = 24 * 3600_000;

/** True the first time `key` is seen (and records it), false for every later delivery. */
export function firstDelivery(db: Db, key: string, now: number): boolean {
  return db.prepare('INSERT OR IGNORE INTO dedupe (key, at) VALUES (?, ?)').run(key, now).changes === 1;
}

/** Forgets Slack delivery keys older than a day (Slack retries within minutes). */
export function pruneDeliveries(db: Db, now: number): number {
  return db.prepare("DELETE FROM dedupe WHERE key LIKE 'slack:%' AND at < ?").run(now - KEEP_MS).changes;
}
