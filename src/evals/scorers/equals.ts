/**
 * `equals`: with `path`, the JSON value there deep-equals `value` (object key order ignored, types
 * strict: `1` is not `"1"`). Without `path`, a string `value` equals the whole output trimmed, and
 * any other `value` (number, object…) deep-equals the whole output read as JSON.
 */
import type { Assertion } from '../../config/types.ts';
import { pathProblem, readOutputJson, readPath, show } from '../json-output.ts';
import { expectWord, type Outcome, type Scorer } from './types.ts';

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b as object, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export const equals: Scorer = {
  validate(a: Assertion) {
    if (!('value' in a)) return `${a.type}: value is required`;
    return pathProblem(a);
  },
  score(a, ctx, negated): Outcome {
    const expected = `(${expectWord(negated)} ${show(a.value)})`;
    if (typeof a.path === 'string') {
      const read = readPath(ctx.output, a.path);
      if (!read.ok) return { error: read.reason };
      if (!read.found) return { pass: false, reason: `${a.path} is missing ${expected}` };
      return { pass: deepEqual(read.value, a.value), reason: `${a.path} = ${show(read.value)} ${expected}` };
    }
    if (typeof a.value === 'string') {
      const actual = ctx.output.trim();
      return { pass: actual === a.value, reason: `output = ${show(actual)} ${expected}` };
    }
    const json = readOutputJson(ctx.output);
    if (!json.ok) return { error: 'output is not JSON' };
    return { pass: deepEqual(json.value, a.value), reason: `output = ${show(json.value)} ${expected}` };
  },
};
