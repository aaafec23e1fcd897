import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.ts';
import { tempDir } from '../helpers/harness.ts';
import { configFile, gatewayConfigDir } from './config.ts';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.ts';
import { chat } from './setup.ts';

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(() => fake.close());

it.each(['inline', 'worker'])('SIGTERM writes every pending receipt before the process exits (receipts written %s)', async (thread) => {
  const dir = tempDir();
  const databasePath = join(dir, 'ai-release.db');
  const child = spawn(process.execPath, ['bin/ai-release.mjs', 'serve'], {
    env: {
      ...process.env,
      PORT: '0',
      DATABASE_PATH: databasePath,
      AI_RELEASE_CONFIG: configFile(gatewayConfigDir()),
      OPENAI_BASE_URL: fake.url,
      LOG_LEVEL: 'error',
      // Nothing is written before stop: the flush on SIGTERM must write them all.
      GATEWAY_RECEIPT_FLUSH_MS: '600000',
      GATEWAY_RECEIPT_THREAD: thread,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.on('exit', () => reject(new Error(`server exited: ${err}`)));
  });
  const store = await openStore({ engine: 'sqlite', path: databasePath });
  const token = await store.tokens.create({ name: 'sigterm-test', scope: 'gateway', team: 'support', now: Date.now() });
  const N = 120;
  const answers = await Promise.all(
    Array.from({ length: N }, (_, i) =>
      chat(url, token, { model: 'support-triage', messages: [{ role: 'user', content: `ticket ${i}` }], ai_release: { vars: { company: 'Acme' } } }),
    ),
  );
  expect(answers.every((a) => a.status === 200)).toBe(true);
  expect(await store.receipts.count()).toBe(0);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  const ids = new Set(answers.map((a) => a.headers.get('x-ai-release-receipt')));
  const rows = await store.receipts.list({ workflow: 'support-triage', limit: 10 * N });
  expect(rows.length).toBe(N);
  expect(rows.every((r) => ids.has(r.id))).toBe(true);
  const days = (await store.spend.byDay('2000-01-01', '2999-12-31')).filter((d) => d.workflow === 'support-triage');
  expect(days.reduce((n, d) => n + d.calls, 0)).toBe(N);
  await store.close();
}, 60_000);
