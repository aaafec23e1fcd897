import { afterEach, describe, expect, it } from 'vitest';
import type { EvalCase, EvalSuite, ReleaseConfig } from '../../src/config/types.ts';
import { EvalCache } from '../../src/evals/cache.ts';
import { writeEvalSpend } from '../../src/evals/eval-store.ts';
import { computeGateVerdict } from '../../src/core/gate.ts';
import { buildBody, buildMessages, runSuite, type RunnerOptions } from '../../src/evals/runner.ts';
import type { UpstreamRequest, UpstreamResult, Upstreams } from '../../src/gateway/upstream.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import type { Store } from '../../src/store/store.ts';

const config: ReleaseConfig = {
  provider: 'openai',
  model: 'gpt-4.1-2025-04-14',
  prompt: '# triage\nYou work for {{company}}.',
  params: { temperature: 0, max_tokens: 900 },
  rag: null,
  tools: [{ name: 'lookup_order', effect: 'read', parameters: { type: 'object' } }],
  guardrails: { maxOutputTokens: 400 },
  allowFloating: false,
};

function kase(id: string, extra: Partial<EvalCase> = {}): EvalCase {
  return {
    id,
    vars: { company: 'Northwind', ticket: `ticket ${id}` },
    input: 'Ticket: {{ticket}}',
    threshold: 1,
    assert: [{ type: 'equals', path: 'category', value: 'billing' }],
    ...extra,
  };
}

const suite = (cases: EvalCase[], repeats = 2): EvalSuite => ({
  file: 'evals/x.yaml',
  repeats,
  humanReview: { sample: 0, required: false },
  escalation: { path: 'escalate' },
  cases,
});

const ok = (content: string): UpstreamResult => ({
  ok: true,
  status: 200,
  headers: {},
  attempts: 1,
  raw: Buffer.from(content),
  json: {
    model: 'gpt-4.1-2025-04-14',
    system_fingerprint: 'fp_x',
    choices: [{ message: { role: 'assistant', content } }],
    usage: { prompt_tokens: 1000, completion_tokens: 100 },
  },
});

/** A scripted upstream: answers by call, records bodies and the highest number of calls in flight. */
function fakeUpstream(answer: (req: UpstreamRequest, n: number) => UpstreamResult | Promise<UpstreamResult>) {
  const bodies: Record<string, unknown>[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const up = {
    async callChat(req: UpstreamRequest): Promise<UpstreamResult> {
      bodies.push(req.body);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((r) => setImmediate(r));
        return await answer(req, bodies.length);
      } finally {
        inFlight--;
      }
    },
  };
  return { upstreams: up as unknown as Upstreams, bodies, maxInFlight: () => maxInFlight };
}

const pricing = { 'gpt-4.1-2025-04-14': { input: 2, cachedInput: 0.5, output: 8 } };

function options(over: Partial<RunnerOptions> & Pick<RunnerOptions, 'upstreams' | 'suite'>): RunnerOptions {
  return {
    variants: [
      { variant: 'baseline', config, hash: 'cfg_base' },
      { variant: 'candidate', config: { ...config, model: 'gpt-4.1-2025-04-14', params: { temperature: 0.2 } }, hash: 'cfg_cand' },
    ],
    pricing,
    target: () => ({ baseUrl: 'http://127.0.0.1:1/v1' }),
    concurrency: 8,
    timeoutMs: 1000,
    sleep: async () => {},
    ...over,
  };
}

let db: Store | null = null;
afterEach(async () => {
  await db?.close();
  db = null;
});
async function memoryStore(): Promise<Store> {
  const s = openSqliteStore(':memory:');
  await s.migrate();
  return s;
}

describe('messages and body', () => {
  it('renders the prompt with the case vars as the system message and the input as the user message', () => {
    const m = buildMessages(config, kase('a'));
    expect(m).toEqual({
      ok: true,
      messages: [
        { role: 'system', content: '# triage\nYou work for Northwind.' },
        { role: 'user', content: 'Ticket: ticket a' },
      ],
    });
  });

  it("uses a case's explicit messages, rendered, instead of prompt + input", () => {
    const m = buildMessages(config, kase('b', { input: undefined, messages: [{ role: 'system', content: 'Be brief for {{company}}' }, { role: 'user', content: 'hi' }] }));
    expect(m.ok && m.messages).toEqual([
      { role: 'system', content: 'Be brief for Northwind' },
      { role: 'user', content: 'hi' },
    ]);
  });

  it('names a missing variable', () => {
    expect(buildMessages(config, kase('c', { vars: { ticket: 'x' } }))).toEqual({ ok: false, error: 'missing variable "company" in the prompt' });
  });

  it("sends the config's model, params and tools, with max_tokens clamped to the guardrails", () => {
    const body = buildBody(config, [{ role: 'user', content: 'x' }]);
    expect(body.model).toBe('gpt-4.1-2025-04-14');
    expect(body.temperature).toBe(0);
    expect(body.max_tokens).toBe(400);
    expect(body.tools).toEqual([{ type: 'function', function: { name: 'lookup_order', parameters: { type: 'object' } } }]);
    expect(buildBody({ ...config, params: {} }, []).max_tokens).toBe(400);
  });
});

describe('runSuite', () => {
  it('runs every case × repeat × variant, scores them and prices every call', async () => {
    const up = fakeUpstream(() => ok('{"category": "billing", "escalate": false}'));
    const r = await runSuite(options({ upstreams: up.upstreams, suite: suite([kase('a'), kase('b'), kase('c')], 3) }));
    expect(r.baseline).toHaveLength(9);
    expect(r.candidate).toHaveLength(9);
    expect(r.calls).toHaveLength(18);
    expect(r.baseline.every((x) => x.passed && !x.error)).toBe(true);
    // 1000 input × $2/M + 100 output × $8/M
    expect(r.baseline[0]!.costUsd).toBeCloseTo(0.0028, 10);
    expect(r.baseline[0]!.tokens).toBe(1100);
    expect(r.stats.evalCostUsd).toBeCloseTo(18 * 0.0028, 10);
    expect(new Set(r.candidate.map((x) => `${x.caseId}/${x.repeat}`)).size).toBe(9);
  });

  it('estimates the tokens of an answer without usage from its text, marks it, and the gate says so', async () => {
    const content = '{"category": "billing", "escalate": false}'; // 42 characters -> 11 tokens
    const up = fakeUpstream(() => {
      const r = ok(content) as Extract<UpstreamResult, { ok: true }>;
      delete (r.json as { usage?: unknown }).usage;
      return r;
    });
    const r = await runSuite(options({ upstreams: up.upstreams, suite: suite([kase('a')], 1) }));
    const run = r.baseline[0]!;
    expect(run.usageEstimated).toBe(true);
    // system "# triage\nYou work for Northwind." (32) + "\n" + user "Ticket: ticket a" (16): 49 characters -> 13 tokens
    expect(run.tokens).toBe(13 + 11);
    expect(run.costUsd).toBeCloseTo(13 * 2e-6 + 11 * 8e-6, 12);
    // The receipt keeps what the provider reported: nothing.
    expect(r.calls[0]!.usage.inputTokens).toBe(0);
    expect(r.stats.evalCostUsd).toBe(0);
    const verdict = computeGateVerdict(
      { minPassRate: 0, maxPassRateDrop: 0, maxCostPerRunIncrease: 0.1, maxTokensPerRunIncrease: 0.25, maxLatencyP95Ms: 60_000, maxEscalationRateIncrease: 0.02 },
      r.baseline, r.candidate,
    );
    expect(verdict.rows.find((x) => x.rule === 'maxCostPerRunIncrease')!.test).toContain('2 with usage estimated from the text');
  });

  it('never has more calls in flight than the concurrency', async () => {
    const up = fakeUpstream(() => ok('{"category": "billing"}'));
    await runSuite(options({ upstreams: up.upstreams, suite: suite(Array.from({ length: 10 }, (_, i) => kase(`c${i}`)), 3), concurrency: 3 }));
    expect(up.bodies).toHaveLength(60);
    expect(up.maxInFlight()).toBe(3);
  });

  it('fails closed: a timeout is retried once, then the run fails with the reason; the gate never drops it', async () => {
    const sleeps: number[] = [];
    const up = fakeUpstream((req) =>
      (req.body.messages as { content: string }[])[1]!.content.includes('slow')
        ? { ok: false, errorType: 'upstream_timeout', status: 504, message: 'upstream did not answer within 1000 ms', attempts: 1 }
        : ok('{"category": "billing"}'),
    );
    const r = await runSuite(
      options({ upstreams: up.upstreams, suite: suite([kase('slow'), kase('fast')], 1), sleep: async (ms) => void sleeps.push(ms) }),
    );
    const slow = r.candidate.find((x) => x.caseId === 'slow')!;
    expect(slow.passed).toBe(false);
    expect(slow.error).toMatch(/^timeout: upstream did not answer within 1000 ms/);
    expect(r.calls.filter((c) => c.status === 'error')).toHaveLength(4); // 2 attempts × 2 variants
    expect(sleeps).toHaveLength(2);
    expect(r.baseline.find((x) => x.caseId === 'fast')!.passed).toBe(true);
  });

  it('retries a 5xx and passes when the second attempt answers; a 400 is not retried', async () => {
    let n = 0;
    const up = fakeUpstream((req) => {
      const user = (req.body.messages as { content: string }[])[1]!.content;
      if (user.includes('flaky') && n++ === 0)
        return { ok: false, errorType: 'upstream_error', status: 502, upstreamStatus: 500, message: 'upstream answered 500', attempts: 1 };
      if (user.includes('bad')) return { ok: false, errorType: 'upstream_error', status: 502, upstreamStatus: 400, message: 'upstream answered 400: bad field', attempts: 1 };
      return ok('{"category": "billing"}');
    });
    const r = await runSuite(options({ upstreams: up.upstreams, suite: suite([kase('flaky'), kase('bad')], 1), variants: [{ variant: 'candidate', config, hash: 'cfg_c' }] }));
    expect(r.candidate.find((x) => x.caseId === 'flaky')).toMatchObject({ passed: true });
    expect(r.candidate.find((x) => x.caseId === 'bad')).toMatchObject({ passed: false, error: 'upstream answered 400: bad field' });
    expect(up.bodies).toHaveLength(3);
  });

  it('fails a run whose template misses a variable, and a provider without an upstream, without calling', async () => {
    const up = fakeUpstream(() => ok('{}'));
    const r = await runSuite(options({ upstreams: up.upstreams, suite: suite([kase('x', { vars: { ticket: 't' } })], 1), target: () => null }));
    expect(r.baseline[0]).toMatchObject({ passed: false, error: 'missing variable "company" in the prompt' });
    const r2 = await runSuite(options({ upstreams: up.upstreams, suite: suite([kase('y')], 1), target: () => null }));
    expect(r2.baseline[0]).toMatchObject({ passed: false, error: 'provider "openai" has no upstream' });
    expect(up.bodies).toHaveLength(0);
  });

  it('serves an unchanged case from the cache; a changed case, another config or a failed run is called again', async () => {
    db = await memoryStore();
    const s = suite([kase('a'), kase('b'), kase('err')], 2);
    const up = fakeUpstream((req) =>
      (req.body.messages as { content: string }[])[1]!.content.includes('err')
        ? { ok: false, errorType: 'upstream_error', status: 502, upstreamStatus: 400, message: 'nope', attempts: 1 }
        : ok('{"category": "billing"}'),
    );
    const hashes = ['cfg_base', 'cfg_cand'];
    const cache = await EvalCache.load(db, s, hashes);
    const first = await runSuite(options({ upstreams: up.upstreams, suite: s, cache }));
    expect(first.stats.cachedRuns).toBe(0);
    await cache.put(db, first.fresh, 1);
    const calls = up.bodies.length;

    const second = await runSuite(options({ upstreams: up.upstreams, suite: s, cache: await EvalCache.load(db, s, hashes) }));
    expect(up.bodies.length - calls).toBe(4); // only the failed case, 2 repeats × 2 variants
    expect(second.stats.cachedRuns).toBe(8);
    expect(second.baseline.filter((x) => x.cached && x.passed)).toHaveLength(4);

    const changed = suite([kase('a', { assert: [{ type: 'contains', values: ['billing'] }] }), kase('b')], 2);
    const third = await runSuite(options({ upstreams: up.upstreams, suite: changed, cache: await EvalCache.load(db, changed, hashes) }));
    expect(third.stats.cachedRuns).toBe(4); // case b only
  });

  it('leaves one eval receipt per call and rolls spend up per day, apart from production', async () => {
    db = await memoryStore();
    const up = fakeUpstream(() => ok('{"category": "billing"}'));
    const r = await runSuite(options({ upstreams: up.upstreams, suite: suite([kase('a'), kase('b')], 2), now: () => Date.parse('2026-11-25T10:00:00Z') }));
    await writeEvalSpend(db, { workflow: 'support-triage', team: 'support', releaseId: 7, priceVersion: 'pv1', tz: 'UTC' }, r.calls, r.critic);
    const rows = await db.receipts.list({ workflow: 'support-triage', purpose: 'eval', limit: 100 });
    expect(rows).toHaveLength(8);
    expect(rows.every((x) => x.cost_usd > 0 && x.release_id === 7)).toBe(true);
    expect(await db.spend.byVariant('support-triage', '2026-11-25', '2026-11-25', 'eval')).toEqual([
      { variant: 'baseline', calls: 4, cost: expect.closeTo(4 * 0.0028, 10) },
      { variant: 'candidate', calls: 4, cost: expect.closeTo(4 * 0.0028, 10) },
    ]);
    // Eval spend is apart from production.
    expect(await db.spend.byVariant('support-triage', '2026-11-25', '2026-11-25')).toEqual([]);
  });
});
