/**
 * The simulator's fast path for throughput benchmarks: no simulated latency, errors or answers
 * (every completion says "OK"), but the per-request work of a minimal real OpenAI-compatible
 * server: parse the JSON body, check it has `model` and `messages`, build the response object
 * with a fresh id, `created`, the requested model and usage counted from the messages, and
 * serialise it. A pre-built buffer answered after a regex would make "the upstream called
 * directly" several times cheaper than any real server, so the gateway's share of "direct" in
 * the benchmark would measure the mock's shortcut rather than the gateway.
 */
import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { sendError, SIMULATOR_HEADER, type CompletionHead } from './shapes.ts';
import { promptTokens, usageOf } from './usage.ts';
import type { ChatMessage } from './answer.ts';

const JSON_HEADERS = { 'content-type': 'application/json', ...SIMULATOR_HEADER };
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...SIMULATOR_HEADER };
const ANSWER = 'OK';

export class FastPath {
  constructor(private readonly fingerprintOf: (model: string) => { model: string; fingerprint: string }) {}

  /** Kept for the simulator's API (nothing is prepared ahead any more). */
  reset(): void {}

  /** Answers the request; returns the requested model, or null when the body was refused. */
  respond(raw: string, res: ServerResponse): string | null {
    let body: { model?: unknown; messages?: unknown; tools?: unknown; stream?: unknown };
    try {
      body = JSON.parse(raw);
    } catch {
      sendError(res, 400, 'invalid_request_error', 'We could not parse the JSON body of your request. (mock LLM simulator)');
      return null;
    }
    if (typeof body?.model !== 'string' || !Array.isArray(body.messages) || body.messages.length === 0) {
      sendError(res, 400, 'invalid_request_error', "The request needs 'model' (a string) and 'messages' (a non-empty array). (mock LLM simulator)");
      return null;
    }
    const { model, fingerprint } = this.fingerprintOf(body.model);
    const head: CompletionHead = { id: `chatcmpl-${randomBytes(12).toString('base64url')}`, created: Math.floor(Date.now() / 1000), model, system_fingerprint: fingerprint };
    const { prompt, cached } = promptTokens(body.messages as ChatMessage[], body.tools);
    const usage = usageOf(prompt, cached, 1, 0);
    let text: string;
    if (body.stream === true) {
      const chunk = (delta: object, finish: string | null) => ({ ...head, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
      text = [chunk({ role: 'assistant', content: ANSWER }, null), chunk({}, 'stop'), { ...head, object: 'chat.completion.chunk', choices: [], usage }]
        .map((c) => `data: ${JSON.stringify(c)}\n\n`)
        .join('') + 'data: [DONE]\n\n';
      res.writeHead(200, { ...SSE_HEADERS, 'content-length': Buffer.byteLength(text) });
    } else {
      text = JSON.stringify({
        ...head,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: ANSWER, refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage,
      });
      res.writeHead(200, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text) });
    }
    res.end(text);
    return body.model;
  }
}
