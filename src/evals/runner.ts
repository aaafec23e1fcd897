/**
 * The eval runner: every case × repeat × variant of a suite, called through the one upstream
 * client the gateway uses, scored with the scorers, with bounded concurrency, a per-call timeout,
 * retries on 429/5xx/timeouts, and an optional cache. It does no I/O on the store: the caller
 * persists what it returns (receipts, results, cache entries) in one transaction.
 *
 * Fail closed: an error, a timeout or a missing template variable is a failed run, never dropped.
 */
import { randomBytes } from 'node:crypto';
import type { EvalCase, EvalSuite, Price, ReleaseConfig } from '../config/types.ts';
import { costUsd, estimateTokens, usageFromOpenAI, type Usage } from '../core/cost.ts';
import type { EvalRun } from '../core/gate.ts';
import { renderTemplate } from '../core/template.ts';
import type { UpstreamTarget, Upstreams } from '../gateway/upstream.ts';
import { scoreCase, type AssertionResult, type CriticClient } from './scorers/index.ts';

export type Variant = 'baseline' | 'candidate';

export interface VariantSpec {
  variant: Variant;
  config: ReleaseConfig;
  hash: string;
}

/** One run's result: what the gate needs plus what the report and the store keep. */
export interface RunResult extends EvalRun {
  variant: Variant;
  configHash: string;
  score: number;
  /** The output, always in full (null when no answer came). */
  output: string | null;
  details: AssertionResult[];
  criticCostUsd: number;
  /** Served from the cache: no call was made. */
  cached: boolean;
}

/** One upstream call (every attempt), for an eval receipt. */
export interface EvalCall {
  id: string;
  ts: number;
  variant: Variant;
  configHash: string;
  provider: string;
  modelRequested: string;
  modelServed: string | null;
  systemFingerprint: string | null;
  usage: Usage;
  costUsd: number;
  latencyMs: number;
  status: 'ok' | 'error';
  errorType: string | null;
  output: string | null;
  toolCalls: unknown[] | null;
}

/** The critic's spend on one run (its calls go through the OpenAI SDK). */
export interface CriticSpend {
  ts: number;
  variant: Variant;
  caseId: string;
  repeat: number;
  costUsd: number;
}

export interface RunCache {
  get(configHash: string, c: EvalCase, repeat: number): RunResult | undefined;
}

export interface RunnerOptions {
  suite: EvalSuite;
  variants: VariantSpec[];
  pricing: Record<string, Price>;
  /** Where a provider's calls go; null = unknown provider (every run fails). */
  target: (provider: string) => UpstreamTarget | null;
  upstreams: Upstreams;
  concurrency: number;
  timeoutMs: number;
  critic?: CriticClient;
  cache?: RunCache | null;
  /** Attempts per run on timeouts and 5xx (after the upstream client's own 429/503 retries). Default 2. */
  attempts?: number;
  /** Backoff before a retry; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  retryDelayMs?: number;
  now?: () => number;
  /** Monotonic ms for latency. */
  clock?: () => number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface SuiteResult {
  baseline: RunResult[];
  candidate: RunResult[];
  calls: EvalCall[];
  critic: CriticSpend[];
  /** Runs computed now (not from the cache): what the caller may cache. */
  fresh: { case: EvalCase; result: RunResult }[];
  stats: { runs: number; cachedRuns: number; upstreamCalls: number; evalCostUsd: number; criticCostUsd: number };
}

type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

/** The messages of one case: the rendered prompt as system message + the rendered input, or its explicit messages. */
export function buildMessages(config: ReleaseConfig, c: EvalCase): { ok: true; messages: ChatMessage[] } | { ok: false; error: string } {
  if (c.messages && c.messages.length > 0) {
    const out: ChatMessage[] = [];
    for (const [i, m] of c.messages.entries()) {
      const r = renderTemplate(m.content, c.vars);
      if (!r.ok) return { ok: false, error: `missing variable "${r.missing}" in messages[${i}]` };
      out.push({ role: m.role, content: r.text });
    }
    return { ok: true, messages: out };
  }
  const system = renderTemplate(config.prompt, c.vars);
  if (!system.ok) return { ok: false, error: `missing variable "${system.missing}" in the prompt` };
  const user = renderTemplate(c.input ?? '', c.vars);
  if (!user.ok) return { ok: false, error: `missing variable "${user.missing}" in the input` };
  return { ok: true, messages: [{ role: 'system', content: system.text }, { role: 'user', content: user.text }] };
}

/** The chat.completions body: the config's params and tools, its model, `max_tokens` clamped to the guardrails. */
export function buildBody(config: ReleaseConfig, messages: ChatMessage[]): Record<string, unknown> {
  const body: Record<string, unknown> = { ...config.params, model: config.model, messages };
  delete body.stream;
  const cap = config.guardrails.maxOutputTokens;
  if (cap !== undefined) {
    for (const k of ['max_tokens', 'max_completion_tokens'] as const) {
      const v = body[k];
      if (typeof v === 'number') body[k] = Math.min(v, cap);
    }
    if (body.max_tokens === undefined && body.max_completion_tokens === undefined) body.max_tokens = cap;
  }
  if (config.tools.length > 0) {
    body.tools = config.tools.map((t) => ({
      type: 'function',
      function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.parameters },
    }));
  }
  return body;
}

const receiptId = () => `rcp_${randomBytes(9).toString('hex')}`;
const ZERO: Usage = { inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 };

/** An answer without `usage`: tokens estimated from the text (about 4 characters a token), for the gate only. */
export function estimateUsage(messages: readonly ChatMessage[], output: string, toolCalls: unknown[] | null): Usage {
  const input = messages.map((m) => m.content).join('\n');
  const out = toolCalls ? `${output}${JSON.stringify(toolCalls)}` : output;
  return { inputTokens: estimateTokens(input), cachedTokens: 0, outputTokens: estimateTokens(out), reasoningTokens: 0 };
}

/** Whether a failed call is worth one more attempt: timeouts, 5xx, network failures, 429 after the client's own retries. */
function retryable(f: { errorType: string; upstreamStatus?: number }): boolean {
  if (f.errorType === 'upstream_timeout' || f.errorType === 'upstream_rate_limited') return true;
  return f.upstreamStatus === undefined || f.upstreamStatus >= 500;
}

interface Task {
  spec: VariantSpec;
  c: EvalCase;
  repeat: number;
}

export async function runSuite(opts: RunnerOptions): Promise<SuiteResult> {
  const now = opts.now ?? Date.now;
  const clock = opts.clock ?? (() => performance.now());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const attempts = Math.max(1, opts.attempts ?? 2);
  const retryDelay = opts.retryDelayMs ?? 250;
  const { suite } = opts;

  // Baseline and candidate interleaved, so both progress together.
  const tasks: Task[] = [];
  for (const c of suite.cases)
    for (let repeat = 1; repeat <= suite.repeats; repeat++) for (const spec of opts.variants) tasks.push({ spec, c, repeat });

  const results: RunResult[] = new Array(tasks.length);
  const calls: EvalCall[] = [];
  const critic: CriticSpend[] = [];
  const fresh: { case: EvalCase; result: RunResult }[] = [];
  let cachedRuns = 0;
  let done = 0;
  opts.onProgress?.(0, tasks.length);

  const runOne = async (t: Task): Promise<RunResult> => {
    const hit = opts.cache?.get(t.spec.hash, t.c, t.repeat);
    if (hit) {
      cachedRuns++;
      return { ...hit, caseId: t.c.id, repeat: t.repeat, variant: t.spec.variant, configHash: t.spec.hash, cached: true };
    }
    const base = { caseId: t.c.id, repeat: t.repeat, variant: t.spec.variant, configHash: t.spec.hash, cached: false };
    const failed = (error: string, latencyMs: number, output: string | null = null): RunResult => ({
      ...base, passed: false, score: 0, costUsd: 0, tokens: 0, latencyMs, escalated: false, error, output, details: [], criticCostUsd: 0,
    });
    const msgs = buildMessages(t.spec.config, t.c);
    if (!msgs.ok) return failed(msgs.error, 0);
    const target = opts.target(t.spec.config.provider);
    if (!target) return failed(`provider "${t.spec.config.provider}" has no upstream`, 0);
    const body = buildBody(t.spec.config, msgs.messages);
    const price = opts.pricing[t.spec.config.model];
    let last = '';
    let lastLatency = 0;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (opts.signal?.aborted) return failed('the gate run was cancelled', 0);
      const started = clock();
      const res = await opts.upstreams.callChat({ target, body, timeoutMs: opts.timeoutMs, signal: opts.signal });
      const latencyMs = Math.round((clock() - started) * 10) / 10;
      const call: EvalCall = {
        id: receiptId(), ts: now(), variant: t.spec.variant, configHash: t.spec.hash, provider: t.spec.config.provider,
        modelRequested: t.spec.config.model, modelServed: null, systemFingerprint: null, usage: ZERO, costUsd: 0, latencyMs,
        status: 'error', errorType: null, output: null, toolCalls: null,
      };
      calls.push(call);
      if (!res.ok) {
        call.errorType = res.errorType;
        last = res.message;
        lastLatency = latencyMs;
        if (attempt < attempts && retryable(res) && !opts.signal?.aborted) {
          await sleep(retryDelay * attempt);
          continue;
        }
        return failed(res.errorType === 'upstream_timeout' ? `timeout: ${res.message}` : res.message, latencyMs);
      }
      const json = res.json as { model?: unknown; system_fingerprint?: unknown; usage?: unknown; choices?: { message?: { content?: unknown; tool_calls?: unknown } }[] };
      const reported = usageFromOpenAI(json?.usage);
      const message = json?.choices?.[0]?.message;
      const output = typeof message?.content === 'string' ? message.content : '';
      const toolCalls = Array.isArray(message?.tool_calls) ? (message.tool_calls as unknown[]) : null;
      // The receipt keeps what the provider reported; the gate needs a figure for every answer.
      const usage = reported ?? estimateUsage(msgs.messages, output, toolCalls);
      const cost = price ? costUsd(usage, price) : 0;
      Object.assign(call, {
        status: 'ok', modelServed: typeof json?.model === 'string' ? json.model : null,
        systemFingerprint: typeof json?.system_fingerprint === 'string' ? json.system_fingerprint : null,
        usage: reported ?? ZERO, costUsd: reported && price ? cost : 0, output, toolCalls,
      });
      const s = await scoreCase(t.c.assert, t.c.threshold, { output, vars: t.c.vars, escalation: suite.escalation, critic: opts.critic, signal: opts.signal });
      if (s.criticCostUsd > 0) critic.push({ ts: now(), variant: t.spec.variant, caseId: t.c.id, repeat: t.repeat, costUsd: s.criticCostUsd });
      const result: RunResult = {
        ...base, passed: s.pass, score: s.score, costUsd: cost, tokens: usage.inputTokens + usage.outputTokens, latencyMs,
        escalated: s.escalated, output, details: s.results, criticCostUsd: s.criticCostUsd, ...(reported ? {} : { usageEstimated: true }),
      };
      fresh.push({ case: t.c, result });
      return result;
    }
    return failed(last || 'no answer', lastLatency);
  };

  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= tasks.length) return;
      let r: RunResult;
      try {
        r = await runOne(tasks[i]!);
      } catch (err) {
        const t = tasks[i]!;
        r = {
          caseId: t.c.id, repeat: t.repeat, variant: t.spec.variant, configHash: t.spec.hash, cached: false, passed: false, score: 0,
          costUsd: 0, tokens: 0, latencyMs: 0, escalated: false, error: `eval run failed: ${(err as Error).message}`, output: null, details: [], criticCostUsd: 0,
        };
      }
      results[i] = r;
      opts.onProgress?.(++done, tasks.length);
    }
  };
  const width = Math.max(1, Math.min(opts.concurrency, tasks.length || 1));
  await Promise.all(Array.from({ length: width }, worker));

  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    baseline: results.filter((r) => r.variant === 'baseline'),
    candidate: results.filter((r) => r.variant === 'candidate'),
    calls,
    critic,
    fresh,
    stats: {
      runs: results.length,
      cachedRuns,
      upstreamCalls: calls.length,
      evalCostUsd: sum(calls.map((c) => c.costUsd)),
      criticCostUsd: sum(critic.map((c) => c.costUsd)),
    },
  };
}
