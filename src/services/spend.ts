/** Spend figures from the rollups maintained as receipts arrive (never a scan of receipts). */
import { dayKey, lastDays, monthKey } from '../core/time.ts';
import type { AppContext } from './context.ts';

export interface WorkflowSpend {
  workflow: string;
  team: string;
  calls: number;
  errors: number;
  costUsd: number;
  evalCostUsd: number;
  inputTokens: number;
  outputTokens: number;
  /** Production cost per day over the window, oldest first. */
  daily: number[];
  monthToDateUsd: number;
}

export interface SpendReport {
  days: string[];
  workflows: WorkflowSpend[];
  totalUsd: number;
  evalUsd: number;
}

export function spendReport(ctx: AppContext, q: { team?: string; workflow?: string; days: number }, tz = process.env.TZ || 'UTC'): SpendReport {
  const now = ctx.now();
  const days = lastDays(now, q.days, tz);
  const month = monthKey(now, tz);
  const names = Object.values(ctx.config.workflows)
    .filter((w) => (!q.team || w.team === q.team) && (!q.workflow || w.name === q.workflow))
    .map((w) => w.name);
  const rows = ctx.db
    .prepare(
      `SELECT day, workflow, team, purpose, SUM(calls) calls, SUM(errors) errors, SUM(cost_usd) cost, SUM(input_tokens) inp, SUM(output_tokens) outp
       FROM spend_daily WHERE day >= ? AND day <= ? GROUP BY day, workflow, purpose`,
    )
    .all(days[0] < `${month}-01` ? days[0] : `${month}-01`, dayKey(now, tz)) as {
    day: string;
    workflow: string;
    team: string;
    purpose: string;
    calls: number;
    errors: number;
    cost: number;
    inp: number;
    outp: number;
  }[];
  const inWindow = new Set(days);
  const workflows: WorkflowSpend[] = names.map((name) => {
    const wf = ctx.config.workflows[name]!;
    const mine = rows.filter((r) => r.workflow === name);
    const win = mine.filter((r) => inWindow.has(r.day));
    const prod = win.filter((r) => r.purpose === 'production');
    return {
      workflow: name,
      team: wf.team,
      calls: prod.reduce((s, r) => s + r.calls, 0),
      errors: prod.reduce((s, r) => s + r.errors, 0),
      costUsd: prod.reduce((s, r) => s + r.cost, 0),
      evalCostUsd: win.filter((r) => r.purpose === 'eval').reduce((s, r) => s + r.cost, 0),
      inputTokens: prod.reduce((s, r) => s + r.inp, 0),
      outputTokens: prod.reduce((s, r) => s + r.outp, 0),
      daily: days.map((d) => prod.filter((r) => r.day === d).reduce((s, r) => s + r.cost, 0)),
      monthToDateUsd: mine.filter((r) => r.purpose === 'production' && r.day.startsWith(month)).reduce((s, r) => s + r.cost, 0),
    };
  });
  return {
    days,
    workflows,
    totalUsd: workflows.reduce((s, w) => s + w.costUsd, 0),
    evalUsd: workflows.reduce((s, w) => s + w.evalCostUsd, 0),
  };
}
