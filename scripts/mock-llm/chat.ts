/**
 * POST /v1/chat/completions of the simulator: validation, simulated rate limits and errors,
 * the answer, usage, latency, and the response (JSON or SSE stream).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { answer, type ChatRequestView } from './answer.ts';
import { profileFor } from './profiles.ts';
import { createRandom, seedFrom } from './random.ts';
import { chunkBody, completionBody, sendError, SIMULATOR_HEADER, usageChunkBody, type CompletionHead, type ToolCallShape } from './shapes.ts';
import { promptTokens, tokensOf, usageOf } from './usage.ts';

export interface SimulatorSettings {
  seed: number;
  latencyMs?: number;
  errorRate?: number;
  rateLimitRate?: number;
}

export interface ModelOverride {
  fingerprint: string;
  servedModel?: string;
}

/** What the simulator remembers between requests. */
export class SimulatorState {
  readonly overrides = new Map<string, ModelOverride>();
  readonly byModel: Record<string, number> = {};
  calls = 0;
  private readonly seen = new Map<string, number>();

  constructor(readonly settings: SimulatorSettings) {}

  count(model: string): void {
    this.calls++;
    this.byModel[model] = (this.byModel[model] ?? 0) + 1;
  }

  /** How many times this exact request was seen before (0 the first time). */
  occurrence(key: string): number {
    const n = this.seen.get(key) ?? 0;
    if (this.seen.size > 200_000) this.seen.clear();
    this.seen.set(key, n + 1);
    return n;
  }
}

interface ChatBody extends ChatRequestView {
  model: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function invalid(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'The request body must be a JSON object.';
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '') return "You must provide a model parameter ('model': a string).";
  if (!Array.isArray(b.messages) || b.messages.length === 0) return "'messages' must be a non-empty array.";
  for (const [i, m] of b.messages.entries()) {
    if (m === null || typeof m !== 'object' || typeof (m as { role?: unknown }).role !== 'string') return `'messages[${i}]' must be an object with a 'role'.`;
  }
  if (b.tools !== undefined && !Array.isArray(b.tools)) return "'tools' must be an array.";
  return undefined;
}

export async function handleChat(raw: string, res: ServerResponse, state: SimulatorState): Promise<void> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return sendError(res, 400, 'invalid_request_error', 'We could not parse the JSON body of your request. (The mock LLM simulator expects JSON.)');
  }
  const problem = invalid(parsed);
  if (problem) return sendError(res, 400, 'invalid_request_error', problem);
  const body = parsed as ChatBody;
  const requested = body.model;
  if (!profileFor(requested)) {
    return sendError(res, 404, 'invalid_request_error', `The model \`${requested}\` does not exist or you do not have access to it. (mock LLM simulator)`, 'model_not_found');
  }
  state.count(requested);
  const override = state.overrides.get(requested);
  const served = override?.servedModel ?? requested;
  const profile = profileFor(served) ?? profileFor(requested)!;
  const head: CompletionHead = {
    id: `chatcmpl-sim${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    created: Math.floor(Date.now() / 1000),
    model: served,
    system_fingerprint: override?.fingerprint ?? profile.fingerprint,
  };

  const key = createHash('sha256')
    .update(JSON.stringify([requested, body.messages, body.tools ?? null, body.response_format ?? null]))
    .digest('hex');
  const random = createRandom(seedFrom(state.settings.seed, key, state.occurrence(key)));
  const { settings } = state;

  if (random.chance(settings.rateLimitRate ?? profile.rateLimitRate)) {
    const retryAfter = 1 + Math.floor(random.next() * 2);
    return sendError(res, 429, 'requests', `Rate limit reached for ${served} (simulated by the mock LLM). Please try again in ${retryAfter}s.`, 'rate_limit_exceeded', {
      'retry-after': String(retryAfter),
      'retry-after-ms': String(retryAfter * 1000),
      'x-ratelimit-remaining-requests': '0',
    });
  }
  const ttft = settings.latencyMs ?? Math.min(20_000, random.lognormal(profile.ttftMedianMs, profile.ttftSigma));
  if (random.chance(settings.errorRate ?? profile.errorRate)) {
    await sleep(Math.min(ttft, 2000));
    const unavailable = random.chance(0.5);
    return sendError(
      res,
      unavailable ? 503 : 500,
      'server_error',
      unavailable ? 'The engine is currently overloaded, please try again later. (simulated by the mock LLM)' : 'The server had an error while processing your request. (simulated by the mock LLM)',
    );
  }

  const outcome = answer(body, profile, random);
  let content = outcome.content;
  let toolCalls: ToolCallShape[] = outcome.toolCalls.map((t) => ({
    id: `call_sim${Math.floor(random.next() * 2 ** 48).toString(36)}`,
    type: 'function',
    function: { name: t.name, arguments: JSON.stringify(t.arguments) },
  }));
  const reasoning = profile.reasoningMedianTokens ? Math.round(random.lognormal(profile.reasoningMedianTokens, 0.5)) : 0;
  let visible = tokensOf(content) + toolCalls.reduce((n, t) => n + tokensOf(t.function.arguments) + 4, 0);
  let finish = toolCalls.length > 0 ? 'tool_calls' : 'stop';
  const limit = body.max_completion_tokens ?? body.max_tokens;
  if (typeof limit === 'number' && limit > 0 && visible > limit) {
    content = Array.from(content).slice(0, limit * 4).join('');
    toolCalls = [];
    visible = limit;
    finish = 'length';
  }
  const { prompt, cached } = promptTokens(body.messages, body.tools);
  const usage = usageOf(prompt, cached, visible, reasoning);
  const generationMs =
    settings.latencyMs !== undefined ? 0 : ((visible + reasoning) / profile.tokensPerSecond) * 1000;

  if (!body.stream) {
    await sleep(ttft + generationMs);
    const text = JSON.stringify(completionBody(head, content, toolCalls, finish, usage));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...SIMULATOR_HEADER });
    res.end(text);
    return;
  }
  await stream(res, head, content, toolCalls, finish, body.stream_options?.include_usage === true ? usage : undefined, ttft, generationMs);
}

async function stream(
  res: ServerResponse,
  head: CompletionHead,
  content: string,
  toolCalls: ToolCallShape[],
  finish: string,
  usage: ReturnType<typeof usageOf> | undefined,
  ttftMs: number,
  generationMs: number,
): Promise<void> {
  const withUsage = usage !== undefined;
  const deltas: Record<string, unknown>[] = [{ role: 'assistant', content: '', refusal: null }];
  const chars = Array.from(content);
  for (let i = 0; i < chars.length; i += 16) deltas.push({ content: chars.slice(i, i + 16).join('') });
  toolCalls.forEach((t, index) => {
    deltas.push({ tool_calls: [{ index, id: t.id, type: 'function', function: { name: t.function.name, arguments: '' } }] });
    for (let i = 0; i < t.function.arguments.length; i += 24) {
      deltas.push({ tool_calls: [{ index, function: { arguments: t.function.arguments.slice(i, i + 24) } }] });
    }
  });

  let closed = false;
  res.on('close', () => (closed = true));
  await sleep(ttftMs);
  if (closed) return;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...SIMULATOR_HEADER });
  const perChunk = deltas.length > 1 ? generationMs / (deltas.length - 1) : 0;
  let owed = 0;
  for (const delta of deltas) {
    if (closed) return;
    res.write(`data: ${JSON.stringify(chunkBody(head, delta, null, withUsage))}\n\n`);
    owed += perChunk;
    if (owed >= 8) {
      await sleep(owed);
      owed = 0;
    }
  }
  if (closed) return;
  res.write(`data: ${JSON.stringify(chunkBody(head, {}, finish, withUsage))}\n\n`);
  if (usage) res.write(`data: ${JSON.stringify(usageChunkBody(head, usage))}\n\n`);
  res.end('data: [DONE]\n\n');
}
