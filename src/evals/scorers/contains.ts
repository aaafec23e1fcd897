/**
 * `contains`: the output contains `value`, or, with `values`, any of them (`mode: any`, the
 * default) or all of them (`mode: all`). `caseInsensitive: true` ignores case.
 * `not-contains` with `values` in `any` mode therefore means: none of them may appear.
 */
import type { Assertion } from '../../config/types.ts';
import { show } from '../json-output.ts';
import type { Outcome, Scorer } from './types.ts';

function needles(a: Assertion): string[] {
  const list = a.values !== undefined ? (a.values as unknown[]) : [a.value];
  return list.map((v) => (typeof v === 'string' ? v : String(v)));
}

const showList = (items: string[]) => `[${items.map((s) => show(s, 40)).join(', ')}]`;

export const contains: Scorer = {
  validate(a: Assertion) {
    const hasValue = a.value !== undefined;
    const hasValues = a.values !== undefined;
    if (hasValue === hasValues) return `${a.type}: give either value or values`;
    const isText = (v: unknown) => (typeof v === 'string' && v !== '') || typeof v === 'number';
    if (hasValue && !isText(a.value)) return `${a.type}: value must be a non-empty string`;
    if (hasValues && (!Array.isArray(a.values) || a.values.length === 0 || !a.values.every(isText))) {
      return `${a.type}: values must be a non-empty list of non-empty strings`;
    }
    if (a.mode !== undefined && a.mode !== 'any' && a.mode !== 'all') return `${a.type}: mode must be "any" or "all"`;
    if (a.caseInsensitive !== undefined && typeof a.caseInsensitive !== 'boolean') return `${a.type}: caseInsensitive must be true or false`;
    return null;
  },
  score(a, ctx): Outcome {
    const fold = a.caseInsensitive === true ? (s: string) => s.toLowerCase() : (s: string) => s;
    const haystack = fold(ctx.output);
    const wanted = needles(a);
    const found = wanted.filter((n) => haystack.includes(fold(n)));
    const missing = wanted.filter((n) => !found.includes(n));
    const ci = a.caseInsensitive === true ? ' (ignoring case)' : '';
    if (a.mode === 'all') {
      return missing.length === 0
        ? { pass: true, reason: `output contains all of ${showList(wanted)}${ci}` }
        : { pass: false, reason: `output lacks ${showList(missing)} of ${showList(wanted)}${ci}` };
    }
    if (found.length > 0) return { pass: true, reason: `output contains ${showList(found)}${ci}` };
    return { pass: false, reason: `output contains none of ${showList(wanted)}${ci}` };
  },
};
