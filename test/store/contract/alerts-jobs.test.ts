import { expect, it } from 'vitest';
import { eachEngine, T0 } from '../engines.ts';

eachEngine('alerts, drift, job leases and digests', (e) => {
  it('raises a release alert once per stage and condition, and acknowledges the open ones', async () => {
    const { store } = e();
    expect(await store.alerts.claim({ releaseId: 1, stage: 0, condition: 'canary_regression', now: T0, data: { p: 0.01 } })).toBe(true);
    expect(await store.alerts.claim({ releaseId: 1, stage: 0, condition: 'canary_regression', now: T0 + 1 })).toBe(false);
    expect(await store.alerts.claim({ releaseId: 1, stage: 1, condition: 'canary_regression', now: T0 + 2 })).toBe(true);
    expect(await store.alerts.raised(1, 0, 'canary_regression')).toBe(true);
    expect(await store.alerts.raised(1, 0, 'spend_burn')).toBe(false);
    expect(await store.alerts.open(1)).toEqual([
      { stage: 1, condition: 'canary_regression' },
      { stage: 0, condition: 'canary_regression' },
    ]);
    expect(await store.alerts.acknowledge(1, 'ops', T0 + 3)).toBe(2);
    expect(await store.alerts.open(1)).toEqual([]);
    expect(await store.alerts.acknowledge(1, 'ops', T0 + 4)).toBe(0);
  });

  it('raises a budget alert level once per period', async () => {
    const { store } = e();
    expect(await store.alerts.claimBudget('team:support', 'day:2026-11-25', 80, T0)).toBe(true);
    expect(await store.alerts.claimBudget('team:support', 'day:2026-11-25', 80, T0 + 1)).toBe(false);
    expect(await store.alerts.claimBudget('team:support', 'day:2026-11-25', 100, T0 + 1)).toBe(true);
    expect(await store.alerts.claimBudget('team:support', 'day:2026-11-26', 80, T0 + 2)).toBe(true);
  });

  it('keeps the last model and fingerprint served per config', async () => {
    const { store } = e();
    await store.servedModels.put('cfg_a', { model: 'm1', fingerprint: 'fp1' }, T0);
    await store.servedModels.put('cfg_a', { model: 'm1', fingerprint: 'fp2' }, T0 + 1);
    await store.servedModels.put('cfg_b', { model: null, fingerprint: null }, T0 + 1);
    expect(await store.servedModels.all()).toEqual(
      new Map([
        ['cfg_a', { model: 'm1', fingerprint: 'fp2' }],
        ['cfg_b', { model: null, fingerprint: null }],
      ]),
    );
  });

  it('gives a job lease to one holder at a time until it is given back or expires', async () => {
    const { store, reopen } = e();
    const other = await reopen();
    expect(await store.jobs.takeLease('job:canary', 'a', T0, 60_000)).toEqual({ ok: true });
    expect(await other.jobs.takeLease('job:canary', 'b', T0 + 1, 60_000)).toEqual({ ok: false, holder: 'a', until: T0 + 60_000 });
    // Expired (the holder crashed): the next run takes over.
    expect(await other.jobs.takeLease('job:canary', 'b', T0 + 60_000, 60_000)).toEqual({ ok: true });
    // The old holder giving back a lease it no longer holds changes nothing.
    await store.jobs.releaseLease('job:canary', 'a', T0 + 60_001);
    expect(await store.jobs.takeLease('job:canary', 'a', T0 + 60_002, 60_000)).toMatchObject({ ok: false, holder: 'b' });
    expect(await store.jobs.lastRun('job:canary')).toBeNull();
    await other.jobs.releaseLease('job:canary', 'b', T0 + 70_000);
    expect(await store.jobs.lastRun('job:canary')).toBe(T0 + 70_000);
    expect(await store.jobs.takeLease('job:canary', 'a', T0 + 70_001, 60_000)).toEqual({ ok: true });
    expect(await store.jobs.lastRun('job:digest')).toBeNull();
  });

  it('hands a contended lease to exactly one of many racing holders', async () => {
    const { store, reopen } = e();
    const stores = [store, await reopen(), await reopen()];
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % 3]!.jobs.takeLease('job:digest', `h${i}`, T0, 60_000)));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
  });

  it("remembers each team's last digest", async () => {
    const { store } = e();
    expect(await store.digestRuns.lastAt('support')).toBeNull();
    await store.digestRuns.record('support', T0);
    await store.digestRuns.record('support', T0 + 86_400_000);
    expect(await store.digestRuns.lastAt('support')).toBe(T0 + 86_400_000);
    expect(await store.digestRuns.lastAt('billing')).toBeNull();
  });
});
