/** Spend figures from the `spend_daily` rollups (maintained as receipts are written; never a scan of receipts). */
import type { SqlExecutor } from '../sql.ts';

export interface DaySpend {
  day: string;
  workflow: string;
  purpose: string;
  calls: number;
  errors: number;
  cost: number;
  inp: number;
  outp: number;
}

export interface SpendRepo {
  /** Production spend and upstream calls per (day, workflow, team), for seeding the budget ledger. */
  production(fromDay: string, toDay: string): Promise<{ day: string; workflow: string; team: string; cost: number; upstream_calls: number }[]>;
  /** Every workflow's figures per (day, purpose) from `fromDay` to `toDay`, both included. */
  byDay(fromDay: string, toDay: string): Promise<DaySpend[]>;
  /** A workflow's calls and cost per variant over the days (production unless `purpose` says otherwise), by variant. */
  byVariant(workflow: string, fromDay: string, toDay: string, purpose?: 'production' | 'eval'): Promise<{ variant: string; calls: number; cost: number }[]>;
  /** A workflow's production cost on one day. */
  productionCost(workflow: string, day: string): Promise<number>;
}

export function sqlSpend(db: SqlExecutor): SpendRepo {
  return {
    production: (fromDay, toDay) =>
      db.all(
        `SELECT day, workflow, team, SUM(cost_usd) AS cost, SUM(upstream_calls) AS upstream_calls FROM spend_daily
         WHERE purpose = 'production' AND day >= ? AND day <= ? GROUP BY day, workflow, team`,
        [fromDay, toDay],
      ),
    byDay: (fromDay, toDay) =>
      db.all(
        `SELECT day, workflow, purpose, SUM(calls) AS calls, SUM(errors) AS errors, SUM(cost_usd) AS cost, SUM(input_tokens) AS inp, SUM(output_tokens) AS outp
         FROM spend_daily WHERE day >= ? AND day <= ? GROUP BY day, workflow, purpose`,
        [fromDay, toDay],
      ),
    byVariant: (workflow, fromDay, toDay, purpose = 'production') =>
      db.all(
        `SELECT variant, SUM(calls) AS calls, SUM(cost_usd) AS cost FROM spend_daily
         WHERE workflow = ? AND purpose = ? AND day >= ? AND day <= ? GROUP BY variant ORDER BY variant`,
        [workflow, purpose, fromDay, toDay],
      ),
    async productionCost(workflow, day) {
      const r = await db.get<{ c: number }>("SELECT COALESCE(SUM(cost_usd), 0) AS c FROM spend_daily WHERE day = ? AND workflow = ? AND purpose = 'production'", [day, workflow]);
      return r?.c ?? 0;
    },
  };
}
