/**
 * bench:evals — the eval runner's wall time against the ideal.
 *
 * 50 cases × 3 repeats × 2 variants = 300 calls against the mock LLM simulator at a fixed 200 ms
 * per call (no simulated errors or 429s), concurrency 8: the ideal is 300 / 8 × 0.2 s = 7.5 s.
 * Target: within 1.25× of it. The cases are support tickets for the example support-triage prompt,
 * scored with json-schema and equals (no critic: a critic call is one more upstream call per run).
 *
 *   npx tsx scripts/bench-evals.ts [--cases 50] [--repeats 3] [--latency-ms 200] [--concurrency 8]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EvalCase, GateRules, Price, ReleaseConfig } from '../src/config/types.ts';
import { configHash } from '../src/core/canonical.ts';
import { computeGateVerdict } from '../src/core/gate.ts';
import { runSuite } from '../src/evals/runner.ts';
import { closeUpstreams, sharedUpstreams } from '../src/gateway/upstream.ts';
import { spawn } from 'node:child_process';

/** `scripts/mock-llm.ts` in a child process; resolves with its URL once it listens. */
function mockProcess(latencyMs: number): Promise<{ url: string; stats(): Promise<{ calls: number }>; close(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve('scripts/mock-llm.ts'), '--port', '0', '--seed', '1', '--latency-ms', String(latencyMs), '--error-rate', '0', '--rate-limit-rate', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolveUrl, reject) => {
    let text = '';
    child.once('exit', (code) => reject(new Error(`the mock LLM exited (${code}) before listening`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const m = /listening on (http:\/\/\S+\/v1)/.exec(text);
      if (!m) return;
      const url = m[1]!;
      resolveUrl({
        url,
        stats: async () => (await (await fetch(url.replace(/\/v1$/, '/_mock/stats'))).json()) as { calls: number },
        close: () =>
          new Promise<void>((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

const TICKETS: [string, string][] = [
  ['I was charged twice for my March invoice. Please fix this.', 'billing'],
  ['The dashboard shows an error 500 every time I open reports.', 'technical'],
  ["I can't log in, the password reset email never arrives.", 'account'],
  ['My package has not arrived and the tracking number shows nothing.', 'shipping'],
  ['Do you offer a dark mode? It would be nice.', 'other'],
];

const PRICING: Record<string, Price> = {
  'gpt-4.1-2025-04-14': { input: 2.0, cachedInput: 0.5, output: 8.0 },
  'gpt-4.1-mini-2025-04-14': { input: 0.4, cachedInput: 0.1, output: 1.6 },
};

const GATE: GateRules = { minPassRate: 0.9, maxPassRateDrop: 0, maxCostPerRunIncrease: 0.1, maxTokensPerRunIncrease: 0.25, maxLatencyP95Ms: 4000, maxEscalationRateIncrease: 0.02 };

function benchCases(n: number): EvalCase[] {
  return Array.from({ length: n }, (_, i) => {
    const [ticket, category] = TICKETS[i % TICKETS.length]!;
    return {
      id: `case-${String(i + 1).padStart(2, '0')}`,
      vars: { company: 'Northwind', ticket: `${ticket} (ref ${i + 1})` },
      input: 'Ticket: {{ticket}}',
      threshold: 1,
      assert: [
        { type: 'json-schema', schema: { type: 'object', required: ['category', 'priority', 'escalate', 'summary'] } },
        { type: 'equals', path: 'category', value: category },
      ],
    };
  });
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`--${name} needs a positive number`);
    process.exit(2);
  }
  return v;
}

async function main(): Promise<void> {
  const cases = arg('cases', 50);
  const repeats = arg('repeats', 3);
  const latencyMs = arg('latency-ms', 200);
  const concurrency = arg('concurrency', 8);

  // The simulator runs in its own process, like a real provider: its CPU is not the runner's.
  const mock = await mockProcess(latencyMs);
  const baseline: ReleaseConfig = {
    provider: 'openai',
    model: 'gpt-4.1-2025-04-14',
    prompt: readFileSync(resolve('examples/prompts/support-triage.md'), 'utf8'),
    params: { temperature: 0, max_tokens: 400 },
    rag: null,
    tools: [],
    guardrails: { maxOutputTokens: 400 },
    allowFloating: false,
  };
  const candidate: ReleaseConfig = { ...baseline, model: 'gpt-4.1-mini-2025-04-14' };
  const target = { baseUrl: mock.url };

  // Warm the connection pool so the number measures the runner, not TCP handshakes.
  await Promise.all(
    Array.from({ length: concurrency }, (_, i) =>
      sharedUpstreams().callChat({ target, body: { model: baseline.model, messages: [{ role: 'system', content: baseline.prompt }, { role: 'user', content: `Ticket: warm-up ${i}` }] }, timeoutMs: 10_000 }),
    ),
  );
  const before = (await mock.stats()).calls;

  const started = performance.now();
  const run = await runSuite({
    suite: { file: 'bench', repeats, humanReview: { sample: 0, required: false }, escalation: { path: 'escalate' }, cases: benchCases(cases) },
    variants: [
      { variant: 'baseline', config: baseline, hash: configHash(baseline) },
      { variant: 'candidate', config: candidate, hash: configHash(candidate) },
    ],
    pricing: PRICING,
    target: () => target,
    upstreams: sharedUpstreams(),
    concurrency,
    timeoutMs: 30_000,
  });
  const wallMs = performance.now() - started;
  const verdict = computeGateVerdict(GATE, run.baseline, run.candidate);
  const calls = (await mock.stats()).calls - before;
  const runs = cases * repeats * 2;
  const idealMs = (runs / concurrency) * latencyMs;
  const ratio = wallMs / idealMs;
  const errors = [...run.baseline, ...run.candidate].filter((r) => r.error).length;

  const rows: [string, string][] = [
    ['cases × repeats × variants', `${cases} × ${repeats} × 2 = ${runs} runs`],
    ['upstream calls', String(calls)],
    ['failed runs (errors)', String(errors)],
    ['latency per call (mock)', `${latencyMs} ms`],
    ['concurrency', String(concurrency)],
    ['ideal wall time', `${(idealMs / 1000).toFixed(2)} s`],
    ['measured wall time', `${(wallMs / 1000).toFixed(2)} s`],
    ['ratio to ideal', `${ratio.toFixed(3)}×`],
    ['target', '≤ 1.25×'],
    ['result', ratio <= 1.25 ? 'PASS' : 'FAIL'],
    ['verdict (gpt-4.1 → gpt-4.1-mini)', verdict.outcome],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  console.log('bench:evals — eval runner against the mock LLM simulator');
  console.log(`| ${'metric'.padEnd(w)} | value |`);
  console.log(`|${'-'.repeat(w + 2)}|-------|`);
  for (const [k, v] of rows) console.log(`| ${k.padEnd(w)} | ${v} |`);

  await closeUpstreams();
  await mock.close();
  process.exitCode = ratio <= 1.25 ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(`bench:evals failed: ${(e as Error).message}`);
  process.exit(1);
});
