/**
 * `regex`: the output matches `pattern` (JavaScript syntax) with optional `flags`. A leading
 * inline-flag group as Python/PCRE write it (`(?i)hand.?off`, `(?is)...`) is accepted and becomes
 * those flags, since JavaScript has no such group.
 */
import type { Assertion } from '../../config/types.ts';
import type { Outcome, Scorer } from './types.ts';

/** Compiles a pattern; a bad one is a message naming it, not an exception. */
export function compileRegex(pattern: string, flags?: string): { ok: true; re: RegExp } | { ok: false; error: string } {
  const inline = /^\(\?([imsu]+)\)/.exec(pattern);
  const source = inline ? pattern.slice(inline[0].length) : pattern;
  const allFlags = inline ? [...new Set([...(flags ?? ''), ...inline[1]])].join('') : flags;
  try {
    return { ok: true, re: new RegExp(source, allFlags) };
  } catch (err) {
    return { ok: false, error: `invalid regex /${pattern}/${flags ?? ''}: ${(err as Error).message}` };
  }
}

export const regex: Scorer = {
  validate(a: Assertion) {
    if (typeof a.pattern !== 'string' || a.pattern === '') return `${a.type}: pattern is required`;
    if (a.flags !== undefined && typeof a.flags !== 'string') return `${a.type}: flags must be a string such as "i"`;
    const c = compileRegex(a.pattern, a.flags as string | undefined);
    return c.ok ? null : `${a.type}: ${c.error}`;
  },
  score(a, ctx): Outcome {
    const c = compileRegex(a.pattern as string, a.flags as string | undefined);
    if (!c.ok) return { error: c.error };
    const m = c.re.exec(ctx.output);
    return m
      ? { pass: true, reason: `output matches ${c.re} (at ${JSON.stringify(m[0].slice(0, 40))})` }
      : { pass: false, reason: `output does not match ${c.re}` };
  },
};
