/**
 * Seeds production and eval receipts, with their `spend_daily` rollups, into a SQLite file: one
 * transaction, prepared statements, rollups summed in memory and written once at the end.
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
import { dayKey } from '../src/core/time.ts';
import type { Db } from '../src/store/db.ts';
import { mulberry32 as random } from '../src/core/random.ts';

export interface SeedOptions {
  count: number;
  days: number;
  now: number;
  tz: string;
  seed?: number;
}


/** Seeds `count` receipts over the `days` days ending at `now`, spread over the config's workflows. */
export function seedReceipts(db: Db, config: LoadedConfig, o: SeedOptions): { count: number; rollups: number } {
  const rnd = random(o.seed ?? 7);
  const workflows = Object.values(config.workflows);
  if (workflows.length === 0) throw new Error('the configuration has no workflows to seed receipts for');
  const weights = workflows.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((s, w) => s + w, 0);
  const cumulative = weights.map((_, i) => weights.slice(0, i + 1).reduce((s, w) => s + w, 0) / total);
  const insert = db.prepare(
    `INSERT INTO receipts (id, ts, purpose, workflow, team, variant, config_hash, provider, model_requested, model_served,
       input_tokens, output_tokens, cost_usd, price_version, latency_ms, status, error_type, needs_approval, approved, edited, escalated, csat)
     VALUES (?, ?, ?, ?, ?, 'stable', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const addRollup = db.prepare(
    `INSERT INTO spend_daily (day, workflow, team, purpose, variant, calls, errors, cost_usd, input_tokens, output_tokens)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(day, workflow, purpose, variant) DO UPDATE SET calls = calls + excluded.calls, errors = errors + excluded.errors,
       cost_usd = cost_usd + excluded.cost_usd, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens`,
  );
  const stableHash = new Map(
    (db.prepare('SELECT name, stable_hash FROM workflows').all() as { name: string; stable_hash: string }[]).map((r) => [r.name, r.stable_hash]),
  );
  const span = o.days * 86_400_000;
  const start = o.now - span;
  const dayOfHour = new Map<number, string>();
  const dayOf = (ts: number) => {
    const h = Math.floor(ts / 3_600_000);
    let d = dayOfHour.get(h);
    if (d === undefined) dayOfHour.set(h, (d = dayKey(h * 3_600_000, o.tz)));
    return d;
  };
  type Rollup = { day: string; workflow: string; team: string; purpose: string; calls: number; errors: number; cost: number; inp: number; outp: number };
  const rollups = new Map<string, Rollup>();
  db.transaction(() => {
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
      insert.run(
        `rcpt_seed_${i.toString(36).padStart(6, '0')}`,
        ts,
        purpose,
        wf.name,
        wf.team,
        stableHash.get(wf.name) ?? null,
        wf.config.provider,
        wf.config.model,
        wf.config.model,
        inp,
        outp,
        cost,
        config.priceVersion,
        400 + Math.floor(rnd() * 2000),
        ok ? 'ok' : 'upstream_error',
        ok ? null : 'upstream_error',
        writes ? 1 : 0,
        approved,
        edited,
        rnd() < 0.05 ? 1 : null,
        rnd() < 0.1 ? 1 + Math.floor(rnd() * 5) : null,
      );
      const day = dayOf(ts);
      const k = `${day}|${wf.name}|${purpose}`;
      let u = rollups.get(k);
      if (!u) rollups.set(k, (u = { day, workflow: wf.name, team: wf.team, purpose, calls: 0, errors: 0, cost: 0, inp: 0, outp: 0 }));
      u.calls++;
      if (!ok) u.errors++;
      u.cost += cost;
      u.inp += inp;
      u.outp += outp;
    }
    for (const u of rollups.values()) addRollup.run(u.day, u.workflow, u.team, u.purpose, 'stable', u.calls, u.errors, u.cost, u.inp, u.outp);
  }).immediate();
  return { count: o.count, rollups: rollups.size };
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Opens (migrates and syncs) the database, then seeds it; returns what it did. */
export function seedFile(opts: { dbPath?: string; configPath?: string; count: number; days: number; now?: number }) {
  const dbPath = opts.dbPath ?? join(mkdtempSync(join(tmpdir(), 'air-seed-')), 'ai-release.db');
  const settings = { ...settingsFromEnv(process.env), databasePath: dbPath, ...(opts.configPath ? { configPath: resolve(opts.configPath) } : {}) };
  const now = opts.now ?? Date.now();
  const app = openApp(settings, { now: () => now });
  const t0 = performance.now();
  const r = seedReceipts(app.ctx.db, app.ctx.config, { count: opts.count, days: opts.days, now, tz: settings.tz });
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
  const r = seedFile({ dbPath: flag(argv, 'db'), configPath: flag(argv, 'config'), count, days });
  r.app.close();
  process.stdout.write(`seeded ${r.count.toLocaleString('en-US')} receipts (${r.rollups} spend_daily rollups) over ${days} days in ${(r.ms / 1000).toFixed(1)} s into ${r.dbPath}\n`);
}
