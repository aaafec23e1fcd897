/** Spend as a card: per workflow, against budgets, with a sparkline of daily cost. */
import type { Card } from '../card.ts';
import { num, usd } from './format.ts';

const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(values: number[]): string {
  const max = Math.max(...values, 0);
  if (max <= 0) return BARS[0]!.repeat(values.length);
  return values.map((v) => BARS[Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1)))]).join('');
}

export interface SpendLine {
  workflow: string;
  team: string;
  calls: number;
  costUsd: number;
  evalCostUsd: number;
  costPerRun: number | null;
  tokensPerRun: number | null;
  daily: number[];
  monthToDateUsd: number;
  monthlyCapUsd?: number;
}

export function spendCard(scope: string, days: number, lines: SpendLine[], totals: { totalUsd: number; evalUsd: number }): Card {
  return {
    kind: 'spend',
    title: `Spend · ${scope} · last ${days} day${days > 1 ? 's' : ''}`,
    tone: 'info',
    blocks: [
      {
        type: 'table',
        columns: ['workflow', 'calls', 'cost', 'per run', 'tokens/run', 'trend', 'month to date', 'eval spend'],
        rows: lines.map((l) => [
          l.workflow,
          num(l.calls),
          usd(l.costUsd),
          usd(l.costPerRun),
          num(l.tokensPerRun, 0),
          sparkline(l.daily),
          l.monthlyCapUsd ? `${usd(l.monthToDateUsd)} of ${usd(l.monthlyCapUsd)}` : usd(l.monthToDateUsd),
          usd(l.evalCostUsd),
        ]),
      },
      { type: 'context', text: `Production ${usd(totals.totalUsd)} · eval spend ${usd(totals.evalUsd)} (reported apart; not counted against caps)` },
    ],
    ref: { workflow: lines.length === 1 ? lines[0]!.workflow : undefined },
  };
}
