/**
 * `npm run bench:gateway-ab`: is a gateway change faster? Several variants of the server (other
 * env, node flags, or another checkout) side by side against one mock LLM, saturated in turn in
 * short interleaved slices, so the machine's drift (tens of percent within a minute on a shared
 * 2-core box) hits every variant alike. Prints each variant's mean req/s and its ratio to the
 * first, per round. Repeat the first variant as a control to see the noise floor.
 *
 *   npx tsx scripts/bench-gateway-ab.ts [--rounds 8] [--slice 2] [--connections 50] VARIANT...
 *
 * A VARIANT is `name` alone (this checkout as is) or `name:KEY=VALUE,KEY=VALUE`, where a KEY of
 * `node` adds a node flag, `root` runs another checkout, and any other KEY is set in the server's
 * environment; `name:hop` is the bare Node hop (scripts/bench/bare-hop.mjs). For example:
 *
 *   npx tsx scripts/bench-gateway-ab.ts inline inline-again worker:GATEWAY_RECEIPT_THREAD=worker hop:hop
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { openStore } from '../src/store/open.ts';
import { numberOption } from './bench/args.ts';
import { start, stopChildren, writeBenchConfig } from './bench/processes.ts';

interface Cannon extends PromiseLike<unknown> {
  on(event: 'response', fn: (client: unknown, status: number) => void): void;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: Record<string, unknown>) => Cannon;

interface Variant {
  name: string;
  hop: boolean;
  root: string;
  node: string[];
  env: Record<string, string>;
}

function parseVariant(spec: string): Variant {
  const [name, rest = ''] = spec.split(/:(.*)/s) as [string, string?];
  const v: Variant = { name, hop: false, root: process.cwd(), node: [], env: {} };
  for (const part of rest.split(',').filter(Boolean)) {
    if (part === 'hop') {
      v.hop = true;
      continue;
    }
    const eq = part.indexOf('=');
    if (eq < 1) throw new Error(`variant "${spec}": "${part}" is not KEY=VALUE (or hop)`);
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === 'node') v.node.push(value);
    else if (key === 'root') v.root = resolve(value);
    else v.env[key] = value;
  }
  return v;
}

const args = process.argv.slice(2);
const option = (name: string, def: number): number => numberOption(args, name, def);
const ROUNDS = Math.round(option('--rounds', 8));
const SLICE = option('--slice', 2);
const CONNECTIONS = Math.round(option('--connections', 50));
const variants = args.map(parseVariant);
if (variants.length < 2) {
  console.error('usage: npx tsx scripts/bench-gateway-ab.ts [--rounds 8] [--slice 2] [--connections 50] VARIANT VARIANT...');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'air-bench-ab-'));
const body = JSON.stringify({
  model: 'support-triage',
  messages: [{ role: 'user', content: 'My order #4411 arrived damaged, please help.' }],
  ai_release: { vars: { company: 'Acme' } },
});

async function main(): Promise<void> {
  const mock = await start(['--import', 'tsx', 'scripts/mock-llm.ts', '--port', '0', '--fast-path'], {}, /listening on (http:\/\/\S+\/v1)/, 'stdout');
  const mockUrl = mock.match[1]!;
  const config = writeBenchConfig(dir);
  const targets: { name: string; url: string; headers: Record<string, string> }[] = [];
  for (const [i, v] of variants.entries()) {
    if (v.hop) {
      const hop = await start([resolve('scripts/bench/bare-hop.mjs'), mockUrl], {}, /listening on (http:\/\/\S+)/, 'stderr');
      targets.push({ name: v.name, url: `${hop.match[1]}/v1/chat/completions`, headers: {} });
      continue;
    }
    const dbPath = join(dir, `${i}.db`);
    const env = { PORT: '0', DATABASE_PATH: dbPath, AI_RELEASE_CONFIG: config, OPENAI_BASE_URL: mockUrl, LOG_LEVEL: 'error', TZ: 'UTC', ...v.env };
    const gw = await start([...v.node, 'bin/ai-release.mjs', 'serve'], env, /listening on (http:\/\/\S+)/, 'stderr', v.root);
    const store = await openStore({ engine: 'sqlite', path: dbPath });
    const token = await store.tokens.create({ name: 'bench-ab', scope: 'gateway', team: 'support', now: Date.now() });
    await store.close();
    targets.push({ name: v.name, url: `${gw.match[1]}/v1/chat/completions`, headers: { authorization: `Bearer ${token}`, 'x-ai-release-unit': 'bench-user' } });
  }

  const saturate = async (t: (typeof targets)[number], seconds: number): Promise<number> => {
    let ok = 0;
    const run = autocannon({ url: t.url, method: 'POST', headers: { 'content-type': 'application/json', ...t.headers }, body, connections: CONNECTIONS, duration: seconds });
    run.on('response', (_c, status) => {
      if (status === 200) ok++;
    });
    await run;
    return ok / seconds;
  };

  for (const t of targets) await saturate(t, 2); // warm-up
  const rates = targets.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order, so no variant always runs right after the same one.
    const order = targets.map((_, i) => (r % 2 === 0 ? i : targets.length - 1 - i));
    for (const i of order) rates[i]!.push(await saturate(targets[i]!, SLICE));
    process.stderr.write(`round ${r + 1}/${ROUNDS}\n`);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`| variant | req/s (mean) | vs ${targets[0]!.name} | per round |\n|---|---:|---:|---|`);
  for (const [i, t] of targets.entries()) {
    const ratios = rates[i]!.map((v, r) => v / rates[0]![r]!);
    console.log(`| ${t.name} | ${Math.round(mean(rates[i]!))} | ${(mean(ratios) * 100).toFixed(1)}% | ${ratios.map((x) => (x * 100).toFixed(0)).join(' ')} |`);
  }
}

main()
  .catch((e: unknown) => {
    console.error(`bench-gateway-ab failed: ${(e as Error).message}`);
    process.exitCode = 1;
  })
  .finally(() => {
    stopChildren();
    setTimeout(() => rmSync(dir, { recursive: true, force: true }), 1000).unref();
  });
