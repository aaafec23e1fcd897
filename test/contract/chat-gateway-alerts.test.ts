/**
 * Alerts raised by the gateway reach chat: drift (the provider changes the model behind a config)
 * posts one alert to the workflow's channel — threaded under the release's message when the
 * drifting calls belong to a release in canary — and is audited once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '../../scripts/mock-llm.ts';
import { slackSettled } from '../../src/chat/slack/plugin.ts';
import { performVerb } from '../../src/services/releases.ts';
import { startFakeSlack, type FakeSlack, useFastSlack } from '../helpers/fake-slack.ts';
import { api, startTestServer, type TestServer } from '../helpers/harness.ts';
import { writeMiniConfig } from '../helpers/mini-config.ts';

let fake: FakeSlack;
let ts: TestServer;
let llm: MockLlm;
useFastSlack(() => [ts, fake, llm]);

async function call(unit: string) {
  const r = await fetch(`${ts.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gw}`, 'content-type': 'application/json', 'x-ai-release-unit': unit },
    body: JSON.stringify({ model: 'alpha', messages: [{ role: 'user', content: `ticket ${unit}` }] }),
  });
  await r.text();
  expect(r.status).toBe(200);
  return r.headers.get('x-ai-release-variant');
}
let gw = '';

it('drift on the candidate of a release in canary is alerted once, in the release message thread, and audited', async () => {
  fake = await startFakeSlack();
  llm = await startMockLlm({ port: 0, seed: 3, latencyMs: 1 });
  const cfg = writeMiniConfig({ stages: [50, 100] });
  ts = await startTestServer({ settings: { configPath: cfg.file }, env: { OPENAI_BASE_URL: llm.url, SLACK_BOT_TOKEN: 'xoxb-d', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: fake.apiUrl } });
  gw = await ts.gatewayToken('support');
  const ctx = ts.server.runtime.ctx;
  const req = await api(ts.url, 'POST', '/v1/releases', await ts.token('eli'), { workflow: 'alpha', model: 'gpt-4.1-mini-2025-04-14' });
  expect(req.status).toBe(201);
  const key: string = req.json.id ?? req.json.key;
  const id = Number(key.slice(4));
  await fake.waitFor(async () => !['requested', 'evaluating'].includes((await ts.store.releases.get(id))!.state), 'the gate', 20_000);
  if ((await ts.store.releases.get(id))!.state === 'gate_failed') expect((await performVerb(ctx, { person: ctx.config.people.ops!, surface: 'cli' }, 'override', key, { reason: 't' })).ok).toBe(true);
  expect((await api(ts.url, 'POST', `/v1/releases/${key}/approve`, await ts.token('dana'), {})).status).toBe(200);

  // Both arms served once, then the provider swaps the model behind the candidate's alias.
  const seen = new Set<string | null>();
  for (let i = 0; seen.size < 2 && i < 60; i++) seen.add(await call(`u${i}`));
  expect(seen).toEqual(new Set(['stable', 'candidate']));
  await fake.waitFor(async () => (await ts.store.servedModels.all()).size >= 2, 'served models recorded');
  llm.setFingerprint('gpt-4.1-mini-2025-04-14', 'fp_swapped', 'gpt-4.1-mini-2025-09-30');
  for (let i = 100; i < 130; i++) await call(`u${i}`);
  const drifts = async () => (await ts.store.audit.list({})).filter((e) => e.action === 'model_drift').length;
  await fake.waitFor(async () => (await drifts()) > 0, 'the drift audit event');
  expect(await drifts()).toBe(1);
  await ts.server.pump();
  await slackSettled();
  const main = fake.messagesIn('C0SUPPORT').find((m) => !m.thread_ts && m.text.includes(key))!;
  const drift = fake.messagesIn('C0SUPPORT').filter((m) => /drift/i.test(m.text));
  expect(drift).toHaveLength(1);
  expect(drift[0]!.thread_ts).toBe(main.ts);
}, 60_000);

it('a team budget crossing 80% from gateway traffic is posted once to the team channel, mentioning its leaders', async () => {
  fake = await startFakeSlack();
  llm = await startMockLlm({ port: 0, seed: 4, latencyMs: 1 });
  const cfg = writeMiniConfig();
  writeFileSync(cfg.file, readFileSync(cfg.file, 'utf8').replace('budget: { dailyUsd: 50, monthlyUsd: 1000 }', 'budget: { dailyUsd: 0.01, monthlyUsd: 1000 }'));
  ts = await startTestServer({ settings: { configPath: cfg.file }, env: { OPENAI_BASE_URL: llm.url, SLACK_BOT_TOKEN: 'xoxb-b', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: fake.apiUrl } });
  gw = await ts.gatewayToken('support');
  const statuses: number[] = [];
  for (let i = 0; i < 40; i++) {
    const r = await fetch(`${ts.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'alpha', messages: [{ role: 'user', content: `ticket ${i}` }] }),
    });
    await r.text();
    statuses.push(r.status);
  }
  expect(statuses).toContain(200);
  expect(statuses).toContain(429);
  await fake.waitFor(() => fake.messagesIn('C0SUPPORT').some((m) => /budget/i.test(m.text)), 'the budget alert');
  await ts.server.pump();
  await slackSettled();
  const at80 = fake.messagesIn('C0SUPPORT').filter((m) => /Budget at 80%/i.test(m.text));
  expect(at80).toHaveLength(1);
  expect(JSON.stringify(at80[0]!.blocks) + at80[0]!.text).toContain('<@U0DANA>');
}, 60_000);
