/**
 * bench:digest — every team's digest over 1,000,000 receipts. Target: under 1 s for all of them.
 *
 * Seeds the receipts and their spend_daily rollups into a temporary file (scripts/seed-receipts.ts),
 * or uses an already seeded one, then computes every digest (and `spend` for every team) a few
 * times on a fresh connection and prints the timings. Spend figures come from the rollups; only the
 * authority-ladder counts touch receipts, through the indexes of 006_jobs.sql (the query plans
 * are printed too).
 *
 *   npx tsx scripts/bench-digest.ts [--count 1000000] [--db SEEDED.db] [--runs 5]
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { openApp } from '../src/app.ts';
import { buildDigests } from '../src/jobs/digest.ts';
import { spendReport } from '../src/services/spend.ts';
import { ladderQueryPlans } from '../src/store/sqlite/plans.ts';
import { seedFile } from './seed-receipts.ts';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const count = Number(flag('count') ?? 1_000_000);
const runs = Number(flag('runs') ?? 5);
const given = flag('db');
const now = Date.now();

let dbPath = given;
let seeded = '';
if (!dbPath) {
  process.stdout.write(`seeding ${count.toLocaleString('en-US')} receipts…\n`);
  const s = await seedFile({ count, days: 60, now });
  await s.app.close();
  dbPath = s.dbPath;
  seeded = `${(s.ms / 1000).toFixed(1)} s`;
}

const app = await openApp({ ...(await import('../src/app.ts')).settingsFromEnv(process.env), databasePath: dbPath }, { now: () => now });
const { ctx } = app;
const tz = process.env.TZ || 'UTC';
const receipts = await ctx.store.receipts.count();

async function time(fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const teams = Object.keys(ctx.config.teams);

const digestTimes = await time(() => buildDigests(ctx, now, tz));
const spendTimes = await time(() => Promise.all(teams.map((team) => spendReport(ctx, { team, days: 7 }, tz))));
const digests = await buildDigests(ctx, now, tz);
const plans = ladderQueryPlans(dbPath);

const rows: [string, string][] = [
  ['receipts in the database', receipts.toLocaleString('en-US')],
  ...(seeded ? ([['seeding (one transaction)', seeded]] as [string, string][]) : []),
  [`all ${digests.length} team digests, first run`, `${digestTimes[0]!.toFixed(1)} ms`],
  [`all ${digests.length} team digests, median of ${runs}`, `${median(digestTimes).toFixed(1)} ms`],
  [`spend --team T --days 7 for ${teams.length} teams, median`, `${median(spendTimes).toFixed(1)} ms`],
  ['target (all digests)', '< 1000 ms'],
  ['result', digestTimes[0]! < 1000 ? 'PASS' : 'FAIL'],
];
const w = Math.max(...rows.map((r) => r[0].length));
process.stdout.write(`\nbench:digest\n${rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n')}\n`);
process.stdout.write(`\nquery plans\n  unreviewed drafts:   ${plans.unreviewedDrafts}\n  awaiting approval:   ${plans.awaitingApproval}\n`);
const ladder = digests.flatMap((d) => d.view.ladder.filter((l) => l.unreviewedDrafts || l.awaitingApproval !== undefined).map((l) => `${l.workflow}: ${l.unreviewedDrafts ? `${l.unreviewedDrafts.count} unreviewed drafts` : ''}${l.awaitingApproval !== undefined ? `${l.awaitingApproval} awaiting approval` : ''}`));
process.stdout.write(`\nauthority ladder counts\n${ladder.map((l) => `  ${l}`).join('\n')}\n`);
await app.close();
if (!given) rmSync(dirname(dbPath), { recursive: true, force: true });
process.exit(digestTimes[0]! < 1000 ? 0 : 1);
