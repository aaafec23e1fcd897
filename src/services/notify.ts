/**
 * Producing things for chat: alerts, notices and digests are stored as events (in the caller's
 * transaction when there is one) and posted by every surface that is on, from its own cursor.
 */
import type { Card } from '../core/card.ts';
import type { Repositories } from '../store/store.ts';

export interface AlertInput {
  workflow: string;
  releaseId?: number | null;
  /** e.g. "canary_regression", "budget_80", "drift", "ready_to_ramp", "approval_reminder" */
  condition: string;
  card: Card;
  /** People to mention / message directly (config person names). */
  notify?: string[];
  now: number;
}

export function emitAlert(db: Repositories, a: AlertInput): Promise<number> {
  return db.events.emit({
    kind: 'alert',
    releaseId: a.releaseId ?? null,
    workflow: a.workflow,
    payload: { condition: a.condition, card: a.card, notify: a.notify ?? [] },
    now: a.now,
  });
}

export function emitDigest(db: Repositories, d: { team: string; card: Card; leaders: string[]; now: number }): Promise<number> {
  return db.events.emit({ kind: 'digest', payload: { team: d.team, card: d.card, leaders: d.leaders }, now: d.now });
}
