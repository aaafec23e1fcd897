/**
 * The receipt writer on both of its sinks: inline (this thread) and the worker thread with its
 * own connection. Same behaviour either way: everything queued is written by flushNow(), ids are
 * idempotent, rollups count only new receipts, early feedback is merged, drift is alerted, and a
 * dead worker loses nothing.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ReceiptWriter } from '../../src/gateway/receipt-writer.ts';
import { newReceiptId } from '../../src/gateway/receipt-id.ts';
import { receiptThread } from '../../src/gateway/state.ts';
import type { ReceiptRecord } from '../../src/store/repos/receipts.ts';
import { openTestApp, startTestServer } from '../helpers/harness.ts';

const opened: { app: Awaited<ReturnType<typeof openTestApp>>; writer: ReceiptWriter }[] = [];
afterEach(async () => {
  for (const { app, writer } of opened.splice(0)) {
    await writer.stop();
    await app.close();
    rmSync(app.dir, { recursive: true, force: true });
  }
});

async function setup(thread: 'inline' | 'worker', opts: { intervalMs?: number } = {}) {
  const app = await openTestApp();
  const errors: string[] = [];
  const writer = await ReceiptWriter.open(app.ctx.store, {
    tz: 'UTC',
    now: () => Date.now(),
    config: () => app.ctx.config,
    thread,
    intervalMs: opts.intervalMs ?? 600_000,
    onError: (e) => errors.push(e.message),
  });
  opened.push({ app, writer });
  const store = app.ctx.store;
  const count = () => store.receipts.count();
  const calls = async () => (await store.spend.byDay('2000-01-01', '2999-12-31')).filter((d) => d.workflow === 'support-triage').reduce((n, d) => n + d.calls, 0);
  return { app, store, writer, errors, count, calls };
}

function receipt(over: Partial<ReceiptRecord> = {}): ReceiptRecord {
  return {
    id: newReceiptId(), ts: Date.parse('2026-11-25T10:00:00Z'), purpose: 'production', workflow: 'support-triage', team: 'support',
    release_id: null, variant: 'stable', config_hash: 'sha256:cfg-a', provider: 'openai', model_requested: 'gpt-4.1-2025-04-14',
    model_served: 'gpt-4.1-2025-04-14', system_fingerprint: 'fp_1', unit_hash: null, input_tokens: 100, cached_tokens: 0,
    output_tokens: 20, reasoning_tokens: 0, cost_usd: 0.00036, price_version: 'p1', latency_ms: 3.2, status: 'ok', error_type: null,
    tool_calls: null, sources: null, output: 'OK', needs_approval: 0, approved: null, edited: null, escalated: null, overridden: null,
    reported: null, csat: null, ...over,
  };
}

describe.each(['inline', 'worker'] as const)('receipt writer (%s)', (thread) => {
  it('flushNow writes everything queued, with its rollups, and reports how many were new', async () => {
    const t = await setup(thread);
    for (let i = 0; i < 250; i++) t.writer.add({ receipt: receipt(), forwarded: i % 5 !== 0 });
    expect(await t.count()).toBe(0);
    expect(await t.writer.flushNow()).toBe(250);
    expect(await t.count()).toBe(250);
    expect((await t.store.spend.byDay('2026-11-25', '2026-11-25')).find((d) => d.workflow === 'support-triage')?.calls).toBe(250);
    expect((await t.store.spend.production('2026-11-25', '2026-11-25')).find((d) => d.workflow === 'support-triage')?.upstream_calls).toBe(200);
    expect(t.errors).toEqual([]);
  });

  it('a receipt id written twice counts once (rows, rollups and onWritten)', async () => {
    const t = await setup(thread);
    const r = receipt();
    let written = 0;
    t.writer.add({ receipt: r, forwarded: true, onWritten: () => written++ });
    await t.writer.flushNow();
    t.writer.add({ receipt: { ...r }, forwarded: true, onWritten: () => written++ });
    expect(await t.writer.flushNow()).toBe(0);
    expect(await t.count()).toBe(1);
    expect(await t.calls()).toBe(1);
    expect(written).toBe(1);
  });

  it('batches handed over by the timer are finished by a later flushNow (nothing in flight is lost)', async () => {
    const t = await setup(thread, { intervalMs: 1 });
    for (let i = 0; i < 50; i++) t.writer.add({ receipt: receipt(), forwarded: true });
    await new Promise((r) => setTimeout(r, 5)); // the timer hands the batch to the sink
    for (let i = 0; i < 50; i++) t.writer.add({ receipt: receipt(), forwarded: true });
    await t.writer.flushNow();
    expect(await t.count()).toBe(100);
    expect(t.writer.written).toBe(100);
  });

  it('the timer alone writes the queue', async () => {
    const t = await setup(thread, { intervalMs: 5 });
    for (let i = 0; i < 20; i++) t.writer.add({ receipt: receipt(), forwarded: true });
    for (let i = 0; i < 200 && (await t.count()) < 20; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await t.count()).toBe(20);
  });

  it("early feedback is merged into its receipt, from the receipt's own team only", async () => {
    const t = await setup(thread);
    const mine = receipt();
    const theirs = receipt();
    await t.store.receipts.keepPendingFeedback(mine.id, 'support', { approved: true, csat: 4 }, Date.now());
    await t.store.receipts.keepPendingFeedback(theirs.id, 'finance', { approved: true }, Date.now());
    t.writer.pendingFeedback.add(mine.id);
    t.writer.pendingFeedback.add(theirs.id);
    t.writer.add({ receipt: mine, forwarded: true });
    t.writer.add({ receipt: theirs, forwarded: true });
    await t.writer.flushNow();
    expect(await t.store.receipts.get(mine.id)).toMatchObject({ approved: 1, csat: 4 });
    expect(await t.store.receipts.get(theirs.id)).toMatchObject({ approved: null, csat: null });
    expect(await t.store.receipts.pendingFeedbackIds()).toEqual([]);
  });

  it('a fingerprint change for the same config raises one drift alert and one audit event', async () => {
    const t = await setup(thread);
    t.writer.add({ receipt: receipt({ system_fingerprint: 'fp_1' }), forwarded: true });
    await t.writer.flushNow();
    for (let i = 0; i < 3; i++) t.writer.add({ receipt: receipt({ system_fingerprint: 'fp_2' }), forwarded: true });
    await t.writer.flushNow();
    expect((await t.store.audit.list({})).filter((e) => e.action === 'model_drift')).toHaveLength(1);
    expect((await t.store.servedModels.all()).get('sha256:cfg-a')?.fingerprint).toBe('fp_2');
  });
});

describe('receipt writer thread', () => {
  it('a worker that dies loses nothing: what it held is written inline, and the writer stays inline', async () => {
    const t = await setup('worker', { intervalMs: 1 });
    t.writer.add({ receipt: receipt(), forwarded: true });
    await t.writer.flushNow(); // starts the worker
    const sink = (t.writer as unknown as { sink: { worker: { terminate(): Promise<number> } | null } }).sink;
    expect(sink.worker).not.toBeNull();
    await sink.worker!.terminate();
    for (let i = 0; i < 30; i++) t.writer.add({ receipt: receipt(), forwarded: true });
    await t.writer.flushNow();
    expect(await t.count()).toBe(31);
    expect(await t.calls()).toBe(31);
    expect(t.errors.join('\n')).toMatch(/receipt writer thread: .*exited.*main thread from now on/);
  });

  it('GATEWAY_RECEIPT_THREAD: auto picks the worker from 4 cores up; a bad value is refused by name', async () => {
    expect(receiptThread(undefined, 2)).toBe('inline');
    expect(receiptThread('', 8)).toBe('worker');
    expect(receiptThread('auto', 4)).toBe('worker');
    expect(receiptThread('inline', 16)).toBe('inline');
    expect(receiptThread('worker', 2)).toBe('worker');
    expect(() => receiptThread('yes', 2)).toThrow('GATEWAY_RECEIPT_THREAD "yes" must be auto, worker or inline');
  });

  it('a gateway variable that is not a positive number stops the start, naming it', async () => {
    await expect(startTestServer({ env: { GATEWAY_TIMEOUT_MS: 'soon' } })).rejects.toThrow('GATEWAY_TIMEOUT_MS "soon" must be a positive number');
    await expect(startTestServer({ env: { GATEWAY_MAX_BODY_BYTES: '-1' } })).rejects.toThrow('GATEWAY_MAX_BODY_BYTES "-1" must be a positive number');
  });
});
