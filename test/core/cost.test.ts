import { describe, expect, it } from 'vitest';
import { costUsd, estimateTokens, usageFromOpenAI, worstCaseCostUsd } from '../../src/core/cost.ts';

const gpt41 = { input: 2.0, cachedInput: 0.5, output: 8.0 };
const gpt41mini = { input: 0.4, cachedInput: 0.1, output: 1.6 };

describe('usageFromOpenAI', () => {
  it('reads a non-streamed usage object with cached and reasoning details', () => {
    const u = usageFromOpenAI({
      prompt_tokens: 1200,
      completion_tokens: 300,
      total_tokens: 1500,
      prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 120, accepted_prediction_tokens: 0 },
    });
    expect(u).toEqual({ inputTokens: 1200, cachedTokens: 1024, outputTokens: 300, reasoningTokens: 120 });
  });

  it('reads the usage of a final streamed chunk, where details may be null', () => {
    const finalChunk = JSON.parse(
      '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1-2025-04-14",' +
        '"choices":[],"usage":{"prompt_tokens":57,"completion_tokens":9,"total_tokens":66,' +
        '"prompt_tokens_details":null,"completion_tokens_details":{"reasoning_tokens":0}}}',
    );
    expect(usageFromOpenAI(finalChunk.usage)).toEqual({
      inputTokens: 57,
      cachedTokens: 0,
      outputTokens: 9,
      reasoningTokens: 0,
    });
  });

  it('treats missing details as zero', () => {
    expect(usageFromOpenAI({ prompt_tokens: 10, completion_tokens: 2 })).toEqual({
      inputTokens: 10,
      cachedTokens: 0,
      outputTokens: 2,
      reasoningTokens: 0,
    });
  });

  it('returns null when usage is absent or garbled', () => {
    expect(usageFromOpenAI(undefined)).toBeNull();
    expect(usageFromOpenAI(null)).toBeNull();
    expect(usageFromOpenAI('12')).toBeNull();
    expect(usageFromOpenAI({ completion_tokens: 2 })).toBeNull();
    expect(usageFromOpenAI({ prompt_tokens: '10', completion_tokens: 2 })).toBeNull();
    expect(usageFromOpenAI({ prompt_tokens: -1, completion_tokens: 2 })).toBeNull();
    expect(usageFromOpenAI({ prompt_tokens: 1.5, completion_tokens: 2 })).toBeNull();
    // more cached than prompt tokens, more reasoning than completion tokens
    expect(usageFromOpenAI({ prompt_tokens: 5, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 6 } })).toBeNull();
    expect(
      usageFromOpenAI({ prompt_tokens: 5, completion_tokens: 2, completion_tokens_details: { reasoning_tokens: 3 } }),
    ).toBeNull();
    expect(usageFromOpenAI({ prompt_tokens: 5, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 'x' } })).toBeNull();
  });
});

describe('costUsd', () => {
  it('bills uncached input, cached input and output (reasoning inside output, not added twice)', () => {
    // 1,200 input of which 1,024 cached → 176 uncached; 300 output of which 120 reasoning.
    // (176 × 2.00 + 1024 × 0.50 + 300 × 8.00) / 1e6 = (352 + 512 + 2400) / 1e6 = 0.003264
    const usage = { inputTokens: 1200, cachedTokens: 1024, outputTokens: 300, reasoningTokens: 120 };
    expect(costUsd(usage, gpt41)).toBe(0.003264);
  });

  it('has no float dust on prices that are not exact in binary', () => {
    // 3 × 0.1 in floats is 0.30000000000000004; here:
    // (3 × 0.40 + 0 × 0.10 + 7 × 1.60) / 1e6 = (1.2 + 11.2) / 1e6 = 0.0000124
    const usage = { inputTokens: 3, cachedTokens: 0, outputTokens: 7, reasoningTokens: 0 };
    expect(costUsd(usage, gpt41mini)).toBe(0.0000124);
    // 1 cached token at 0.10: 0.1 / 1e6 = 1e-7
    expect(costUsd({ inputTokens: 1, cachedTokens: 1, outputTokens: 0, reasoningTokens: 0 }, gpt41mini)).toBe(1e-7);
  });

  it('rounds to 1e-10 USD', () => {
    // 1 token at $0.00001 per 1M = 1e-11 USD → rounds to 0; 5 tokens = 5e-11 → rounds (half up) to 1e-10
    const tiny = { input: 0.00001, cachedInput: 0.00001, output: 0.00001 };
    expect(costUsd({ inputTokens: 1, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 }, tiny)).toBe(0);
    expect(costUsd({ inputTokens: 5, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 }, tiny)).toBe(1e-10);
  });

  it('costs zero for zero usage and stays exact for very large counts', () => {
    expect(costUsd({ inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 }, gpt41)).toBe(0);
    // 2e9 output tokens × $8 per 1M = $16,000 (beyond 2^53 pico-dollars: the BigInt path)
    expect(costUsd({ inputTokens: 0, cachedTokens: 0, outputTokens: 2e9, reasoningTokens: 0 }, gpt41)).toBe(16000);
  });
});

describe('worstCaseCostUsd', () => {
  it('prices all input as uncached plus the whole output allowance', () => {
    // (1,200 × 2.00 + 400 × 8.00) / 1e6 = (2400 + 3200) / 1e6 = 0.0056
    expect(worstCaseCostUsd(1200, 400, gpt41)).toBe(0.0056);
    // it is never below the real cost of a call within those bounds
    const real = costUsd({ inputTokens: 1200, cachedTokens: 1024, outputTokens: 300, reasoningTokens: 120 }, gpt41);
    expect(worstCaseCostUsd(1200, 300, gpt41)).toBeGreaterThan(real);
  });
});

describe('estimateTokens', () => {
  it('is about one token per four characters, rounded up', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    expect(estimateTokens('x'.repeat(4000))).toBe(1000);
  });
});
