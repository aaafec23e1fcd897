/**
 * The simulator's fast path for throughput benchmarks: no simulation at all. Every chat
 * completion gets the same tiny answer with usage, from buffers built once per model.
 */
import type { ServerResponse } from 'node:http';
import { SIMULATOR_HEADER } from './shapes.ts';

interface Prepared {
  json: Buffer;
  sse: Buffer;
}

const USAGE = {
  prompt_tokens: 24,
  completion_tokens: 2,
  total_tokens: 26,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};
const JSON_HEADERS = { 'content-type': 'application/json', ...SIMULATOR_HEADER };
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...SIMULATOR_HEADER };
const MODEL = /"model"\s*:\s*"([^"\\]{1,100})"/;
const STREAM = /"stream"\s*:\s*true/;

export class FastPath {
  private readonly prepared = new Map<string, Prepared>();

  constructor(private readonly fingerprintOf: (model: string) => { model: string; fingerprint: string }) {}

  /** Drops the prepared buffers (after a fingerprint change). */
  reset(): void {
    this.prepared.clear();
  }

  respond(body: string, res: ServerResponse): string {
    const model = MODEL.exec(body)?.[1] ?? 'gpt-4.1-2025-04-14';
    let p = this.prepared.get(model);
    if (!p) {
      if (this.prepared.size > 1000) this.prepared.clear();
      p = this.prepare(model);
      this.prepared.set(model, p);
    }
    const buf = STREAM.test(body) ? p.sse : p.json;
    res.writeHead(200, { ...(buf === p.sse ? SSE_HEADERS : JSON_HEADERS), 'content-length': buf.length });
    res.end(buf);
    return model;
  }

  private prepare(requested: string): Prepared {
    const { model, fingerprint } = this.fingerprintOf(requested);
    const head = { id: 'chatcmpl-simfast', created: 1744588800, model, system_fingerprint: fingerprint };
    const json = {
      ...head,
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'OK', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: USAGE,
    };
    const chunk = (delta: object, finish: string | null) => ({ ...head, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
    const sse = [
      chunk({ role: 'assistant', content: 'OK' }, null),
      chunk({}, 'stop'),
      { ...head, object: 'chat.completion.chunk', choices: [], usage: USAGE },
    ]
      .map((c) => `data: ${JSON.stringify(c)}\n\n`)
      .join('') + 'data: [DONE]\n\n';
    return { json: Buffer.from(JSON.stringify(json)), sse: Buffer.from(sse) };
  }
}
