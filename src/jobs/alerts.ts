/**
 * Alerts are raised once per condition per stage: the `alerts` row (primary key release, stage,
 * condition) is claimed in the same transaction as the event that posts the alert, so repeated
 * runs, concurrent processes and restarts neither repeat nor lose one.
 */
import type { Card } from '../core/card.ts';
import type { Db } from '../store/db.ts';
import { emitAlert } from '../services/notify.ts';

/** Claims the alert; false when it was raised before. Call inside a transaction. */
export function claimAlert(db: Db, a: { releaseId: number; stage: number; condition: string; now: number; data?: unknown }): boolean {
  return (
    db
      .prepare('INSERT OR IGNORE INTO alerts (release_id, stage, condition, at, data) VALUES (?, ?, ?, ?, ?)')
      .run(a.releaseId, a.stage, a.condition, a.now, a.data === undefined ? null : JSON.stringify(a.data)).changes === 1
  );
}

export function alertRaised(db: Db, releaseId: number, stage: number, condition: string): boolean {
  return !!db.prepare('SELECT 1 FROM alerts WHERE release_id = ? AND stage = ? AND condition = ?').get(releaseId, stage, condition);
}

/** Claims and posts (threaded under the release's message); false when already raised. */
export function raiseAlertOnce(
  db: Db,
  a: { releaseId: number; stage: number; workflow: string; condition: string; card: Card; notify?: string[]; now: number; data?: unknown },
): boolean {
  if (!claimAlert(db, a)) return false;
  emitAlert(db, { workflow: a.workflow, releaseId: a.releaseId, condition: a.condition, card: a.card, notify: a.notify, now: a.now });
  return true;
}
