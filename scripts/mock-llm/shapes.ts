/** OpenAI response shapes the simulator writes: completions, stream chunks, errors, models. */
import type { ServerResponse } from 'node:http';
import type { Usage } from './usage.ts';

export const SIMULATOR_HEADER = { 'x-simulator': 'ai-release-mock-llm' } as const;
export const OWNER = 'ai-release-simulator';

export interface ToolCallShape {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface CompletionHead {
  id: string;
  created: number;
  model: string;
  system_fingerprint: string;
}

export function completionBody(head: CompletionHead, content: string, toolCalls: ToolCallShape[], finishReason: string, usage: Usage) {
  return {
    id: head.id,
    object: 'chat.completion',
    created: head.created,
    model: head.model,
    system_fingerprint: head.system_fingerprint,
    service_tier: 'default',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null, annotations: [], ...(toolCalls.length > 0 && { tool_calls: toolCalls }) },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage,
  };
}

export function chunkBody(head: CompletionHead, delta: Record<string, unknown>, finishReason: string | null, withUsageField: boolean) {
  return {
    id: head.id,
    object: 'chat.completion.chunk',
    created: head.created,
    model: head.model,
    system_fingerprint: head.system_fingerprint,
    service_tier: 'default',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(withUsageField && { usage: null }),
  };
}

export function usageChunkBody(head: CompletionHead, usage: Usage) {
  return {
    id: head.id,
    object: 'chat.completion.chunk',
    created: head.created,
    model: head.model,
    system_fingerprint: head.system_fingerprint,
    service_tier: 'default',
    choices: [],
    usage,
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...SIMULATOR_HEADER,
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, type: string, message: string, code: string | null = null, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { message, type, param: null, code } }, headers);
}

export function modelEntry(id: string) {
  return { id, object: 'model', created: 1744588800, owned_by: OWNER };
}
