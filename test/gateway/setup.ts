/** A test server whose provider is a fake upstream, plus small request helpers. */
import { startTestServer, type TestServer } from '../helpers/harness.ts';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.ts';
import type { Settings } from '../../src/app.ts';
import { configFile, gatewayConfigDir, type BudgetKnobs } from './config.ts';
import { applyTransition } from '../../src/services/releases.ts';
import { requestRelease } from '../../src/services/request.ts';
import type { ReleaseRecord } from '../../src/store/repos/releases.ts';

export interface GatewayTest {
  ts: TestServer;
  fake: FakeUpstream;
  close(): Promise<void>;
}

export async function startGatewayTest(
  opts: { settings?: Partial<Settings>; env?: NodeJS.ProcessEnv; now?: () => number; budget?: BudgetKnobs } = {},
): Promise<GatewayTest> {
  const fake = await startFakeUpstream();
  const configPath = configFile(gatewayConfigDir(opts.budget));
  const ts = await startTestServer({ env: { OPENAI_BASE_URL: fake.url, ...opts.env }, settings: { configPath, ...opts.settings }, now: opts.now });
  return {
    ts,
    fake,
    close: async () => {
      await ts.close();
      await fake.close();
    },
  };
}

export async function chat(
  url: string,
  token: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any; text: string; headers: Headers }> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, text, headers: res.headers };
}

export const supportVars = { ai_release: { vars: { company: 'Acme' } } };
export const msg = (text = 'My order is late') => [{ role: 'user', content: text }];

/** Puts a release of `workflow` (a model change) into canary, through the real transitions. */
export async function releaseInCanary(ts: TestServer, workflow: string, model: string): Promise<ReleaseRecord> {
  const ctx = ts.server.runtime.ctx;
  const dana = ctx.config.people.dana!;
  const r = await requestRelease(ctx, { person: dana, surface: 'api' }, { workflow, model, source: 'api', reason: 'test' });
  if (!r.ok) throw new Error(r.error.message);
  for (const e of ['start_evals', 'gate_passed', 'approved'] as const) {
    if (e === 'start_evals' && (await ctx.store.releases.get(r.value.id))!.state === 'evaluating') continue;
    const t = await applyTransition(ctx, r.value.id, e, 'test');
    if (!t.ok) throw new Error(`${e}: ${t.error.message}`);
  }
  return (await ctx.store.releases.get(r.value.id))!;
}
