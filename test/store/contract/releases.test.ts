import { expect, it } from 'vitest';
import { configOf, eachEngine, T0 } from '../engines.ts';
import type { Store } from '../../../src/store/store.ts';

async function newRelease(store: Store, workflow = 'support-triage', now = T0) {
  const base = await store.configs.put(configOf('gpt-4.1-2025-04-14'), 'prompts/a.md', now);
  const cand = await store.configs.put(configOf('gpt-4.1-mini-2025-04-14'), 'prompts/a.md', now);
  return store.releases.insert({
    workflow,
    baselineHash: base,
    candidateHash: cand,
    salt: 'abcd',
    requester: 'eli',
    reason: 'cheaper',
    source: 'cli',
    changes: { model: { from: 'gpt-4.1-2025-04-14', to: 'gpt-4.1-mini-2025-04-14' } },
    now,
  });
}

eachEngine('releases', (e) => {
  it('inserts a release in requested with a REL key, and reads it back whole', async () => {
    const { store } = e();
    const r = await newRelease(store);
    expect(r.key).toBe(`REL-${r.id}`);
    expect(r).toMatchObject({ workflow: 'support-triage', state: 'requested', stageIndex: -1, requester: 'eli', gateRuns: 0, version: 0, verdict: null });
    expect(r.changes.model?.to).toBe('gpt-4.1-mini-2025-04-14');
    expect(await store.releases.get(r.id)).toEqual(r);
    expect(await store.releases.get(r.id + 100)).toBeUndefined();
  });

  it('moves a release only from the state and version it was read in', async () => {
    const { store } = e();
    const r = await newRelease(store);
    expect(await store.releases.updateState(r.id, 'requested', r.version, { state: 'evaluating', stageIndex: -1, pausedState: null, now: T0 + 1 })).toBe(true);
    // The same move again (a second click read the old state): refused, nothing written.
    expect(await store.releases.updateState(r.id, 'requested', r.version, { state: 'cancelled', stageIndex: -1, pausedState: null, now: T0 + 2, ended: true })).toBe(false);
    const now = await store.releases.get(r.id);
    expect(now).toMatchObject({ state: 'evaluating', version: 1, updatedAt: T0 + 1, endedAt: null });
  });

  it('stamps stage, traffic, completion and end times as the update says', async () => {
    const { store } = e();
    let r = (await newRelease(store))!;
    const step = async (u: Parameters<Store['releases']['updateState']>[3]) => {
      expect(await store.releases.updateState(r.id, r.state, r.version, u)).toBe(true);
      r = (await store.releases.get(r.id))!;
    };
    await step({ state: 'canary', stageIndex: 0, pausedState: null, now: T0 + 10, stageStarted: true, trafficStarted: true });
    expect(r).toMatchObject({ stageStartedAt: T0 + 10, trafficStartedAt: T0 + 10, completedAt: null });
    await step({ state: 'ramp', stageIndex: 1, pausedState: null, now: T0 + 20, stageStarted: true, trafficStarted: true });
    expect(r).toMatchObject({ stageStartedAt: T0 + 20, trafficStartedAt: T0 + 10 });
    await step({ state: 'paused', stageIndex: 1, pausedState: 'ramp', now: T0 + 30 });
    expect(r).toMatchObject({ state: 'paused', pausedState: 'ramp', stageStartedAt: T0 + 20 });
    await step({ state: 'completed', stageIndex: 2, pausedState: null, now: T0 + 40, stageStarted: true, trafficStarted: true, completed: true, ended: true });
    expect(r).toMatchObject({ completedAt: T0 + 40, endedAt: T0 + 40, version: 4 });
  });

  it('finds the open release, the latest completed one, and releases by state', async () => {
    const { store } = e();
    const a = await newRelease(store, 'support-triage', T0);
    await store.releases.updateState(a.id, 'requested', 0, { state: 'completed', stageIndex: 1, pausedState: null, now: T0 + 5, completed: true, ended: true, trafficStarted: true });
    const b = await newRelease(store, 'support-triage', T0 + 10);
    const c = await newRelease(store, 'refunds', T0 + 20);
    expect((await store.releases.openOf('support-triage'))?.id).toBe(b.id);
    expect(await store.releases.openOf('nothing')).toBeUndefined();
    expect((await store.releases.latestCompletedOf('support-triage'))?.id).toBe(a.id);
    expect(await store.releases.latestCompletedOf('refunds')).toBeUndefined();
    expect((await store.releases.inStates(['requested'])).map((r) => r.id)).toEqual([b.id, c.id]);
    expect(await store.releases.inStates([])).toEqual([]);
    expect((await store.releases.list()).map((r) => r.id)).toEqual([c.id, b.id, a.id]);
    expect((await store.releases.list({ workflow: 'support-triage' })).map((r) => r.id)).toEqual([b.id, a.id]);
    expect((await store.releases.list({ state: 'open' })).map((r) => r.id)).toEqual([c.id, b.id]);
    expect((await store.releases.list({ state: 'completed', limit: 1 })).map((r) => r.id)).toEqual([a.id]);
    expect(await store.releases.withTraffic(['support-triage', 'refunds'], 10)).toEqual([{ id: a.id, workflow: 'support-triage', state: 'completed' }]);
    expect(await store.releases.withTraffic([], 10)).toEqual([]);
  });

  it('starts gate runs (clearing the verdict), keeps verdicts and override reasons', async () => {
    const { store } = e();
    const r = await newRelease(store);
    await store.releases.setVerdict(r.id, { outcome: 'fail', rows: [1] }, 'fail', T0 + 1);
    expect(await store.releases.get(r.id)).toMatchObject({ verdict: { outcome: 'fail', rows: [1] }, gateOutcome: 'fail', version: 1 });
    expect(await store.releases.bumpGateRun(r.id, T0 + 2)).toBe(1);
    expect(await store.releases.bumpGateRun(r.id, T0 + 3)).toBe(2);
    expect(await store.releases.get(r.id)).toMatchObject({ verdict: null, gateOutcome: null, gateRuns: 2, version: 3 });
    await store.releases.setOverrideReason(r.id, 'known flaky case');
    expect((await store.releases.get(r.id))?.overrideReason).toBe('known flaky case');
    await expect(store.releases.bumpGateRun(r.id + 50, T0)).rejects.toThrow(/no release/);
  });

  it('records one approval per person and gate run', async () => {
    const { store } = e();
    const r = await newRelease(store);
    expect(await store.approvals.add(r.id, 1, { person: 'dana', finance: true, at: T0 + 2 })).toBe(true);
    expect(await store.approvals.add(r.id, 1, { person: 'sam', finance: false, at: T0 + 1 })).toBe(true);
    expect(await store.approvals.add(r.id, 1, { person: 'dana', finance: false, at: T0 + 3 })).toBe(false);
    expect(await store.approvals.list(r.id, 1)).toEqual([
      { person: 'sam', finance: false, at: T0 + 1 },
      { person: 'dana', finance: true, at: T0 + 2 },
    ]);
    // A new gate run starts afresh.
    expect(await store.approvals.list(r.id, 2)).toEqual([]);
  });
});
