import { expect, it } from 'vitest';
import { eachEngine, T0 } from '../engines.ts';

eachEngine('unit of work', (e) => {
  it('commits every repository write of a transaction together', async () => {
    const { store } = e();
    const id = await store.tx(async (t) => {
      await t.meta.put('k', 'v');
      await t.audit.append({ ts: T0, actor: 'a', action: 'b' });
      return t.events.emit({ kind: 'notice', now: T0 });
    });
    expect(await store.meta.get('k')).toBe('v');
    expect(await store.audit.verify()).toMatchObject({ ok: true, count: 1 });
    expect((await store.events.after(0)).map((x) => x.id)).toEqual([id]);
  });

  it('rolls every write back when the transaction throws', async () => {
    const { store } = e();
    await expect(
      store.tx(async (t) => {
        await t.meta.put('k', 'v');
        await t.events.emit({ kind: 'notice', now: T0 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.meta.get('k')).toBeUndefined();
    expect(await store.events.after(0)).toEqual([]);
  });

  it('keeps statements outside a transaction out of an open one (they wait, then see only committed state)', async () => {
    const { store } = e();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inside = store.tx(async (t) => {
      await t.meta.put('k', 'uncommitted');
      await gate;
      throw new Error('rolled back');
    });
    // Give the transaction its turn to start.
    await new Promise((r) => setImmediate(r));
    const read = store.meta.get('k');
    const write = store.meta.put('other', 'x');
    release();
    await expect(inside).rejects.toThrow('rolled back');
    expect(await read).toBeUndefined();
    await write;
    expect(await store.meta.get('other')).toBe('x');
  });

  it('runs transactions one at a time, in order', async () => {
    const { store } = e();
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        store.tx(async (t) => {
          order.push(`${name}:start`);
          const before = Number((await t.meta.get('n')) ?? '0');
          await new Promise((r) => setImmediate(r));
          await t.meta.put('n', String(before + 1));
          order.push(`${name}:end`);
        }),
      ),
    );
    expect(order).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
    expect(await store.meta.get('n')).toBe('3');
  });

  it("a transaction's repositories refuse to work once it has ended", async () => {
    const { store } = e();
    let kept: Parameters<Parameters<typeof store.tx>[0]>[0] | undefined;
    await store.tx(async (t) => {
      kept = t;
    });
    await expect(kept!.meta.get('k')).rejects.toThrow(/ended/);
  });

  it('moves the change stamp on a commit here and on a commit by another store, not on reads', async () => {
    const { store, reopen } = e();
    const s0 = store.changeStamp({ fresh: true });
    await store.meta.get('k');
    expect(store.changeStamp({ fresh: true })).toBe(s0);
    await store.tx((t) => t.meta.put('k', '1'));
    const s1 = store.changeStamp({ fresh: true });
    expect(s1).not.toBe(s0);
    const other = await reopen();
    await other.tx((t) => t.meta.put('k', '2'));
    expect(store.changeStamp({ fresh: true })).not.toBe(s1);
    expect(await store.meta.get('k')).toBe('2');
  });

  it('answers a ping, and closes once (later closes do nothing)', async () => {
    const { reopen } = e();
    const other = await reopen();
    await expect(other.ping()).resolves.toBeUndefined();
    await other.close();
    expect(other.closed).toBe(true);
    await other.close();
  });
});
