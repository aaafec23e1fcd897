import { expect, it } from 'vitest';
import type { ReceiptRecord } from '../../../src/store/repos/receipts.ts';
import { eachEngine, T0 } from '../engines.ts';

const receipt = (id: string): ReceiptRecord => ({
  id, ts: T0, purpose: 'production', workflow: 'support-triage', team: 'support', release_id: null, variant: 'stable', config_hash: null,
  provider: null, model_requested: null, model_served: null, system_fingerprint: null, unit_hash: null, input_tokens: 1, cached_tokens: 0,
  output_tokens: 1, reasoning_tokens: 0, cost_usd: 0.5, price_version: null, latency_ms: null, status: 'ok', error_type: null,
  tool_calls: null, sources: null, output: null, needs_approval: 0, approved: null, edited: null, escalated: null, overridden: null,
  reported: null, csat: null,
});

eachEngine('receipt sinks', (e) => {
  for (const thread of ['inline', 'worker'] as const)
    it(`writes batches (${thread}), each once, and drains before it closes`, async () => {
      const { store } = e();
      const errors: Error[] = [];
      const sink = store.receiptSink({ tz: 'UTC', thread, onError: (x) => errors.push(x) });
      const first = sink.write([{ receipt: receipt('a'), forwarded: true, merge: false }, { receipt: receipt('b'), forwarded: true, merge: false }]);
      const second = sink.write([{ receipt: receipt('a'), forwarded: true, merge: false }, { receipt: receipt('c'), forwarded: false, merge: false }]);
      await sink.drain();
      expect([...(await first)]).toEqual([1, 1]);
      expect([...(await second)]).toEqual([0, 1]);
      expect(await store.spend.production('2026-11-25', '2026-11-25')).toEqual([{ day: '2026-11-25', workflow: 'support-triage', team: 'support', cost: 1.5, upstream_calls: 2 }]);
      await sink.close();
      expect(errors).toEqual([]);
    });
});
