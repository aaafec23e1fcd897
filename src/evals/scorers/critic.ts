/** `critic`: an LLM critic grades the output against `rubric` (see `../critic.ts`). */
import type { Assertion } from '../../config/types.ts';
import type { Outcome, Scorer } from './types.ts';

export const critic: Scorer = {
  validate(a: Assertion) {
    if (typeof a.rubric !== 'string' || a.rubric.trim() === '') return `${a.type}: rubric is required`;
    return null;
  },
  async score(a, ctx): Promise<Outcome> {
    if (!ctx.critic) return { error: 'no critic is configured (evalDefaults.critic)' };
    const v = await ctx.critic.grade(a.rubric as string, ctx.output, ctx.vars, ctx.signal);
    if (v.error) return { error: v.reason, costUsd: v.costUsd };
    return { pass: v.pass, reason: `critic: ${v.reason} (score ${v.score})`, costUsd: v.costUsd };
  },
};
