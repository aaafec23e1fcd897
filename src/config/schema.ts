/**
 * Zod schemas of the raw YAML configuration file (contract: "Configuration file"), after
 * `${VAR}` interpolation. Objects are strict so a misspelt key is a problem, not a silent default.
 * Sections whose parts are cross-checked are exported as shapes (`*Shape`) so the loader can
 * validate them field by field and still check the rest when one field is wrong.
 */
import { z } from 'zod';
import { CRITICAL_EXTRAS } from '../core/canary.ts';

const notNegative = { error: 'must not be negative' };
const money = () => z.number().nonnegative(notNegative);
const count = () => z.number().int().nonnegative(notNegative);

export const SLUG = /^[a-z0-9][a-z0-9-]*$/;

export const priceSchema = z
  .strictObject({ input: money(), cachedInput: money().optional(), output: money() })
  .transform((p) => ({ input: p.input, cachedInput: p.cachedInput ?? p.input, output: p.output }));

export const providerSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
});

export const criticSchema = z.strictObject({ provider: z.string().min(1), model: z.string().min(1) });

export const evalDefaultsShape = {
  concurrency: z.number().int().min(1).default(8),
  timeoutMs: z.number().int().min(1).default(30000),
  critic: criticSchema.optional(),
};

export const roleSchema = z.enum(['finance', 'admin']);

export const personSchema = z.strictObject({
  slack: z.string().min(1).optional(),
  teams: z.string().min(1).optional(),
  roles: z.array(roleSchema).default([]),
});

export const teamShape = {
  members: z.array(z.string()).default([]),
  leaders: z.array(z.string()).default([]),
  budget: z.strictObject({ dailyUsd: money().optional(), monthlyUsd: money().optional() }).default({}),
  channels: z.strictObject({ slack: z.string().min(1).optional(), teams: z.string().min(1).optional() }).default({}),
};

export const toolSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'),
  effect: z.enum(['read', 'write']),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()),
});

export const releaseConfigShape = {
  provider: z.string().min(1),
  model: z.string().min(1),
  /** A path relative to the config file's folder, inside `prompts/`. */
  prompt: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  rag: z.record(z.string(), z.unknown()).nullable().default(null),
  tools: z.array(toolSchema).default([]),
  guardrails: z
    .strictObject({ allowedTools: z.array(z.string()).optional(), maxOutputTokens: z.number().int().min(1).optional() })
    .default({}),
  allowFloating: z.boolean().default(false),
};

export const authoritySchema = z.enum(['read-only', 'draft', 'execute-with-approval', 'execute-with-caps']);

export const gateSchema = z
  .strictObject({
    minPassRate: z.number().min(0).max(1).default(0.9),
    maxPassRateDrop: z.number().min(0).max(1).default(0),
    maxCostPerRunIncrease: z.number().nonnegative(notNegative).default(0.1),
    maxTokensPerRunIncrease: z.number().nonnegative(notNegative).default(0.25),
    maxLatencyP95Ms: z.number().positive().default(10000),
    maxEscalationRateIncrease: z.number().min(0).max(1).default(0.02),
  })
  .default({
    minPassRate: 0.9,
    maxPassRateDrop: 0,
    maxCostPerRunIncrease: 0.1,
    maxTokensPerRunIncrease: 0.25,
    maxLatencyP95Ms: 10000,
    maxEscalationRateIncrease: 0.02,
  });

export const rolloutSchema = z
  .strictObject({
    stages: z.array(z.number()).min(1).default([5, 25, 100]),
    minBakeMinutes: z.number().nonnegative(notNegative).default(60),
    minSamples: count().default(200),
    autoRollback: z.boolean().default(false),
    autoPromote: z.boolean().default(false),
    criticalExtras: z.array(z.enum(CRITICAL_EXTRAS)).default([]),
  })
  .default({ stages: [5, 25, 100], minBakeMinutes: 60, minSamples: 200, autoRollback: false, autoPromote: false, criticalExtras: [] });

export const capsSchema = z
  .strictObject({
    perRunUsd: money().optional(),
    dailyUsd: money().optional(),
    monthlyUsd: money().optional(),
    callsPerDay: count().optional(),
  })
  .default({});

export const workflowShape = {
  team: z.string().min(1),
  authority: authoritySchema,
  approvers: z.array(z.string()),
  /** Default: 1, or 2 for the execute-* authorities (applied by the loader). */
  minApprovals: z.number().int().min(1).optional(),
  retention: z.enum(['full', 'hash', 'none']).default('full'),
  /** Validated field by field with `releaseConfigShape`. */
  config: z.unknown(),
  /** A path relative to the config file's folder, inside `evals/`. */
  evals: z.string().min(1),
  gate: gateSchema,
  rollout: rolloutSchema,
  caps: capsSchema,
};

/** The top level; each section's entries are validated one by one by the loader. */
export const fileShape = {
  pricing: z.record(z.string(), z.unknown()),
  providers: z.record(z.string(), z.unknown()),
  evalDefaults: z.unknown(),
  people: z.record(z.string(), z.unknown()),
  teams: z.record(z.string(), z.unknown()),
  workflows: z.record(z.string(), z.unknown()),
};
