/**
 * `npm run bench:gateway`: the same local mock LLM (fast path, its own process) called directly,
 * through ai-release (its own process; receipts, budgets and routing on, a workflow with caps),
 * through Portkey's open-source gateway (its own process), and through a bare Node hop (the
 * thinnest proxy on ai-release's own stack, node:http + undici, no features: the ceiling for any
 * Node gateway on this machine). Two loads: a fixed 300 req/s for latency (open loop, one request
 * every 1/300 s, p50/p99 measured per response) and saturation at 50 connections for throughput
 * (autocannon).
 *
 * Saturation is measured in interleaved rounds (each target in turn, `--rounds` times): on a
 * shared 2-core machine the speed available drifts by tens of percent over a minute, and back-to-
 * back blocks per target would put that drift into the ratios.
 *
 * Why not autocannon's `overallRate` for the fixed rate: it gives each of its connections a quota
 * per second and sends that quota back to back at the start of every second, so "300 req/s"
 * becomes 10 connections saturating the target for a burst; its latencies are queueing in the
 * burst (≈ 10 / throughput), not the time one call takes at 300 req/s. Those numbers are still
 * printed, as "burst", for comparison. Prints a table.
 *
 *   npx tsx scripts/bench-gateway.ts [--seconds 10] [--rate 300] [--connections 50] [--rounds 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { openStore } from '../src/store/open.ts';
import { start, stopChildren, writeBenchConfig } from './bench/processes.ts';
import { numberOption } from './bench/args.ts';

/** autocannon ships no types: the part of its API used here. */
interface Cannon extends PromiseLike<{ errors: number; timeouts: number }> {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: Record<string, unknown>) => Cannon;

const args = process.argv.slice(2);
const arg = (name: string, def: number) => numberOption(args, name, def);
const SECONDS = arg('--seconds', 10);
const RATE = arg('--rate', 300);
const CONNECTIONS = arg('--connections', 50);
const ROUNDS = Math.max(1, Math.round(arg('--rounds', 3)));
const WARMUP_SECONDS = 2;

const dir = mkdtempSync(join(tmpdir(), 'air-bench-'));

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

interface Measured {
  p50: number;
  p99: number;
  rate: number;
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function load(t: Target, opts: { rate?: number; connections: number; seconds: number }): Promise<Measured> {
  const latencies: number[] = [];
  let non2xx = 0;
  const instance = autocannon({
    url: t.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...t.headers },
    body: t.body,
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) latencies.push(ms);
    else non2xx++;
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), rate: latencies.length / opts.seconds, errors: non2xx + result.errors + result.timeouts };
}

/** Open loop at a fixed rate: request i is sent at start + i/rate, whatever earlier ones are doing. */
async function paced(t: Target, rate: number, seconds: number): Promise<Measured> {
  const u = new URL(t.url);
  const pool = new Pool(u.origin, { connections: 64, pipelining: 1 });
  const headers = { 'content-type': 'application/json', ...t.headers };
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const total = Math.round(rate * seconds);
  const pending = new Set<Promise<void>>();
  const fire = () => {
    const s0 = performance.now();
    const p = pool
      .request({ path: u.pathname, method: 'POST', headers, body: t.body })
      .then(async (r) => {
        await r.body.dump();
        if (r.statusCode >= 200 && r.statusCode < 300) latencies.push(performance.now() - s0);
        else errors++;
      })
      .catch(() => void errors++)
      .finally(() => pending.delete(p));
    pending.add(p);
  };
  const start = performance.now();
  await new Promise<void>((done) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      while (sent < due) {
        fire();
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
      else done();
    };
    tick();
  });
  await Promise.all(pending);
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), rate: latencies.length / seconds, errors };
}

async function main(): Promise<void> {
  process.stderr.write('starting the mock LLM (fast path), ai-release and Portkey, each in its own process...\n');
  const mock = await start(['--import', 'tsx', 'scripts/mock-llm.ts', '--port', '0', '--fast-path'], {}, /listening on (http:\/\/\S+\/v1)/, 'stdout');
  const mockUrl = mock.match[1]!;

  const dbPath = join(dir, 'ai-release.db');
  const gw = await start(
    ['bin/ai-release.mjs', 'serve'],
    { PORT: '0', DATABASE_PATH: dbPath, AI_RELEASE_CONFIG: writeBenchConfig(dir), OPENAI_BASE_URL: mockUrl, LOG_LEVEL: 'error', TZ: 'UTC' },
    /listening on (http:\/\/\S+)/,
    'stderr',
  );
  const gwUrl = gw.match[1]!;
  const store = await openStore({ engine: 'sqlite', path: dbPath });
  const token = await store.tokens.create({ name: 'bench', scope: 'gateway', team: 'support', now: Date.now() });

  const portkeyPort = await freePort();
  const portkeyMain = resolve('node_modules/@portkey-ai/gateway/build/start-server.js');
  await start([portkeyMain, `--port=${portkeyPort}`, '--headless'], {}, /Ready for connections|running at/, 'stdout');
  const portkeyUrl = `http://127.0.0.1:${portkeyPort}/v1/chat/completions`;

  const bare = await start(['scripts/bench/bare-hop.mjs', mockUrl], {}, /listening on (http:\/\/\S+)/, 'stderr');
  const bareUrl = `${bare.match[1]!}/v1/chat/completions`;

  const messages = [{ role: 'user', content: 'My order #4411 arrived damaged, please help.' }];
  const targets: Target[] = [
    { name: 'mock direct', url: `${mockUrl}/chat/completions`, headers: {}, body: JSON.stringify({ model: 'gpt-4.1-2025-04-14', messages }) },
    {
      name: 'through ai-release',
      url: `${gwUrl}/v1/chat/completions`,
      headers: { authorization: `Bearer ${token}`, 'x-ai-release-unit': 'bench-user' },
      body: JSON.stringify({ model: 'support-triage', messages, ai_release: { vars: { company: 'Acme' } } }),
    },
    {
      name: 'through Portkey',
      url: portkeyUrl,
      headers: { authorization: 'Bearer sk-bench', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': mockUrl },
      body: JSON.stringify({ model: 'gpt-4.1-2025-04-14', messages }),
    },
    { name: 'bare Node hop (reference)', url: bareUrl, headers: {}, body: JSON.stringify({ model: 'gpt-4.1-2025-04-14', messages }) },
  ];

  // Each target must answer 200 before it is measured.
  for (const t of targets) {
    const r = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...t.headers }, body: t.body });
    if (r.status !== 200) throw new Error(`${t.name} answered ${r.status}: ${await r.text()}`);
  }

  const rows: { name: string; fixed: Measured; burst: Measured; sat: Measured; shares: number[] }[] = [];
  for (const t of targets) {
    process.stderr.write(`${t.name}: warm-up, ${RATE} req/s paced for ${SECONDS}s, ${RATE} req/s autocannon bursts for ${SECONDS}s\n`);
    await load(t, { connections: CONNECTIONS, seconds: WARMUP_SECONDS });
    const fixed = await paced(t, RATE, SECONDS);
    const burst = await load(t, { rate: RATE, connections: 10, seconds: SECONDS });
    rows.push({ name: t.name, fixed, burst, sat: { p50: NaN, p99: NaN, rate: 0, errors: 0 }, shares: [] });
  }
  // Saturation, interleaved: every round measures each target in turn for SECONDS / ROUNDS.
  const slice = Math.max(1, Math.round(SECONDS / ROUNDS));
  process.stderr.write(`saturation at ${CONNECTIONS} connections: ${ROUNDS} rounds of ${slice}s per target, interleaved\n`);
  for (let round = 0; round < ROUNDS; round++) {
    const rates: number[] = [];
    for (const [i, t] of targets.entries()) {
      const m = await load(t, { connections: CONNECTIONS, seconds: slice });
      const row = rows[i]!;
      row.sat.rate += m.rate / ROUNDS;
      row.sat.errors += m.errors;
      rates.push(m.rate);
    }
    for (const [i, row] of rows.entries()) row.shares.push(rates[i]! / rates[0]!);
  }

  const direct = rows[0]!;
  const portkey = rows[2]!;
  const hop = rows[3]!;
  const f = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '—');
  const lines = [
    `| target | p50 ms @${RATE}/s | p99 ms @${RATE}/s | added p50 ms | added p99 ms | req/s @${CONNECTIONS} conn | % of direct | per round | burst p50/p99 ms | errors |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) =>
      `| ${r.name} | ${f(r.fixed.p50)} | ${f(r.fixed.p99)} | ${r === direct ? '—' : f(r.fixed.p50 - direct.fixed.p50)} | ${r === direct ? '—' : f(r.fixed.p99 - direct.fixed.p99)} | ${f(r.sat.rate, 0)} | ${f((r.sat.rate / direct.sat.rate) * 100, 1)}% | ${r.shares.map((x) => f(x * 100, 0)).join(' / ')}% | ${f(r.burst.p50)} / ${f(r.burst.p99)} | ${r.fixed.errors + r.burst.errors + r.sat.errors} |`,
    ),
    '',
    `per round = % of direct in each interleaved saturation round (${ROUNDS} × ${slice}s per target).`,
    `burst = autocannon overallRate ${RATE} on 10 connections: each sends its ${RATE / 10} requests of the second back to back, so these are queueing latencies at 10 concurrent (not paced) calls.`,
  ];
  const ours = rows[1]!;
  const addedP50 = ours.fixed.p50 - direct.fixed.p50;
  const addedP99 = ours.fixed.p99 - direct.fixed.p99;
  const share = ours.sat.rate / direct.sat.rate;
  const vsPortkey = ours.sat.rate / portkey.sat.rate;
  const receipts = await store.receipts.count();
  console.log(lines.join('\n'));
  console.log('');
  console.log(`targets: added p50 ≤ 1 ms: ${f(addedP50)} ms ${addedP50 <= 1 ? 'met' : 'MISSED'}; added p99 ≤ 5 ms: ${f(addedP99)} ms ${addedP99 <= 5 ? 'met' : 'MISSED'}`);
  console.log(`         saturated ≥ 35% of direct: ${f(share * 100, 1)}% ${share >= 0.35 ? 'met' : 'MISSED'}; ≥ 10× Portkey: ${f(vsPortkey, 1)}× ${vsPortkey >= 10 ? 'met' : 'MISSED'}`);
  console.log(`ai-release reached ${f((ours.sat.rate / hop.sat.rate) * 100, 0)}% of the bare Node hop's throughput (the hop: ${f((hop.sat.rate / direct.sat.rate) * 100, 1)}% of direct).`);
  console.log(`receipts written by ai-release during the run so far: ${receipts}`);
  await store.close();
}

function cleanup(): void {
  stopChildren();
  setTimeout(() => rmSync(dir, { recursive: true, force: true }), 1000).unref();
}

main()
  .catch((e: unknown) => {
    console.error(`bench-gateway failed: ${(e as Error).message}`);
    process.exitCode = 1;
  })
  .finally(cleanup);
