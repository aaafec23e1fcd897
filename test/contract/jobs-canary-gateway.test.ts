/**
 * Issue 7, canary analysis with real gateway traffic (not injected rows): calls go through
 * `/v1/chat/completions` with units so both arms fill, feedback makes the candidate regress,
 * and the job runs as a plain function with the clock passed in.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '../../scripts/mock-llm.ts';
import { slackSettled } from '../../src/chat/slack/plugin.ts';
import { runCanaryJob } from '../../src/jobs/canary.ts';
import { performVerb } from '../../src/services/releases.ts';
import { startFakeSlack, type FakeSlack, useFastSlack } from '../helpers/fake-slack.ts';
import { api, fakeClock, startTestServer, type TestServer } from '../helpers/harness.ts';
import { writeMiniConfig } from '../helpers/mini-config.ts';

const MIN = 60_000;
let fake: FakeSlack;
let ts: TestServer;
let llm: MockLlm;
useFastSlack(() => [ts, fake, llm]);

async function setup(rollout: string) {
  fake = await startFakeSlack();
  llm = await startMockLlm({ port: 0, seed: 7, latencyMs: 1 });
  const cfg = writeMiniConfig();
  writeFileSync(cfg.file, readFileSync(cfg.file, 'utf8').replace(/rollout: \{[^}]*\}/, `rollout: ${rollout}`));
  const clock = fakeClock();
  ts = await startTestServer({ now: clock.now, settings: { configPath: cfg.file }, env: { OPENAI_BASE_URL: llm.url, SLACK_BOT_TOKEN: 'xoxb-c', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: fake.apiUrl } });
  const ctx = ts.server.runtime.ctx;
  // The test runs the job itself: the server's own minute tick (real time) must not judge first.
  expect(await ts.store.jobs.takeLease('job:canary', 'this test', clock.now(), 24 * 60 * MIN)).toEqual({ ok: true });
  const req = await api(ts.url, 'POST', '/v1/releases', await ts.token('eli'), { workflow: 'alpha', model: 'gpt-4.1-mini-2025-04-14', reason: 'cheaper' });
  expect(req.status).toBe(201);
  const id: number = Number(String(req.json.id ?? req.json.key).replace('REL-', ''));
  await fake.waitFor(async () => !['evaluating', 'requested'].includes((await ts.store.releases.get(id))!.state), 'the gate', 20_000);
  if ((await ts.store.releases.get(id))!.state === 'gate_failed') {
    const o = await performVerb(ctx, { person: ctx.config.people.ops!, surface: 'cli' }, 'override', `REL-${id}`, { reason: 'test' });
    expect(o.ok).toBe(true);
  }
  const ok = await api(ts.url, 'POST', `/v1/releases/REL-${id}/approve`, await ts.token('dana'), {});
  expect(ok.status).toBe(200);
  expect((await ts.store.releases.get(id))!.state).toBe('canary');
  await ts.server.pump();
  await slackSettled();
  return { ctx, clock, id, key: `REL-${id}` };
}

/** n calls through the gateway, one unit each; returns receipt ids per variant. */
async function traffic(n: number, prefix: string): Promise<{ stable: string[]; candidate: string[] }> {
  const gw = await ts.gatewayToken('support');
  const out = { stable: [] as string[], candidate: [] as string[] };
  for (let i = 0; i < n; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, n - i) }, (_, j) =>
        fetch(`${ts.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${gw}`, 'content-type': 'application/json', 'x-ai-release-unit': `${prefix}-${i + j}` },
          body: JSON.stringify({ model: 'alpha', messages: [{ role: 'user', content: `ticket ${i + j}` }] }),
        }).then(async (r) => {
          await r.text();
          expect(r.status).toBe(200);
          return { variant: r.headers.get('x-ai-release-variant')!, receipt: r.headers.get('x-ai-release-receipt')! };
        }),
      ),
    );
    for (const b of batch) (b.variant === 'candidate' ? out.candidate : out.stable).push(b.receipt);
  }
  await fake.waitFor(async () => (await ts.store.receipts.count('production')) >= n, 'receipts written');
  return out;
}

async function feedback(ids: string[], body: Record<string, unknown>) {
  const gw = await ts.gatewayToken('support');
  for (const id of ids) {
    const r = await api(ts.url, 'POST', `/v1/receipts/${id}/feedback`, gw, body);
    expect([200, 202]).toContain(r.status);
  }
}

const alertsIn = (key: string) => fake.messagesIn('C0SUPPORT').filter((m) => m.thread_ts && JSON.stringify(m.blocks).includes(key) && !/policy/i.test(m.text));

it('a regression made by user reports on candidate answers is alerted once, threaded under the release message', async () => {
  const { ctx, clock, id, key } = await setup('{ stages: [50, 100], minBakeMinutes: 60, minSamples: 40, autoRollback: false }');
  const arms = await traffic(140, 'reg');
  expect(arms.candidate.length).toBeGreaterThanOrEqual(40);
  expect(arms.stable.length).toBeGreaterThanOrEqual(40);
  await feedback(arms.candidate, { reported: true, escalated: true });
  clock.advance(10 * MIN);
  const first = await runCanaryJob(ctx, clock.now());
  expect(first).toEqual([expect.objectContaining({ key, status: 'regressed', action: 'alerted' })]);
  for (let i = 0; i < 3; i++) {
    clock.advance(MIN);
    expect((await runCanaryJob(ctx, clock.now()))[0]!.action).toBe('none');
  }
  await ts.server.pump();
  await slackSettled();
  const release = fake.messagesIn('C0SUPPORT').find((m) => !m.thread_ts && m.text.includes(key))!;
  const alerts = fake.messagesIn('C0SUPPORT').filter((m) => m.thread_ts === release.ts && /regress/i.test(JSON.stringify(m.blocks) + m.text));
  expect(alerts).toHaveLength(1);
  expect((await ts.store.releases.get(id))!.state).toBe('canary');
}, 60_000);

it('autoRollback: the regressed canary is rolled back and its one release message updated', async () => {
  const { ctx, clock, id, key } = await setup('{ stages: [50, 100], minBakeMinutes: 60, minSamples: 40, autoRollback: true }');
  const arms = await traffic(140, 'auto');
  await feedback(arms.candidate, { reported: true, escalated: true });
  clock.advance(10 * MIN);
  expect(await runCanaryJob(ctx, clock.now())).toEqual([expect.objectContaining({ key, action: 'rolled_back' })]);
  expect((await ts.store.releases.get(id))!.state).toBe('rolled_back');
  await ts.server.pump();
  await slackSettled();
  const release = fake.messagesIn('C0SUPPORT').filter((m) => !m.thread_ts && m.text.includes(key));
  expect(release).toHaveLength(1);
  expect(JSON.stringify(release[0]!.blocks) + release[0]!.text).toMatch(/rolled.back/i);
}, 60_000);

it('a healthy canary past minBakeMinutes gets one "ready to ramp"', async () => {
  const { ctx, clock, key } = await setup('{ stages: [50, 100], minBakeMinutes: 60, minSamples: 40 }');
  await traffic(140, 'ok');
  clock.advance(30 * MIN);
  expect((await runCanaryJob(ctx, clock.now()))[0]).toEqual(expect.objectContaining({ status: 'healthy', action: 'none' }));
  clock.advance(31 * MIN);
  expect((await runCanaryJob(ctx, clock.now()))[0]!.action).toBe('ready_to_ramp');
  clock.advance(MIN);
  expect((await runCanaryJob(ctx, clock.now()))[0]!.action).toBe('none');
  await ts.server.pump();
  await slackSettled();
  const ready = fake.messagesIn('C0SUPPORT').filter((m) => m.thread_ts && /ready to ramp/i.test(JSON.stringify(m.blocks) + m.text));
  expect(ready).toHaveLength(1);
  expect(JSON.stringify(ready[0]!.blocks)).toContain(key);
}, 60_000);

it('autoPromote: a healthy canary past minBakeMinutes is promoted by itself, once', async () => {
  const { ctx, clock, id } = await setup('{ stages: [50, 100], minBakeMinutes: 60, minSamples: 40, autoPromote: true }');
  await traffic(140, 'promote');
  clock.advance(61 * MIN);
  expect((await runCanaryJob(ctx, clock.now()))[0]!.action).toBe('promoted');
  expect((await ts.store.releases.get(id))!.state).toBe('completed');
  expect(await runCanaryJob(ctx, clock.now() + MIN)).toEqual([]);
  expect((await ts.store.audit.list({ releaseId: id })).filter((e) => e.actor === 'job:canary')).toHaveLength(1);
}, 60_000);
