/**
 * `npm run bench:receipts`: sustained receipt ingest into SQLite through the gateway's batch
 * writer (one transaction per batch, `spend_daily` rollups in the same transaction).
 *
 *   npx tsx scripts/bench-receipts.ts [--count 200000] [--batch 2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfigOrThrow } from '../src/app.ts';
import { migrate, openDb } from '../src/store/db.ts';
import { ReceiptWriter } from '../src/gateway/receipt-writer.ts';
import { newReceiptId } from '../src/gateway/receipt-id.ts';
import type { ReceiptRecord } from '../src/store/receipts-write.ts';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const COUNT = arg('--count', 200_000);
const BATCH = arg('--batch', 2000);

const dir = mkdtempSync(join(tmpdir(), 'air-bench-receipts-'));
const db = openDb(join(dir, 'bench.db'));
migrate(db);
let config: ReturnType<typeof loadConfigOrThrow> | null = null;
try {
  config = loadConfigOrThrow(resolve('examples/ai-release.yaml'), { ...process.env, OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' });
} catch {
  config = null; // the writer only needs the config for budget alerts, which this run does not raise
}
const writer = new ReceiptWriter(db, { tz: 'UTC', now: Date.now, config: () => config!, batchSize: BATCH, intervalMs: 50 });

const workflows = ['support-triage', 'gl-coding', 'sales-email', 'kpi-narrative'];
function receipt(i: number, ts: number): ReceiptRecord {
  return {
    id: newReceiptId(), ts, purpose: 'production', workflow: workflows[i % 4]!, team: 'support', release_id: null,
    variant: i % 20 === 0 ? 'candidate' : 'stable', config_hash: 'cfg_0123456789ab', provider: 'openai',
    model_requested: 'gpt-4.1-2025-04-14', model_served: 'gpt-4.1-2025-04-14', system_fingerprint: 'fp_bench',
    unit_hash: 'a'.repeat(64), input_tokens: 812, cached_tokens: 256, output_tokens: 143, reasoning_tokens: 0, cost_usd: 0.002896,
    price_version: 'b0baab3165ab', latency_ms: 812.5, status: 'ok', error_type: null, tool_calls: null, sources: null,
    output: '{"category":"billing","priority":"high","escalate":false,"summary":"Duplicate charge on order 4411."}',
    needs_approval: 0, approved: null, edited: null, escalated: null, overridden: null, reported: null, csat: null,
  };
}

const t0 = performance.now();
const now = Date.now();
for (let i = 0; i < COUNT; i++) {
  writer.add({ receipt: receipt(i, now), forwarded: true });
  if (writer.queued >= BATCH) writer.flushNow();
}
writer.stop();
const seconds = (performance.now() - t0) / 1000;
const stored = (db.prepare('SELECT COUNT(*) n FROM receipts').get() as { n: number }).n;
const rate = stored / seconds;
console.log(`| receipts | batch | seconds | receipts/s |\n|---:|---:|---:|---:|\n| ${stored} | ${BATCH} | ${seconds.toFixed(2)} | ${Math.round(rate)} |`);
console.log(`target ≥ 20,000 receipts/s: ${rate >= 20_000 ? 'met' : 'MISSED'}`);
db.close();
rmSync(dir, { recursive: true, force: true });
if (stored !== COUNT) {
  console.error(`expected ${COUNT} receipts, found ${stored}`);
  process.exitCode = 1;
}
