import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { fakeClock, openTestApp } from '../helpers/harness.ts';
import { openStore } from '../../src/store/open.ts';
import { lastRunOf, releaseLease, runLeased, takeLease } from '../../src/jobs/lease.ts';
import { jobsPlugin, jobSpecs, runJobNow } from '../../src/jobs/plugin.ts';
import { StartupError } from '../../src/app.ts';
import type { Runtime } from '../../src/server/runtime.ts';
import { insertArm, releaseTo, alertEvents } from './helpers.ts';

const opened: { close(): Promise<void>; dir: string }[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) {
    await a.close();
    rmSync(a.dir, { recursive: true, force: true });
  }
});

function fakeRuntime(app: Awaited<ReturnType<typeof openTestApp>>, env: NodeJS.ProcessEnv = {}): Runtime {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  return { ctx: app.ctx, settings: app.settings, env, log: quiet, providers: null as never, kick() {} };
}

describe('job leases', () => {
  it('lets one run hold a job at a time, across connections to the same file', async () => {
    const clock = fakeClock();
    const app = await openTestApp({ now: clock.now });
    opened.push(app);
    const other = await openStore({ engine: 'sqlite', path: app.settings.databasePath });
    try {
      const now = clock.now();
      expect(await takeLease(app.ctx.store, 'job:canary', now, 60_000, 'a')).toEqual({ ok: true });
      const refused = await takeLease(other, 'job:canary', now + 1_000, 60_000, 'b');
      expect(refused.ok).toBe(false);
      expect(!refused.ok && refused.reason).toMatch(/already running/);
      // A run nested inside a held lease (an overrun tick) does not run.
      const nested = await runLeased(other, 'job:canary', now + 2_000, 60_000, () => 'ran');
      expect(nested).toMatchObject({ ran: false });
      await releaseLease(app.ctx.store, 'job:canary', now + 3_000, 'a');
      expect(await lastRunOf(other, 'job:canary')).toBe(now + 3_000);
      expect(await runLeased(other, 'job:canary', now + 4_000, 60_000, () => 'ran')).toEqual({ ran: true, value: 'ran' });
    } finally {
      await other.close();
    }
  });

  it('lets the next run take over a lease its holder never gave back (a crash)', async () => {
    const clock = fakeClock();
    const app = await openTestApp({ now: clock.now });
    opened.push(app);
    expect((await takeLease(app.ctx.store, 'job:digest', clock.now(), 60_000, 'crashed')).ok).toBe(true);
    expect((await takeLease(app.ctx.store, 'job:digest', clock.now() + 59_000, 60_000, 'next')).ok).toBe(false);
    expect((await takeLease(app.ctx.store, 'job:digest', clock.now() + 61_000, 60_000, 'next')).ok).toBe(true);
  });

  it('skips a scheduled tick while another process holds the job', async () => {
    const clock = fakeClock();
    const app = await openTestApp({ now: clock.now });
    opened.push(app);
    const rt = fakeRuntime(app);
    const wf = app.ctx.config.workflows['kpi-narrative']!;
    const r = await releaseTo(app.ctx, 'kpi-narrative', 'canary');
    const n = wf.rollout.minSamples * 2;
    await insertArm(app.ctx.store, { release: r, variant: 'stable', n, errors: n * 0.02, from: clock.now(), spanMs: 10 * 60_000 });
    await insertArm(app.ctx.store, { release: r, variant: 'candidate', n, errors: n * 0.1, from: clock.now(), spanMs: 10 * 60_000 });
    clock.advance(11 * 60_000);
    const canary = jobSpecs('0 9 * * *').find((j) => j.name === 'canary')!;
    await takeLease(app.ctx.store, 'job:canary', clock.now(), canary.leaseMs, 'other-process');
    await runJobNow(rt, canary);
    expect(await alertEvents(app.ctx.store)).toHaveLength(0);
    clock.advance(canary.leaseMs + 1);
    await runJobNow(rt, canary);
    expect(await alertEvents(app.ctx.store, 'canary_regression')).toHaveLength(1);
  });

  it('refuses to start with a DIGEST_CRON or TZ that cannot be scheduled', async () => {
    const app = await openTestApp();
    opened.push(app);
    expect(() => jobsPlugin(fakeRuntime(app, { DIGEST_CRON: 'every morning' }))).toThrow(StartupError);
    expect(() => jobsPlugin(fakeRuntime(app, { DIGEST_CRON: 'every morning' }))).toThrow(/DIGEST_CRON "every morning"/);
    const badTz = { ...fakeRuntime(app), settings: { ...app.settings, tz: 'Mars/Olympus' } };
    expect(() => jobsPlugin(badTz)).toThrow(/TZ "Mars\/Olympus"/);
  });
});
