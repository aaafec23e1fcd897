import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/harness.ts';
import { openStore } from '../../src/store/open.ts';
import { RouteTable } from '../../src/gateway/route-table.ts';
import { applyTransition } from '../../src/services/releases.ts';
import type { AppContext } from '../../src/services/context.ts';
import { chat, msg, startGatewayTest, supportVars, type GatewayTest } from './setup.ts';

let t: GatewayTest;
let token: string;
let releaseId: number;
let ctx: AppContext;
/**
 * A release of a model change to canary, with a fixed salt: with a random one the 25% split of
 * 20k units lands outside ±1 pp about once in three thousand runs (σ ≈ 0.31 pp).
 */
async function canaryWithFixedSalt(workflow: string, model: string): Promise<number> {
  const now = ctx.now();
  const live = (await ctx.store.workflows.get(workflow))!;
  const stable = (await ctx.store.configs.get(live.stableHash))!;
  const id = await ctx.store.tx(async (tx) => {
    const candidate = await tx.configs.put({ ...stable.config, model }, stable.promptFile, now);
    const changes = { model: { from: stable.config.model, to: model } };
    const r = await tx.releases.insert({ workflow, baselineHash: live.stableHash, candidateHash: candidate, salt: 'routing-test-salt', requester: 'dana', reason: 'test', source: 'api', changes, now });
    return r.id;
  });
  for (const e of ['start_evals', 'gate_passed', 'approved'] as const) {
    const moved = await applyTransition(ctx, id, e, 'test');
    if (!moved.ok) throw new Error(`${e}: ${moved.error.message}`);
  }
  return id;
}

beforeAll(async () => {
  t = await startGatewayTest();
  token = await t.ts.gatewayToken('support');
  ctx = t.ts.server.runtime.ctx;
  releaseId = await canaryWithFixedSalt('support-triage', 'gpt-4.1-mini-2025-04-14');
});
afterAll(() => t.close());

const UNITS = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);

describe('sticky canary routing', () => {
  it('splits 20k units within ±1 pp of the stage weight, and raising the weight only adds units', async () => {
    const table = new RouteTable(ctx);
    await table.refresh();
    const at5 = UNITS.filter((u) => table.resolve('support-triage', u)!.variant === 'candidate');
    expect(Math.abs(at5.length / UNITS.length - 0.05)).toBeLessThanOrEqual(0.01);
    const promoted = await applyTransition(ctx, releaseId, 'promote', 'test');
    expect(promoted.ok).toBe(true);
    await table.refresh();
    const at25 = new Set(UNITS.filter((u) => table.resolve('support-triage', u)!.variant === 'candidate'));
    expect(Math.abs(at25.size / UNITS.length - 0.25)).toBeLessThanOrEqual(0.01);
    // Nobody who had the candidate moves back.
    expect(at5.filter((u) => !at25.has(u))).toEqual([]);
  });

  it('GET /v1/routes resolves like the chat route does, with variant, config hash, release, model and weight', async () => {
    const table = new RouteTable(ctx);
    await table.refresh();
    const cand = UNITS.find((u) => table.resolve('support-triage', u)!.variant === 'candidate')!;
    const r = await api(t.ts.url, 'GET', `/v1/routes/support-triage?unit=${cand}`, token);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ workflow: 'support-triage', variant: 'candidate', model: 'gpt-4.1-mini-2025-04-14', release_id: `REL-${releaseId}`, weight: 25 });
    expect(r.json.config_hash).toMatch(/^cfg_/);
    const c = await chat(t.ts.url, token, { model: 'support-triage', messages: msg(), ...supportVars }, { 'x-ai-release-unit': cand });
    expect(c.headers.get('x-ai-release-variant')).toBe('candidate');
    expect(c.headers.get('x-ai-release-config')).toBe(r.json.config_hash);
    expect(c.headers.get('x-ai-release-release')).toBe(`REL-${releaseId}`);
    expect(t.fake.requests.at(-1)!.model).toBe('gpt-4.1-mini-2025-04-14');
    // The body's `user` is the unit when there is no header.
    const u = await chat(t.ts.url, token, { model: 'support-triage', messages: msg(), user: cand, ...supportVars });
    expect(u.headers.get('x-ai-release-variant')).toBe('candidate');
    const other = await api(t.ts.url, 'GET', '/v1/routes/gl-coding?unit=x', token);
    expect(other.status).toBe(403);
    const none = await api(t.ts.url, 'GET', '/v1/routes/nope?unit=x', token);
    expect(none.status).toBe(404);
  });

  it('pause (from another process), resume, promote and rollback apply on the very next request', async () => {
    const table = new RouteTable(ctx);
    await table.refresh();
    const cand = UNITS.find((u) => table.resolve('support-triage', u)!.variant === 'candidate')!;
    const variant = async () =>
      (await chat(t.ts.url, token, { model: 'support-triage', messages: msg(), ...supportVars }, { 'x-ai-release-unit': cand })).headers.get('x-ai-release-variant');
    expect(await variant()).toBe('candidate');

    // Another process (the CLI) pauses the release through its own connection to the file.
    const cli: AppContext = { store: await openStore({ engine: 'sqlite', path: t.ts.settings.databasePath }), config: ctx.config, now: Date.now };
    expect((await applyTransition(cli, releaseId, 'pause', 'cli')).ok).toBe(true);
    await cli.store.close();
    expect(await variant()).toBe('stable');

    expect((await applyTransition(ctx, releaseId, 'resume', 'test')).ok).toBe(true);
    expect(await variant()).toBe('candidate');

    // Every unit takes the candidate once it completes (stable config replaced).
    expect((await applyTransition(ctx, releaseId, 'promote', 'test')).ok).toBe(true);
    const done = await chat(t.ts.url, token, { model: 'support-triage', messages: msg(), ...supportVars }, { 'x-ai-release-unit': 'someone-else' });
    expect(t.fake.requests.at(-1)!.model).toBe('gpt-4.1-mini-2025-04-14');
    expect(done.headers.get('x-ai-release-variant')).toBe('stable');

    expect((await applyTransition(ctx, releaseId, 'rollback', 'test')).ok).toBe(true);
    await chat(t.ts.url, token, { model: 'support-triage', messages: msg(), ...supportVars }, { 'x-ai-release-unit': cand });
    expect(t.fake.requests.at(-1)!.model).toBe('gpt-4.1-2025-04-14');
  });
});
