/**
 * Issue 8: "Updates appear without reloading (server-sent events) when a transition happens
 * anywhere" — here the CLI in another process; the console's open stream is the only connection.
 */
import { afterEach, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/harness.ts';
import { writeMiniConfig } from '../helpers/mini-config.ts';

let t: TestServer;
afterEach(async () => {
  await t?.close();
});

it('a request made by the CLI in another process reaches a signed-in console over its event stream', async () => {
  t = await startTestServer({ settings: { configPath: writeMiniConfig().file } });
  const signin = await fetch(`${t.url}/console/signin`, { method: 'POST', body: new URLSearchParams({ token: await t.token('sam'), next: '/' }), redirect: 'manual' });
  expect(signin.status).toBe(303);
  const cookie = signin.headers.get('set-cookie')!.split(';')[0]!;
  const ac = new AbortController();
  const stream = await fetch(`${t.url}/console/events`, { headers: { cookie }, signal: ac.signal });
  expect(stream.status).toBe(200);
  const reader = stream.body!.getReader();
  await reader.read();
  const run = await runCli(['request', 'alpha', '--prompt', 'alpha-v2'], { DATABASE_PATH: t.settings.databasePath, AI_RELEASE_CONFIG: t.settings.configPath, AI_RELEASE_TOKEN: await t.token('eli') });
  expect(run.code).toBe(0);
  const key = /REL-\d+/.exec(run.stdout)![0];
  let text = '';
  const decoder = new TextDecoder();
  const deadline = Date.now() + 10_000;
  while (!text.includes(`"release":"${key}"`) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  ac.abort();
  expect(text).toContain('event: change');
  expect(text).toContain(`"release":"${key}"`);
}, 30_000);
