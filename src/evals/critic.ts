/**
 * The LLM critic behind `critic` assertions. It asks an OpenAI-compatible model, at temperature
 * 0 and with a strict JSON schema, for `{pass, score, reason}`; an answer that does not parse
 * (zod) is asked for again, up to `maxRetries` more times. Every call's cost is counted — the
 * runner records it as eval spend, apart from production.
 */
import type OpenAI from 'openai';
import { z } from 'zod';
import type { Price } from '../config/types.ts';
import { readOutputJson } from './json-output.ts';
import type { CriticClient, CriticVerdict } from './scorers/types.ts';

export const CRITIC_SYSTEM_PROMPT =
  'You are an evaluation critic. You grade one output of an AI workflow against a rubric. ' +
  'Answer only with JSON: {"pass": boolean, "score": number from 0 to 1, "reason": one short sentence}. ' +
  'pass is true only when the output satisfies every point of the rubric.';

const VERDICT_SCHEMA = {
  type: 'object',
  properties: { pass: { type: 'boolean' }, score: { type: 'number' }, reason: { type: 'string' } },
  required: ['pass', 'score', 'reason'],
  additionalProperties: false,
} as const;

const Verdict = z.object({ pass: z.boolean(), score: z.number(), reason: z.string() }).strict();

export interface CriticOptions {
  /** An openai@6 client pointed at the critic's provider. */
  client: OpenAI;
  model: string;
  price: Price;
  /** Extra attempts when an answer does not parse (default 2). */
  maxRetries?: number;
}

type Usage = { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } | null } | null | undefined;

/** USD for one call: uncached input at `input`, cached input at `cachedInput`, completion at `output` (per 1M). */
export function callCost(usage: Usage, price: Price): number {
  if (!usage) return 0;
  const prompt = usage.prompt_tokens ?? 0;
  const cached = Math.min(usage.prompt_tokens_details?.cached_tokens ?? 0, prompt);
  const completion = usage.completion_tokens ?? 0;
  return ((prompt - cached) * price.input + cached * price.cachedInput + completion * price.output) / 1_000_000;
}

function systemMessage(vars: Record<string, unknown>): string {
  if (Object.keys(vars).length === 0) return CRITIC_SYSTEM_PROMPT;
  return `${CRITIC_SYSTEM_PROMPT}\nThe case's input variables, for context: ${JSON.stringify(vars)}`;
}

export function createCritic(opts: CriticOptions): CriticClient {
  const attempts = 1 + Math.max(0, opts.maxRetries ?? 2);
  return {
    async grade(rubric, output, vars, signal): Promise<CriticVerdict> {
      let costUsd = 0;
      let calls = 0;
      for (let i = 0; i < attempts; i++) {
        let content: string | null | undefined;
        try {
          const res = await opts.client.chat.completions.create(
            {
              model: opts.model,
              temperature: 0,
              messages: [
                { role: 'system', content: systemMessage(vars) },
                { role: 'user', content: `RUBRIC:\n${rubric}\n\nOUTPUT:\n${output}` },
              ],
              response_format: {
                type: 'json_schema',
                json_schema: { name: 'critic_verdict', strict: true, schema: VERDICT_SCHEMA as unknown as Record<string, unknown> },
              },
            },
            { signal },
          );
          calls++;
          costUsd += callCost(res.usage, opts.price);
          content = res.choices[0]?.message?.content;
        } catch (err) {
          return { pass: false, score: 0, reason: `critic call failed: ${(err as Error).message}`, costUsd, calls, error: true };
        }
        const json = typeof content === 'string' ? readOutputJson(content) : { ok: false as const };
        const parsed = json.ok ? Verdict.safeParse(json.value) : null;
        if (parsed?.success) return { ...parsed.data, costUsd, calls };
      }
      return { pass: false, score: 0, reason: 'critic answer did not parse', costUsd, calls, error: true };
    },
  };
}
