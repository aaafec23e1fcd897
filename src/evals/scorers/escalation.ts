/**
 * `escalation`: the output hands the case to a human (`value: true`, the default) or does not
 * (`value: false`), by the suite's escalation rule: `{path}` — the JSON value there is truthy
 * (the strings "false", "no", "0" and "" count as false); `{regex}` — the regex matches.
 */
import type { Assertion } from '../../config/types.ts';
import { readPath, show } from '../json-output.ts';
import { compileRegex } from './regex.ts';
import type { Outcome, Scorer } from './types.ts';

export type EscalationRule = { path?: string; regex?: string };

function truthy(v: unknown): boolean {
  if (typeof v === 'string') return !['', 'false', 'no', '0'].includes(v.trim().toLowerCase());
  return Boolean(v);
}

/** What the rule says about this output; `error` when it cannot say (no rule, not JSON, bad regex). */
export function readEscalation(output: string, rule: EscalationRule): { escalated: boolean; how: string } | { error: string } {
  if (rule.path !== undefined) {
    const read = readPath(output, rule.path);
    if (!read.ok) return { error: read.reason };
    if (!read.found) return { escalated: false, how: `${rule.path} is missing` };
    return { escalated: truthy(read.value), how: `${rule.path} = ${show(read.value)}` };
  }
  if (rule.regex !== undefined) {
    const c = compileRegex(rule.regex);
    if (!c.ok) return { error: `escalation rule: ${c.error}` };
    return c.re.test(output) ? { escalated: true, how: `output matches ${c.re}` } : { escalated: false, how: `output does not match ${c.re}` };
  }
  return { error: 'the suite has no escalation rule (escalation: { path } or { regex })' };
}

/** True when the output escalates by the rule; false also when the rule cannot be applied. */
export function isEscalated(output: string, rule: EscalationRule): boolean {
  const r = readEscalation(output, rule);
  return 'escalated' in r && r.escalated;
}

export const escalation: Scorer = {
  validate(a: Assertion) {
    if (a.value !== undefined && typeof a.value !== 'boolean') return `${a.type}: value must be true or false`;
    return null;
  },
  score(a, ctx, negated): Outcome {
    const r = readEscalation(ctx.output, ctx.escalation);
    if ('error' in r) return { error: r.error };
    const wanted = a.value !== false;
    const expectEscalation = wanted !== negated;
    return {
      pass: r.escalated === wanted,
      reason: `output ${r.escalated ? 'escalates' : 'does not escalate'}: ${r.how} (expected ${expectEscalation ? 'escalation' : 'no escalation'})`,
    };
  },
};
