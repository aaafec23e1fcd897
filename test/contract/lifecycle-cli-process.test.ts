/**
 * Contract: "The server notices other processes' changes on its next request and within a second
 * when idle, and does the background work — running gates, posting and updating cards — for
 * changes made anywhere." A real child process runs the CLI against the server's database; no
 * HTTP request reaches the server afterwards.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { configureSlackQueue } from '../../src/chat/slack/plugin.ts';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/harness.ts';
import { writeMiniConfig } from '../helpers/mini-config.ts';
import { runCli } from '../helpers/cli.ts';
import { startMockLlm, type MockLlm } from '../../scripts/mock-llm.ts';

let fake: FakeSlack;
let ts: TestServer;
let llm: MockLlm;
beforeAll(() => configureSlackQueue({ perSecond: 1000 }));
afterAll(() => configureSlackQueue(undefined));
beforeEach(async () => {
  fake = await startFakeSlack();
  llm = await startMockLlm({ port: 0, seed: 5, latencyMs: 1 });
  const cfg = writeMiniConfig();
  ts = await startTestServer({ settings: { configPath: cfg.file }, env: { OPENAI_BASE_URL: llm.url, SLACK_BOT_TOKEN: 'xoxb-t', SLACK_SIGNING_SECRET: 'sec', SLACK_API_URL: fake.apiUrl } });
});
afterEach(async () => {
  await ts.close();
  await fake.close();
  await llm.close();
});

it('a request made by the CLI in another process is posted to the team channel and updated when the gate finishes', async () => {
  const token = await ts.token('eli');
  const run = await runCli(['request', 'alpha', '--model', 'gpt-4.1-mini-2025-04-14', '--reason', 'cheaper'], {
    DATABASE_PATH: ts.settings.databasePath,
    AI_RELEASE_CONFIG: ts.settings.configPath,
    AI_RELEASE_TOKEN: token,
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const key = /REL-\d+/.exec(run.stdout)![0];
  const posted = await fake.waitFor(() => fake.messagesIn('C0SUPPORT').find((m) => m.text.includes(key) && !m.thread_ts), 'the release card', 10_000);
  // The gate runs in the server and its verdict updates the same message.
  await fake.waitFor(() => fake.message('C0SUPPORT', posted.ts)!.updates > 0, 'the card update after the gate', 20_000);
  const state = (await ts.store.releases.get(Number(key.slice(4))))!.state;
  expect(['awaiting_approval', 'gate_failed']).toContain(state);
  expect(fake.messagesIn('C0SUPPORT').filter((m) => !m.thread_ts && m.text.includes(key))).toHaveLength(1);
}, 40_000);

it('a release left in evaluating while no server ran is evaluated from the start when the server starts', async () => {
  await ts.close();
  const dir = tempDir();
  ts = await startTestServer({ dir, settings: { configPath: writeMiniConfig().file }, env: { OPENAI_BASE_URL: llm.url, SLACK_BOT_TOKEN: 'xoxb-t', SLACK_SIGNING_SECRET: 'sec', SLACK_API_URL: fake.apiUrl } });
  const settings = ts.settings;
  const token = await ts.token('eli');
  await ts.close();
  const run = await runCli(['request', 'alpha', '--prompt', 'alpha-v2'], { DATABASE_PATH: settings.databasePath, AI_RELEASE_CONFIG: settings.configPath, AI_RELEASE_TOKEN: token });
  expect(run.code).toBe(0);
  const key = /REL-\d+/.exec(run.stdout)![0];
  const id = Number(key.slice(4));
  ts = await startTestServer({ dir, settings: { configPath: settings.configPath }, env: { OPENAI_BASE_URL: llm.url, SLACK_BOT_TOKEN: 'xoxb-t', SLACK_SIGNING_SECRET: 'sec', SLACK_API_URL: fake.apiUrl } });
  await fake.waitFor(async () => (await ts.store.releases.get(id))!.state !== 'evaluating', 'the gate after start', 20_000);
  expect(['awaiting_approval', 'gate_failed']).toContain((await ts.store.releases.get(id))!.state);
  const verdicts = (await ts.store.audit.list({ releaseId: id })).filter((e) => ['release_gate_passed', 'release_gate_failed', 'gate_passed', 'gate_failed'].includes(e.action));
  expect(verdicts.length).toBeLessThanOrEqual(1);
  await fake.waitFor(() => fake.messagesIn('C0SUPPORT').find((m) => !m.thread_ts && m.text.includes(key) && m.updates > 0), 'the card posted and updated', 10_000);
}, 40_000);
