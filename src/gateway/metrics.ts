/**
 * The gateway's Prometheus series on the one registry (GET /metrics), by workflow and variant.
 * Label children are cached so the hot path does no label hashing.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from '../server/metrics.ts';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const requests = new Counter({
  name: 'ai_release_gateway_requests_total',
  help: 'Gateway chat completions by workflow, variant and outcome (ok or error type).',
  labelNames: ['workflow', 'variant', 'outcome'] as const,
  registers: [registry],
});
const errors = new Counter({
  name: 'ai_release_gateway_errors_total',
  help: 'Gateway chat completions that ended in an error, by error type.',
  labelNames: ['workflow', 'variant', 'type'] as const,
  registers: [registry],
});
const overhead = new Histogram({
  name: 'ai_release_gateway_overhead_seconds',
  help: 'Time the gateway itself adds to a call (total minus upstream).',
  labelNames: ['workflow', 'variant'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});
const upstream = new Histogram({
  name: 'ai_release_gateway_upstream_seconds',
  help: 'Upstream provider latency per call.',
  labelNames: ['workflow', 'variant'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});
const tokens = new Counter({
  name: 'ai_release_gateway_tokens_total',
  help: 'Tokens by workflow, variant and kind (input, cached, output, reasoning).',
  labelNames: ['workflow', 'variant', 'kind'] as const,
  registers: [registry],
});
const cost = new Counter({
  name: 'ai_release_gateway_cost_usd_total',
  help: 'Production cost in USD by workflow and variant.',
  labelNames: ['workflow', 'variant'] as const,
  registers: [registry],
});

type UsageSource = () => { scope: string; period: string; ratio: number; spentUsd: number; reservedUsd: number }[];
const sources = new Set<UsageSource>();

new Gauge({
  name: 'ai_release_budget_used_ratio',
  help: 'Spend / cap of each team and workflow budget in its current period.',
  labelNames: ['scope', 'period'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const s of sources) for (const u of s()) this.labels(u.scope, u.period).set(u.ratio);
  },
});
new Gauge({
  name: 'ai_release_budget_spent_usd',
  help: 'Spend recorded against each budget in its current period (USD).',
  labelNames: ['scope', 'period'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const s of sources) for (const u of s()) this.labels(u.scope, u.period).set(u.spentUsd);
  },
});
new Gauge({
  name: 'ai_release_budget_reserved_usd',
  help: 'Worst-case cost held by calls in flight against each budget (USD).',
  labelNames: ['scope', 'period'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const s of sources) for (const u of s()) this.labels(u.scope, u.period).set(u.reservedUsd);
  },
});

/** Registers a budget-usage source (one per running gateway); returns the unregister function. */
export function addBudgetSource(s: UsageSource): () => void {
  sources.add(s);
  return () => sources.delete(s);
}

interface Children {
  overhead: ReturnType<typeof overhead.labels>;
  upstream: ReturnType<typeof upstream.labels>;
  ok: ReturnType<typeof requests.labels>;
  cost: ReturnType<typeof cost.labels>;
  input: ReturnType<typeof tokens.labels>;
  cached: ReturnType<typeof tokens.labels>;
  output: ReturnType<typeof tokens.labels>;
  reasoning: ReturnType<typeof tokens.labels>;
}
const children = new Map<string, Children>();

function of(workflow: string, variant: string): Children {
  const k = `${workflow}\u0000${variant}`;
  let c = children.get(k);
  if (!c) {
    c = {
      overhead: overhead.labels(workflow, variant),
      upstream: upstream.labels(workflow, variant),
      ok: requests.labels(workflow, variant, 'ok'),
      cost: cost.labels(workflow, variant),
      input: tokens.labels(workflow, variant, 'input'),
      cached: tokens.labels(workflow, variant, 'cached'),
      output: tokens.labels(workflow, variant, 'output'),
      reasoning: tokens.labels(workflow, variant, 'reasoning'),
    };
    children.set(k, c);
  }
  return c;
}

export interface CallObservation {
  workflow: string;
  variant: string;
  totalMs: number;
  upstreamMs: number;
  errorType: string | null;
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  costUsd: number;
}

export function observeCall(o: CallObservation): void {
  const c = of(o.workflow, o.variant);
  if (o.errorType === null) c.ok.inc();
  else {
    requests.labels(o.workflow, o.variant, o.errorType).inc();
    errors.labels(o.workflow, o.variant, o.errorType).inc();
  }
  c.overhead.observe(Math.max(0, o.totalMs - o.upstreamMs) / 1000);
  if (o.upstreamMs > 0) c.upstream.observe(o.upstreamMs / 1000);
  if (o.inputTokens) c.input.inc(o.inputTokens);
  if (o.cachedTokens) c.cached.inc(o.cachedTokens);
  if (o.outputTokens) c.output.inc(o.outputTokens);
  if (o.reasoningTokens) c.reasoning.inc(o.reasoningTokens);
  if (o.costUsd) c.cost.inc(o.costUsd);
}
