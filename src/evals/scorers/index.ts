/**
 * The one table of assertion types, and scoring an assertion or a whole case with it.
 *
 * Any type takes a `not-` prefix, which inverts a plain pass/fail. An assertion that cannot be
 * evaluated — a path assertion on output that is not JSON, a malformed assertion, a bad regex or
 * schema, a missing template variable, a critic that gave no verdict — fails with or without
 * `not-`: inversion never turns "could not evaluate" into a pass.
 *
 * Templates: `value`, `values`, `rubric`, `min`, `max` and `tolerance` may hold `{{var}}` naming
 * the case's vars; a string that is one placeholder takes the variable's own value and type.
 */
import type { Assertion } from '../../config/types.ts';
import { renderValue } from '../../core/template.ts';
import { contains } from './contains.ts';
import { critic } from './critic.ts';
import { equals } from './equals.ts';
import { escalation, isEscalated } from './escalation.ts';
import { jsonSchema } from './json-schema.ts';
import { numeric } from './numeric.ts';
import { regex } from './regex.ts';
import type { AssertionResult, Outcome, ScoreContext, Scorer } from './types.ts';

export type { AssertionResult, CriticClient, CriticVerdict, ScoreContext, Scorer } from './types.ts';
export { isEscalated } from './escalation.ts';

export const SCORERS: Record<string, Scorer> = {
  equals,
  contains,
  regex,
  'json-schema': jsonSchema,
  numeric,
  escalation,
  critic,
};

const TEMPLATED_FIELDS = ['value', 'values', 'rubric', 'min', 'max', 'tolerance'] as const;

export function splitType(type: string): { base: string; negated: boolean } {
  return type.startsWith('not-') ? { base: type.slice(4), negated: true } : { base: type, negated: false };
}

/** A clear message for a malformed assertion, or null when it is well formed. */
export function validateAssertion(a: Assertion): string | null {
  if (a === null || typeof a !== 'object') return 'an assertion must be an object with a type';
  if (typeof a.type !== 'string' || a.type === '') return `assertion type is required (one of ${Object.keys(SCORERS).join(', ')}, each also with "not-")`;
  const scorer = SCORERS[splitType(a.type).base];
  if (!scorer) return `unknown assertion type "${a.type}" (known: ${Object.keys(SCORERS).join(', ')}, each also with "not-")`;
  if (a.weight !== undefined && (typeof a.weight !== 'number' || !Number.isFinite(a.weight) || a.weight < 0)) {
    return `${a.type}: weight must be a number ≥ 0`;
  }
  return scorer.validate(a);
}

function weightOf(a: Assertion): number {
  return typeof a.weight === 'number' && Number.isFinite(a.weight) && a.weight >= 0 ? a.weight : 1;
}

function render(a: Assertion, vars: Record<string, unknown>): { ok: true; a: Assertion } | { ok: false; reason: string } {
  const out: Assertion = { ...a };
  for (const field of TEMPLATED_FIELDS) {
    if (a[field] === undefined) continue;
    const r = renderValue(a[field], vars);
    if (!r.ok) return { ok: false, reason: `${a.type}: missing variable "${r.missing}" in ${field}` };
    out[field] = r.value;
  }
  return { ok: true, a: out };
}

/** Scores one assertion. Never throws: every problem is a failing result with its reason. */
export async function scoreAssertion(a: Assertion, ctx: ScoreContext): Promise<AssertionResult> {
  const type = typeof a?.type === 'string' ? a.type : String(a?.type);
  const weight = a && typeof a === 'object' ? weightOf(a) : 1;
  const fail = (reason: string, costUsd?: number): AssertionResult => ({ type, pass: false, weight, reason, ...(costUsd ? { costUsd } : {}) });
  const problem = validateAssertion(a);
  if (problem) return fail(problem);
  const { base, negated } = splitType(type);
  const rendered = render(a, ctx.vars);
  if (!rendered.ok) return fail(rendered.reason);
  let outcome: Outcome;
  try {
    outcome = await SCORERS[base].score(rendered.a, ctx, negated);
  } catch (err) {
    return fail(`${type}: ${(err as Error).message ?? String(err)}`);
  }
  if ('error' in outcome) return fail(outcome.error, outcome.costUsd);
  const result: AssertionResult = { type, pass: negated ? !outcome.pass : outcome.pass, weight, reason: outcome.reason };
  if (outcome.costUsd) result.costUsd = outcome.costUsd;
  return result;
}

export interface CaseScore {
  pass: boolean;
  /** Weighted share of assertions that held (1 when there is no weight at all). */
  score: number;
  results: AssertionResult[];
  escalated: boolean;
  criticCostUsd: number;
}

/** Scores a run: it passes when the weighted share of holding assertions reaches `threshold`. */
export async function scoreCase(asserts: Assertion[], threshold: number, ctx: ScoreContext): Promise<CaseScore> {
  const results = await Promise.all(asserts.map((a) => scoreAssertion(a, ctx)));
  const total = results.reduce((sum, r) => sum + r.weight, 0);
  const held = results.reduce((sum, r) => sum + (r.pass ? r.weight : 0), 0);
  const score = total > 0 ? held / total : 1;
  return {
    pass: score >= threshold - 1e-9,
    score,
    results,
    escalated: isEscalated(ctx.output, ctx.escalation),
    criticCostUsd: results.reduce((sum, r) => sum + (r.costUsd ?? 0), 0),
  };
}
