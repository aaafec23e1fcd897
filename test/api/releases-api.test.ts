import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTransition } from '../../src/services/releases.ts';
import { api, startTestServer, type TestServer } from '../helpers/harness.ts';
import { writeMiniConfig } from '../helpers/mini-config.ts';

describe('/v1/releases', () => {
  let t: TestServer;
  let eli: string;
  let dana: string;
  let gw: string;

  beforeAll(async () => {
    const { file } = writeMiniConfig();
    t = await startTestServer({ settings: { configPath: file } });
    eli = await t.token('eli');
    dana = await t.token('dana');
    gw = await t.gatewayToken('support');
  });
  afterAll(() => t.close());

  it('401 without or with an unknown token, 403 with a gateway token', async () => {
    expect((await api(t.url, 'GET', '/v1/releases')).status).toBe(401);
    const unknown = await api(t.url, 'GET', '/v1/releases', 'air_rel_nope');
    expect(unknown.status).toBe(401);
    expect(unknown.json.error.type).toBe('unauthorized');
    const wrong = await api(t.url, 'GET', '/v1/releases', gw);
    expect(wrong.status).toBe(403);
    expect(wrong.json.error).toMatchObject({ type: 'forbidden', rule: 'scope' });
  });

  it('POST /v1/releases → 201 the release; bad bodies 400; unknown workflow 404; a second open release 409', async () => {
    const bad = await api(t.url, 'POST', '/v1/releases', eli, '{not json');
    expect(bad.status).toBe(400);
    expect(bad.json.error.type).toBe('invalid_request');
    const extra = await api(t.url, 'POST', '/v1/releases', eli, { workflow: 'alpha', modle: 'x' });
    expect(extra.status).toBe(400);
    expect(extra.json.error.message).toMatch(/modle/);
    const unknown = await api(t.url, 'POST', '/v1/releases', eli, { workflow: 'nope', model: 'gpt-4.1-mini-2025-04-14' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.type).toBe('unknown_workflow');
    const ok = await api(t.url, 'POST', '/v1/releases', eli, { workflow: 'alpha', model: 'gpt-4.1-mini-2025-04-14', params: { temperature: 0.3 }, reason: 'cheaper' });
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ id: 'REL-1', workflow: 'alpha', state: 'evaluating', requester: 'eli', reason: 'cheaper', source: 'api', candidate_model: 'gpt-4.1-mini-2025-04-14' });
    const again = await api(t.url, 'POST', '/v1/releases', eli, { workflow: 'alpha', model: 'gpt-5-2025-08-07' });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ type: 'state_conflict', rule: 'one_open_release' });
  });

  it('verbs: 403 naming the rule for the requester, 409 from the wrong state, 200 the release otherwise', async () => {
    const ctx = t.server.runtime.ctx;
    // the gate's answer, as the gate runner would write it
    const cur = await api(t.url, 'GET', '/v1/releases/REL-1', eli);
    if (cur.json.state === 'evaluating') {
      await ctx.store.releases.setVerdict(1, { outcome: 'pass', summary: 'ok', rows: [] }, 'pass', ctx.now());
      await applyTransition(ctx, 1, 'gate_passed', 'gate', {}, 'evaluating');
    }
    const early = await api(t.url, 'POST', '/v1/releases/REL-1/promote', eli, {});
    expect(early.status).toBe(409);
    expect(early.json.error.type).toBe('state_conflict');
    const self = await api(t.url, 'POST', '/v1/releases/REL-1/approve', eli, {});
    expect(self.status).toBe(403);
    expect(self.json.error.rule).toBe('approver');
    const override = await api(t.url, 'POST', '/v1/releases/REL-1/override', dana, {});
    expect(override.status).toBe(400);
    const ok = await api(t.url, 'POST', '/v1/releases/REL-1/approve', dana);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ id: 'REL-1', state: 'canary', stage: 5, candidate_weight: 5, approvals: [{ person: 'dana' }] });
    const twice = await api(t.url, 'POST', '/v1/releases/REL-1/approve', dana);
    expect(twice.status).toBe(409);
    const paused = await api(t.url, 'POST', '/v1/releases/REL-1/pause', eli, { reason: 'looking' });
    expect(paused.json.state).toBe('paused');
    expect(paused.json.candidate_weight).toBe(0);
    const back = await api(t.url, 'POST', '/v1/releases/REL-1/rollback', eli, { reason: 'not today' });
    expect(back.json.state).toBe('rolled_back');
    const verb = await api(t.url, 'POST', '/v1/releases/REL-1/explode', eli, {});
    expect(verb.status).toBe(404);
    const missing = await api(t.url, 'GET', '/v1/releases/REL-99', eli);
    expect(missing.status).toBe(404);
  });

  it('lists releases with filters', async () => {
    const all = await api(t.url, 'GET', '/v1/releases?workflow=alpha', eli);
    expect(all.json.releases.map((r: { id: string }) => r.id)).toEqual(['REL-1']);
    const none = await api(t.url, 'GET', '/v1/releases?state=open', eli);
    expect(none.json.releases).toEqual([]);
    const bad = await api(t.url, 'GET', '/v1/releases?state=flying', eli);
    expect(bad.status).toBe(400);
  });

  it('healthz and unknown routes', async () => {
    const h = await api(t.url, 'GET', '/healthz');
    expect(h.json).toMatchObject({ status: 'ok', store: 'ok' });
    expect((await api(t.url, 'GET', '/nope')).status).toBe(404);
    expect((await api(t.url, 'DELETE', '/v1/releases')).status).toBe(405);
  });
});
