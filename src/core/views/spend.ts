/**
 * Spend as a card: per workflow, against its 7-day average and budgets, with a sparkline of cost
 * per run. The digest shows the same table (same figures, same columns).
 */
import type { Card, CardBlock } from '../card.ts';
import { num, signedPct, usd } from './format.ts';

const BARS = '▁▂▃▄▅▆▇█';

/**
 * One bar per value, scaled from the smallest to the largest (a trend, not a level: equal values
 * sit mid-height); a missing value (no calls that day) is a gap.
 */
export function sparkline(values: (number | null)[]): string {
  const present = values.filter((v): v is number => v !== null);
  const min = Math.min(...present);
  const max = Math.max(...present);
  const mid = BARS[Math.floor((BARS.length - 1) / 2)]!;
  return values
    .map((v) => {
      if (v === null) return '·';
      if (!(max > min)) return mid;
      return BARS[Math.round(((v - min) / (max - min)) * (BARS.length - 1))]!;
    })
    .join('');
}

export interface SpendLine {
  workflow: string;
  team: string;
  /** Production calls and cost over the window. */
  calls: number;
  costUsd: number;
  /** Eval and critic spend over the window (reported apart; not counted against caps). */
  evalCostUsd: number;
  costPerRun: number | null;
  tokensPerRun: number | null;
  /** Production cost per window day, oldest first. */
  daily: number[];
  /** The average day of the 7 days before the window. */
  averageDailyUsd: number;
  /** Cost per run per day over the last 14 days of the window (null: no calls that day). */
  perRunTrend: (number | null)[];
  monthToDateUsd: number;
  projectedMonthUsd: number;
  monthlyCapUsd?: number;
}

/** The window's average day against the 7-day average before it: "+12.5%", "new" or "—". */
export function againstAverage(l: Pick<SpendLine, 'daily' | 'averageDailyUsd'>): string {
  const perDay = l.daily.reduce((s, v) => s + v, 0) / Math.max(1, l.daily.length);
  if (l.averageDailyUsd <= 0) return perDay > 0 ? 'new' : '—';
  return signedPct(perDay / l.averageDailyUsd - 1);
}

/**
 * The spend figures as two tables with a row per workflow each, narrow enough for a chat message
 * (no line wraps at 80 columns): spend against the 7-day average, month to date and eval spend;
 * then cost and tokens per run with the cost-per-run trend.
 */
export function spendTables(lines: SpendLine[]): CardBlock[] {
  const over = lines.flatMap((l, i) => (l.monthlyCapUsd !== undefined && l.projectedMonthUsd > l.monthlyCapUsd ? [i] : []));
  return [
    {
      type: 'table',
      columns: ['workflow', 'spend', 'vs 7-day avg', 'calls', 'month to date', 'eval spend'],
      rows: lines.map((l) => [
        l.workflow,
        usd(l.costUsd),
        againstAverage(l),
        num(l.calls),
        l.monthlyCapUsd ? `${usd(l.monthToDateUsd)} of ${usd(l.monthlyCapUsd)}` : usd(l.monthToDateUsd),
        usd(l.evalCostUsd),
      ]),
      emphasis: over,
    },
    {
      type: 'table',
      columns: ['workflow', 'per run', 'tokens/run', 'per-run trend, 14 days'],
      rows: lines.map((l) => [l.workflow, usd(l.costPerRun), num(l.tokensPerRun, 0), sparkline(l.perRunTrend)]),
    },
  ];
}

/** Paging over the rows of the spend tables (at block indexes `first` and `first + 1`). */
export function spendPaging(lines: SpendLine[], command: string, first: number, offset = 0): Card['paging'] {
  return { noun: 'workflows', tables: [first, first + 1], cursors: lines.map((l) => l.workflow), command, offset };
}

export interface SpendScope {
  /** "all teams", "team support", "support-triage" */
  label: string;
  /** The command that shows it, without `--from`: "spend --team support --days 7". */
  command: string;
  /** Workflows before this page (`spend --from`). */
  offset?: number;
}

export function spendCard(scope: SpendScope, days: number, lines: SpendLine[], totals: { totalUsd: number; evalUsd: number }): Card {
  const over = lines.filter((l) => l.monthlyCapUsd !== undefined && l.projectedMonthUsd > l.monthlyCapUsd);
  return {
    kind: 'spend',
    title: `Spend · ${scope.label} · last ${days} day${days > 1 ? 's' : ''}`,
    tone: over.length ? 'warning' : 'info',
    blocks: [
      ...spendTables(lines),
      ...(over.length
        ? [
            {
              type: 'text' as const,
              text: over.map((l) => `**${l.workflow}** is on track for ${usd(l.projectedMonthUsd)} this month, over its ${usd(l.monthlyCapUsd)} cap`).join('\n'),
            },
          ]
        : []),
      { type: 'context', text: `Production ${usd(totals.totalUsd)} · eval spend ${usd(totals.evalUsd)} (reported apart; not counted against caps)` },
    ],
    ref: { workflow: lines.length === 1 ? lines[0]!.workflow : undefined },
    console: `/spend?days=${days}`,
    paging: spendPaging(lines, scope.command, 0, scope.offset),
  };
}
