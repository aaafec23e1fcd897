import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { fakeClock, openTestApp } from '../helpers/harness.ts';
import { runReminderJob } from '../../src/jobs/reminders.ts';
import { alertEvents, releaseTo } from './helpers.ts';

const HOUR = 3_600_000;
const opened: { close(): Promise<void>; dir: string }[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) {
    await a.close();
    rmSync(a.dir, { recursive: true, force: true });
  }
});

describe('pending-approval reminders', () => {
  it('reminds the approvers once, after a release has awaited approval for over 4 hours', async () => {
    const clock = fakeClock();
    const app = await openTestApp({ now: clock.now });
    opened.push(app);
    const { ctx } = app;
    const r = await releaseTo(ctx, 'support-triage', 'awaiting_approval');
    clock.advance(4 * HOUR);
    expect(await runReminderJob(ctx, clock.now())).toEqual([]);
    clock.advance(5 * 60_000);
    expect(await runReminderJob(ctx, clock.now())).toEqual([r.key]);
    for (let i = 0; i < 3; i++) {
      clock.advance(HOUR);
      expect(await runReminderJob(ctx, clock.now())).toEqual([]);
    }
    const reminders = await alertEvents(ctx.store, 'approval_reminder');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.releaseId).toBe(r.id);
    // ops requested it; the approvers are asked (never the requester).
    expect(reminders[0]!.notify.sort()).toEqual([...ctx.config.workflows['support-triage']!.approvers].filter((p) => p !== 'ops').sort());
    expect(reminders[0]!.card.actions!.map((a) => a.command)).toEqual([`approve ${r.key}`, `reject ${r.key}`]);
  });

  it('does not remind about a release that left awaiting approval in time', async () => {
    const clock = fakeClock();
    const app = await openTestApp({ now: clock.now });
    opened.push(app);
    await releaseTo(app.ctx, 'support-triage', 'canary');
    clock.advance(6 * HOUR);
    expect(await runReminderJob(app.ctx, clock.now())).toEqual([]);
  });
});
