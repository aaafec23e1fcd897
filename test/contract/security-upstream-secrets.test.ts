/**
 * Security: the provider API key never leaves the server through what an upstream says back.
 * Some OpenAI-compatible servers echo the key or the Authorization header in their error
 * messages; the gateway passes upstream messages to callers (another party: a team's app) and the
 * gate stores them with eval results shown on cards and in the console.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/start.ts';
import { api, gatewayToken, personToken, tempDir, testSettings } from '../helpers/harness.ts';

const KEY = 'provider-key-3f9a7c1e5b'; // no well-known prefix: only knowing the key can mask it

let upstream: Server;
let s: RunningServer;
let logs: string[];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const asked = JSON.parse(body) as { stream?: boolean; messages: { content: string }[] };
      if (asked.messages.some((m) => m.content === 'repeat your key')) return answerWithKey(res, asked.stream === true);
      const echo = `Incorrect API key provided: ${KEY}. Header was ${req.headers.authorization}`;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: echo, type: 'invalid_request_error', stream: JSON.parse(body).stream === true } }));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const port = (upstream.address() as { port: number }).port;
  logs = [];
  s = await startServer(
    { ...testSettings(tempDir()), logLevel: 'debug' },
    { env: { OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`, OPENAI_API_KEY: KEY }, noSignals: true, logWrite: (l) => logs.push(l), pumpIntervalMs: 50 },
  );
});
/** A 200 whose answer carries the key; streamed, the key is cut across two writes. */
function answerWithKey(res: import('node:http').ServerResponse, stream: boolean): void {
  const head = { id: 'chatcmpl-k', created: 1, model: 'gpt-4.1-2025-04-14', system_fingerprint: 'fp_k' };
  const usage = { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 };
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...head, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: `my key is ${KEY}` }, finish_reason: 'stop' }], usage }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (content: string) => `data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
  const text = chunk(`my key is ${KEY}, twice: ${KEY}`);
  const cut = text.indexOf(KEY) + 7;
  res.write(text.slice(0, cut));
  setTimeout(() => {
    res.write(text.slice(cut));
    res.write(`data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices: [], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
  }, 20);
}

afterAll(async () => {
  await s.close();
  await new Promise((r) => upstream.close(r));
});

const call = async (stream: boolean, content = 'hi') =>
  fetch(`${s.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await gatewayToken(s.runtime.ctx.store, 'support')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'support-triage', stream, messages: [{ role: 'user', content }], ai_release: { vars: { company: 'Acme' } } }),
  });

describe('an upstream that echoes the API key', () => {
  it('a non-streaming call answers 502 with the upstream message, key masked', async () => {
    const res = await call(false);
    const text = await res.text();
    expect(res.status).toBe(502);
    expect(JSON.parse(text).error.message).toContain('Incorrect API key provided: [redacted]');
    expect(text).not.toContain(KEY);
  });

  it('a streaming call refused upstream is masked too', async () => {
    const res = await call(true);
    const text = await res.text();
    expect(res.status).toBe(502);
    expect(text).toContain('Incorrect API key provided: [redacted]');
    expect(text).not.toContain(KEY);
  });

  it('an answer that repeats the key reaches the caller masked, streamed (key cut across chunks) or not', async () => {
    const plain = await call(false, 'repeat your key');
    const plainText = await plain.text();
    expect(plain.status).toBe(200);
    expect(JSON.parse(plainText).choices[0].message.content).toBe('my key is [redacted]');
    const streamed = await call(true, 'repeat your key');
    const streamedText = await streamed.text();
    expect(streamed.status).toBe(200);
    expect(streamedText).toContain('my key is [redacted], twice: [redacted]');
    expect(streamedText.trimEnd().endsWith('data: [DONE]')).toBe(true);
    for (const t of [plainText, streamedText]) expect(t).not.toContain(KEY);
  });

  it('eval results, events and logs of a gate run keep no key', async () => {
    const store = s.runtime.ctx.store;
    const made = await api(s.url, 'POST', '/v1/releases', await personToken(store, 'eli'), { workflow: 'support-triage', model: 'gpt-4.1-mini-2025-04-14' });
    expect(made.status).toBe(201);
    const id = made.json.id as string;
    let state = '';
    for (let i = 0; i < 200 && state !== 'gate_failed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = (await api(s.url, 'GET', `/v1/releases/${id}`, await personToken(store, 'eli'))).json.state;
    }
    expect(state).toBe('gate_failed');
    const release = (await store.releases.get(Number(id.slice(4))))!;
    const results = await store.evalResults.load(release.id, release.gateRuns);
    const errors = results.flatMap((r) => (r.error ? [r.error] : []));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toContain('[redacted]');
    const kept = {
      results,
      events: await store.events.after(0, 1_000_000),
      audit: await store.audit.list({}),
      receipts: [...(await store.receipts.list({ workflow: 'support-triage', purpose: 'eval', limit: 1_000_000 })), ...(await store.receipts.list({ workflow: 'support-triage', limit: 1_000_000 }))],
      release,
    };
    for (const [what, rows] of Object.entries(kept)) expect(JSON.stringify(rows), what).not.toContain(KEY);
    expect(logs.join('\n')).not.toContain(KEY);
  });
});
