/**
 * The shapes every scorer shares. One scorer per assertion type (one file each), all listed in
 * the table in `index.ts`; `not-` inversion is applied there, once, for every type.
 */
import type { Assertion } from '../../config/types.ts';

export interface CriticVerdict {
  pass: boolean;
  score: number;
  reason: string;
  /** Spend of every call made for this verdict, retries included. */
  costUsd: number;
  calls: number;
  /** True when no verdict could be had (call failed, answer never parsed): fails `not-critic` too. */
  error?: boolean;
}

export interface CriticClient {
  grade(rubric: string, output: string, vars: Record<string, unknown>, signal?: AbortSignal): Promise<CriticVerdict>;
}

export interface ScoreContext {
  output: string;
  vars: Record<string, unknown>;
  escalation: { path?: string; regex?: string };
  /** Present when a critic is configured. */
  critic?: CriticClient;
  signal?: AbortSignal;
}

export interface AssertionResult {
  type: string;
  pass: boolean;
  weight: number;
  /** Human readable, e.g. `category = "billing" (expected "billing")`. */
  reason: string;
  /** Critic spend. */
  costUsd?: number;
}

/**
 * What a scorer found: a plain pass/fail before inversion, or an error ("could not evaluate"),
 * which fails the assertion whether or not it carries `not-`.
 */
export type Outcome = { pass: boolean; reason: string; costUsd?: number } | { error: string; costUsd?: number };

export interface Scorer {
  /** A problem with the assertion's own fields (templates not yet rendered), or null. */
  validate(a: Assertion): string | null;
  /**
   * Evaluates an assertion whose templates are rendered. `negated` only shapes the wording of
   * the reason ("expected not ..."); the caller inverts `pass`.
   */
  score(a: Assertion, ctx: ScoreContext, negated: boolean): Outcome | Promise<Outcome>;
}

export function expectWord(negated: boolean): string {
  return negated ? 'expected not' : 'expected';
}
