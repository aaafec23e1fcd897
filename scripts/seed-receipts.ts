/**
 * Seeds production and eval receipts, with their `spend_daily` rollups, through the store: one
 * transaction, receipts written in large batches (the store's batch writer sums the rollups).
 *
 *   npx tsx scripts/seed-receipts.ts [--count 1000000] [--days 60] [--db PATH] [--config FILE]
 *
 * Without --db it writes to a new temporary file and prints its path.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openApp, settingsFromEnv } from '../src/app.ts';
import type { LoadedConfig } from '../src/config/types.ts';
import type { BatchItem, ReceiptRecord } from '../src/store/repos/receipts.ts';
import type { Store } from '../src/store/store.ts';
import { mulberry32 as random } from '../src/core/random.ts';
import { dayKey } from '../src/core/time.ts';

export interface SeedOptions {
  count: number;
  days: number;
  now: number;
  tz: string;
  seed?: number;
}

const BATCH = 20_000;

/** Seeds `count` receipts over the `days` days ending at `now`, spread over the config's workflows. */
export async function seedReceipts(store: Store, config: LoadedConfig, o: SeedOptions): Promise<{ count: number; rollups: number }> {
  const rnd = random(o.seed ?? 7);
  const workflows = Object.values(config.workflows);
  if (workflows.length === 0) throw new Error('the configuration has no workflows to seed receipts for');
  const weights = workflows.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((s, w) => s + w, 0);
  const cumulative = weights.map((_, i) => weights.slice(0, i + 1).reduce((s, w) => s + w, 0) / total);
  const stableHash = new Map((await store.workflows.list()).map((w) => [w.name, w.stableHash]));
  const span = o.days * 86_400_000;
  const start = o.now - span;
  const rollups = new Set<string>();
  const dayOfHour = new Map<number, string>();
  await store.tx(async (t) => {
    let batch: BatchItem[] = [];
    for (let i = 0; i < o.count; i++) {
      const x = rnd();
      const wf = workflows[cumulative.findIndex((c) => x <= c)] ?? workflows[0]!;
      const ts = Math.floor(start + (i / o.count) * span + rnd() * 1000);
      const purpose = rnd() < 0.03 ? 'eval' : 'production';
      const price = config.pricing[wf.config.model] ?? { input: 1, cachedInput: 1, output: 4 };
      const inp = 300 + Math.floor(rnd() * 1200);
      const outp = 100 + Math.floor(rnd() * 500);
      const cost = (inp * price.input + outp * price.output) / 1e6;
      const ok = rnd() >= 0.02;
      const f = rnd();
      const draft = wf.authority === 'draft' && purpose === 'production';
      const writes = wf.authority === 'execute-with-approval' && purpose === 'production' && rnd() < 0.1;
      const approved = draft ? (f < 0.93 ? 1 : f < 0.95 ? 0 : null) : writes ? (f < 0.85 ? 1 : f < 0.9 ? 0 : null) : null;
      const edited = draft && f >= 0.93 && f < 0.96 ? 1 : null;
      const latency = 400 + Math.floor(rnd() * 2000);
      const escalated = rnd() < 0.05 ? 1 : null;
      const csat = rnd() < 0.1 ? 1 + Math.floor(rnd() * 5) : null;
      const receipt: ReceiptRecord = {
        id: `rcpt_seed_${i.toString(36).padStart(6, '0')}`, ts, purpose, workflow: wf.name, team: wf.team, release_id: null, variant: 'stable',
        config_hash: stableHash.get(wf.name) ?? null, provider: wf.config.provider, model_requested: wf.config.model, model_served: wf.config.model,
        system_fingerprint: null, unit_hash: null, input_tokens: inp, cached_tokens: 0, output_tokens: outp, reasoning_tokens: 0, cost_usd: cost,
        price_version: config.priceVersion, latency_ms: latency, status: ok ? 'ok' : 'error', error_type: ok ? null : 'upstream_error', tool_calls: null,
        sources: null, output: null, needs_approval: writes ? 1 : 0, approved, edited, escalated, overridden: null, reported: null, csat,
      };
      batch.push({ receipt, forwarded: true, merge: false });
      const h = Math.floor(ts / 3_600_000);
      let day = dayOfHour.get(h);
      if (day === undefined) dayOfHour.set(h, (day = dayKey(h * 3_600_000, o.tz)));
      rollups.add(`${day}|${wf.name}|${purpose}`);
      if (batch.length >= BATCH) {
        await t.receipts.writeBatch(batch, o.tz);
        batch = [];
      }
    }
    if (batch.length) await t.receipts.writeBatch(batch, o.tz);
  });
  return { count: o.count, rollups: rollups.size };
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Opens (migrates and syncs) the database, then seeds it; returns what it did. */
export async function seedFile(opts: { dbPath?: string; configPath?: string; count: number; days: number; now?: number }) {
  const dbPath = opts.dbPath ?? join(mkdtempSync(join(tmpdir(), 'air-seed-')), 'ai-release.db');
  const settings = { ...settingsFromEnv(process.env), databasePath: dbPath, ...(opts.configPath ? { configPath: resolve(opts.configPath) } : {}) };
  const now = opts.now ?? Date.now();
  const app = await openApp(settings, { now: () => now });
  const t0 = performance.now();
  const r = await seedReceipts(app.ctx.store, app.ctx.config, { count: opts.count, days: opts.days, now, tz: settings.tz });
  const ms = performance.now() - t0;
  return { app, settings, dbPath, ms, ...r };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const count = Number(flag(argv, 'count') ?? 1_000_000);
  const days = Number(flag(argv, 'days') ?? 60);
  if (!Number.isInteger(count) || count <= 0 || !Number.isInteger(days) || days <= 0) {
    process.stderr.write('usage: npx tsx scripts/seed-receipts.ts [--count N] [--days D] [--db PATH] [--config FILE]\n');
    process.exit(2);
  }
  const r = await seedFile({ dbPath: flag(argv, 'db'), configPath: flag(argv, 'config'), count, days });
  await r.app.close();
  process.stdout.write(`seeded ${r.count.toLocaleString('en-US')} receipts (${r.rollups} spend_daily rollups) over ${days} days in ${(r.ms / 1000).toFixed(1)} s into ${r.dbPath}\n`);
}
