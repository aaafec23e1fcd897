/**
 * Spend: daily production spend per team and per workflow (from the `spend_daily` rollups) with
 * the daily budget or cap as a line, and month to date against each monthly budget.
 */
import { execute } from '../../chat/executor.ts';
import { mayRead } from '../../core/permissions.ts';
import { barChart, lineChart, type Bar } from '../../core/views/charts.ts';
import { usd } from '../../core/views/format.ts';
import { spendReport } from '../../services/spend.ts';
import { html, raw } from '../html.ts';
import type { Page } from '../layout.ts';
import { actorOf, cardHtml, readableWorkflows, type PageContext } from './context.ts';

const money = (v: number): string => (v === 0 ? '$0' : v < 1 ? `$${v.toFixed(2)}` : usd(v));

export async function spendPage(p: PageContext): Promise<Page> {
  const { ctx, url } = p;
  const days = Math.min(Math.max(Number(url.searchParams.get('days')) || 14, 1), 90);
  const readable = readableWorkflows(p);
  if (readable.length === 0)
    return { title: 'Spend', nav: 'spend', body: html`<h1>Spend</h1><p class="empty">Spend is for team members, leaders, approvers, finance and admins.</p>` };
  const report = await spendReport(ctx, { days }, p.tz);
  const lines = report.workflows.filter((w) => readable.some((r) => r.name === w.workflow));
  const fx = (i: number) => report.days[i]!.slice(5);
  const teams = Object.values(ctx.config.teams).filter((t) => mayRead(ctx.config, p.session.person, undefined, t.name));
  const teamCharts = teams.map((t) => {
    const mine = lines.filter((l) => l.team === t.name);
    const daily = report.days.map((_, i) => mine.reduce((s, l) => s + (l.daily[i] ?? 0), 0));
    return lineChart({
      title: `Team ${t.name} · daily spend`,
      width: 560,
      height: 230,
      series: [{ name: `${t.name} (production)`, tone: 'candidate', points: daily.map((y, i) => ({ x: i, y })) }],
      thresholds: t.budget.dailyUsd !== undefined ? [{ value: t.budget.dailyUsd, label: `daily budget ${money(t.budget.dailyUsd)}` }] : [],
      formatX: fx,
      formatY: money,
    });
  });
  const workflowCharts = lines.map((l) => {
    const cap = ctx.config.workflows[l.workflow]?.caps.dailyUsd;
    return lineChart({
      title: `${l.workflow} · daily spend`,
      width: 560,
      height: 230,
      series: [{ name: `${l.workflow} (production)`, tone: 'info', points: l.daily.map((y, i) => ({ x: i, y })) }],
      thresholds: cap !== undefined ? [{ value: cap, label: `daily cap ${money(cap)}` }] : [],
      formatX: fx,
      formatY: money,
    });
  });
  const teamBars: Bar[] = teams.map((t) => {
    const mtd = lines.filter((l) => l.team === t.name).reduce((s, l) => s + l.monthToDateUsd, 0);
    return { label: `team ${t.name}`, value: mtd, ...(t.budget.monthlyUsd !== undefined ? { limit: t.budget.monthlyUsd } : {}) };
  });
  const workflowBars: Bar[] = lines.map((l) => ({
    label: l.workflow,
    value: l.monthToDateUsd,
    ...(l.monthlyCapUsd !== undefined ? { limit: l.monthlyCapUsd } : {}),
    note: `${money(l.monthToDateUsd)}${l.monthlyCapUsd !== undefined ? ` of ${money(l.monthlyCapUsd)}` : ''} · on track for ${money(l.projectedMonthUsd)}`,
  }));
  const table = await execute(ctx, actorOf(p), { verb: 'spend', days });
  return {
    title: 'Spend',
    nav: 'spend',
    live: 'all',
    body: html`<h1>Spend <span class="muted">· last ${days} days</span></h1>
<form class="filters" method="get" action="/spend"><label>Days <select name="days">${[7, 14, 30, 60, 90].map((d) => html`<option value="${d}"${d === days ? html` selected` : ''}>${d}</option>`)}</select></label><button class="btn" type="submit">Show</button></form>
<section><h2>Month to date against monthly budgets</h2>
<div class="charts">${raw(barChart({ title: 'Teams', bars: teamBars, formatValue: money, limitLabel: 'red tick: the monthly budget' }))}${raw(barChart({ title: 'Workflows', bars: workflowBars, formatValue: money, limitLabel: 'red tick: the monthly cap' }))}</div></section>
<section><h2>Daily spend per team</h2><div class="charts grid">${teamCharts.map(raw)}</div></section>
<section><h2>Daily spend per workflow</h2><div class="charts grid">${workflowCharts.map(raw)}</div></section>
<section><h2>Figures</h2>${(await Promise.all(table.cards.map((c) => cardHtml(p, c)))).map(raw)}</section>`,
  };
}
