/**
 * Token accounting the way OpenAI reports it, approximated: about four characters a token,
 * cached input for long system prompts (1024+ tokens, in 128-token steps, like prompt
 * caching), and hidden reasoning tokens for reasoning models, counted in completion tokens.
 */
import { contentText, type ChatMessage } from './answer.ts';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: { reasoning_tokens: number; audio_tokens: number; accepted_prediction_tokens: number; rejected_prediction_tokens: number };
}

export function tokensOf(text: string): number {
  return Math.ceil(text.length / 4);
}

export function promptTokens(messages: ChatMessage[], tools: unknown): { prompt: number; cached: number } {
  let prompt = 3;
  let system = 0;
  let leadingSystem = true;
  for (const m of messages) {
    const n = tokensOf(contentText(m.content)) + (m.tool_calls ? tokensOf(JSON.stringify(m.tool_calls)) : 0) + 4;
    prompt += n;
    if (leadingSystem && (m.role === 'system' || m.role === 'developer')) system += n;
    else leadingSystem = false;
  }
  if (Array.isArray(tools) && tools.length > 0) prompt += tokensOf(JSON.stringify(tools));
  const cached = system >= 1024 ? Math.floor(system / 128) * 128 : 0;
  return { prompt, cached: Math.min(cached, prompt) };
}

export function usageOf(prompt: number, cached: number, visible: number, reasoning: number): Usage {
  const completion = visible + reasoning;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}
