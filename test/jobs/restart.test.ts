import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { fakeClock, openTestApp, tempDir } from '../helpers/harness.ts';
import { runCanaryJob } from '../../src/jobs/canary.ts';
import { releaseCardOf } from '../../src/chat/executor.ts';
import { renderText } from '../../src/chat/render/text.ts';
import { alertEvents, insertArm, releaseTo } from './helpers.ts';

const MIN = 60_000;
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('a restart in the middle of a stage', () => {
  it('does not repeat a regression alert raised before it', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const clock = fakeClock();
    let app = await openTestApp({ dir, now: clock.now });
    const wf = app.ctx.config.workflows['kpi-narrative']!;
    const n = wf.rollout.minSamples * 2;
    const r = await releaseTo(app.ctx, 'kpi-narrative', 'canary');
    await insertArm(app.ctx.store, { release: r, variant: 'stable', n, errors: n * 0.02, from: clock.now(), spanMs: 20 * MIN });
    await insertArm(app.ctx.store, { release: r, variant: 'candidate', n, errors: n * 0.1, from: clock.now(), spanMs: 20 * MIN });
    clock.advance(21 * MIN);
    expect((await runCanaryJob(app.ctx, clock.now()))[0]!.action).toBe('alerted');
    await app.close();

    app = await openTestApp({ dir, now: clock.now });
    clock.advance(MIN);
    expect((await runCanaryJob(app.ctx, clock.now()))[0]!.action).toBe('none');
    expect(await alertEvents(app.ctx.store, 'canary_regression')).toHaveLength(1);
    await app.close();
  });

  it('keeps the bake clock and the latest judgement: "ready to ramp" comes once after the restart', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const clock = fakeClock();
    let app = await openTestApp({ dir, now: clock.now });
    const wf = app.ctx.config.workflows['kpi-narrative']!;
    const n = wf.rollout.minSamples * 2;
    const r = await releaseTo(app.ctx, 'kpi-narrative', 'canary');
    await insertArm(app.ctx.store, { release: r, variant: 'stable', n, errors: 4, from: clock.now(), spanMs: 10 * MIN });
    await insertArm(app.ctx.store, { release: r, variant: 'candidate', n, errors: 4, from: clock.now(), spanMs: 10 * MIN });
    clock.advance(15 * MIN);
    expect((await runCanaryJob(app.ctx, clock.now()))[0]).toMatchObject({ status: 'healthy', action: 'none' });
    await app.close();

    app = await openTestApp({ dir, now: clock.now });
    // The card shows the judgement stored before the restart, before the job has run again.
    expect(renderText(await releaseCardOf(app.ctx, (await app.ctx.store.releases.get(r.id))!))).toMatch(/Canary: healthy/);
    clock.advance(wf.rollout.minBakeMinutes * MIN);
    expect((await runCanaryJob(app.ctx, clock.now()))[0]!.action).toBe('ready_to_ramp');
    await app.close();

    app = await openTestApp({ dir, now: clock.now });
    clock.advance(MIN);
    expect((await runCanaryJob(app.ctx, clock.now()))[0]!.action).toBe('none');
    expect(await alertEvents(app.ctx.store, 'ready_to_ramp')).toHaveLength(1);
    await app.close();
  });
});
