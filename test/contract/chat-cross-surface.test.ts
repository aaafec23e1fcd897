/**
 * Issue 6: "every transition updates the posted card wherever it is shown, Slack and Teams
 * alike" — an approval typed in Slack updates the Teams channel card (stored by conversationUpdate).
 */
import { expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '../../scripts/mock-llm.ts';
import { performVerb } from '../../src/services/releases.ts';
import { botAddedActivity, cardOf, cardTitle, sendActivity, startFakeConnector, type FakeConnector } from '../helpers/fake-connector.ts';
import { postSigned, slashCommandBody, startFakeSlack, type FakeSlack, useFastSlack } from '../helpers/fake-slack.ts';
import { api, startTestServer, type TestServer } from '../helpers/harness.ts';
import { writeMiniConfig } from '../helpers/mini-config.ts';

const SECRET = 'x-secret';
const TEAMS_CHANNEL = '19:support@thread.tacv2';
let fake: FakeSlack;
let fc: FakeConnector;
let llm: MockLlm;
let ts: TestServer;
useFastSlack(() => [ts, fake, fc, llm]);

it('an approval from Slack updates the release card posted in Teams', async () => {
  fake = await startFakeSlack();
  fc = await startFakeConnector();
  llm = await startMockLlm({ port: 0, seed: 9, latencyMs: 1 });
  ts = await startTestServer({
    settings: { configPath: writeMiniConfig().file },
    env: { OPENAI_BASE_URL: llm.url, TEAMS_LOCAL: 'true', SLACK_BOT_TOKEN: 'xoxb-x', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl },
  });
  const added = await sendActivity(ts.url, botAddedActivity(fc.serviceUrl, { aad: '6f1c2d3e-0000-4000-8000-00000000da7a', name: 'Dana' }, { kind: 'channel', channel: '19:general@thread.tacv2' }));
  expect(added.status).toBe(200);
  const req = await api(ts.url, 'POST', '/v1/releases', await ts.token('eli'), { workflow: 'alpha', prompt: 'alpha-v2' });
  expect(req.status).toBe(201);
  const key: string = req.json.id ?? req.json.key;
  const id = Number(key.slice(4));
  await fake.waitFor(async () => !['requested', 'evaluating'].includes((await ts.store.releases.get(id))!.state), 'the gate', 10_000);
  const ctx = ts.server.runtime.ctx;
  if ((await ts.store.releases.get(id))!.state === 'gate_failed') expect((await performVerb(ctx, { person: ctx.config.people.ops!, surface: 'cli' }, 'override', key, { reason: 't' })).ok).toBe(true);
  await ts.server.pump();
  const post = await (async () => {
    await fc.waitFor(() => fc.callsOf('post', TEAMS_CHANNEL).some((c) => cardTitle(cardOf(c)).startsWith(`${key} `)));
    return fc.callsOf('post', TEAMS_CHANNEL).find((c) => cardTitle(cardOf(c)).startsWith(`${key} `))!;
  })();

  const res = await postSigned(ts.url, SECRET, slashCommandBody({ text: `approve ${key}`, user: 'U0DANA', triggerId: 't1', responseUrl: fake.responseUrl('a1') }));
  expect(res.status).toBe(200);
  await fake.waitFor(async () => (await ts.store.releases.get(id))!.state === 'canary', 'the approval', 10_000);
  await ts.server.pump();
  await fc.waitFor(() => fc.callsOf('update', TEAMS_CHANNEL).some((c) => c.activityId === post.activityId && /canary/i.test(cardTitle(cardOf(c)))));
  expect(fc.callsOf('post', TEAMS_CHANNEL).filter((c) => cardTitle(cardOf(c)).startsWith(`${key} `))).toHaveLength(1);
}, 30_000);
