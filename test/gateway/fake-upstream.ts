/** A tiny OpenAI-compatible upstream for gateway tests: records every request, answers as told. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAnswer {
  status?: number;
  content?: string | null;
  model?: string;
  fingerprint?: string;
  usage?: Record<string, unknown> | null;
  toolCalls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  headers?: Record<string, string>;
  /** Raw error body for non-2xx. */
  error?: string;
  delayMs?: number;
}

export interface FakeUpstream {
  url: string;
  requests: Record<string, any>[];
  answer: (body: Record<string, any>) => FakeAnswer;
  close(): Promise<void>;
}

export const USAGE = { prompt_tokens: 1000, completion_tokens: 200, prompt_tokens_details: { cached_tokens: 400 }, completion_tokens_details: { reasoning_tokens: 50 } };

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const fake: FakeUpstream = {
    url: '',
    requests: [],
    answer: () => ({}),
    close: async () => {},
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>;
    fake.requests.push(body);
    const a = fake.answer(body);
    if (a.delayMs) await new Promise((r) => setTimeout(r, a.delayMs));
    const status = a.status ?? 200;
    if (status !== 200) {
      res.writeHead(status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.error ?? JSON.stringify({ error: { message: 'fake failure' } }));
      return;
    }
    const model = a.model ?? body.model;
    const fp = a.fingerprint ?? 'fp_fake_1';
    const usage = a.usage === undefined ? USAGE : a.usage;
    const content = a.content === undefined ? 'hello from the fake' : a.content;
    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model, system_fingerprint: fp };
      const send = (o: unknown) => res.write(`data: ${JSON.stringify(o)}\n\n`);
      send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
      for (const part of (content ?? '').match(/.{1,5}/g) ?? []) {
        send({ ...base, choices: [{ index: 0, delta: { content: part }, finish_reason: null }] });
        await new Promise((r) => setImmediate(r));
      }
      if (a.toolCalls) send({ ...base, choices: [{ index: 0, delta: { tool_calls: a.toolCalls.map((t, index) => ({ index, ...t })) }, finish_reason: null }] });
      send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: a.toolCalls ? 'tool_calls' : 'stop' }] });
      if (body.stream_options?.include_usage && usage) send({ ...base, choices: [], usage });
      res.end('data: [DONE]\n\n');
      return;
    }
    const payload = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model,
      system_fingerprint: fp,
      choices: [{ index: 0, message: { role: 'assistant', content, ...(a.toolCalls ? { tool_calls: a.toolCalls } : {}) }, finish_reason: a.toolCalls ? 'tool_calls' : 'stop' }],
      ...(usage ? { usage } : {}),
    };
    res.writeHead(200, { 'content-type': 'application/json', ...a.headers });
    res.end(JSON.stringify(payload));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  fake.close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return fake;
}
