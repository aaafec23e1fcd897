/**
 * `numeric`: the number at `path` (or the whole output, trimmed, without `path`) lies within
 * `min`/`max` (inclusive, either may be left out), or within `value` ± `tolerance` (default 0).
 * A numeric string such as "12.5" counts as its number; anything else cannot be evaluated.
 */
import type { Assertion } from '../../config/types.ts';
import { pathProblem, readPath, show } from '../json-output.ts';
import { expectWord, type Outcome, type Scorer } from './types.ts';

function asNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(v)) return Number(v);
  return null;
}

/** `value` may be a template ("{{expected}}") until rendered. */
const numberOrTemplate = (v: unknown) => typeof v === 'number' || (typeof v === 'string' && (asNumber(v) !== null || v.includes('{{')));

export const numeric: Scorer = {
  validate(a: Assertion) {
    const range = a.min !== undefined || a.max !== undefined;
    const target = a.value !== undefined;
    if (range === target) return `${a.type}: give min and/or max, or value (with tolerance)`;
    for (const key of ['min', 'max', 'tolerance'] as const) {
      if (a[key] !== undefined && !numberOrTemplate(a[key])) return `${a.type}: ${key} must be a number`;
    }
    if (target && !numberOrTemplate(a.value)) return `${a.type}: value must be a number`;
    if (a.tolerance !== undefined && !target) return `${a.type}: tolerance goes with value`;
    if (typeof a.min === 'number' && typeof a.max === 'number' && a.min > a.max) return `${a.type}: min is above max`;
    if (typeof a.tolerance === 'number' && a.tolerance < 0) return `${a.type}: tolerance must not be negative`;
    return pathProblem(a);
  },
  score(a, ctx, negated): Outcome {
    const bound = (key: 'min' | 'max' | 'value' | 'tolerance') => (a[key] === undefined ? undefined : asNumber(a[key]));
    const [min, max, value, tolerance] = [bound('min'), bound('max'), bound('value'), bound('tolerance') ?? 0];
    if (min === null || max === null || value === null || tolerance === null) {
      return { error: `${a.type}: a bound is not a number after templates (${show({ min: a.min, max: a.max, value: a.value, tolerance: a.tolerance })})` };
    }
    let label = 'output';
    let raw: unknown = ctx.output.trim();
    if (typeof a.path === 'string') {
      const read = readPath(ctx.output, a.path);
      if (!read.ok) return { error: read.reason };
      if (!read.found) return { error: `${a.path} is missing` };
      label = a.path;
      raw = read.value;
    }
    const n = asNumber(raw);
    if (n === null) return { error: `${label} is not a number (got ${show(raw)})` };
    let pass: boolean;
    let want: string;
    if (value !== undefined) {
      pass = Math.abs(n - value) <= tolerance + 1e-12;
      want = tolerance > 0 ? `${value} ± ${tolerance}` : `${value}`;
    } else {
      pass = (min === undefined || n >= min) && (max === undefined || n <= max);
      want = min !== undefined && max !== undefined ? `between ${min} and ${max}` : min !== undefined ? `≥ ${min}` : `≤ ${max}`;
    }
    return { pass, reason: `${label} = ${n} (${expectWord(negated)} ${want})` };
  },
};
