/**
 * Pending-approval reminders (every 5 minutes): a release awaiting approval for over 4 hours gets
 * one reminder, threaded under its message and mentioning the approvers who have not approved.
 */
import { approvalReminderCard } from '../core/views/canary.ts';
import type { AppContext } from '../services/context.ts';
import { approvalState } from '../services/releases.ts';
import { raiseAlertOnce } from './alerts.ts';

export const REMINDER_AFTER_MS = 4 * 3_600_000;
/** The alerts row's stage for reminders (a release awaiting approval has no stage yet). */
const REMINDER_STAGE = -1;

/** When the release last entered awaiting_approval (from its audit trail). */
export function awaitingSince(ctx: AppContext, releaseId: number): Promise<number | null> {
  return ctx.store.audit.lastEntered(releaseId, 'awaiting_approval');
}

/** Sends the reminders due at `now`; returns the release keys reminded. */
export async function runReminderJob(ctx: AppContext, now: number): Promise<string[]> {
  const reminded: string[] = [];
  for (const r of await ctx.store.releases.inStates(['awaiting_approval'])) {
    const wf = ctx.config.workflows[r.workflow];
    if (!wf) continue;
    const since = (await awaitingSince(ctx, r.id)) ?? r.updatedAt;
    if (now - since <= REMINDER_AFTER_MS) continue;
    const ap = await approvalState(ctx.store, r, wf);
    const approved = new Set(ap.approvals.map((a) => a.person));
    const waitingOn = wf.approvers.filter((p) => p !== r.requester && !approved.has(p));
    const raised = await ctx.store.tx((t) =>
      raiseAlertOnce(t, {
        releaseId: r.id,
        stage: REMINDER_STAGE,
        workflow: r.workflow,
        condition: 'approval_reminder',
        card: approvalReminderCard({ key: r.key, workflow: r.workflow, team: wf.team }, { waitingMs: now - since, approvers: waitingOn, have: ap.have, needed: ap.needed }),
        notify: waitingOn,
        now,
      }),
    );
    if (raised) reminded.push(r.key);
  }
  return reminded;
}
