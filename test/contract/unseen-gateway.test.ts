/**
 * Gateway traffic shapes against a configuration unlike the example: two providers with their
 * own keys, a byte-order mark, HEAD requests, streams with and without `stream_options`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/harness.ts';
import { writeConfig } from './unseen-fixture.ts';

interface Upstream {
  url: string;
  seen: { auth: string | null; body: Record<string, any> }[];
  server: Server;
}

const USAGE = { prompt_tokens: 50, completion_tokens: 20, total_tokens: 70 };

async function upstream(): Promise<Upstream> {
  const u: Upstream = { url: '', seen: [], server: undefined as unknown as Server };
  u.server = createServer(async (req, res) => {
    let text = '';
    for await (const c of req) text += c;
    const body = JSON.parse(text) as Record<string, any>;
    u.seen.push({ auth: req.headers.authorization ?? null, body });
    const base = { id: 'c1', object: 'chat.completion.chunk', model: body.model, system_fingerprint: 'fp_x' };
    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '{"amount": 42}' } }] })}\n\n`);
      res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
      if (body.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ ...base, choices: [], usage: USAGE })}\n\n`);
      res.end('data: [DONE]\n\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'c1', object: 'chat.completion', model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: '{"amount": 42}' }, finish_reason: 'stop' }], usage: USAGE }));
  });
  await new Promise<void>((r) => u.server.listen(0, '127.0.0.1', r));
  u.url = `http://127.0.0.1:${(u.server.address() as AddressInfo).port}/v1`;
  return u;
}

let acme: Upstream;
let oai: Upstream;
let s: TestServer;
let gw: string;

beforeAll(async () => {
  [acme, oai] = await Promise.all([upstream(), upstream()]);
  const configPath = writeConfig({ critic: true });
  s = await startTestServer({
    env: { ACME_URL: acme.url, OAI_URL: oai.url, ACME_KEY: 'sk-acme-secret', OAI_KEY: 'sk-oai-secret' },
    settings: { configPath },
  });
  gw = await s.gatewayToken('quiet');
});
afterAll(async () => {
  await s.close();
  await Promise.all([acme, oai].map((u) => new Promise((r) => u.server.close(r))));
});

function post(body: string | Blob, headers: Record<string, string> = {}) {
  return fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${gw}`, ...headers }, body });
}
const vars = { ai_release: { vars: { shop: 'Acme' } } };

async function receiptOf(id: string): Promise<Record<string, any>> {
  for (let i = 0; i < 100; i++) {
    const r = (await s.store.receipts.get(id)) as Record<string, any> | undefined;
    if (r) return r;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`no receipt ${id}`);
}

describe('gateway with two providers and unusual model ids', () => {
  it("each workflow's call goes to its own provider with its own key as a Bearer token", async () => {
    const a = await post(JSON.stringify({ model: 'acme-flow', messages: [{ role: 'user', content: 'hi' }], ...vars }));
    const b = await post(JSON.stringify({ model: 'llama', messages: [{ role: 'user', content: 'hi' }], ...vars }));
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(acme.seen.at(-1)).toMatchObject({ auth: 'Bearer sk-acme-secret', body: { model: 'acme-large@v3' } });
    expect(oai.seen.at(-1)).toMatchObject({ auth: 'Bearer sk-oai-secret', body: { model: 'meta/llama-3.1-70b@v2' } });
    const rec = await receiptOf(b.headers.get('x-ai-release-receipt')!);
    expect(rec).toMatchObject({ provider: 'openai', model_requested: 'meta/llama-3.1-70b@v2', input_tokens: 50 });
    // 50 × $0.80 + 20 × $0.80 per 1M (cachedInput defaults to input)
    expect(rec.cost_usd).toBeCloseTo(0.000056, 9);
  });

  it('a JSON body with a UTF-8 byte order mark and a trailing newline, without Content-Type, is accepted', async () => {
    const text = JSON.stringify({ model: 'acme-flow', messages: [{ role: 'user', content: 'hi' }], ...vars }) + '\n';
    const r = await post(new Blob([new Uint8Array([0xef, 0xbb, 0xbf]), text]));
    expect(r.status).toBe(200);
    expect((await r.json()).choices[0].message.content).toBe('{"amount": 42}');
  });

  it('HEAD on a GET route answers like GET, without a body', async () => {
    const r = await fetch(`${s.url}/healthz`, { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('');
  });

  it('a stream whose client did not ask for usage gets no usage-only chunk, yet the receipt has the usage', async () => {
    const r = await post(JSON.stringify({ model: 'acme-flow', messages: [{ role: 'user', content: 'hi' }], stream: true, ...vars }));
    const text = await r.text();
    expect(acme.seen.at(-1)!.body.stream_options).toEqual({ include_usage: true });
    const events = text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(chunks.some((c) => c.usage)).toBe(false);
    const rec = await receiptOf(r.headers.get('x-ai-release-receipt')!);
    expect(rec).toMatchObject({ input_tokens: 50, output_tokens: 20, output: '{"amount": 42}' });
  });

  it('a stream whose client asked for usage gets the usage chunk', async () => {
    const r = await post(JSON.stringify({ model: 'acme-flow', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true }, ...vars }));
    const events = (await r.text()).split('\n\n').filter(Boolean);
    const last = JSON.parse(events.at(-2)!.slice(6));
    expect(last).toMatchObject({ choices: [], usage: { prompt_tokens: 50 } });
  });
});

describe('the usage-only chunk filter', () => {
  it('drops only the usage-only event, wherever the bytes are split (also inside a UTF-8 character)', async () => {
    const { UsageChunkFilter } = await import('../../src/gateway/usage-chunk-filter.ts');
    const stream =
      'data: {"choices":[{"index":0,"delta":{"content":"héllo"}}]}\r\n\r\n' +
      'data: {"choices":[],"usage":{"prompt_tokens":5}}\n\n' +
      'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}\n\n' +
      'data: [DONE]\n\n';
    const bytes = Buffer.from(stream);
    for (const size of [1, 3, 7, bytes.length]) {
      const f = new UsageChunkFilter();
      let out = '';
      for (let i = 0; i < bytes.length; i += size) out += f.push(bytes.subarray(i, i + size));
      out += f.end();
      expect(out).toBe(stream.replace('data: {"choices":[],"usage":{"prompt_tokens":5}}\n\n', ''));
    }
  });
});
