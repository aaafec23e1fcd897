import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '../../scripts/mock-llm.ts';
import { main, type CliIo } from '../../src/cli/main.ts';
import { openStore } from '../../src/store/open.ts';
import { tempDir } from '../helpers/harness.ts';
import { exampleConfigCopy } from './fixture.ts';

let mock: MockLlm;
let dir: string;
let config: string;

beforeAll(async () => {
  // Fixed small latency and no simulated failures: the verdicts depend on answers only.
  mock = await startMockLlm({ port: 0, seed: 11, latencyMs: 2, errorRate: 0, rateLimitRate: 0 });
  dir = tempDir('air-evalcli-');
  // Tokens may rise freely here, so a pricier model of equal quality only needs cost approval.
  config = exampleConfigCopy({ gate: { maxTokensPerRunIncrease: 5, maxEscalationRateIncrease: 0.1 } }, join(dir, 'cfg'));
});

afterAll(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

function cli(dbName: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: { OPENAI_BASE_URL: mock.url, DATABASE_PATH: join(dir, dbName), AI_RELEASE_CONFIG: config, CI: 'true' },
    color: false,
  };
  return { io, out, err, run: (...argv: string[]) => main(argv, io) };
}

async function evalReceipts(dbName: string): Promise<{ n: number; cost: number; rollupCalls: number }> {
  const store = await openStore({ engine: 'sqlite', path: join(dir, dbName) });
  try {
    const days = (await store.spend.byDay('2000-01-01', '2999-12-31')).filter((d) => d.purpose === 'eval');
    return { n: await store.receipts.count('eval'), cost: days.reduce((s, d) => s + d.cost, 0), rollupCalls: days.reduce((s, d) => s + d.calls, 0) };
  } finally {
    await store.close();
  }
}

describe('ai-release eval run', () => {
  it('exits 0 when the candidate holds every rule, and a second unchanged run spends nothing', async () => {
    const c = cli('cache.db');
    const before = mock.stats().calls;
    expect(await c.run('eval', 'run', 'support-triage')).toBe(0);
    const first = mock.stats().calls - before;
    expect(first).toBeGreaterThanOrEqual(2 * 34 * 3);
    expect(c.out.join('\n')).toMatch(/Eval gate · support-triage: pass/);
    const spent = await evalReceipts('cache.db');
    expect(spent.n).toBeGreaterThanOrEqual(2 * 34 * 3);
    expect(spent.cost).toBeGreaterThan(0);
    expect(spent.rollupCalls).toBe(spent.n);

    const again = cli('cache.db');
    const mid = mock.stats().calls;
    expect(await again.run('eval', 'run', 'support-triage', '--json')).toBe(0);
    expect(mock.stats().calls).toBe(mid); // zero upstream calls, critic included
    const cards = JSON.parse(again.out.join('\n'));
    expect(cards).toHaveLength(1);
    expect(cards[0].title).toBe('Eval gate · support-triage: pass');
    const json = cards[0].data;
    expect(json.outcome).toBe('pass');
    expect(json.stats.cachedRuns).toBe(json.stats.runs);
    expect(json.stats.upstreamCalls).toBe(0);
    expect((await evalReceipts('cache.db')).n).toBe(spent.n); // no call, no receipt

    const fresh = cli('cache.db');
    expect(await fresh.run('eval', 'run', 'support-triage', '--no-cache', '--json')).toBe(0);
    expect(mock.stats().calls - mid).toBeGreaterThanOrEqual(2 * 34 * 3);
    expect(JSON.parse(fresh.out.join('\n'))[0].data.stats.cachedRuns).toBe(0);
  }, 60_000);

  it('exits 1 for a weaker model, naming the failed rules, and writes the report', async () => {
    const c = cli('nano.db');
    const report = join(dir, 'nano.md');
    const code = await c.run('eval', 'run', 'support-triage', '--candidate-model', 'gpt-4.1-nano-2025-04-14', '--report', report, '--json');
    expect(code).toBe(1);
    const v = JSON.parse(c.out.join('\n'))[0].data;
    expect(v.outcome).toBe('fail');
    expect(v.failed).toContain('minPassRate');
    expect(v.configs.candidate.model).toBe('gpt-4.1-nano-2025-04-14');
    const md = readFileSync(report, 'utf8');
    expect(md).toMatch(/# Eval gate: support-triage — fail/);
    expect(md).toMatch(/\| pass rate \|/);
    expect(md).toMatch(/duplicate-charge/);
  }, 60_000);

  it('exits 4 when quality holds but cost per run rises beyond the limit (gpt-5)', async () => {
    const c = cli('gpt5.db');
    const report = join(dir, 'gpt5.html');
    const code = await c.run('eval', 'run', 'support-triage', '--candidate-model', 'gpt-5-2025-08-07', '--report', report);
    const text = c.out.join('\n');
    expect(text).toMatch(/needs cost approval/);
    expect(code).toBe(4);
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/<tr class="cost_approval"><td>cost per run/);
  }, 60_000);

  it('exits 2 with the reason for an unknown workflow, an unpriced or floating model, or a bad report name', async () => {
    const cases: [string[], RegExp][] = [
      [['eval', 'run', 'no-such-flow'], /unknown workflow "no-such-flow" \(known: .*support-triage/],
      [['eval', 'run', 'support-triage', '--candidate-model', 'gpt-9-2030-01-01'], /model "gpt-9-2030-01-01" has no price/],
      [['eval', 'run', 'support-triage', '--report', join(dir, 'r.pdf')], /must end in \.md or \.html/],
      [['eval', 'run'], /exactly one workflow/],
      [['eval', 'start', 'support-triage'], /usage: ai-release eval run/],
    ];
    const before = mock.stats().calls;
    for (const [argv, message] of cases) {
      const c = cli('usage.db');
      expect(await c.run(...argv), argv.join(' ')).toBe(2);
      expect(c.err.join('\n')).toMatch(message);
    }
    expect(existsSync(join(dir, 'r.pdf'))).toBe(false);
    expect(mock.stats().calls).toBe(before);
    // With --json the refusal is a Card too, like every other verb's.
    const j = cli('usage.db');
    expect(await j.run('eval', 'run', 'no-such-flow', '--json')).toBe(2);
    const [card] = JSON.parse(j.out.join('\n'));
    expect(card).toMatchObject({ kind: 'error', title: expect.stringMatching(/unknown workflow "no-such-flow"/) });
  }, 30_000);

  it('refuses a floating model id with the reason (exit 2)', async () => {
    // A floating id needs a price to reach the pinning check: give it one.
    const floating = exampleConfigCopy({}, join(dir, 'cfg-floating'));
    const text = readFileSync(floating, 'utf8').replace('pricing:', 'pricing:\n  gpt-4o: { input: 2.5, output: 10 }');
    (await import('node:fs')).writeFileSync(floating, text);
    const c = cli('floating.db');
    c.io.env.AI_RELEASE_CONFIG = floating;
    expect(await c.run('eval', 'run', 'support-triage', '--candidate-model', 'gpt-4o')).toBe(2);
    expect(c.err.join('\n')).toMatch(/model "gpt-4o" is not pinned/);
  });
});
