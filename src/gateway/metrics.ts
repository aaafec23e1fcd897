/**
 * The gateway's Prometheus series on the one registry (GET /metrics), by workflow and variant.
 * The per-call series (requests, errors, overhead and upstream histograms, tokens, cost) are kept
 * in plain numbers and arrays per (workflow, variant) and turned into Prometheus text only when
 * /metrics is scraped: a prom-client child's inc/observe hashes its label object on every call,
 * ~1.5 µs a request for these eight updates.
 */
import { Gauge, type Registry } from 'prom-client';
import { registry } from '../server/metrics.ts';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The counters and histograms of one (workflow, variant). */
class Series {
  ok = 0;
  /** Error type → calls (they count as requests with that outcome too). */
  readonly errors = new Map<string, number>();
  /** Non-cumulative bucket counts; the last slot is +Inf. */
  readonly overhead = new Float64Array(LATENCY_BUCKETS.length + 1);
  overheadSum = 0;
  overheadCount = 0;
  readonly upstream = new Float64Array(LATENCY_BUCKETS.length + 1);
  upstreamSum = 0;
  upstreamCount = 0;
  input = 0;
  cached = 0;
  output = 0;
  reasoning = 0;
  cost = 0;
  constructor(
    readonly workflow: string,
    readonly variant: string,
  ) {}
}

const series = new Map<string, Series>();

function bucketIndex(v: number): number {
  for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (v <= LATENCY_BUCKETS[i]!) return i;
  return LATENCY_BUCKETS.length;
}

type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };

/** A metric the registry formats like any prom-client one, computed from `values()` at scrape time. */
function scraped(reg: Registry, name: string, help: string, type: 'counter' | 'histogram', values: () => Sample[]): void {
  reg.registerMetric({
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, values: values(), aggregator: 'sum' }),
    reset: () => series.clear(),
  } as unknown as Parameters<Registry['registerMetric']>[0]);
}

const wv = (s: Series) => ({ workflow: s.workflow, variant: s.variant });

scraped(registry, 'ai_release_gateway_requests_total', 'Gateway chat completions by workflow, variant and outcome (ok or error type).', 'counter', () => {
  const out: Sample[] = [];
  for (const s of series.values()) {
    if (s.ok) out.push({ labels: { ...wv(s), outcome: 'ok' }, value: s.ok });
    for (const [type, n] of s.errors) out.push({ labels: { ...wv(s), outcome: type }, value: n });
  }
  return out;
});
scraped(registry, 'ai_release_gateway_errors_total', 'Gateway chat completions that ended in an error, by error type.', 'counter', () => {
  const out: Sample[] = [];
  for (const s of series.values()) for (const [type, n] of s.errors) out.push({ labels: { ...wv(s), type }, value: n });
  return out;
});

function histogram(name: string, counts: (s: Series) => Float64Array, sum: (s: Series) => number, count: (s: Series) => number): () => Sample[] {
  return () => {
    const out: Sample[] = [];
    for (const s of series.values()) {
      const n = count(s);
      if (n === 0) continue;
      const c = counts(s);
      let acc = 0;
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
        acc += c[i]!;
        out.push({ metricName: `${name}_bucket`, labels: { le: LATENCY_BUCKETS[i]!, ...wv(s) }, value: acc });
      }
      out.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', ...wv(s) }, value: n });
      out.push({ metricName: `${name}_sum`, labels: wv(s), value: sum(s) });
      out.push({ metricName: `${name}_count`, labels: wv(s), value: n });
    }
    return out;
  };
}
const OVERHEAD = 'ai_release_gateway_overhead_seconds';
const UPSTREAM = 'ai_release_gateway_upstream_seconds';
scraped(registry, OVERHEAD, 'Time the gateway itself adds to a call (total minus upstream).', 'histogram',
  histogram(OVERHEAD, (s) => s.overhead, (s) => s.overheadSum, (s) => s.overheadCount));
scraped(registry, UPSTREAM, 'Upstream provider latency per call.', 'histogram',
  histogram(UPSTREAM, (s) => s.upstream, (s) => s.upstreamSum, (s) => s.upstreamCount));
scraped(registry, 'ai_release_gateway_tokens_total', 'Tokens by workflow, variant and kind (input, cached, output, reasoning).', 'counter', () => {
  const out: Sample[] = [];
  for (const s of series.values()) {
    for (const [kind, v] of [['input', s.input], ['cached', s.cached], ['output', s.output], ['reasoning', s.reasoning]] as const)
      if (v) out.push({ labels: { ...wv(s), kind }, value: v });
  }
  return out;
});
scraped(registry, 'ai_release_gateway_cost_usd_total', 'Production cost in USD by workflow and variant.', 'counter', () => {
  const out: Sample[] = [];
  for (const s of series.values()) if (s.cost) out.push({ labels: wv(s), value: s.cost });
  return out;
});

type UsageSource = () => { scope: string; period: string; ratio: number; spentUsd: number; reservedUsd: number }[];
const sources = new Set<UsageSource>();

type BudgetUsage = ReturnType<UsageSource>[number];

/** A gauge of every budget's current period, read from the ledger at scrape time. */
function budgetGauge(name: string, help: string, value: (u: BudgetUsage) => number): void {
  new Gauge({
    name,
    help,
    labelNames: ['scope', 'period'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of sources) for (const u of s()) this.labels(u.scope, u.period).set(value(u));
    },
  });
}

budgetGauge('ai_release_budget_used_ratio', 'Spend / cap of each team and workflow budget in its current period.', (u) => u.ratio);
budgetGauge('ai_release_budget_spent_usd', 'Spend recorded against each budget in its current period (USD).', (u) => u.spentUsd);
budgetGauge('ai_release_budget_reserved_usd', 'Worst-case cost held by calls in flight against each budget (USD).', (u) => u.reservedUsd);

/** Registers a budget-usage source (one per running gateway); returns the unregister function. */
export function addBudgetSource(s: UsageSource): () => void {
  sources.add(s);
  return () => sources.delete(s);
}

function of(workflow: string, variant: string): Series {
  const k = `${workflow}\u0000${variant}`;
  let s = series.get(k);
  if (!s) series.set(k, (s = new Series(workflow, variant)));
  return s;
}

/** One finished call: its outcome, overhead and upstream latency, tokens and cost. */
export function observeCall(
  workflow: string,
  variant: string,
  totalMs: number,
  upstreamMs: number,
  errorType: string | null,
  inputTokens: number,
  cachedTokens: number,
  outputTokens: number,
  reasoningTokens: number,
  costUsd: number,
): void {
  const s = of(workflow, variant);
  if (errorType === null) s.ok++;
  else s.errors.set(errorType, (s.errors.get(errorType) ?? 0) + 1);
  const over = Math.max(0, totalMs - upstreamMs) / 1000;
  s.overhead[bucketIndex(over)]!++;
  s.overheadSum += over;
  s.overheadCount++;
  if (upstreamMs > 0) {
    const up = upstreamMs / 1000;
    s.upstream[bucketIndex(up)]!++;
    s.upstreamSum += up;
    s.upstreamCount++;
  }
  s.input += inputTokens;
  s.cached += cachedTokens;
  s.output += outputTokens;
  s.reasoning += reasoningTokens;
  s.cost += costUsd;
}
