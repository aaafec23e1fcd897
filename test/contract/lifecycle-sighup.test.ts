/**
 * Contract: "The file is read at start and on SIGHUP." A real `serve` child process gets a real
 * SIGHUP: a new config hash makes one release request by `config-file`; a policy change is
 * audited as `policy_changed` and posted to the team's channel; a bad file keeps the old
 * configuration and logs every problem; SIGTERM then closes cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/store.ts';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.ts';
import { tempDir } from '../helpers/harness.ts';
import { writeMiniConfig } from '../helpers/mini-config.ts';

let child: ChildProcess | null = null;
let fake: FakeSlack | null = null;
let store: Store | null = null;
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await store?.close();
  await fake?.close();
  child = null;
  fake = null;
  store = null;
});

async function until<T>(check: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('SIGHUP applies a new config hash (one request by config-file), announces a policy change, and refuses a bad file', async () => {
  fake = await startFakeSlack();
  const cfg = writeMiniConfig();
  const databasePath = join(tempDir(), 'ai-release.db');
  let out = '';
  let err = '';
  child = spawn(process.execPath, ['bin/ai-release.mjs', 'serve'], {
    env: { ...process.env, PORT: '0', DATABASE_PATH: databasePath, AI_RELEASE_CONFIG: cfg.file, LOG_LEVEL: 'info', SLACK_BOT_TOKEN: 'xoxb-hup', SLACK_SIGNING_SECRET: 'sec', SLACK_API_URL: fake.apiUrl, OPENAI_BASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
  await until(() => /listening on/.test(err), 'the server to start');
  const s = (store = await openStore({ engine: 'sqlite', path: databasePath }));
  const policyChanges = async (workflow?: string) => (await s.audit.list({})).filter((e) => e.action === 'policy_changed' && (!workflow || e.workflow === workflow)).length;

  // 1. A new model (a new config hash) and a policy change in one edit.
  const original = readFileSync(cfg.file, 'utf8');
  writeFileSync(cfg.file, original.replace('model: gpt-4.1-2025-04-14', 'model: gpt-4.1-mini-2025-04-14').replace('gate: { minPassRate: 0.9 }', 'gate: { minPassRate: 0.8 }'));
  child.kill('SIGHUP');
  await until(async () => (await s.releases.list({ workflow: 'alpha' })).length > 0, 'the release request');
  expect((await s.releases.list({ workflow: 'alpha' })).map((r) => r.requester)).toEqual(['config-file']);
  expect(await policyChanges('alpha')).toBe(1);
  await until(() => fake!.messagesIn('C0SUPPORT').find((m) => /policy/i.test(m.text)), 'the policy notice in the team channel');
  await until(() => fake!.messagesIn('C0SUPPORT').find((m) => /REL-1/.test(m.text) && !m.thread_ts), 'the release card in the team channel');

  // 2. The same file again: nothing new.
  child.kill('SIGHUP');
  await new Promise((r) => setTimeout(r, 500));
  expect(await s.releases.list()).toHaveLength(1);
  expect(await policyChanges()).toBe(1);

  // 3. A bad file: the old configuration stays, the problems are logged.
  writeFileSync(cfg.file, original.replace('minApprovals: 1', 'minApprovals: 7').replace('team: support', 'team: nowhere'));
  const before = out.length + err.length;
  child.kill('SIGHUP');
  await until(() => (out + err).length > before && /nowhere/.test((out + err).slice(0)), 'the problems in the log');
  const logs = out + err;
  expect(logs).toMatch(/previous configuration stays/);
  expect(logs).toMatch(/nowhere/);
  expect(logs).toMatch(/approvers/);
  expect(await policyChanges()).toBe(1);
  const health = await fetch(/listening on (http:\/\/[^\s]+)/.exec(err)![1]! + '/healthz');
  expect(health.status).toBe(200);

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 60_000);
