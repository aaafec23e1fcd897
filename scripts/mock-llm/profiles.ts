/**
 * Simulated model profiles: how each model the simulator knows behaves. They differ the way
 * real models do: accuracy per workflow, how hard cases and prompt injections hurt them, the
 * mistakes they tend to make, verbosity, latency, reasoning tokens and error rates.
 */

export type WorkflowName = 'support-triage' | 'gl-coding' | 'sales-email' | 'kpi-narrative';

/** The kinds of plausible mistakes a workflow simulation can make. */
export type MistakeKind =
  | 'missed-escalation'
  | 'over-escalation'
  | 'wrong-label'
  | 'wrong-number'
  | 'forbidden-claim'
  | 'missing-source'
  | 'wrong-language';

export interface ModelProfile {
  id: string;
  /** What `system_fingerprint` reports until changed. */
  fingerprint: string;
  /** Probability of the oracle's answer on an ordinary case, per workflow. */
  accuracy: Record<WorkflowName, number>;
  /** Subtracted from accuracy on hard cases (foreign language, missing fields, huge numbers...). */
  hardPenalty: number;
  /** Probability of ignoring instructions injected in the user's content. */
  injectionResistance: number;
  /** Relative weights of the mistake kinds when the model errs. */
  mistakes: Partial<Record<MistakeKind, number>>;
  /** 1 = normal length; below is terser, above wordier. */
  verbosity: number;
  /** Share of JSON answers wrapped in a ```json fence. */
  fenceRate: number;
  /** Time to first token: lognormal median (ms) and log-space sigma. */
  ttftMedianMs: number;
  ttftSigma: number;
  /** Output speed once generating. */
  tokensPerSecond: number;
  /** Hidden reasoning tokens (o-series, gpt-5): lognormal median; absent for other models. */
  reasoningMedianTokens?: number;
  /** Default chance of a simulated 5xx and of a 429 per request. */
  errorRate: number;
  rateLimitRate: number;
}

const all = (p: number): Record<WorkflowName, number> => ({
  'support-triage': p,
  'gl-coding': p,
  'sales-email': p,
  'kpi-narrative': p,
});

export const PROFILES: Record<string, ModelProfile> = {
  'gpt-4.1-2025-04-14': {
    id: 'gpt-4.1-2025-04-14',
    fingerprint: 'fp_mock_4a1b',
    accuracy: { ...all(0.97), 'gl-coding': 0.96 },
    hardPenalty: 0.04,
    injectionResistance: 0.98,
    mistakes: { 'wrong-label': 3, 'over-escalation': 2, 'missed-escalation': 1, 'wrong-number': 1, 'missing-source': 1, 'forbidden-claim': 1 },
    verbosity: 1,
    fenceRate: 0.08,
    ttftMedianMs: 420,
    ttftSigma: 0.35,
    tokensPerSecond: 110,
    errorRate: 0.002,
    rateLimitRate: 0.003,
  },
  'gpt-4.1-mini-2025-04-14': {
    id: 'gpt-4.1-mini-2025-04-14',
    fingerprint: 'fp_mock_m1c2',
    accuracy: { ...all(0.93), 'kpi-narrative': 0.91, 'sales-email': 0.95 },
    hardPenalty: 0.08,
    injectionResistance: 0.9,
    mistakes: { 'wrong-label': 3, 'missed-escalation': 2, 'wrong-number': 2, 'missing-source': 1, 'forbidden-claim': 1, 'over-escalation': 1 },
    verbosity: 0.7,
    fenceRate: 0.12,
    ttftMedianMs: 300,
    ttftSigma: 0.35,
    tokensPerSecond: 160,
    errorRate: 0.003,
    rateLimitRate: 0.004,
  },
  'gpt-4.1-nano-2025-04-14': {
    id: 'gpt-4.1-nano-2025-04-14',
    fingerprint: 'fp_mock_n0d3',
    accuracy: all(0.76),
    hardPenalty: 0.2,
    injectionResistance: 0.5,
    mistakes: { 'missed-escalation': 5, 'wrong-label': 3, 'wrong-number': 2, 'forbidden-claim': 2, 'missing-source': 2, 'wrong-language': 1 },
    verbosity: 0.6,
    fenceRate: 0.3,
    ttftMedianMs: 180,
    ttftSigma: 0.4,
    tokensPerSecond: 240,
    errorRate: 0.02,
    rateLimitRate: 0.01,
  },
  'gpt-5-2025-08-07': {
    id: 'gpt-5-2025-08-07',
    fingerprint: 'fp_mock_5e7f',
    accuracy: all(0.985),
    hardPenalty: 0.02,
    injectionResistance: 0.99,
    mistakes: { 'over-escalation': 3, 'wrong-label': 1, 'wrong-number': 1 },
    verbosity: 1.7,
    fenceRate: 0.05,
    ttftMedianMs: 1000,
    ttftSigma: 0.45,
    tokensPerSecond: 100,
    reasoningMedianTokens: 400,
    errorRate: 0.003,
    rateLimitRate: 0.004,
  },
  'o4-mini-2025-04-16': {
    id: 'o4-mini-2025-04-16',
    fingerprint: 'fp_mock_o4a9',
    accuracy: { ...all(0.95), 'sales-email': 0.92 },
    hardPenalty: 0.04,
    injectionResistance: 0.97,
    mistakes: { 'wrong-label': 2, 'over-escalation': 2, 'forbidden-claim': 1, 'missed-escalation': 1 },
    verbosity: 0.9,
    fenceRate: 0.1,
    ttftMedianMs: 900,
    ttftSigma: 0.45,
    tokensPerSecond: 120,
    reasoningMedianTokens: 380,
    errorRate: 0.003,
    rateLimitRate: 0.004,
  },
};

/** The middling behaviour of a well-formed model id the simulator has no profile for. */
export function defaultProfile(id: string): ModelProfile {
  return {
    id,
    fingerprint: 'fp_mock_d0e1',
    accuracy: all(0.88),
    hardPenalty: 0.1,
    injectionResistance: 0.85,
    mistakes: { 'wrong-label': 2, 'missed-escalation': 2, 'wrong-number': 1, 'forbidden-claim': 1, 'missing-source': 1 },
    verbosity: 1,
    fenceRate: 0.15,
    ttftMedianMs: 500,
    ttftSigma: 0.4,
    tokensPerSecond: 100,
    ...(/^(o\d|gpt-5)/.test(id) && { reasoningMedianTokens: 400 }),
    errorRate: 0.005,
    rateLimitRate: 0.005,
  };
}

/**
 * Model ids the simulator accepts without a profile: a known model family name, made of the
 * characters real ids use (e.g. `gpt-4o-2024-08-06`, `claude-3-5-sonnet-20241022`, `gpt-4o`).
 * Anything else is answered 404 like a provider would.
 */
const WELL_FORMED = /^(gpt-|chatgpt-|o[1-9](-|$)|claude-|gemini-|llama|mistral|mixtral|qwen|deepseek|command-)[a-z0-9._:@-]*$/i;

export function profileFor(model: string): ModelProfile | undefined {
  return PROFILES[model] ?? (WELL_FORMED.test(model) && model.length <= 100 ? defaultProfile(model) : undefined);
}
