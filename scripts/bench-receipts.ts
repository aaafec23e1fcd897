/**
 * `npm run bench:receipts`: sustained receipt ingest into SQLite through the gateway's batch
 * writer (one transaction per batch, `spend_daily` rollups in the same transaction), written
 * inline and by the worker thread (GATEWAY_RECEIPT_THREAD), each into its own store.
 *
 *   npx tsx scripts/bench-receipts.ts [--count 200000] [--batch 2000]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfigOrThrow } from '../src/app.ts';
import { ReceiptWriter } from '../src/gateway/receipt-writer.ts';
import { newReceiptId } from '../src/gateway/receipt-id.ts';
import { openStore } from '../src/store/open.ts';
import type { ReceiptRecord } from '../src/store/repos/receipts.ts';
import { numberOption } from './bench/args.ts';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => numberOption(args, name, def);
const COUNT = arg('--count', 200_000);
const BATCH = arg('--batch', 2000);

const dir = mkdtempSync(join(tmpdir(), 'air-bench-receipts-'));
let config: ReturnType<typeof loadConfigOrThrow> | null = null;
try {
  config = loadConfigOrThrow(resolve('examples/ai-release.yaml'), { ...process.env, OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' });
} catch {
  config = null; // the writer only needs the config for budget alerts, which this run does not raise
}

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

/** COUNT receipts through a writer on its own store; receipts/s and the serving thread's CPU per receipt. */
async function measure(thread: 'inline' | 'worker'): Promise<{ stored: number; seconds: number; rate: number; mainUs: number }> {
  const store = await openStore({ engine: 'sqlite', path: join(dir, `${thread}.db`) });
  await store.migrate();
  const writer = await ReceiptWriter.open(store, { tz: 'UTC', now: Date.now, config: () => config!, batchSize: BATCH, intervalMs: 50, thread });
  const now = Date.now();
  const cpu0 = threadCpuUs();
  const t0 = performance.now();
  for (let i = 0; i < COUNT; i++) {
    writer.add({ receipt: receipt(i, now), forwarded: true });
    if (writer.queued >= BATCH) await writer.flushNow();
  }
  await writer.stop();
  const seconds = (performance.now() - t0) / 1000;
  const mainUs = (threadCpuUs() - cpu0) / COUNT;
  const stored = await store.receipts.count();
  await store.close();
  return { stored, seconds, rate: stored / seconds, mainUs };
}

/** CPU time of this (the main) thread so far, in µs: what the worker takes off it shows here. */
function threadCpuUs(): number {
  const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * (1e6 / 100);
}

const rows: ({ thread: 'inline' | 'worker' } & Awaited<ReturnType<typeof measure>>)[] = [];
for (const thread of ['inline', 'worker'] as const) rows.push({ thread, ...(await measure(thread)) });
console.log('| writer | receipts | batch | seconds | receipts/s | main-thread CPU per receipt |\n|---|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.thread} | ${r.stored} | ${BATCH} | ${r.seconds.toFixed(2)} | ${Math.round(r.rate)} | ${r.mainUs.toFixed(1)} µs |`);
const best = Math.max(...rows.map((r) => r.rate));
console.log(`target ≥ 20,000 receipts/s: ${best >= 20_000 ? 'met' : 'MISSED'} (inline ${Math.round(rows[0]!.rate)}/s)`);
rmSync(dir, { recursive: true, force: true });
