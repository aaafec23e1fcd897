import { describe, expect, it } from 'vitest';
import { BudgetLedger } from '../../src/gateway/budget.ts';
import type { LoadedConfig, Workflow } from '../../src/config/types.ts';

const wf = { name: 'w', team: 't', caps: { dailyUsd: 1, monthlyUsd: 10, callsPerDay: 100 } } as unknown as Workflow;
const config = { workflows: { w: wf }, teams: { t: { budget: { dailyUsd: 5 }, leaders: [] } } } as unknown as LoadedConfig;
const DAY1 = Date.parse('2026-11-25T12:00:00Z');

describe('BudgetLedger', () => {
  it('lets spend reach a cap exactly, never pass it, and frees a released reservation', async () => {
    const l = new BudgetLedger(() => config, 'UTC', async () => []);
    await l.seed(DAY1);
    const a = l.reserve(wf, 0.7, DAY1);
    expect(a.ok).toBe(true);
    const b = l.reserve(wf, 0.3, DAY1); // 0.7 + 0.3 = 1.0: reaches the cap
    expect(b.ok).toBe(true);
    const c = l.reserve(wf, 0.0000000001, DAY1);
    expect(c).toMatchObject({ ok: false, type: 'budget_exceeded', rule: 'workflows.w.caps.dailyUsd' });
    if (!a.ok || !b.ok) throw new Error('unreachable');
    l.settle(a.reservation, 0.1, true, 't'); // settled below its worst case: 0.6 freed
    expect(l.reserve(wf, 0.6, DAY1).ok).toBe(true);
    expect(l.spentUsd('workflow:w', 'day', DAY1)).toBeCloseTo(0.1, 12);
  });

  it('seeds from the rollups: today counts for the day and the month, earlier days only for the month', async () => {
    const rows = [
      { day: '2026-11-25', workflow: 'w', team: 't', cost: 0.9, upstream_calls: 100 },
      { day: '2026-11-03', workflow: 'w', team: 't', cost: 8.5, upstream_calls: 7 },
    ];
    const l = new BudgetLedger(() => config, 'UTC', async () => rows);
    await l.seed(DAY1);
    expect(l.spentUsd('workflow:w', 'day', DAY1)).toBeCloseTo(0.9, 12);
    expect(l.spentUsd('workflow:w', 'month', DAY1)).toBeCloseTo(9.4, 12);
    expect(l.reserve(wf, 0.01, DAY1)).toMatchObject({ ok: false, type: 'quota_exceeded', rule: 'workflows.w.caps.callsPerDay' });
  });

  it('rolls over at midnight in TZ: the new day starts at zero, the month carries on until the next month', async () => {
    const l = new BudgetLedger(() => config, 'UTC', async () => [{ day: '2026-11-25', workflow: 'w', team: 't', cost: 1, upstream_calls: 1 }]);
    await l.seed(DAY1);
    expect(l.reserve(wf, 0.5, DAY1).ok).toBe(false); // the day's $1 is spent
    const next = Date.parse('2026-11-26T00:00:01Z');
    const r = l.reserve(wf, 0.5, next);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    l.settle(r.reservation, 0.5, true, 't');
    expect(l.spentUsd('workflow:w', 'day', next)).toBeCloseTo(0.5, 12);
    expect(l.spentUsd('workflow:w', 'month', next)).toBeCloseTo(1.5, 12);
    const december = Date.parse('2026-12-01T00:00:01Z');
    expect(l.spentUsd('workflow:w', 'month', december)).toBe(0);
    expect(l.spentUsd('workflow:w', 'day', december)).toBe(0);
  });

  it('reports the 80% and the 100% crossing once each per period', async () => {
    const l = new BudgetLedger(() => config, 'UTC', async () => []);
    await l.seed(DAY1);
    const levels: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = l.reserve(wf, 0.1, DAY1);
      if (!r.ok) break;
      for (const c of l.settle(r.reservation, 0.1, true, 't')) if (c.line.scope === 'workflow:w' && c.line.period.startsWith('day')) levels.push(c.level);
    }
    expect(levels).toEqual([80, 100]);
  });
});
