import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worstCaseCostUsd } from '../../src/core/cost.ts';
import { chat, startGatewayTest, type GatewayTest } from './setup.ts';

const PROMPT = '# lab-notes\n\nSummarise the notes.\n';
const USER = 'hi';
const INPUT_TOKENS = Math.ceil((PROMPT.length + USER.length) / 4);
const MINI = { input: 0.4, cachedInput: 0.1, output: 1.6 };
/** The worst case of one call with max_tokens 1000, and an upstream that bills exactly that. */
const WORST = worstCaseCostUsd(INPUT_TOKENS, 1000, MINI);
const body = (max_tokens = 1000) => ({ model: 'lab-notes', messages: [{ role: 'user', content: USER }], max_tokens });

async function metric(url: string, line: RegExp): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = line.exec(text);
  if (!m) throw new Error(`no metric ${line}`);
  return Number(m[1]);
}

describe('a daily cap that fits exactly 10 calls', () => {
  let t: GatewayTest;
  beforeAll(async () => {
    t = await startGatewayTest({ budget: { dailyUsd: Number((WORST * 10).toFixed(10)) } });
    t.fake.answer = (b) => ({ delayMs: 30, content: 'secret notes', usage: { prompt_tokens: INPUT_TOKENS, completion_tokens: b.max_tokens } });
  });
  afterAll(() => t.close());

  it('100 simultaneous requests: at most 10 served, spend ≤ cap, no reservation left', async () => {
    const token = await t.ts.gatewayToken('labs');
    const answers = await Promise.all(Array.from({ length: 100 }, () => chat(t.ts.url, token, body())));
    const served = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(served.length).toBe(10);
    expect(refused.length).toBe(90);
    expect(t.fake.requests.length).toBe(10);
    const e = refused[0]!.json.error;
    expect(e.type).toBe('budget_exceeded');
    expect(e.rule).toBe('workflows.lab-notes.caps.dailyUsd');
    expect(e.message).toMatch(/resets at \d{4}-\d\d-\d\dT/);
    expect(Date.parse(e.resets_at)).toBeGreaterThan(Date.now());
    expect(refused[0]!.headers.get('x-ai-release-receipt')).toBeTruthy();

    const cap = WORST * 10;
    expect(await metric(t.ts.url, /ai_release_budget_reserved_usd\{scope="workflow:lab-notes",period="day"\} ([\d.e-]+)/)).toBe(0);
    expect(await metric(t.ts.url, /ai_release_budget_spent_usd\{scope="workflow:lab-notes",period="day"\} ([\d.e-]+)/)).toBeLessThanOrEqual(cap + 1e-12);
    await new Promise((r) => setTimeout(r, 150));
    const days = (await t.ts.store.spend.byDay('2000-01-01', '2999-12-31')).filter((d) => d.workflow === 'lab-notes');
    const production = (await t.ts.store.spend.production('2000-01-01', '2999-12-31')).filter((d) => d.workflow === 'lab-notes');
    const row = { cost: days.reduce((s, d) => s + d.cost, 0), calls: days.reduce((s, d) => s + d.calls, 0), up: production.reduce((s, d) => s + d.upstream_calls, 0) };
    expect(row.cost).toBeLessThanOrEqual(cap + 1e-12);
    expect(row.cost).toBeCloseTo(cap, 10);
    expect(row.calls).toBe(100);
    expect(row.up).toBe(10);
  });

  it('raises the 80% and 100% budget alerts once for the period, never per request', async () => {
    const token = await t.ts.gatewayToken('labs');
    await chat(t.ts.url, token, body());
    await chat(t.ts.url, token, body());
    await new Promise((r) => setTimeout(r, 150));
    const alerts = (await t.ts.store.events.after(0, 100_000))
      .filter((e) => e.kind === 'alert' && e.workflow === 'lab-notes')
      .map((e) => e.payload as { condition: string; card: { title: string }; notify: string[] });
    expect(alerts.map((a) => a.condition).sort()).toEqual(['budget_100', 'budget_80']);
    expect(alerts.find((a) => a.condition === 'budget_100')!.card.title).toContain('workflow lab-notes daily');
    expect(alerts[0]!.notify).toEqual(['dana']);
    // Both levels are recorded for the period: claiming either again is refused.
    const period = `day:${new Date().toISOString().slice(0, 10)}`;
    for (const level of [80, 100]) expect(await t.ts.store.alerts.claimBudget('workflow:lab-notes', period, level, Date.now())).toBe(false);
  });

  it('retention none keeps no output', async () => {
    const r = (await t.ts.store.receipts.list({ workflow: 'lab-notes', limit: 1000 })).find((x) => x.status === 'ok')!;
    expect(r.output).toBeNull();
  });
});

describe('per-run cap and calls-per-day quota', () => {
  let t: GatewayTest;
  beforeAll(async () => {
    t = await startGatewayTest({ budget: { perRunUsd: 0.001, callsPerDay: 3 } });
  });
  afterAll(() => t.close());

  it('refuses a call whose worst case passes caps.perRunUsd before anything goes upstream', async () => {
    const token = await t.ts.gatewayToken('labs');
    const r = await chat(t.ts.url, token, body(1000));
    expect(r.status).toBe(429);
    expect(r.json.error).toMatchObject({ type: 'budget_exceeded', rule: 'workflows.lab-notes.caps.perRunUsd' });
    expect(r.json.error.message).toContain('per-run cap');
    expect(t.fake.requests).toHaveLength(0);
  });

  it('the worst case counts every choice asked for (n): 8 × 100 output tokens pass a cap that 100 fit', async () => {
    const token = await t.ts.gatewayToken('labs');
    const r = await chat(t.ts.url, token, { ...body(100), n: 8 });
    expect(r.status).toBe(429);
    expect(r.json.error).toMatchObject({ type: 'budget_exceeded', rule: 'workflows.lab-notes.caps.perRunUsd' });
    expect(r.json.error.message).toContain('+ 800 output tokens');
    const bad = await chat(t.ts.url, token, { ...body(100), n: 0 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe('n must be a positive integer (the number of choices)');
    expect(t.fake.requests).toHaveLength(0);
  });

  it('serves callsPerDay calls, then 429 quota_exceeded until the day resets', async () => {
    const token = await t.ts.gatewayToken('labs');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await chat(t.ts.url, token, body(100))).status);
    const fourth = await chat(t.ts.url, token, body(100));
    expect(statuses).toEqual([200, 200, 200]);
    expect(fourth.status).toBe(429);
    expect(fourth.json.error).toMatchObject({ type: 'quota_exceeded', rule: 'workflows.lab-notes.caps.callsPerDay' });
    expect(fourth.json.error.message).toContain('resets at');
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(t.fake.requests).toHaveLength(3);
  });
});
