/**
 * Token usage and its price in USD. Prices are USD per 1M tokens (the config's `pricing`).
 *
 * Arithmetic is exact: each price is turned into integer micro-dollars per 1M tokens, so
 * `tokens × price` is an integer number of pico-dollars (1e-12 USD); the sum is rounded to
 * 1e-10 USD once, at the end. No float dust accumulates across the three terms.
 */
import type { Price } from '../config/types.ts';

export interface Usage {
  /** All prompt tokens, cached ones included (OpenAI `prompt_tokens`). */
  inputTokens: number;
  /** The part of `inputTokens` served from the prompt cache. */
  cachedTokens: number;
  /** All completion tokens, reasoning ones included (OpenAI `completion_tokens`). */
  outputTokens: number;
  /** The part of `outputTokens` spent on reasoning (already billed inside `outputTokens`). */
  reasoningTokens: number;
}

/**
 * Reads an OpenAI-style `usage` object (non-streamed response or the final streamed chunk).
 * Returns null when it is absent or garbled (non-integer or negative counts, cached above
 * prompt tokens, reasoning above completion tokens). Missing or null `*_details` count as 0.
 */
export function usageFromOpenAI(u: unknown): Usage | null {
  if (u === null || typeof u !== 'object') return null;
  const o = u as Record<string, unknown>;
  const input = o.prompt_tokens;
  const output = o.completion_tokens;
  if (!isCount(input) || !isCount(output)) return null;
  const cached = detail(o.prompt_tokens_details, 'cached_tokens');
  const reasoning = detail(o.completion_tokens_details, 'reasoning_tokens');
  if (cached === null || reasoning === null) return null;
  if (cached > input || reasoning > output) return null;
  return { inputTokens: input, cachedTokens: cached, outputTokens: output, reasoningTokens: reasoning };
}

/**
 * (input − cached) × price.input + cached × price.cachedInput + output × price.output, per 1M
 * tokens, rounded to 1e-10 USD. Reasoning tokens are part of `outputTokens` already and are not
 * added again.
 */
export function costUsd(usage: Usage, price: Price): number {
  const cached = Math.min(usage.cachedTokens, usage.inputTokens);
  const uncached = usage.inputTokens - cached;
  return sumPico([
    [uncached, price.input],
    [cached, price.cachedInput],
    [usage.outputTokens, price.output],
  ]);
}

/** The most a call can cost: every input token uncached and the whole output allowance used. */
export function worstCaseCostUsd(inputTokensEstimate: number, maxOutputTokens: number, price: Price): number {
  return sumPico([
    [inputTokensEstimate, price.input],
    [maxOutputTokens, price.output],
  ]);
}

/** A cheap pre-call estimate: about 4 characters per token, rounded up. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** A count inside a details object; 0 when the object or field is absent/null; null if garbled. */
function detail(details: unknown, field: string): number | null {
  if (details === undefined || details === null) return 0;
  if (typeof details !== 'object') return null;
  const v = (details as Record<string, unknown>)[field];
  if (v === undefined || v === null) return 0;
  return isCount(v) ? v : null;
}

/** Micro-dollars per 1M tokens, i.e. pico-dollars per token. Prices finer than 1e-6 are rounded. */
function picoPerToken(usdPerMillion: number): number {
  return Math.round(usdPerMillion * 1e6);
}

/** Σ tokens × price in integer pico-dollars, rounded to 1e-10 USD. */
function sumPico(terms: [tokens: number, usdPerMillion: number][]): number {
  let pico = 0;
  for (const [tokens, price] of terms) pico += Math.round(tokens) * picoPerToken(price);
  if (Number.isSafeInteger(pico)) return Math.round(pico / 100) / 1e10;
  // Beyond 2^53 pico-dollars (≈ $9,000 in one call): fall back to BigInt for exactness.
  let big = 0n;
  for (const [tokens, price] of terms) big += BigInt(Math.round(tokens)) * BigInt(picoPerToken(price));
  const units = (big + 50n) / 100n; // 1e-10 USD units, half up
  return Number(units) / 1e10;
}
