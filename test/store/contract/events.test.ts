import { expect, it } from 'vitest';
import { eachEngine, T0 } from '../engines.ts';

eachEngine('events and cursors', (e) => {
  it('emits events with increasing ids and reads them after an id, oldest first', async () => {
    const { store } = e();
    const a = await store.events.emit({ kind: 'release_changed', releaseId: 7, workflow: 'support-triage', payload: { action: 'requested' }, now: T0 });
    const b = await store.tx((t) => t.events.emit({ kind: 'notice', now: T0 + 1 }));
    expect(b).toBeGreaterThan(a);
    expect(await store.events.after(0)).toEqual([
      { id: a, kind: 'release_changed', releaseId: 7, workflow: 'support-triage', payload: { action: 'requested' }, createdAt: T0 },
      { id: b, kind: 'notice', releaseId: null, workflow: null, payload: {}, createdAt: T0 + 1 },
    ]);
    expect((await store.events.after(a)).map((x) => x.id)).toEqual([b]);
    expect((await store.events.after(0, 1)).map((x) => x.id)).toEqual([a]);
  });

  it('starts a new consumer at the present and moves its cursor only forward', async () => {
    const { store } = e();
    const first = await store.events.emit({ kind: 'notice', now: T0 });
    expect(await store.events.cursorOf('plugin:slack')).toBe(first);
    const second = await store.events.emit({ kind: 'notice', now: T0 });
    expect(await store.events.cursorOf('plugin:slack')).toBe(first);
    await store.events.advance('plugin:slack', second);
    await store.events.advance('plugin:slack', first);
    expect(await store.events.cursorOf('plugin:slack')).toBe(second);
    // Cursors are per consumer, and persisted for other processes.
    expect(await store.events.cursorOf('plugin:teams')).toBe(second);
    const other = await e().reopen();
    expect(await other.events.cursorOf('plugin:slack')).toBe(second);
  });
});
