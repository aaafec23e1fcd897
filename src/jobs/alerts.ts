/**
 * Alerts are raised once per condition per stage: the `alerts` row (primary key release, stage,
 * condition) is claimed in the same transaction as the event that posts the alert, so repeated
 * runs, concurrent processes and restarts neither repeat nor lose one.
 */
import type { Card } from '../core/card.ts';
import { emitAlert } from '../services/notify.ts';
import type { Tx } from '../store/store.ts';

/** Claims and posts (threaded under the release's message); false when already raised. */
export async function raiseAlertOnce(
  t: Tx,
  a: { releaseId: number; stage: number; workflow: string; condition: string; card: Card; notify?: string[]; now: number; data?: unknown },
): Promise<boolean> {
  if (!(await t.alerts.claim(a))) return false;
  await emitAlert(t, { workflow: a.workflow, releaseId: a.releaseId, condition: a.condition, card: a.card, notify: a.notify, now: a.now });
  return true;
}
