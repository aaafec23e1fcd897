/**
 * The validated, resolved configuration: what the rest of ai-release reads.
 * `load.ts` turns the YAML file (contract: "Configuration file") into this.
 */

export type Role = 'finance' | 'admin';
export type Authority = 'read-only' | 'draft' | 'execute-with-approval' | 'execute-with-caps';
export type Retention = 'full' | 'hash' | 'none';

export interface Price {
  /** USD per 1M input tokens. */
  input: number;
  /** USD per 1M cached input tokens (defaults to `input`). */
  cachedInput: number;
  /** USD per 1M output tokens (reasoning tokens are billed as output). */
  output: number;
}

export interface ProviderConfig {
  name: string;
  /** Unset: the built-in mock LLM. */
  baseUrl?: string;
  /** The API key's value, read from `apiKeyEnv` (unset: no key sent). Never logged. */
  apiKey?: string;
  apiKeyEnv?: string;
}

export interface Person {
  name: string;
  slack?: string;
  /** Teams AAD object id. */
  teams?: string;
  roles: Role[];
}

export interface Team {
  name: string;
  members: string[];
  leaders: string[];
  budget: { dailyUsd?: number; monthlyUsd?: number };
  channels: { slack?: string; teams?: string };
}

export interface ToolDef {
  name: string;
  effect: 'read' | 'write';
  description?: string;
  /** JSON schema of the tool's arguments. */
  parameters: Record<string, unknown>;
}

/**
 * The pinned release config: everything here is hashed (`cfg_` + 12 hex of sha256 of the
 * canonical JSON). `prompt` is the template's content, not its file name.
 */
export interface ReleaseConfig {
  provider: string;
  model: string;
  prompt: string;
  params: Record<string, unknown>;
  rag: Record<string, unknown> | null;
  tools: ToolDef[];
  guardrails: { allowedTools?: string[]; maxOutputTokens?: number };
  allowFloating: boolean;
}

export interface GateRules {
  minPassRate: number;
  maxPassRateDrop: number;
  maxCostPerRunIncrease: number;
  maxTokensPerRunIncrease: number;
  maxLatencyP95Ms: number;
  maxEscalationRateIncrease: number;
}

export interface RolloutPolicy {
  /** Rising percentages ending at 100, e.g. [5, 25, 100]. */
  stages: number[];
  minBakeMinutes: number;
  minSamples: number;
  autoRollback: boolean;
  autoPromote: boolean;
  /** Rate metrics judged as critical besides error rate, reported rate and latency p95. */
  criticalExtras: ('escalation rate' | 'override rate')[];
}

export interface Caps {
  perRunUsd?: number;
  dailyUsd?: number;
  monthlyUsd?: number;
  callsPerDay?: number;
}

export type Assertion = {
  /** e.g. "equals", "not-contains", "critic" */
  type: string;
  weight?: number;
  [key: string]: unknown;
};

export interface EvalCase {
  id: string;
  vars: Record<string, unknown>;
  /** A template; rendered with `vars` as the user message. */
  input?: string;
  /** Explicit messages instead of prompt + input. */
  messages?: { role: 'system' | 'user' | 'assistant'; content: string }[];
  /** Weighted share of assertions that must hold (default 1.0). */
  threshold: number;
  assert: Assertion[];
}

export interface EvalSuite {
  file: string;
  repeats: number;
  humanReview: { sample: number; required: boolean };
  /** How an output says "hand to a human": a JSON path whose value is truthy, or a regex. */
  escalation: { path?: string; regex?: string };
  cases: EvalCase[];
}

export interface Workflow {
  name: string;
  team: string;
  authority: Authority;
  approvers: string[];
  minApprovals: number;
  retention: Retention;
  /** The release config as the file states it (prompt content inlined). */
  config: ReleaseConfig;
  /** The prompt file name inside the prompts folder (display only; not hashed). */
  promptFile: string;
  evals: EvalSuite;
  gate: GateRules;
  rollout: RolloutPolicy;
  caps: Caps;
}

export interface EvalDefaults {
  concurrency: number;
  timeoutMs: number;
  critic?: { provider: string; model: string };
}

export interface LoadedConfig {
  /** Absolute path of the YAML file. */
  file: string;
  /** Its folder: prompts/ and evals/ resolve against it. */
  dir: string;
  pricing: Record<string, Price>;
  /** sha256 (12 hex) of the canonical pricing table: stored on every receipt. */
  priceVersion: string;
  providers: Record<string, ProviderConfig>;
  evalDefaults: EvalDefaults;
  people: Record<string, Person>;
  teams: Record<string, Team>;
  workflows: Record<string, Workflow>;
}

/** One problem found in a config file, printed as `file:path: message`. */
export interface ConfigProblem {
  file: string;
  path: string;
  message: string;
}

export type LoadResult = { ok: true; config: LoadedConfig } | { ok: false; problems: ConfigProblem[] };
