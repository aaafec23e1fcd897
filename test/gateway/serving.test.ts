import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { api } from '../helpers/harness.ts';
import { USAGE } from './fake-upstream.ts';
import { chat, msg, startGatewayTest, supportVars, type GatewayTest } from './setup.ts';

let t: GatewayTest;
let support: string;
let finance: string;
beforeAll(async () => {
  t = await startGatewayTest();
  support = await t.ts.gatewayToken('support');
  finance = await t.ts.gatewayToken('finance-ops');
});
afterAll(() => t.close());
beforeEach(() => {
  t.fake.requests.length = 0;
  t.fake.answer = () => ({});
});

const receipt = (id: string) => t.ts.store.receipts.get(id) as Promise<Record<string, any> | undefined>;
/** Receipts are written off the hot path: wait for the batch (a few tens of ms). */
async function receiptOf(id: string): Promise<Record<string, any>> {
  for (let i = 0; i < 100; i++) {
    const r = await receipt(id);
    if (r) return r;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`no receipt ${id}`);
}
const glVars = { ai_release: { vars: { entity: 'Acme GmbH' } } };

describe('refusals that never reach the upstream', () => {
  it('401 without a token or with an unknown one', async () => {
    const a = await chat(t.ts.url, undefined, { model: 'support-triage', messages: msg() });
    const b = await chat(t.ts.url, 'air_gw_nope', { model: 'support-triage', messages: msg() });
    expect([a.status, a.json.error.type, b.status, b.json.error.type]).toEqual([401, 'unauthorized', 401, 'unauthorized']);
    expect(t.fake.requests).toHaveLength(0);
  });

  it("403 for another team's workflow, and for a personal token", async () => {
    const r = await chat(t.ts.url, finance, { model: 'support-triage', messages: msg(), ...supportVars });
    expect(r.status).toBe(403);
    expect(r.json.error).toMatchObject({ type: 'forbidden', rule: 'team' });
    expect(r.headers.get('x-ai-release-workflow')).toBe('support-triage');
    const p = await chat(t.ts.url, await t.ts.token('eli'), { model: 'support-triage', messages: msg(), ...supportVars });
    expect(p.status).toBe(403);
    expect(t.fake.requests).toHaveLength(0);
  });

  it('404 unknown_workflow', async () => {
    const r = await chat(t.ts.url, support, { model: 'gpt-4o', messages: msg() });
    expect(r.status).toBe(404);
    expect(r.json.error.type).toBe('unknown_workflow');
    expect(r.json.error.message).toContain('gpt-4o');
  });

  it('400 on malformed JSON, 413 on a body over the limit', async () => {
    const r = await chat(t.ts.url, support, '{"model": "support-triage", "messages": [');
    expect(r.status).toBe(400);
    expect(r.json.error.type).toBe('invalid_request');
    expect(r.json.error.message).toMatch(/malformed JSON/);
    const big = JSON.stringify({ model: 'support-triage', messages: msg('x'.repeat(10 * 1024 * 1024 + 10)) });
    const b = await chat(t.ts.url, support, big);
    expect(b.status).toBe(413);
    expect(b.json.error.type).toBe('payload_too_large');
    expect(t.fake.requests).toHaveLength(0);
  });

  it('400 naming a missing template variable, with a receipt', async () => {
    const r = await chat(t.ts.url, support, { model: 'support-triage', messages: msg() });
    expect(r.status).toBe(400);
    expect(r.json.error.type).toBe('invalid_request');
    expect(r.json.error.message).toContain('"company"');
    expect(t.fake.requests).toHaveLength(0);
    const rec = await receiptOf(r.headers.get('x-ai-release-receipt')!);
    expect(rec).toMatchObject({ status: 'error', error_type: 'invalid_request', cost_usd: 0 });
  });

  it('403 tool_not_allowed for an unknown tool or a changed definition', async () => {
    const tool = (name: string, parameters: unknown) => ({ type: 'function', function: { name, parameters } });
    const ok = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false };
    const a = await chat(t.ts.url, support, { model: 'support-triage', messages: msg(), ...supportVars, tools: [tool('refund_order', ok)] });
    expect(a.status).toBe(403);
    expect(a.json.error.type).toBe('tool_not_allowed');
    expect(a.json.error.message).toContain('refund_order');
    const b = await chat(t.ts.url, support, {
      model: 'support-triage', messages: msg(), ...supportVars,
      tools: [tool('lookup_order', { ...ok, properties: { id: { type: 'string' }, force: { type: 'boolean' } } })],
    });
    expect(b.status).toBe(403);
    expect(b.json.error.type).toBe('tool_not_allowed');
    expect(t.fake.requests).toHaveLength(0);
    // The config's own definition (keys in another order) passes.
    const c = await chat(t.ts.url, support, {
      model: 'support-triage', messages: msg(), ...supportVars,
      tools: [tool('lookup_order', { additionalProperties: false, required: ['id'], properties: { id: { type: 'string' } }, type: 'object' })],
    });
    expect(c.status).toBe(200);
    expect(t.fake.requests).toHaveLength(1);
  });
});

describe('what goes upstream', () => {
  it('the served model and params, the rendered prompt first, ai_release removed, max_tokens clamped', async () => {
    const r = await chat(t.ts.url, support, {
      model: 'support-triage',
      messages: [{ role: 'system', content: 'client system' }, { role: 'user', content: 'hi' }],
      max_tokens: 5000,
      max_completion_tokens: 9000,
      temperature: 1.5,
      ...supportVars,
    });
    expect(r.status).toBe(200);
    const sent = t.fake.requests[0]!;
    expect(sent.model).toBe('gpt-4.1-2025-04-14');
    expect(sent.temperature).toBe(0);
    expect(sent.max_tokens).toBe(400);
    expect(sent.max_completion_tokens).toBe(400);
    expect(sent.ai_release).toBeUndefined();
    expect(sent.messages[0].role).toBe('system');
    expect(sent.messages[0].content).toContain('support triage assistant for Acme.');
    expect(sent.messages.slice(1)).toEqual([{ role: 'system', content: 'client system' }, { role: 'user', content: 'hi' }]);
    // A smaller allowance than the cap is kept.
    await chat(t.ts.url, support, { model: 'support-triage', messages: msg(), max_tokens: 50, ...supportVars });
    expect(t.fake.requests[1]!.max_tokens).toBe(50);
  });
});

describe('answers and receipts', () => {
  it('non-streamed: the contract headers and a receipt with every field, costed exactly', async () => {
    const r = await chat(t.ts.url, support, { model: 'support-triage', messages: msg(), ...supportVars }, { 'x-ai-release-unit': 'customer-42' });
    expect(r.status).toBe(200);
    expect(r.json.choices[0].message.content).toBe('hello from the fake');
    for (const h of ['workflow', 'variant', 'config', 'receipt']) expect(r.headers.get(`x-ai-release-${h}`)).toBeTruthy();
    expect(r.headers.get('x-ai-release-variant')).toBe('stable');
    const rec = await receiptOf(r.headers.get('x-ai-release-receipt')!);
    const fields = 'id, ts, purpose, workflow, team, release_id, variant, config_hash, provider, model_requested, model_served, system_fingerprint, unit_hash, input_tokens, cached_tokens, output_tokens, reasoning_tokens, cost_usd, price_version, latency_ms, status, error_type, tool_calls, sources, output, needs_approval, approved, edited, escalated, overridden, reported, csat'.split(', ');
    for (const f of fields) expect(rec).toHaveProperty(f);
    expect(rec).toMatchObject({
      purpose: 'production', workflow: 'support-triage', team: 'support', variant: 'stable',
      config_hash: r.headers.get('x-ai-release-config'), provider: 'openai',
      model_requested: 'gpt-4.1-2025-04-14', model_served: 'gpt-4.1-2025-04-14', system_fingerprint: 'fp_fake_1',
      input_tokens: 1000, cached_tokens: 400, output_tokens: 200, reasoning_tokens: 50,
      status: 'ok', error_type: null, output: 'hello from the fake', needs_approval: 0,
      price_version: t.ts.server.runtime.ctx.config.priceVersion,
    });
    // 600 uncached × $2 + 400 cached × $0.50 + 200 output × $8, per 1M tokens = $0.0030
    expect(rec.cost_usd).toBe(0.003);
    expect(rec.unit_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.unit_hash).not.toContain('customer-42');
    expect(rec.latency_ms).toBeGreaterThan(0);
  });

  it('streamed: chunks passed through, usage asked for, [DONE] last, receipt costed from the usage chunk', async () => {
    t.fake.answer = () => ({ content: 'streamed answer text', usage: { prompt_tokens: 300, completion_tokens: 40, completion_tokens_details: { reasoning_tokens: 10 } } });
    const r = await chat(t.ts.url, support, { model: 'support-triage', messages: msg(), stream: true, stream_options: { include_usage: true }, ...supportVars });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    expect(t.fake.requests[0]!.stream_options).toEqual({ include_usage: true });
    const events = r.text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const deltas = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
    expect(deltas.map((d) => d.choices[0]?.delta?.content ?? '').join('')).toBe('streamed answer text');
    expect(deltas.at(-1).usage.prompt_tokens).toBe(300);
    const rec = await receiptOf(r.headers.get('x-ai-release-receipt')!);
    // 300 × $2 + 40 × $8 per 1M = $0.00092
    expect(rec).toMatchObject({ input_tokens: 300, output_tokens: 40, reasoning_tokens: 10, cost_usd: 0.00092, output: 'streamed answer text', status: 'ok' });
  });

  it('upstream failures: 502, and 429 upstream_rate_limited with Retry-After, each with a receipt', async () => {
    t.fake.answer = () => ({ status: 400, error: JSON.stringify({ error: { message: 'bad thing' } }) });
    const a = await chat(t.ts.url, support, { model: 'support-triage', messages: msg(), ...supportVars });
    expect(a.status).toBe(502);
    expect(a.json.error.type).toBe('upstream_error');
    expect(a.headers.get('x-ai-release-receipt')).toBeTruthy();
    t.fake.answer = () => ({ status: 429, headers: { 'retry-after': '30' } });
    const b = await chat(t.ts.url, support, { model: 'support-triage', messages: msg(), ...supportVars });
    expect(b.status).toBe(429);
    expect(b.json.error.type).toBe('upstream_rate_limited');
    expect(b.headers.get('retry-after')).toBe('30');
    const rec = await receiptOf(b.headers.get('x-ai-release-receipt')!);
    expect(rec).toMatchObject({ status: 'error', error_type: 'upstream_rate_limited', cost_usd: 0 });
  });

  it('retention hash stores the sha256 of the output, never the output', async () => {
    t.fake.answer = () => ({ content: 'secret ledger coding' });
    const r = await chat(t.ts.url, finance, { model: 'gl-coding', messages: msg('invoice'), ...glVars });
    expect(r.status).toBe(200);
    const rec = await receiptOf(r.headers.get('x-ai-release-receipt')!);
    expect(rec.output).toMatch(/^[0-9a-f]{64}$/);
    const { createHash } = await import('node:crypto');
    expect(rec.output).toBe(createHash('sha256').update('secret ledger coding').digest('hex'));
  });

  it('execute-with-approval: a write tool call marks needs_approval until feedback approves it', async () => {
    t.fake.answer = () => ({
      content: null,
      toolCalls: [{ id: 'call_1', type: 'function', function: { name: 'post_journal_entry', arguments: '{"gl_account":"6100","amount":10,"currency":"EUR","vendor":"X"}' } }],
    });
    const r = await chat(t.ts.url, finance, { model: 'gl-coding', messages: msg('invoice'), ...glVars });
    const id = r.headers.get('x-ai-release-receipt')!;
    const rec = await receiptOf(id);
    expect(rec.needs_approval).toBe(1);
    expect(JSON.parse(rec.tool_calls)[0].function.name).toBe('post_journal_entry');
    const f = await api(t.ts.url, 'POST', `/v1/receipts/${id}/feedback`, finance, { approved: true, csat: 5 });
    expect(f.status).toBe(200);
    expect(await receipt(id)).toMatchObject({ needs_approval: 0, approved: 1, csat: 5 });
    // A read tool call does not need approval.
    t.fake.answer = () => ({ content: null, toolCalls: [{ id: 'c2', type: 'function', function: { name: 'lookup_vendor', arguments: '{"name":"X"}' } }] });
    const r2 = await chat(t.ts.url, finance, { model: 'gl-coding', messages: msg('invoice'), ...glVars });
    expect((await receiptOf(r2.headers.get('x-ai-release-receipt')!)).needs_approval).toBe(0);
  });

  it("feedback for another team's receipt is refused", async () => {
    const r = await chat(t.ts.url, finance, { model: 'gl-coding', messages: msg('invoice'), ...glVars });
    const id = r.headers.get('x-ai-release-receipt')!;
    const f = await api(t.ts.url, 'POST', `/v1/receipts/${id}/feedback`, support, { approved: true });
    expect(f.status).toBe(403);
    const bad = await api(t.ts.url, 'POST', `/v1/receipts/${id}/feedback`, finance, { csat: 9 });
    expect(bad.status).toBe(400);
  });
});

describe('POST /v1/receipts', () => {
  it('takes a batch, is idempotent by id, and merges feedback that arrived first', async () => {
    const early = await api(t.ts.url, 'POST', '/v1/receipts/app-r1/feedback', support, { escalated: true, csat: 2 });
    expect(early.status).toBe(202);
    expect(early.json.status).toBe('pending');
    const spend = async () => {
      const days = (await t.ts.store.spend.byDay('2000-01-01', '2999-12-31')).filter((d) => d.workflow === 'support-triage' && d.purpose === 'production');
      return { c: days.reduce((s, d) => s + d.calls, 0), cost: days.reduce((s, d) => s + d.cost, 0) };
    };
    const before = await spend();
    const one = { workflow: 'support-triage', input_tokens: 1000, output_tokens: 100, unit: 'u-1', output: 'x', model_served: 'gpt-4.1-2025-04-14' };
    const batch = { receipts: [{ ...one, id: 'app-r1' }, { ...one, id: 'app-r2', cost_usd: 0.5 }] };
    const a = await api(t.ts.url, 'POST', '/v1/receipts', support, batch);
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ received: 2, written: 2, duplicates: 0 });
    const again = await api(t.ts.url, 'POST', '/v1/receipts', support, batch);
    expect(again.json).toMatchObject({ received: 2, written: 0, duplicates: 2 });
    const r1 = (await receipt('app-r1'))!;
    // 1000 × $2 + 100 × $8 per 1M = $0.0028, computed from the pricing table
    expect(r1).toMatchObject({ cost_usd: 0.0028, escalated: 1, csat: 2, purpose: 'production' });
    expect(r1.unit_hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await receipt('app-r2'))!.cost_usd).toBe(0.5);
    const after = await spend();
    expect(after.c - before.c).toBe(2);
    expect(after.cost - before.cost).toBeCloseTo(0.5028, 10);
    expect(await t.ts.store.receipts.pendingFeedbackIds()).not.toContain('app-r1');
  });

  it('validates with zod and refuses other teams and unknown workflows', async () => {
    const bad = await api(t.ts.url, 'POST', '/v1/receipts', support, { workflow: 'support-triage', input_tokens: -1 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('input_tokens');
    const other = await api(t.ts.url, 'POST', '/v1/receipts', support, { workflow: 'gl-coding', cost_usd: 1 });
    expect(other.status).toBe(403);
    const unknown = await api(t.ts.url, 'POST', '/v1/receipts', support, [{ workflow: 'nope', cost_usd: 1 }]);
    expect(unknown.status).toBe(404);
  });
});

describe('models, drift and metrics', () => {
  it('GET /v1/models lists only the token team\'s workflows', async () => {
    const r = await api(t.ts.url, 'GET', '/v1/models', finance);
    expect(r.status).toBe(200);
    expect(r.json.data.map((m: any) => m.id)).toEqual(['gl-coding']);
  });

  it('a changed fingerprint for the same config raises one drift alert and one audit event', async () => {
    const drift = async () => (await t.ts.store.events.after(0, 100_000)).filter((e) => e.kind === 'alert' && e.payload.condition === 'drift').length;
    const audits = async () => (await t.ts.store.audit.list({})).filter((e) => e.action === 'model_drift');
    const call = async () => {
      const r = await chat(t.ts.url, support, { model: 'support-triage', messages: msg(), ...supportVars });
      await receiptOf(r.headers.get('x-ai-release-receipt')!);
    };
    await call();
    const base = await drift();
    t.fake.answer = () => ({ fingerprint: 'fp_fake_2', model: 'gpt-4.1-2025-06-01' });
    await call();
    await call();
    await call();
    expect((await drift()) - base).toBe(1);
    const a = await audits();
    expect(a).toHaveLength(1);
    expect(a[0]!.data.after).toEqual({ model_served: 'gpt-4.1-2025-06-01', system_fingerprint: 'fp_fake_2' });
  });

  it('GET /metrics exposes the gateway series by workflow and variant', async () => {
    await chat(t.ts.url, support, { model: 'support-triage', messages: msg(), ...supportVars });
    const res = await fetch(`${t.ts.url}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/ai_release_gateway_requests_total\{workflow="support-triage",variant="stable",outcome="ok"\} \d+/);
    expect(text).toMatch(/ai_release_gateway_errors_total\{workflow="support-triage",variant="stable",type="invalid_request"\} \d+/);
    expect(text).toContain('ai_release_gateway_overhead_seconds_bucket{le="0.001",workflow="support-triage",variant="stable"}');
    expect(text).toContain('ai_release_gateway_upstream_seconds_count{workflow="support-triage",variant="stable"}');
    expect(text).toMatch(/ai_release_gateway_tokens_total\{workflow="support-triage",variant="stable",kind="cached"\} \d+/);
    expect(text).toMatch(/ai_release_gateway_cost_usd_total\{workflow="support-triage",variant="stable"\} [\d.e-]+/);
    expect(text).toMatch(/ai_release_budget_used_ratio\{scope="team:support",period="day"\} [\d.e-]+/);
  });
});
