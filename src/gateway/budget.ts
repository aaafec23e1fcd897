/**
 * The budget ledger: team and workflow daily/monthly caps and `callsPerDay` quotas, held in
 * memory (only the server process runs the gateway), seeded from the `spend_daily` rollups at
 * start; at midnight in TZ the new day starts at zero and the month carries on (every production
 * spend of this process passes through the ledger). A call reserves its worst case against every
 * budget that applies — spend + reservations + worst ≤ cap, so spend may reach a cap, never pass
 * it — then settles to its real cost or releases the reservation when it fails.
 *
 * Amounts are integer units of 1e-10 USD (the precision of `costUsd`), so sums carry no float dust.
 */
import type { LoadedConfig, Workflow } from '../config/types.ts';
import { dayKey, monthKey, nextDayStart, nextMonthStart } from '../core/time.ts';

export const UNITS_PER_USD = 1e10;
export const toUnits = (usd: number): number => Math.round(usd * UNITS_PER_USD);
export const toUsd = (units: number): number => units / UNITS_PER_USD;

export type Period = 'day' | 'month';

/** One budget that applies to a call, e.g. the support team's daily budget. */
export interface BudgetLine {
  /** `team:support` | `workflow:support-triage` (as in `budget_alerts.scope`). */
  scope: string;
  /** `day:2026-11-25` | `month:2026-11` (as in `budget_alerts.period`). */
  period: string;
  /** The config field that sets it, e.g. `teams.support.budget.dailyUsd`. */
  rule: string;
  capUnits: number;
  resetsAt: number;
  /** `scope|period`, the ledger's map key. */
  key: string;
}

export interface Reservation {
  lines: BudgetLine[];
  worstUnits: number;
  workflow: string;
  /** The day key the call counted against `callsPerDay` (null: no quota). */
  callDay: string | null;
  done: boolean;
}

export type ReserveRefusal = {
  ok: false;
  type: 'budget_exceeded' | 'quota_exceeded';
  rule: string;
  message: string;
  resetsAt: number;
  line?: BudgetLine;
};

export interface BudgetCrossing {
  line: BudgetLine;
  level: 80 | 100;
  spentUsd: number;
  capUsd: number;
  workflow: string;
  team: string;
}

const key = (scope: string, period: string) => `${scope}|${period}`;

export class BudgetLedger {
  private spent = new Map<string, number>();
  private reserved = new Map<string, number>();
  private calls = new Map<string, number>();
  private alerted = new Set<string>();
  private refusedLines = new Map<string, BudgetLine>();
  private day = '';
  private month = '';
  private dayEnds = 0;
  private monthEnds = 0;
  /** linesFor's answer per workflow, until the period rolls over or the config changes. */
  private linesCache = new WeakMap<Workflow, { periods: string; team: unknown; lines: BudgetLine[] }>();

  constructor(
    private config: () => LoadedConfig,
    private tz: string,
    /** Reads spend and upstream calls per (day, workflow, team) from the rollups. */
    private readRollups: (fromDay: string, toDay: string) => Promise<{ day: string; workflow: string; team: string; cost: number; upstream_calls: number }[]>,
  ) {}

  /** Loads the current day's and month's spend from the rollups (at start). */
  async seed(now: number): Promise<void> {
    const day = dayKey(now, this.tz);
    const month = monthKey(now, this.tz);
    const rows = await this.readRollups(`${month}-01`, day);
    this.setPeriods(now);
    this.spent.clear();
    this.calls.clear();
    this.alerted.clear();
    for (const r of rows) {
      const units = toUnits(r.cost);
      const periods = [`month:${this.month}`, ...(r.day === this.day ? [`day:${this.day}`] : [])];
      for (const p of periods) {
        this.add(this.spent, key(`workflow:${r.workflow}`, p), units);
        this.add(this.spent, key(`team:${r.team}`, p), units);
      }
      if (r.day === this.day) this.add(this.calls, `${r.workflow}|${this.day}`, r.upstream_calls);
    }
  }

  private setPeriods(now: number): void {
    this.day = dayKey(now, this.tz);
    this.month = monthKey(now, this.tz);
    this.dayEnds = nextDayStart(now, this.tz);
    this.monthEnds = nextMonthStart(now, this.tz);
  }

  /** A new day (and maybe month) starts at zero; what belongs to past periods is forgotten. */
  private roll(now: number): void {
    if (now < this.dayEnds && now < this.monthEnds) return;
    this.setPeriods(now);
    const current = (k: string) => k.includes(`|day:${this.day}`) || k.includes(`|month:${this.month}`);
    for (const m of [this.spent]) for (const k of [...m.keys()]) if (!current(k)) m.delete(k);
    for (const k of [...this.calls.keys()]) if (!k.endsWith(`|${this.day}`)) this.calls.delete(k);
    for (const k of [...this.alerted]) if (!current(k)) this.alerted.delete(k);
  }

  /** The budgets that apply to a call of `wf` now. */
  linesFor(wf: Workflow, now: number): BudgetLine[] {
    this.roll(now);
    const team = this.config().teams[wf.team];
    // The lines only change with the period or the config (a reload makes new Workflow objects;
    // the team is compared too): built once, not on every call.
    const periods = this.day + this.month;
    const hit = this.linesCache.get(wf);
    if (hit && hit.periods === periods && hit.team === team) return hit.lines;
    const lines: BudgetLine[] = [];
    this.addLine(lines, `workflow:${wf.name}`, 'day', wf.caps.dailyUsd, `workflows.${wf.name}.caps.dailyUsd`);
    this.addLine(lines, `workflow:${wf.name}`, 'month', wf.caps.monthlyUsd, `workflows.${wf.name}.caps.monthlyUsd`);
    this.addLine(lines, `team:${wf.team}`, 'day', team?.budget.dailyUsd, `teams.${wf.team}.budget.dailyUsd`);
    this.addLine(lines, `team:${wf.team}`, 'month', team?.budget.monthlyUsd, `teams.${wf.team}.budget.monthlyUsd`);
    this.linesCache.set(wf, { periods, team, lines });
    return lines;
  }

  private addLine(lines: BudgetLine[], scope: string, period: Period, cap: number | undefined, rule: string): void {
    if (cap === undefined) return;
    const p = period === 'day' ? `day:${this.day}` : `month:${this.month}`;
    lines.push({ scope, period: p, rule, capUnits: toUnits(cap), resetsAt: period === 'day' ? this.dayEnds : this.monthEnds, key: key(scope, p) });
  }

  /** Reserves the worst case against every budget and one call against the quota, atomically. */
  reserve(wf: Workflow, worstUsd: number, now: number): { ok: true; reservation: Reservation } | ReserveRefusal {
    const lines = this.linesFor(wf, now);
    const worstUnits = toUnits(worstUsd);
    const quota = wf.caps.callsPerDay;
    const callKey = `${wf.name}|${this.day}`;
    if (quota !== undefined && (this.calls.get(callKey) ?? 0) + 1 > quota) {
      return {
        ok: false,
        type: 'quota_exceeded',
        rule: `workflows.${wf.name}.caps.callsPerDay`,
        message: `${wf.name} has used its quota of ${quota} calls per day (caps.callsPerDay); it resets at ${iso(this.dayEnds)}`,
        resetsAt: this.dayEnds,
      };
    }
    for (const line of lines) {
      const k = line.key;
      const spent = this.spent.get(k) ?? 0;
      const held = this.reserved.get(k) ?? 0;
      if (spent + held + worstUnits > line.capUnits) {
        this.refusedLines.set(k, line);
        return {
          ok: false,
          type: 'budget_exceeded',
          rule: line.rule,
          line,
          message:
            `the ${describe(line)} (${line.rule} = ${usd(toUsd(line.capUnits))}) cannot cover this call: ` +
            `${usd(toUsd(spent))} spent and ${usd(toUsd(held))} reserved, this call may cost up to ${usd(worstUsd)}; ` +
            `it resets at ${iso(line.resetsAt)}`,
          resetsAt: line.resetsAt,
        };
      }
    }
    for (const line of lines) this.add(this.reserved, line.key, worstUnits);
    let callDay: string | null = null;
    if (quota !== undefined) {
      this.add(this.calls, callKey, 1);
      callDay = this.day;
    }
    return { ok: true, reservation: { lines, worstUnits, workflow: wf.name, callDay, done: false } };
  }

  /**
   * Ends a reservation: its hold is released and `costUsd` is added as spend. `forwarded: false`
   * (nothing reached the provider) also gives the quota call back. Returns the alert levels crossed.
   */
  settle(r: Reservation, costUsd: number, forwarded: boolean, team: string): BudgetCrossing[] {
    if (r.done) return [];
    r.done = true;
    const units = toUnits(costUsd);
    for (const line of r.lines) {
      const k = line.key;
      this.add(this.reserved, k, -r.worstUnits);
      if (units > 0) this.add(this.spent, k, units);
    }
    if (!forwarded && r.callDay !== null) this.add(this.calls, `${r.workflow}|${r.callDay}`, -1);
    return this.crossings(r.lines, r.workflow, team);
  }

  /** Spend reported by an app (`POST /v1/receipts`) or settled elsewhere: counts like a call. */
  record(wf: Workflow, costUsd: number, now: number, upstreamCalls = 1): BudgetCrossing[] {
    const lines = this.linesFor(wf, now);
    const units = toUnits(costUsd);
    for (const line of lines) this.add(this.spent, line.key, units);
    if (wf.caps.callsPerDay !== undefined) this.add(this.calls, `${wf.name}|${this.day}`, upstreamCalls);
    return this.crossings(lines, wf.name, wf.team);
  }

  /** Budgets refused since the last call (a refusal means the budget is, for practical purposes, used up). */
  takeRefusals(wf: Workflow): BudgetCrossing[] {
    const out: BudgetCrossing[] = [];
    for (const [k, line] of this.refusedLines) {
      this.refusedLines.delete(k);
      const mark = `${k}|100`;
      if (this.alerted.has(mark)) continue;
      this.alerted.add(mark);
      out.push({ line, level: 100, spentUsd: toUsd(this.spent.get(k) ?? 0), capUsd: toUsd(line.capUnits), workflow: wf.name, team: wf.team });
    }
    return out;
  }

  private crossings(lines: BudgetLine[], workflow: string, team: string): BudgetCrossing[] {
    const out: BudgetCrossing[] = [];
    for (const line of lines) {
      const k = line.key;
      const spent = this.spent.get(k) ?? 0;
      if (spent * 100 < line.capUnits * 80) continue; // under both alert levels (the usual case)
      for (const level of [100, 80] as const) {
        if (spent * 100 < line.capUnits * level) continue;
        const mark = `${k}|${level}`;
        if (this.alerted.has(mark)) break;
        this.alerted.add(mark);
        if (level === 100) this.alerted.add(`${k}|80`);
        out.push({ line, level, spentUsd: toUsd(spent), capUsd: toUsd(line.capUnits), workflow, team });
        break;
      }
    }
    return out;
  }

  /** Every budget's use (spend / cap) for the metrics. */
  usage(now: number): { scope: string; period: 'day' | 'month'; ratio: number; spentUsd: number; reservedUsd: number }[] {
    const out: { scope: string; period: 'day' | 'month'; ratio: number; spentUsd: number; reservedUsd: number }[] = [];
    const seen = new Set<string>();
    for (const wf of Object.values(this.config().workflows)) {
      for (const line of this.linesFor(wf, now)) {
        const k = key(line.scope, line.period);
        if (seen.has(k)) continue;
        seen.add(k);
        const spent = this.spent.get(k) ?? 0;
        out.push({
          scope: line.scope,
          period: line.period.startsWith('day') ? 'day' : 'month',
          ratio: line.capUnits > 0 ? spent / line.capUnits : spent > 0 ? 1 : 0,
          spentUsd: toUsd(spent),
          reservedUsd: toUsd(this.reserved.get(k) ?? 0),
        });
      }
    }
    return out;
  }

  /** Total held by reservations not yet settled (0 once every call has finished). */
  reservedUsd(): number {
    let total = 0;
    for (const v of this.reserved.values()) total += v;
    return toUsd(total);
  }

  /** Spend recorded against one budget now (USD). */
  spentUsd(scope: string, period: Period, now: number): number {
    this.roll(now);
    return toUsd(this.spent.get(key(scope, period === 'day' ? `day:${this.day}` : `month:${this.month}`)) ?? 0);
  }

  private add(m: Map<string, number>, k: string, v: number): void {
    const next = (m.get(k) ?? 0) + v;
    if (next === 0) m.delete(k);
    else m.set(k, next);
  }
}

function describe(line: BudgetLine): string {
  const [kind, name] = line.scope.split(':');
  const span = line.period.startsWith('day') ? 'daily' : 'monthly';
  return `${kind} ${name} ${span} budget`;
}

export const usd = (v: number): string => (v >= 1 || v === 0 ? `$${v.toFixed(2)}` : `$${Number(v.toPrecision(3))}`);
const iso = (ts: number): string => new Date(ts).toISOString();
