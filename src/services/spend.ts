/**
 * Spend figures from the rollups maintained as receipts arrive (`spend_daily`; never a scan of
 * receipts). One service answers both `/ai-release spend` and the scheduled digest, so the two
 * always show the same numbers for the same days.
 */
import { dayKey, lastDays, monthKey, monthProgress, nextDayStart } from '../core/time.ts';
import type { SpendLine } from '../core/views/spend.ts';
import type { DaySpend } from '../store/repos/spend.ts';
import type { AppContext } from './context.ts';

/** Days of history the per-run trend sparkline shows. */
export const TREND_DAYS = 14;
/** The baseline a window is compared with: the average day of the 7 days before it. */
export const AVERAGE_DAYS = 7;

export interface WorkflowSpend extends SpendLine {
  errors: number;
  inputTokens: number;
  outputTokens: number;
  /** Days in the window whose production spend passed the workflow's daily cap. */
  daysOverCap: { day: string; costUsd: number; capUsd: number }[];
}

export interface SpendReport {
  days: string[];
  workflows: WorkflowSpend[];
  totalUsd: number;
  evalUsd: number;
}

type DayRow = DaySpend;

/** The day keys from `first` to `last` inclusive (both "YYYY-MM-DD"). */
export function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  let t = Date.parse(`${first}T12:00:00Z`);
  const end = Date.parse(`${last}T12:00:00Z`);
  while (t <= end && out.length < 3660) {
    out.push(new Date(t).toISOString().slice(0, 10));
    t += 86_400_000;
  }
  return out;
}

const shiftDay = (day: string, by: number): string => new Date(Date.parse(`${day}T12:00:00Z`) + by * 86_400_000).toISOString().slice(0, 10);

/** How far into its month `now` is, in days (fractional), for the month-end projection. */
export function elapsedMonthDays(now: number, tz: string): { elapsed: number; days: number } {
  const { day, days } = monthProgress(now, tz);
  const leftToday = Math.min(1, Math.max(0, (nextDayStart(now, tz) - now) / 86_400_000));
  return { elapsed: Math.max(day - leftToday, 1 / 24), days };
}

/** Month-to-date spend scaled to the whole month at the pace so far. */
export function projectMonthEnd(monthToDateUsd: number, now: number, tz: string): number {
  const { elapsed, days } = elapsedMonthDays(now, tz);
  return (monthToDateUsd / elapsed) * days;
}

/**
 * Figures of the named workflows over `days` (consecutive day keys, oldest first): spend, eval
 * spend apart, cost and tokens per run, the 7-day average before the window, the per-run trend,
 * month to date (through `now`) and its projected month-end.
 */
export async function spendFigures(ctx: AppContext, q: { workflows: string[]; days: string[]; now: number; tz: string }): Promise<WorkflowSpend[]> {
  const { days, now, tz } = q;
  const first = days[0]!;
  const last = days[days.length - 1]!;
  const today = dayKey(now, tz);
  const month = monthKey(now, tz);
  const trendDays = daysBetween(shiftDay(last, -(TREND_DAYS - 1)), last);
  const avgDays = daysBetween(shiftDay(first, -AVERAGE_DAYS), shiftDay(first, -1));
  const from = [trendDays[0]!, avgDays[0]!, `${month}-01`].sort()[0]!;
  const to = last > today ? last : today;
  const rows = await ctx.store.spend.byDay(from, to);
  const byWorkflow = new Map<string, Map<string, { prod?: DayRow; eval?: DayRow }>>();
  for (const r of rows) {
    let m = byWorkflow.get(r.workflow);
    if (!m) byWorkflow.set(r.workflow, (m = new Map()));
    const d = m.get(r.day) ?? {};
    if (r.purpose === 'production') d.prod = r;
    else if (r.purpose === 'eval') d.eval = r;
    m.set(r.day, d);
  }
  const monthDays = daysBetween(`${month}-01`, today);
  return q.workflows.map((name) => {
    const wf = ctx.config.workflows[name];
    const m = byWorkflow.get(name) ?? new Map<string, { prod?: DayRow; eval?: DayRow }>();
    const prod = (d: string) => m.get(d)?.prod;
    const sum = (ds: string[], f: (r: DayRow) => number) => ds.reduce((s, d) => s + (prod(d) ? f(prod(d)!) : 0), 0);
    const calls = sum(days, (r) => r.calls);
    const costUsd = sum(days, (r) => r.cost);
    const inputTokens = sum(days, (r) => r.inp);
    const outputTokens = sum(days, (r) => r.outp);
    const monthToDateUsd = sum(monthDays, (r) => r.cost);
    const dailyCap = wf?.caps.dailyUsd;
    return {
      workflow: name,
      team: wf?.team ?? '?',
      calls,
      errors: sum(days, (r) => r.errors),
      costUsd,
      evalCostUsd: days.reduce((s, d) => s + (m.get(d)?.eval?.cost ?? 0), 0),
      inputTokens,
      outputTokens,
      costPerRun: calls ? costUsd / calls : null,
      tokensPerRun: calls ? (inputTokens + outputTokens) / calls : null,
      daily: days.map((d) => prod(d)?.cost ?? 0),
      averageDailyUsd: sum(avgDays, (r) => r.cost) / AVERAGE_DAYS,
      perRunTrend: trendDays.map((d) => (prod(d)?.calls ? prod(d)!.cost / prod(d)!.calls : null)),
      monthToDateUsd,
      projectedMonthUsd: projectMonthEnd(monthToDateUsd, now, tz),
      ...(wf?.caps.monthlyUsd !== undefined ? { monthlyCapUsd: wf.caps.monthlyUsd } : {}),
      daysOverCap:
        dailyCap === undefined ? [] : days.flatMap((d) => ((prod(d)?.cost ?? 0) > dailyCap ? [{ day: d, costUsd: prod(d)!.cost, capUsd: dailyCap }] : [])),
    };
  });
}

/** `/ai-release spend`: the last `days` days up to today, per workflow of the scope. */
export async function spendReport(ctx: AppContext, q: { team?: string; workflow?: string; days: number }, tz = process.env.TZ || 'UTC'): Promise<SpendReport> {
  const now = ctx.now();
  const days = lastDays(now, q.days, tz);
  const names = Object.values(ctx.config.workflows)
    .filter((w) => (!q.team || w.team === q.team) && (!q.workflow || w.name === q.workflow))
    .map((w) => w.name);
  const workflows = await spendFigures(ctx, { workflows: names, days, now, tz });
  return {
    days,
    workflows,
    totalUsd: workflows.reduce((s, w) => s + w.costUsd, 0),
    evalUsd: workflows.reduce((s, w) => s + w.evalCostUsd, 0),
  };
}
