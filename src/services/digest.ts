/**
 * A team's digest figures: spend from the `spend_daily` rollups (through services/spend.ts, the
 * same figures `/ai-release spend` shows), the authority ladder's open items from index-backed
 * counts, open releases and the cost delta they cause, and the audit chain's head.
 */
import { candidateWeight, stageLabel } from '../core/release.ts';
import { dayKey } from '../core/time.ts';
import type { Breach, DigestView, LadderLine, Mover, OpenReleaseLine } from '../core/views/digest.ts';
import { stateLabel } from '../core/views/format.ts';
import type { AppContext } from './context.ts';
import { daysBetween, projectMonthEnd, spendFigures, type WorkflowSpend } from './spend.ts';

/** A draft is "unreviewed" once it has waited this long without approved/edited feedback. */
export const DRAFT_REVIEW_MS = 24 * 3_600_000;
/** A digest never reaches further back than this. */
export const MAX_DIGEST_DAYS = 31;
const TOP_MOVERS = 3;
/** A workflow is a mover when its day moved at least this much against its 7-day average. */
const MOVER_MIN_CHANGE = 0.1;

const shiftDay = (day: string, by: number): string => new Date(Date.parse(`${day}T12:00:00Z`) + by * 86_400_000).toISOString().slice(0, 10);

/**
 * The whole days a digest at `now` covers: from the day of the previous digest through yesterday
 * (each day is reported once); the first digest covers yesterday.
 */
export function digestWindow(previousAt: number | null, now: number, tz: string): string[] {
  const yesterday = shiftDay(dayKey(now, tz), -1);
  let first = previousAt === null ? yesterday : dayKey(previousAt, tz);
  if (first > yesterday) first = yesterday;
  const earliest = shiftDay(yesterday, -(MAX_DIGEST_DAYS - 1));
  if (first < earliest) first = earliest;
  return daysBetween(first, yesterday);
}

function movers(lines: WorkflowSpend[]): Mover[] {
  return lines
    .map((l) => ({ workflow: l.workflow, perDayUsd: l.costUsd / Math.max(1, l.daily.length), averageDailyUsd: l.averageDailyUsd }))
    .filter((m) => Math.abs(m.perDayUsd - m.averageDailyUsd) >= 0.005 && (m.averageDailyUsd === 0 || Math.abs(m.perDayUsd / m.averageDailyUsd - 1) >= MOVER_MIN_CHANGE))
    .sort((a, b) => Math.abs(b.perDayUsd - b.averageDailyUsd) - Math.abs(a.perDayUsd - a.averageDailyUsd))
    .slice(0, TOP_MOVERS);
}

function breaches(ctx: AppContext, team: string, lines: WorkflowSpend[], days: string[], mtd: number, projected: number): Breach[] {
  const out: Breach[] = [];
  const budget = ctx.config.teams[team]?.budget ?? {};
  if (budget.dailyUsd !== undefined) {
    days.forEach((d, i) => {
      const spent = lines.reduce((s, l) => s + (l.daily[i] ?? 0), 0);
      if (spent > budget.dailyUsd!) out.push({ scope: `team ${team}`, what: `daily budget on ${d}`, amountUsd: spent, limitUsd: budget.dailyUsd!, level: 'breached' });
    });
  }
  if (budget.monthlyUsd !== undefined) {
    if (mtd > budget.monthlyUsd) out.push({ scope: `team ${team}`, what: 'monthly budget', amountUsd: mtd, limitUsd: budget.monthlyUsd, level: 'breached' });
    else if (projected > budget.monthlyUsd)
      out.push({ scope: `team ${team}`, what: 'monthly budget', amountUsd: projected, limitUsd: budget.monthlyUsd, level: 'projected' });
  }
  for (const l of lines) {
    for (const d of l.daysOverCap) out.push({ scope: `workflow ${l.workflow}`, what: `daily cap on ${d.day}`, amountUsd: d.costUsd, limitUsd: d.capUsd, level: 'breached' });
    if (l.monthlyCapUsd !== undefined) {
      if (l.monthToDateUsd > l.monthlyCapUsd)
        out.push({ scope: `workflow ${l.workflow}`, what: 'monthly cap', amountUsd: l.monthToDateUsd, limitUsd: l.monthlyCapUsd, level: 'breached' });
      else if (l.projectedMonthUsd > l.monthlyCapUsd)
        out.push({ scope: `workflow ${l.workflow}`, what: 'monthly cap', amountUsd: l.projectedMonthUsd, limitUsd: l.monthlyCapUsd, level: 'projected' });
    }
  }
  return out;
}

/** Draft backlog and write actions awaiting approval (index-backed counts, see 006_jobs.sql). */
export async function ladderOf(ctx: AppContext, workflows: string[], now: number): Promise<LadderLine[]> {
  const out: LadderLine[] = [];
  for (const name of workflows) {
    const wf = ctx.config.workflows[name];
    if (!wf) continue;
    const line: LadderLine = { workflow: name, authority: wf.authority };
    if (wf.authority === 'draft') {
      const d = await ctx.store.receipts.unreviewedDrafts(name, now - DRAFT_REVIEW_MS);
      line.unreviewedDrafts = { count: d.count, oldestTs: d.oldestTs };
    }
    if (wf.authority === 'execute-with-approval' || wf.authority === 'execute-with-caps') line.awaitingApproval = await ctx.store.receipts.awaitingApproval(name);
    out.push(line);
  }
  return out;
}

/** Open releases of the workflows with the cost delta their candidates cause (rollups by variant). */
export async function openReleaseLines(ctx: AppContext, workflows: string[], now: number, tz: string): Promise<OpenReleaseLine[]> {
  const names = new Set(workflows);
  const open = (await ctx.store.releases.list({ state: 'open', limit: 1000 })).filter((r) => names.has(r.workflow)).reverse();
  const out: OpenReleaseLine[] = [];
  for (const r of open) {
    const stages = ctx.config.workflows[r.workflow]?.rollout.stages ?? [100];
    const share = candidateWeight({ state: r.state, stageIndex: r.stageIndex, stages });
    const stage = r.state === 'canary' || r.state === 'ramp' ? stageLabel(stages, r.stageIndex) : stateLabel(r.state);
    let stable: number | null = null;
    let cand: number | null = null;
    let extra: number | null = null;
    if (r.trafficStartedAt !== null) {
      const rows = await ctx.store.spend.byVariant(r.workflow, dayKey(r.trafficStartedAt, tz), dayKey(now, tz));
      const s = rows.find((x) => x.variant === 'stable');
      const c = rows.find((x) => x.variant === 'candidate');
      stable = s?.calls ? s.cost / s.calls : null;
      cand = c?.calls ? c.cost / c.calls : null;
      if (stable !== null && cand !== null) extra = (cand - stable) * c!.calls;
    }
    const snap = r.state === 'canary' || r.state === 'ramp' || r.state === 'paused' ? await ctx.store.canarySnapshots.load(r.id) : undefined;
    out.push({
      key: r.key,
      workflow: r.workflow,
      stage,
      candidateSharePct: share,
      stableCostPerRun: stable,
      candidateCostPerRun: cand,
      extraUsd: extra,
      canary: snap && snap.stage === r.stageIndex ? snap.judgement.status : null,
    });
  }
  return out;
}

/** Everything one team's digest shows, over `days`. */
export async function teamDigest(ctx: AppContext, team: string, q: { days: string[]; now: number; tz: string }): Promise<DigestView> {
  const names = Object.values(ctx.config.workflows)
    .filter((w) => w.team === team)
    .map((w) => w.name);
  const lines = await spendFigures(ctx, { workflows: names, days: q.days, now: q.now, tz: q.tz });
  const monthToDateUsd = lines.reduce((s, l) => s + l.monthToDateUsd, 0);
  const projectedMonthUsd = projectMonthEnd(monthToDateUsd, q.now, q.tz);
  const budget = ctx.config.teams[team]?.budget.monthlyUsd;
  return {
    team,
    days: q.days,
    lines,
    totalUsd: lines.reduce((s, l) => s + l.costUsd, 0),
    evalUsd: lines.reduce((s, l) => s + l.evalCostUsd, 0),
    monthToDateUsd,
    ...(budget !== undefined ? { monthlyBudgetUsd: budget } : {}),
    projectedMonthUsd,
    movers: movers(lines),
    breaches: breaches(ctx, team, lines, q.days, monthToDateUsd, projectedMonthUsd),
    ladder: await ladderOf(ctx, names, q.now),
    releases: await openReleaseLines(ctx, names, q.now, q.tz),
    auditHead: await ctx.store.audit.head(),
    now: q.now,
  };
}
