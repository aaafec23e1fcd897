import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { fakeClock, openTestApp } from '../helpers/harness.ts';
import { buildDigests, runDigestJob } from '../../src/jobs/digest.ts';
import { digestCli } from '../../src/jobs/digest-cli.ts';
import { digestWindow, teamDigest } from '../../src/services/digest.ts';
import { execute } from '../../src/chat/executor.ts';
import { renderText } from '../../src/chat/render/text.ts';
import { spendTables } from '../../src/core/views/spend.ts';
import { digestCard as teamDigestCard } from '../../src/core/views/digest.ts';
import { lastDays } from '../../src/core/time.ts';
import { insertReceipts, releaseTo, type TestReceipt } from './helpers.ts';

const NOW = Date.parse('2026-11-25T09:00:00Z');
const at = (iso: string) => Date.parse(iso);
const opened: { close(): Promise<void>; dir: string }[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) {
    await a.close();
    rmSync(a.dir, { recursive: true, force: true });
  }
});

async function seeded() {
  const clock = fakeClock(NOW);
  const app = await openTestApp({ now: clock.now });
  opened.push(app);
  const store = app.ctx.store;
  const wf = 'support-triage';
  const rs: TestReceipt[] = [];
  // The window (yesterday): 4 calls, $23 — over the workflow's $20 daily cap; none reviewed yet.
  [1.5, 2.5, 4.0, 15.0].forEach((cost, i) =>
    rs.push({ workflow: wf, ts: at('2026-11-24T05:00:00Z') + i, costUsd: cost, inputTokens: 100 * (i + 1), outputTokens: 50 }),
  );
  rs.push({ workflow: wf, purpose: 'eval', ts: at('2026-11-24T06:00:00Z'), costUsd: 0.75 });
  // The 7 days before: $1 a day, $3 on the 20th (one was edited, the others approved).
  for (let d = 17; d <= 23; d++)
    rs.push({ workflow: wf, ts: at(`2026-11-${d}T10:00:00Z`), costUsd: d === 20 ? 3 : 1, approved: d !== 20, edited: d === 20 });
  rs.push({ workflow: wf, ts: at('2026-11-16T10:00:00Z'), costUsd: 10, approved: false }); // month, not the average; unreviewed
  rs.push({ workflow: wf, ts: at('2026-11-25T08:00:00Z'), costUsd: 2 }); // today: month to date only; too young to be "unreviewed"
  rs.push({ workflow: wf, ts: at('2026-10-31T10:00:00Z'), costUsd: 100, approved: true }); // last month
  // Write actions of an execute-with-approval workflow.
  const gl = 'gl-coding';
  rs.push({ workflow: gl, ts: at('2026-11-24T07:00:00Z'), needsApproval: true, approved: null, costUsd: 0.01 });
  rs.push({ workflow: gl, ts: at('2026-11-24T07:00:01Z'), needsApproval: true, approved: false, costUsd: 0.01 });
  rs.push({ workflow: gl, ts: at('2026-11-24T07:00:02Z'), needsApproval: true, approved: true, costUsd: 0.01 });
  await insertReceipts(store, rs);
  return { app, ctx: app.ctx, store, clock };
}

const digestEvents = async (ctx: { store: import('../../src/store/store.ts').Store }) =>
  (await ctx.store.events.after(0, 100_000)).filter((e) => e.kind === 'digest');

describe('spend digests', () => {
  it('covers the whole days since the previous digest (the first one: yesterday)', async () => {
    expect(digestWindow(null, NOW, 'UTC')).toEqual(['2026-11-24']);
    expect(digestWindow(at('2026-11-24T09:00:00Z'), NOW, 'UTC')).toEqual(['2026-11-24']);
    expect(digestWindow(at('2026-11-21T09:00:00Z'), NOW, 'UTC')).toEqual(['2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']);
    // In Tokyo it is already the evening of the 25th... of a day that began at 15:00 UTC on the 24th.
    expect(digestWindow(null, NOW, 'Asia/Tokyo')).toEqual(['2026-11-24']);
    expect(digestWindow(null, at('2026-11-25T16:00:00Z'), 'Asia/Tokyo')).toEqual(['2026-11-25']);
  });

  it('shows figures equal to the hand-computed sums from the rollups', async () => {
    const { ctx } = await seeded();
    const [support] = (await buildDigests(ctx, NOW, 'UTC')).filter((d) => d.team === 'support');
    const v = support!.view;
    expect(v.days).toEqual(['2026-11-24']);
    const line = v.lines.find((l) => l.workflow === 'support-triage')!;
    expect(line.costUsd).toBeCloseTo(23, 9);
    expect(line.calls).toBe(4);
    expect(line.costPerRun).toBeCloseTo(23 / 4, 9);
    expect(line.tokensPerRun).toBeCloseTo((100 + 200 + 300 + 400 + 4 * 50) / 4, 9);
    expect(line.evalCostUsd).toBeCloseTo(0.75, 9);
    expect(line.averageDailyUsd).toBeCloseTo(9 / 7, 9);
    expect(line.monthToDateUsd).toBeCloseTo(23 + 9 + 10 + 2, 9);
    expect(v.monthToDateUsd).toBeCloseTo(44, 9);
    expect(v.projectedMonthUsd).toBeCloseTo((44 / (24 + 9 / 24)) * 30, 6);
    expect(v.totalUsd).toBeCloseTo(23, 9);
    expect(v.evalUsd).toBeCloseTo(0.75, 9);
    expect(v.movers[0]).toMatchObject({ workflow: 'support-triage' });
    expect(v.movers[0]!.perDayUsd).toBeCloseTo(23, 9);
    expect(v.breaches).toEqual([
      expect.objectContaining({ scope: 'workflow support-triage', what: 'daily cap on 2026-11-24', amountUsd: 23, limitUsd: 20, level: 'breached' }),
    ]);
    expect(v.ladder).toEqual([{ workflow: 'support-triage', authority: 'draft', unreviewedDrafts: { count: 5, oldestTs: at('2026-11-16T10:00:00Z') } }]);
    expect(v.auditHead).toBe(await ctx.store.audit.head());

    const finance = (await buildDigests(ctx, NOW, 'UTC')).find((d) => d.team === 'finance-ops')!;
    expect(finance.view.ladder.find((l) => l.workflow === 'gl-coding')).toMatchObject({ awaitingApproval: 2 });

    const text = renderText(support!.card);
    expect(text).toContain('Spend digest · team support · 2026-11-24');
    expect(text).toMatch(/5 unreviewed drafts\s+older\s+than\s+24\s+h/);
    expect(renderText(support!.card, { width: 200 })).toContain(await ctx.store.audit.head());
    expect(renderText(finance.card)).toMatch(/2 write actions awaiting\s+approval/);
  });

  it('posts one digest per team to its channel and leaders, then covers only the days since', async () => {
    const { ctx, clock } = await seeded();
    const teams = await runDigestJob(ctx, clock.now(), 'UTC');
    expect(teams.sort()).toEqual(Object.keys(ctx.config.teams).filter((t) => Object.values(ctx.config.workflows).some((w) => w.team === t)).sort());
    const events = await digestEvents(ctx);
    expect(events).toHaveLength(teams.length);
    const support = events.map((e) => e.payload).find((p) => p.team === 'support')!;
    expect(support.leaders).toEqual(ctx.config.teams.support!.leaders);
    clock.advance(24 * 3_600_000);
    const next = (await buildDigests(ctx, clock.now(), 'UTC')).find((d) => d.team === 'support')!;
    expect(next.view.days).toEqual(['2026-11-25']);
    expect(next.view.lines[0]!.costUsd).toBeCloseTo(2, 9);
  });

  it('shows open releases with the cost delta their candidate causes', async () => {
    const clock = fakeClock(NOW);
    const app = await openTestApp({ now: clock.now });
    opened.push(app);
    const { ctx } = app;
    const r = await releaseTo(ctx, 'support-triage', 'canary');
    const rs: TestReceipt[] = [];
    for (let i = 0; i < 10; i++) rs.push({ workflow: 'support-triage', releaseId: r.id, variant: 'stable', ts: NOW + i, costUsd: 0.01 });
    for (let i = 0; i < 4; i++) rs.push({ workflow: 'support-triage', releaseId: r.id, variant: 'candidate', ts: NOW + i, costUsd: 0.015 });
    await insertReceipts(ctx.store, rs);
    const v = await teamDigest(ctx, 'support', { days: ['2026-11-24'], now: NOW + 60_000, tz: 'UTC' });
    expect(v.releases).toEqual([
      expect.objectContaining({ key: r.key, stage: 'canary at 5%', candidateSharePct: ctx.config.workflows['support-triage']!.rollout.stages[0] }),
    ]);
    expect(v.releases[0]!.stableCostPerRun).toBeCloseTo(0.01, 9);
    expect(v.releases[0]!.candidateCostPerRun).toBeCloseTo(0.015, 9);
    expect(v.releases[0]!.extraUsd).toBeCloseTo(4 * 0.005, 9);
    expect(renderText(teamDigestCard(v), { width: 200 })).toMatch(/candidate \+50\.0% per run .* × 5% of traffic = \+2\.5% on the workflow's spend/);
  });

  it('answers `spend` with the same figures the digest shows for the same days', async () => {
    const { ctx } = await seeded();
    const res = await execute(ctx, { person: ctx.config.people.dana, surface: 'cli' }, { verb: 'spend', team: 'support', days: 3 });
    expect(res.exitCode).toBe(0);
    const digest = await teamDigest(ctx, 'support', { days: lastDays(NOW, 3, 'UTC'), now: NOW, tz: 'UTC' });
    expect(res.cards[0]!.blocks.slice(0, 2)).toEqual(spendTables(digest.lines));
  });

  it('`digest --dry-run` prints every digest without posting; without it, says the server posts them', async () => {
    const { app, ctx } = await seeded();
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: {}, color: false };
    expect(await digestCli(['--dry-run'], { settings: app.settings, io, json: false })).toBe(0);
    expect(out.join('\n')).toContain('Spend digest · team support');
    expect(out.join('\n')).toContain('Spend digest · team finance-ops');
    expect(await digestEvents(ctx)).toEqual([]);
    for (const team of Object.keys(ctx.config.teams)) expect(await ctx.store.digestRuns.lastAt(team)).toBeNull();
    expect(await digestCli([], { settings: app.settings, io, json: false })).toBe(2);
    expect(err.join('\n')).toMatch(/posted by the server on DIGEST_CRON/);
  });
});

