import { expect, it } from 'vitest';
import type { BatchItem, ReceiptRecord } from '../../../src/store/repos/receipts.ts';
import { eachEngine, T0 } from '../engines.ts';

let n = 0;
function receipt(over: Partial<ReceiptRecord> = {}): ReceiptRecord {
  return {
    id: `rcp_${++n}`, ts: T0, purpose: 'production', workflow: 'support-triage', team: 'support', release_id: null, variant: 'stable',
    config_hash: 'cfg_a', provider: 'openai', model_requested: 'gpt-4.1-2025-04-14', model_served: 'gpt-4.1-2025-04-14', system_fingerprint: 'fp_1',
    unit_hash: null, input_tokens: 100, cached_tokens: 0, output_tokens: 50, reasoning_tokens: 0, cost_usd: 0.001, price_version: 'pv1',
    latency_ms: 800, status: 'ok', error_type: null, tool_calls: null, sources: null, output: 'hello', needs_approval: 0,
    approved: null, edited: null, escalated: null, overridden: null, reported: null, csat: null, ...over,
  };
}
const item = (r: ReceiptRecord, over: Partial<BatchItem> = {}): BatchItem => ({ receipt: r, forwarded: true, merge: false, ...over });

eachEngine('receipts and spend', (e) => {
  it('writes a batch once: a repeated id is not written again and does not count twice in the rollups', async () => {
    const { store } = e();
    const a = receipt({ cost_usd: 0.002 });
    const b = receipt({ status: 'error', error_type: 'upstream_error', cost_usd: 0 });
    const c = receipt({ variant: 'candidate', cost_usd: 0.004, input_tokens: 10, output_tokens: 5 });
    expect([...(await store.receipts.writeBatch([item(a), item(b, { forwarded: false }), item(c)], 'UTC'))]).toEqual([1, 1, 1]);
    expect([...(await store.receipts.writeBatch([item(a), item(receipt({ id: a.id }))], 'UTC'))]).toEqual([0, 0]);
    expect(await store.receipts.get(a.id)).toEqual(a);
    const days = await store.spend.byDay('2026-11-25', '2026-11-25');
    expect(days).toEqual([{ day: '2026-11-25', workflow: 'support-triage', purpose: 'production', calls: 3, errors: 1, cost: 0.006, inp: 210, outp: 105 }]);
    expect(await store.spend.production('2026-11-01', '2026-11-25')).toEqual([{ day: '2026-11-25', workflow: 'support-triage', team: 'support', cost: 0.006, upstream_calls: 2 }]);
    expect(await store.spend.byVariant('support-triage', '2026-11-25', '2026-11-25')).toEqual([
      { variant: 'candidate', calls: 1, cost: 0.004 },
      { variant: 'stable', calls: 2, cost: 0.002 },
    ]);
    expect(await store.spend.byVariant('support-triage', '2026-11-25', '2026-11-25', 'eval')).toEqual([]);
    expect(await store.spend.productionCost('support-triage', '2026-11-25')).toBeCloseTo(0.006, 10);
    expect(await store.spend.productionCost('support-triage', '2026-11-24')).toBe(0);
  });

  it('counts rollups on the day of the receipt in the time zone given, purposes apart', async () => {
    const { store } = e();
    const late = Date.parse('2026-11-25T23:30:00Z');
    await store.receipts.writeBatch([item(receipt({ ts: late })), item(receipt({ ts: late, purpose: 'eval', variant: 'baseline' }))], 'Europe/Berlin');
    expect(await store.spend.byDay('2026-11-25', '2026-11-26')).toEqual([
      expect.objectContaining({ day: '2026-11-26', purpose: 'eval', calls: 1 }),
      expect.objectContaining({ day: '2026-11-26', purpose: 'production', calls: 1 }),
    ]);
  });

  it('writes a batch inside a transaction, rolled back with it', async () => {
    const { store } = e();
    const r = receipt();
    await expect(
      store.tx(async (t) => {
        await t.receipts.writeBatch([item(r)], 'UTC');
        throw new Error('stale');
      }),
    ).rejects.toThrow('stale');
    expect(await store.receipts.get(r.id)).toBeUndefined();
    expect(await store.spend.byDay('2026-11-25', '2026-11-25')).toEqual([]);
  });

  it("applies feedback to a written receipt; keeps early feedback per team and merges only the receipt's own team's", async () => {
    const { store } = e();
    const written = receipt({ needs_approval: 1 });
    await store.receipts.writeBatch([item(written)], 'UTC');
    expect(await store.receipts.applyFeedback(written.id, { approved: true, csat: 4 })).toBe(true);
    expect(await store.receipts.get(written.id)).toMatchObject({ approved: 1, csat: 4, needs_approval: 0 });
    expect(await store.receipts.applyFeedback('rcp_missing', { edited: true })).toBe(false);
    expect(await store.receipts.applyFeedback(written.id, {})).toBe(true);
    expect(await store.receipts.teamOf(written.id)).toEqual({ team: 'support' });
    expect(await store.receipts.teamOf('rcp_missing')).toBeUndefined();

    const early = receipt({ needs_approval: 1 });
    await store.receipts.keepPendingFeedback(early.id, 'support', { escalated: true }, T0);
    await store.receipts.keepPendingFeedback(early.id, 'support', { approved: true }, T0 + 1);
    await store.receipts.keepPendingFeedback(early.id, 'billing', { reported: true }, T0 + 2);
    expect((await store.receipts.pendingFeedbackIds()).sort()).toEqual([early.id]);
    await store.receipts.writeBatch([item(early, { merge: true })], 'UTC');
    expect(await store.receipts.get(early.id)).toMatchObject({ escalated: 1, approved: 1, needs_approval: 0, reported: null });
    expect(await store.receipts.pendingFeedbackIds()).toEqual([]);
  });

  it('lists, pages without skipping ties, and reads canary arms and samples', async () => {
    const { store } = e();
    const rs = [
      receipt({ id: 'r1', ts: T0 + 1 }),
      receipt({ id: 'r2', ts: T0 + 2 }),
      receipt({ id: 'r3', ts: T0 + 2 }),
      receipt({ id: 'r4', ts: T0 + 3, purpose: 'eval' }),
      receipt({ id: 'r5', ts: T0 + 4, release_id: 9, variant: 'candidate', status: 'error', escalated: 1, csat: 2, input_tokens: 7, output_tokens: 3 }),
      receipt({ id: 'r6', ts: T0 + 5, release_id: 9, variant: 'stable', workflow: 'refunds' }),
    ];
    await store.receipts.writeBatch(rs.map((r) => item(r)), 'UTC');
    expect((await store.receipts.list({ workflow: 'support-triage', limit: 10 })).map((r) => r.id)).toEqual(['r5', 'r3', 'r2', 'r1']);
    expect((await store.receipts.list({ workflow: 'support-triage', purpose: 'eval', limit: 10 })).map((r) => r.id)).toEqual(['r4']);
    // A later page starts at its cursor receipt (ties on ts kept in id order); a foreign id gives none.
    expect((await store.receipts.list({ workflow: 'support-triage', limit: 2, fromId: 'r3' })).map((r) => r.id)).toEqual(['r3', 'r2']);
    expect((await store.receipts.list({ workflow: 'support-triage', limit: 10, fromId: 'r2' })).map((r) => r.id)).toEqual(['r2', 'r1']);
    expect(await store.receipts.list({ workflow: 'support-triage', limit: 10, fromId: 'r6' })).toEqual([]);
    expect((await store.receipts.list({ workflow: 'support-triage', limit: 10, beforeTs: T0 + 2 })).map((r) => r.id)).toEqual(['r1']);
    const p1 = await store.receipts.page({ workflows: ['support-triage', 'refunds'], purpose: 'production', limit: 3 });
    expect(p1.rows.map((r) => r.id)).toEqual(['r6', 'r5', 'r3']);
    const p2 = await store.receipts.page({ workflows: ['support-triage', 'refunds'], purpose: 'production', limit: 3, before: p1.next });
    expect(p2.rows.map((r) => r.id)).toEqual(['r2', 'r1']);
    expect(p2.next).toBeUndefined();
    expect(await store.receipts.page({ workflows: [], purpose: 'production', limit: 3 })).toEqual({ rows: [] });
    expect(await store.receipts.armRows(9, 'candidate', T0)).toEqual([
      { status: 'error', latency_ms: 800, cost_usd: 0.001, tokens: 10, escalated: 1, overridden: null, reported: null, csat: 2 },
    ]);
    expect(await store.receipts.armRows(9, 'candidate', T0 + 5)).toEqual([]);
    expect(await store.receipts.samples(9, 10)).toEqual([
      { ts: T0 + 4, variant: 'candidate', status: 'error', latency_ms: 800 },
      { ts: T0 + 5, variant: 'stable', status: 'ok', latency_ms: 800 },
    ]);
  });

  it("reads a config's production calls in a time window, newest first, capped (the canary's hour before a stage)", async () => {
    const { store } = e();
    await store.receipts.writeBatch(
      [
        receipt({ id: 'p1', ts: T0 - 3_000, status: 'error', latency_ms: null, reported: 1 }),
        receipt({ id: 'p2', ts: T0 - 2_000, escalated: 1 }),
        receipt({ id: 'p3', ts: T0 - 1_000, overridden: 1 }),
        receipt({ id: 'x1', ts: T0 - 1_500, config_hash: 'cfg_b' }),
        receipt({ id: 'x2', ts: T0 - 1_500, purpose: 'eval' }),
        receipt({ id: 'x3', ts: T0 - 1_500, workflow: 'refunds' }),
        receipt({ id: 'x4', ts: T0 }),
        receipt({ id: 'x5', ts: T0 - 5_000 }),
      ].map((r) => item(r)),
      'UTC',
    );
    const rows = await store.receipts.configRows('support-triage', 'cfg_a', T0 - 4_000, T0, 10);
    expect(rows).toEqual([
      { status: 'ok', latency_ms: 800, escalated: null, overridden: 1, reported: null },
      { status: 'ok', latency_ms: 800, escalated: 1, overridden: null, reported: null },
      { status: 'error', latency_ms: null, escalated: null, overridden: null, reported: 1 },
    ]);
    expect(await store.receipts.configRows('support-triage', 'cfg_a', T0 - 4_000, T0, 2)).toHaveLength(2);
  });

  it('counts drafts nobody reviewed and write actions awaiting approval', async () => {
    const { store } = e();
    await store.receipts.writeBatch(
      [
        receipt({ ts: T0 - 100 }),
        receipt({ ts: T0 - 50 }),
        receipt({ ts: T0 - 40, approved: 1 }),
        receipt({ ts: T0 - 30, edited: 1 }),
        receipt({ ts: T0 + 10 }),
        receipt({ needs_approval: 1 }),
        receipt({ needs_approval: 1, approved: 0 }),
        receipt({ needs_approval: 1, workflow: 'refunds' }),
      ].map((r) => item(r)),
      'UTC',
    );
    expect(await store.receipts.unreviewedDrafts('support-triage', T0)).toEqual({ count: 2, oldestTs: T0 - 100 });
    expect(await store.receipts.unreviewedDrafts('nothing', T0)).toEqual({ count: 0, oldestTs: null });
    expect(await store.receipts.awaitingApproval('support-triage')).toBe(2);
    expect(await store.receipts.count()).toBe(8);
    expect(await store.receipts.count('production')).toBe(8);
    expect(await store.receipts.count('eval')).toBe(0);
  });
});
