import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { fakeClock, openTestApp } from '../helpers/harness.ts';
import { runCanaryJob } from '../../src/jobs/canary.ts';
import { releaseCardOf } from '../../src/chat/executor.ts';
import { renderText } from '../../src/chat/render/text.ts';
import { performVerb } from '../../src/services/releases.ts';
import { alertEvents, insertArm, releaseTo } from './helpers.ts';

const MIN = 60_000;
const opened: { close(): Promise<void>; dir: string }[] = [];
async function setup() {
  const clock = fakeClock();
  const app = await openTestApp({ now: clock.now });
  opened.push(app);
  return { app, ctx: app.ctx, db: app.ctx.store, clock };
}
afterEach(async () => {
  for (const a of opened.splice(0)) {
    await a.close();
    rmSync(a.dir, { recursive: true, force: true });
  }
});

describe('canary job', () => {
  it('rolls back a regressed canary at once where the workflow says autoRollback, and alerts exactly once', async () => {
    const { ctx, db, clock } = await setup();
    const wf = ctx.config.workflows['support-triage']!;
    expect(wf.rollout.autoRollback).toBe(true);
    const r = await releaseTo(ctx, 'support-triage', 'canary');
    const n = wf.rollout.minSamples * 2;
    await insertArm(db, { release: r, variant: 'stable', n, errors: n * 0.02, from: clock.now(), spanMs: 20 * MIN });
    await insertArm(db, { release: r, variant: 'candidate', n, errors: n * 0.1, from: clock.now(), spanMs: 20 * MIN });
    clock.advance(21 * MIN);

    const first = await runCanaryJob(ctx, clock.now());
    expect(first).toEqual([expect.objectContaining({ key: r.key, status: 'regressed', action: 'rolled_back' })]);
    expect((await db.releases.get(r.id))!.state).toBe('rolled_back');
    const audit = (await db.audit.list({ releaseId: r.id })).filter((e) => e.action === 'release_rolled_back');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toBe('job:canary');
    expect(audit[0]!.data.reason).toMatch(/canary regression: error rate/);

    for (let i = 0; i < 3; i++) {
      clock.advance(MIN);
      await runCanaryJob(ctx, clock.now());
    }
    const alerts = await alertEvents(db, 'canary_regression');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.releaseId).toBe(r.id);
    expect(alerts[0]!.card.title).toContain('rolled back');
    expect(alerts[0]!.card.actions).toEqual([]);
  });

  it('alerts with Rollback, Acknowledge and Pause where rollback is manual, once across repeated runs', async () => {
    const { ctx, db, clock } = await setup();
    const wf = ctx.config.workflows['kpi-narrative']!;
    expect(wf.rollout.autoRollback).toBe(false);
    const r = await releaseTo(ctx, 'kpi-narrative', 'canary');
    const n = wf.rollout.minSamples * 2;
    await insertArm(db, { release: r, variant: 'stable', n, errors: n * 0.02, from: clock.now(), spanMs: 30 * MIN });
    await insertArm(db, { release: r, variant: 'candidate', n, errors: n * 0.1, from: clock.now(), spanMs: 30 * MIN });
    const actions = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(31 * MIN);
      actions.push((await runCanaryJob(ctx, clock.now()))[0]!.action);
    }
    expect(actions).toEqual(['alerted', 'none', 'none', 'none', 'none']);
    expect((await db.releases.get(r.id))!.state).toBe('canary');
    const alerts = await alertEvents(db, 'canary_regression');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.card.actions!.map((a) => a.command)).toEqual([`rollback ${r.key}`, `ack ${r.key}`, `pause ${r.key}`]);
    expect(alerts[0]!.notify).toEqual(expect.arrayContaining(wf.approvers));
    const text = renderText(alerts[0]!.card as never);
    expect(text).toMatch(/error rate/);
    expect(text).toMatch(/10\.0%/);

    // Acknowledge (the button's command) closes the alert; the job does not raise it again.
    const ack = await performVerb(ctx, { person: ctx.config.people[wf.approvers[0]!], surface: 'slack' }, 'ack', r.key);
    expect(ack.ok).toBe(true);
    await runCanaryJob(ctx, clock.now());
    expect(await alertEvents(db, 'canary_regression')).toHaveLength(1);
  });

  it('posts one "ready to ramp" with the Ramp button once a healthy canary has baked for minBakeMinutes', async () => {
    const { ctx, db, clock } = await setup();
    const wf = ctx.config.workflows['kpi-narrative']!;
    const r = await releaseTo(ctx, 'kpi-narrative', 'canary');
    const n = wf.rollout.minSamples * 2;
    await insertArm(db, { release: r, variant: 'stable', n, errors: 4, from: clock.now(), spanMs: 10 * MIN });
    await insertArm(db, { release: r, variant: 'candidate', n, errors: 4, from: clock.now(), spanMs: 10 * MIN });

    clock.advance(11 * MIN);
    expect((await runCanaryJob(ctx, clock.now()))[0]).toMatchObject({ status: 'healthy', action: 'none' });
    expect(await alertEvents(db, 'ready_to_ramp')).toHaveLength(0);

    clock.advance(wf.rollout.minBakeMinutes * MIN);
    expect((await runCanaryJob(ctx, clock.now()))[0]).toMatchObject({ status: 'healthy', action: 'ready_to_ramp' });
    for (let i = 0; i < 3; i++) {
      clock.advance(MIN);
      expect((await runCanaryJob(ctx, clock.now()))[0]!.action).toBe('none');
    }
    const ready = await alertEvents(db, 'ready_to_ramp');
    expect(ready).toHaveLength(1);
    expect(ready[0]!.card.actions).toEqual([expect.objectContaining({ command: `promote ${r.key}`, label: `Ramp to ${wf.rollout.stages[1]}%` })]);
    expect((await db.releases.get(r.id))!.state).toBe('canary');
  });

  it('promotes by itself where the workflow says autoPromote', async () => {
    const { ctx, db, clock } = await setup();
    const wf = ctx.config.workflows['sales-email']!;
    expect(wf.rollout.autoPromote).toBe(true);
    const r = await releaseTo(ctx, 'sales-email', 'canary');
    const n = wf.rollout.minSamples * 2;
    await insertArm(db, { release: r, variant: 'stable', n, errors: 2, from: clock.now(), spanMs: 10 * MIN });
    await insertArm(db, { release: r, variant: 'candidate', n, errors: 2, from: clock.now(), spanMs: 10 * MIN });
    clock.advance((wf.rollout.minBakeMinutes + 1) * MIN);
    expect((await runCanaryJob(ctx, clock.now()))[0]).toMatchObject({ action: 'promoted' });
    const after = (await db.releases.get(r.id))!;
    expect(after.stageIndex).toBe(1);
    const ready = await alertEvents(db, 'ready_to_ramp');
    expect(ready).toHaveLength(1);
    expect(ready[0]!.card.title).toContain('promoted automatically');
  });

  it('below minSamples a healthy candidate stays inconclusive, and the release card says per arm what the main test waits for', async () => {
    const { ctx, db, clock } = await setup();
    const wf = ctx.config.workflows['kpi-narrative']!;
    const r = await releaseTo(ctx, 'kpi-narrative', 'canary');
    const have = Math.floor(wf.rollout.minSamples / 4);
    await insertArm(db, { release: r, variant: 'stable', n: wf.rollout.minSamples + 181, errors: 8, from: clock.now(), spanMs: 5 * MIN });
    await insertArm(db, { release: r, variant: 'candidate', n: have, errors: 1, from: clock.now(), spanMs: 5 * MIN });
    clock.advance((wf.rollout.minBakeMinutes + 5) * MIN);
    const [o] = await runCanaryJob(ctx, clock.now());
    expect(o).toMatchObject({ status: 'inconclusive', samplesNeeded: wf.rollout.minSamples - have, action: 'none' });
    expect(await alertEvents(db)).toHaveLength(0);
    const card = renderText(await releaseCardOf(ctx, (await db.releases.get(r.id))!)).replace(/\s+/g, ' ');
    expect(card).toContain(`candidate ${have} (${wf.rollout.minSamples - have} more), stable ${wf.rollout.minSamples + 181} (enough)`);
    expect(card).not.toMatch(/more calls per arm/);
  });

  it('rolls back a candidate failing most calls within its first minutes by the early stop, long before minSamples', async () => {
    const { ctx, db, clock } = await setup();
    const wf = ctx.config.workflows['support-triage']!;
    const r = await releaseTo(ctx, 'support-triage', 'canary');
    // The stable config's hour before the stage: 6,000 calls, 2% errors (read once, kept with the snapshot).
    await insertArm(db, { release: r, variant: 'stable', n: 6000, errors: 120, from: clock.now() - 60 * MIN, spanMs: 60 * MIN, beforeRelease: true });
    await insertArm(db, { release: r, variant: 'stable', n: 380, errors: 8, from: clock.now(), spanMs: 4 * MIN });
    await insertArm(db, { release: r, variant: 'candidate', n: 20, errors: 6, from: clock.now(), spanMs: 4 * MIN });
    clock.advance(4 * MIN);
    const [o] = await runCanaryJob(ctx, clock.now());
    expect(o).toMatchObject({ status: 'regressed', action: 'rolled_back' });
    expect(20).toBeLessThan(wf.rollout.minSamples);
    const alert = renderText((await alertEvents(db, 'canary_regression'))[0]!.card as never).replace(/\s+/g, ' ');
    expect(alert).toMatch(/Why: error rate 30\.0% vs 2\.1% — early stop: exact binomial p=.* ≤ .* \(6 of 134 events, 0\.4 expected\)/);
    expect(alert).toMatch(/false alarms ≤ 1% per stage = 3 critical metrics × \(early stop 0\.27% \+ main test 0\.067%\)/);
  });

  it('judges a young stage at every 10-second tick, an older one once a minute', async () => {
    const { ctx, db, clock } = await setup();
    const r = await releaseTo(ctx, 'kpi-narrative', 'canary');
    await insertArm(db, { release: r, variant: 'stable', n: 100, errors: 2, from: clock.now(), spanMs: 5 * MIN });
    await insertArm(db, { release: r, variant: 'candidate', n: 10, errors: 0, from: clock.now(), spanMs: 5 * MIN });
    clock.advance(5 * MIN);
    expect(await runCanaryJob(ctx, clock.now())).toHaveLength(1);
    clock.advance(10_000);
    expect(await runCanaryJob(ctx, clock.now())).toHaveLength(1);
    clock.advance(40 * MIN);
    expect(await runCanaryJob(ctx, clock.now())).toHaveLength(1);
    clock.advance(10_000);
    expect(await runCanaryJob(ctx, clock.now())).toHaveLength(0);
    clock.advance(50_000);
    expect(await runCanaryJob(ctx, clock.now())).toHaveLength(1);
  });

  it('a promote before the canary has judged the stage goes ahead and says what it skips', async () => {
    const { ctx, db, clock } = await setup();
    const wf = ctx.config.workflows['kpi-narrative']!;
    const r = await releaseTo(ctx, 'kpi-narrative', 'canary');
    await insertArm(db, { release: r, variant: 'stable', n: 950, errors: 19, from: clock.now(), spanMs: 10 * MIN });
    await insertArm(db, { release: r, variant: 'candidate', n: 50, errors: 1, from: clock.now(), spanMs: 10 * MIN });
    clock.advance(10 * MIN);
    await runCanaryJob(ctx, clock.now());
    const out = await performVerb(ctx, { person: ctx.config.people[wf.approvers[0]!], surface: 'slack' }, 'promote', r.key);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.sentence).toMatch(
      new RegExp(`^${r.key} was promoted to ramp 1 of 1 at 25%: before the canary finished \\(10 of ${wf.rollout.minBakeMinutes} bake minutes; 50 of 200 candidate calls, so the main test has not run, only the early stop for large regressions\\)\\. At 5\\.0 candidate calls/min, in the calls so far it could only have caught \\(80% power\\) error rate 2\\.0% → \\d+%`),
    );
    const audit = (await db.audit.list({ releaseId: r.id })).filter((e) => e.action === 'release_promoted');
    expect(audit[0]!.data.skipped).toMatch(/^before the canary finished/);
  });

  it('pauses the release when the candidate’s cost per run projects the workflow over its daily cap', async () => {
    const { ctx, db, clock } = await setup();
    const wf = ctx.config.workflows['support-triage']!;
    expect(wf.caps.dailyUsd).toBeDefined();
    const r = await releaseTo(ctx, 'support-triage', 'canary');
    // 100 calls per arm in 10 minutes: stable at $0.0005 a run, the candidate at 40x that.
    await insertArm(db, { release: r, variant: 'stable', n: 100, errors: 0, from: clock.now(), spanMs: 10 * MIN, costUsd: 0.0005 });
    await insertArm(db, { release: r, variant: 'candidate', n: 100, errors: 0, from: clock.now(), spanMs: 10 * MIN, costUsd: 0.02 });
    clock.advance(10 * MIN);
    expect((await runCanaryJob(ctx, clock.now()))[0]).toMatchObject({ action: 'paused_for_spend' });
    expect((await db.releases.get(r.id))!.state).toBe('paused');
    const burn = await alertEvents(db, 'spend_burn');
    expect(burn).toHaveLength(1);
    expect(renderText(burn[0]!.card as never)).toMatch(/over its daily cap of \$20/);

    // Resumed by a person: the burn alert was raised this stage, so the job does not pause it again.
    expect((await performVerb(ctx, { person: ctx.config.people.ops, surface: 'cli' }, 'resume', r.key)).ok).toBe(true);
    clock.advance(MIN);
    await runCanaryJob(ctx, clock.now());
    expect((await db.releases.get(r.id))!.state).toBe('canary');
    expect(await alertEvents(db, 'spend_burn')).toHaveLength(1);
  });

  it('does not pause a canary whose candidate costs what stable costs', async () => {
    const { ctx, db, clock } = await setup();
    const r = await releaseTo(ctx, 'support-triage', 'canary');
    await insertArm(db, { release: r, variant: 'stable', n: 100, errors: 0, from: clock.now(), spanMs: 10 * MIN, costUsd: 0.0005 });
    await insertArm(db, { release: r, variant: 'candidate', n: 100, errors: 0, from: clock.now(), spanMs: 10 * MIN, costUsd: 0.0005 });
    clock.advance(10 * MIN);
    expect((await runCanaryJob(ctx, clock.now()))[0]!.action).toBe('none');
    expect((await db.releases.get(r.id))!.state).toBe('canary');
  });
});
