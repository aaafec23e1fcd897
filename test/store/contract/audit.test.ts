import { expect, it } from 'vitest';
import { GENESIS } from '../../../src/store/repos/audit.ts';
import type { Store } from '../../../src/store/store.ts';
import { eachEngine, T0 } from '../engines.ts';

async function chain(store: Store, n = 5): Promise<string[]> {
  const hashes: string[] = [];
  for (let i = 1; i <= n; i++)
    await store.tx(async (t) => {
      const ev = await t.audit.append({ ts: T0 + i, actor: 'dana', action: 'release_approved', workflow: i % 2 ? 'support-triage' : 'refunds', releaseId: i, data: { n: i, to: i === 3 ? 'awaiting_approval' : 'canary' } });
      hashes.push(ev.hash);
    });
  return hashes;
}

eachEngine('audit', (e) => {
  it('links every event to the one before and verifies with the head hash', async () => {
    const { store } = e();
    expect(await store.audit.head()).toBe(GENESIS);
    expect(await store.audit.verify()).toEqual({ ok: true, head: GENESIS, count: 0 });
    const hashes = await chain(store);
    const events = await store.audit.list({}, 'asc');
    expect(events.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(events[0]!.prev_hash).toBe(GENESIS);
    for (let i = 1; i < events.length; i++) expect(events[i]!.prev_hash).toBe(events[i - 1]!.hash);
    expect(await store.audit.verify()).toEqual({ ok: true, head: hashes[4], count: 5 });
    expect(await store.audit.head()).toBe(hashes[4]);
  });

  it('appends only inside a transaction', async () => {
    const { store } = e();
    await expect(store.audit.append({ ts: T0, actor: 'x', action: 'y' })).rejects.toThrow(/inside store.tx/);
    expect(await store.audit.verify()).toMatchObject({ ok: true, count: 0 });
  });

  it('never forks the chain when transactions from two stores append at once', async () => {
    const { store, reopen } = e();
    const other = await reopen();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).tx((t) => t.audit.append({ ts: T0 + i, actor: `p${i}`, action: 'a' }))),
    );
    expect(await store.audit.verify()).toMatchObject({ ok: true, count: 20 });
  });

  it('names the first bad event when a row is edited, deleted, reordered or re-attributed', async () => {
    const { store, tamper } = e();
    await chain(store);
    await tamper("UPDATE audit SET data = '{\"n\":99}' WHERE seq = 3");
    let v = await store.audit.verify();
    expect(v).toMatchObject({ ok: false, badSeq: 3 });
    if (!v.ok) expect(v.message).toMatch(/altered/);

    const fresh = e();
    await fresh.tamper("UPDATE audit SET data = (SELECT data FROM audit WHERE seq = 2) WHERE seq = 3");
    await fresh.tamper('DELETE FROM audit WHERE seq = 2');
    v = await store.audit.verify();
    expect(v).toMatchObject({ ok: false, badSeq: 3 });
    if (!v.ok) expect(v.message).toMatch(/out of place/);
  });

  it('detects rows swapped and an edited actor', async () => {
    const { store, tamper } = e();
    await chain(store);
    await tamper('UPDATE audit SET seq = -2 WHERE seq = 2');
    await tamper('UPDATE audit SET seq = 2 WHERE seq = 4');
    await tamper('UPDATE audit SET seq = 4 WHERE seq = -2');
    expect(await store.audit.verify()).toMatchObject({ ok: false, badSeq: 2 });
  });

  it('an edited actor is caught', async () => {
    const { store, tamper } = e();
    await chain(store);
    await tamper("UPDATE audit SET actor = 'mallory' WHERE seq = 5");
    expect(await store.audit.verify()).toMatchObject({ ok: false, badSeq: 5 });
  });

  it('verifies chains longer than one page of rows', async () => {
    const { store } = e();
    await store.tx(async (t) => {
      for (let i = 0; i < 4500; i++) await t.audit.append({ ts: T0 + i, actor: 'job', action: 'tick', data: { i } });
    });
    const v = await store.audit.verify();
    expect(v).toMatchObject({ ok: true, count: 4500 });
  });

  it('lists by workflow, release and time, newest or oldest first, and pages', async () => {
    const { store } = e();
    await chain(store);
    await store.tx((t) => t.audit.append({ ts: T0 + 9, actor: 'config-file', action: 'policy_changed' }));
    expect((await store.audit.list({ workflow: 'support-triage' })).map((x) => x.seq)).toEqual([5, 3, 1]);
    expect((await store.audit.list({ releaseId: 2 })).map((x) => x.seq)).toEqual([2]);
    expect((await store.audit.list({ sinceTs: T0 + 4 }, 'asc')).map((x) => x.seq)).toEqual([4, 5, 6]);
    expect((await store.audit.list({ limit: 2 })).map((x) => x.seq)).toEqual([6, 5]);
    expect((await store.audit.list({ workflow: 'support-triage', maxSeq: 3, limit: 5 })).map((x) => x.seq)).toEqual([3, 1]);
    expect((await store.audit.list({ releaseId: 3 }))[0]!.data).toEqual({ n: 3, to: 'awaiting_approval' });

    const p1 = await store.audit.page({ workflows: ['support-triage'], global: true, limit: 2 });
    expect(p1.rows.map((x) => x.seq)).toEqual([6, 5]);
    expect(p1.nextBefore).toBe(5);
    const p2 = await store.audit.page({ workflows: ['support-triage'], global: true, limit: 2, beforeSeq: p1.nextBefore });
    expect(p2.rows.map((x) => x.seq)).toEqual([3, 1]);
    expect(p2.nextBefore).toBeUndefined();
    expect((await store.audit.page({ workflows: ['refunds'], global: false, releaseId: 4, limit: 5 })).rows.map((x) => x.seq)).toEqual([4]);
    expect(await store.audit.page({ workflows: [], global: false, limit: 5 })).toEqual({ rows: [] });
  });

  it('says when a release last entered a state', async () => {
    const { store } = e();
    await chain(store);
    expect(await store.audit.lastEntered(3, 'awaiting_approval')).toBe(T0 + 3);
    expect(await store.audit.lastEntered(2, 'awaiting_approval')).toBeNull();
  });
});
