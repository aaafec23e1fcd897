/**
 * Black-box checks of the HTTP API and the CLI against the contract, each one a defect found by
 * driving the real server and the real `ai-release` command.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, EXAMPLE_CONFIG, startTestServer, tempDir, type TestServer } from '../helpers/harness.ts';
import { runCli } from '../helpers/cli.ts';

describe('HTTP API', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('POST /v1/receipts: a validation error names the wrong field, for one receipt and for a batch', async () => {
    const gw = await s.gatewayToken('support');
    const one = await api(s.url, 'POST', '/v1/receipts', gw, { id: 'v-1', workflow: 'support-triage', input_tokens: 'ten' });
    expect(one.status).toBe(400);
    expect(one.json.error.type).toBe('invalid_request');
    expect(one.json.error.message).toMatch(/^input_tokens: /);
    const batch = await api(s.url, 'POST', '/v1/receipts', gw, [{ id: 'v-2', workflow: 'support-triage' }, { id: 'v-3', workflow: 'support-triage', csat: 9 }]);
    expect(batch.status).toBe(400);
    expect(batch.json.error.message).toMatch(/receipts\.1\.csat/);
    const wrapped = await api(s.url, 'POST', '/v1/receipts', gw, { receipts: [{ id: 'v-4', workflow: 'support-triage', latency_ms: -1 }] });
    expect(wrapped.status).toBe(400);
    expect(wrapped.json.error.message).toMatch(/receipts\.0\.latency_ms/);
  });

  it('POST /v1/receipts: tools the app executed may be reported flat ({name, arguments}); a write call needs approval', async () => {
    const gw = await s.gatewayToken('finance-ops');
    const body = { id: 'flat-1', workflow: 'gl-coding', input_tokens: 10, output_tokens: 5, tool_calls: [{ name: 'post_journal_entry', arguments: { gl_account: '6100', amount: 5 } }] };
    const res = await api(s.url, 'POST', '/v1/receipts', gw, body);
    expect(res.status).toBe(200);
    expect(res.json.ids).toEqual(['flat-1']);
    const row = (await s.store.receipts.get('flat-1'))!;
    expect(row.needs_approval).toBe(1);
    expect(JSON.parse(row.tool_calls!)[0].function.name).toBe('post_journal_entry');
  });

  it('POST /v1/releases/{workflow}/{verb}: a workflow name stands for its open release', async () => {
    const eli = await s.token('eli');
    const made = await api(s.url, 'POST', '/v1/releases', eli, { workflow: 'support-triage', model: 'gpt-4.1-mini-2025-04-14' });
    expect(made.status).toBe(201);
    const cancelled = await api(s.url, 'POST', '/v1/releases/support-triage/cancel', eli, {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.id).toBe(made.json.id);
    expect(cancelled.json.state).toBe('cancelled');
    const none = await api(s.url, 'POST', '/v1/releases/support-triage/pause', eli, {});
    expect(none.status).toBe(409);
    expect(none.json.error).toMatchObject({ type: 'state_conflict', rule: 'no_open_release' });
    const unknown = await api(s.url, 'POST', '/v1/releases/no-such-thing/pause', eli, {});
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.type).toBe('not_found');
  });
});

describe('CLI', () => {
  const env = (over: NodeJS.ProcessEnv = {}) => ({ AI_RELEASE_CONFIG: EXAMPLE_CONFIG, DATABASE_PATH: join(tempDir(), 'x.db'), LOG_LEVEL: 'error', ...over });

  it('`help <not a command>` is a usage error (exit 2) that still lists the commands', async () => {
    const bad = await runCli(['help', 'frobnicate'], env());
    expect(bad.code).toBe(2);
    expect(bad.stdout + bad.stderr).toMatch(/unknown command "frobnicate"/);
    expect(bad.stdout + bad.stderr).toMatch(/promote/);
    const good = await runCli(['help', 'promote'], env());
    expect(good.code).toBe(0);
  });

  it('DATABASE_PATH=:memory: is refused by the CLI (it must share a file with the server)', async () => {
    const r = await runCli(['status'], env({ DATABASE_PATH: ':memory:' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/:memory:/);
    expect(r.stderr).toMatch(/DATABASE_PATH/);
  });

  it('a DATABASE_PATH that is not a database is named, with no stack trace', async () => {
    const file = join(tempDir(), 'not-a.db');
    writeFileSync(file, 'this is not sqlite\n'.repeat(100));
    const r = await runCli(['status'], env({ DATABASE_PATH: file }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(/not a usable SQLite database/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('`serve` on a port already in use says so and exits 1 (nothing keeps the process alive)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runCli(['serve'], env({ PORT: String(port) }));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`port ${port}.*in use`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  }, 30_000);
});
