import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Upstreams, type UpstreamTarget } from '../../src/gateway/upstream.ts';

type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
  body: any;
}

interface Fake {
  target: UpstreamTarget;
  seen: Seen[];
  close(): Promise<void>;
}

const servers: Server[] = [];
const clients: Upstreams[] = [];
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const t of timers.splice(0)) clearTimeout(t);
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A local OpenAI-compatible fake: request n gets behaviours[n] (the last one repeats). */
async function fakeUpstream(...behaviours: Behaviour[]): Promise<Fake> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      seen.push({ url: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : null });
      const behaviour = behaviours[Math.min(seen.length - 1, behaviours.length - 1)];
      behaviour(req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    target: { baseUrl: `http://127.0.0.1:${port}/v1` },
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function later(ms: number, fn: () => void): void {
  timers.push(setTimeout(fn, ms));
}

const completion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  model: 'gpt-4.1-2025-04-14',
  system_fingerprint: 'fp_abc',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
};

function json(status: number, body: unknown, headers: Record<string, string> = {}): Behaviour {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

const ok = json(200, completion, { 'x-request-id': 'req_1' });
const rateLimited = (retryAfter?: string): Behaviour =>
  json(429, { error: { message: 'Rate limit reached for gpt-4.1', type: 'requests' } }, retryAfter ? { 'retry-after': retryAfter } : {});

function client(random = 0) {
  const sleeps: number[] = [];
  const up = new Upstreams({
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => random,
  });
  clients.push(up);
  return { up, sleeps };
}

const body = { model: 'gpt-4.1-2025-04-14', messages: [{ role: 'user', content: 'hi' }], max_tokens: 50 };

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe('callChat', () => {
  it('posts the body to {baseUrl}/chat/completions and returns the parsed JSON', async () => {
    const fake = await fakeUpstream(ok);
    const { up } = client();
    const r = await up.callChat({ target: fake.target, body, timeoutMs: 2000 });
    expect(r).toMatchObject({ ok: true, status: 200, attempts: 1, json: completion });
    if (r.ok) expect(r.headers['x-request-id']).toBe('req_1');
    expect(fake.seen[0].url).toBe('/v1/chat/completions');
    expect(fake.seen[0].body).toEqual(body);
  });

  it('sends Authorization: Bearer only when an apiKey is set', async () => {
    const fake = await fakeUpstream(ok);
    const { up } = client();
    await up.callChat({ target: { ...fake.target, apiKey: 'sk-test-123' }, body, timeoutMs: 2000 });
    await up.callChat({ target: fake.target, body, timeoutMs: 2000 });
    expect(fake.seen[0].headers.authorization).toBe('Bearer sk-test-123');
    expect(fake.seen[1].headers.authorization).toBeUndefined();
  });

  it('retries a 429 once with jittered backoff, then succeeds', async () => {
    const fake = await fakeUpstream(rateLimited(), ok);
    const { up, sleeps } = client(0);
    const r = await up.callChat({ target: fake.target, body, timeoutMs: 2000 });
    expect(r).toMatchObject({ ok: true, attempts: 2 });
    expect(fake.seen).toHaveLength(2);
    expect(sleeps).toEqual([25]); // 50 ms × 2^0, jitter 0 → lower half bound
  });

  it('gives up on a 429 that persists: upstream_rate_limited with the upstream Retry-After', async () => {
    const fake = await fakeUpstream(rateLimited('1'));
    const { up, sleeps } = client();
    const r = await up.callChat({ target: fake.target, body, timeoutMs: 10_000 });
    expect(r).toMatchObject({
      ok: false,
      errorType: 'upstream_rate_limited',
      status: 429,
      retryAfterSec: 1,
      upstreamStatus: 429,
      attempts: 3,
    });
    if (!r.ok) expect(r.message).toContain('Rate limit reached for gpt-4.1');
    expect(sleeps).toEqual([1000, 1000]); // a short Retry-After (≤ 2 s) is honoured
  });

  it('does not wait out a long Retry-After: answers 429 at once with it', async () => {
    const fake = await fakeUpstream(rateLimited('30'));
    const { up, sleeps } = client();
    const r = await up.callChat({ target: fake.target, body, timeoutMs: 10_000 });
    expect(r).toMatchObject({ ok: false, errorType: 'upstream_rate_limited', retryAfterSec: 30, attempts: 1 });
    expect(sleeps).toEqual([]);
  });

  it('defaults retryAfterSec to 1 when the upstream gives none', async () => {
    const fake = await fakeUpstream(rateLimited());
    const { up, sleeps } = client(1);
    const r = await up.callChat({ target: fake.target, body, timeoutMs: 10_000 });
    expect(r).toMatchObject({ ok: false, errorType: 'upstream_rate_limited', retryAfterSec: 1, attempts: 3 });
    expect(sleeps).toEqual([50, 100]); // exponential: 50 ms then 100 ms (jitter 1 → upper bound)
  });

  it('retries a 503, then succeeds', async () => {
    const fake = await fakeUpstream(json(503, { error: { message: 'overloaded' } }), ok);
    const { up } = client();
    const r = await up.callChat({ target: fake.target, body, timeoutMs: 2000 });
    expect(r).toMatchObject({ ok: true, attempts: 2 });
  });

  it('never retries a 500: 502 upstream_error naming the upstream status and message', async () => {
    const fake = await fakeUpstream(json(500, { error: { message: 'The server had an error' } }), ok);
    const { up, sleeps } = client();
    const r = await up.callChat({ target: fake.target, body, timeoutMs: 2000 });
    expect(r).toMatchObject({ ok: false, errorType: 'upstream_error', status: 502, upstreamStatus: 500, attempts: 1 });
    if (!r.ok) expect(r.message).toContain('The server had an error');
    expect(fake.seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('maps an upstream 400 to 502 upstream_error carrying the upstream message, without retry', async () => {
    const fake = await fakeUpstream(json(400, { error: { message: "Invalid value for 'temperature'" } }), ok);
    const { up } = client();
    const r = await up.callChat({ target: fake.target, body, timeoutMs: 2000 });
    expect(r).toMatchObject({ ok: false, errorType: 'upstream_error', status: 502, upstreamStatus: 400, attempts: 1 });
    if (!r.ok) expect(r.message).toContain("Invalid value for 'temperature'");
    expect(fake.seen).toHaveLength(1);
  });

  it('retries a refused connection, then reports upstream_error', async () => {
    const port = await closedPort();
    const { up, sleeps } = client(1);
    const r = await up.callChat({ target: { baseUrl: `http://127.0.0.1:${port}/v1` }, body, timeoutMs: 5000 });
    expect(r).toMatchObject({ ok: false, errorType: 'upstream_error', status: 502, attempts: 3 });
    if (!r.ok) {
      expect(r.message).toContain('ECONNREFUSED');
      expect(r.upstreamStatus).toBeUndefined();
    }
    expect(sleeps).toEqual([50, 100]);
  });

  it('retries a connection reset before any response, then succeeds', async () => {
    const fake = await fakeUpstream((req) => req.socket.destroy(), ok);
    const { up } = client();
    const r = await up.callChat({ target: fake.target, body, timeoutMs: 2000 });
    expect(r).toMatchObject({ ok: true, attempts: 2 });
    expect(fake.seen).toHaveLength(2);
  });

  it('honours maxRetries: 0', async () => {
    const fake = await fakeUpstream(rateLimited());
    const { up } = client();
    const r = await up.callChat({ target: fake.target, body, timeoutMs: 2000, maxRetries: 0 });
    expect(r).toMatchObject({ ok: false, errorType: 'upstream_rate_limited', attempts: 1 });
    expect(fake.seen).toHaveLength(1);
  });

  it('times out a slow upstream within the timeout: 504 upstream_timeout', async () => {
    const fake = await fakeUpstream((_req, res) => later(3000, () => ok(_req, res)));
    const { up } = client();
    const t0 = Date.now();
    const r = await up.callChat({ target: fake.target, body, timeoutMs: 150 });
    const elapsed = Date.now() - t0;
    expect(r).toMatchObject({ ok: false, errorType: 'upstream_timeout', status: 504, attempts: 1 });
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1000);
  });

  it('reports a 200 whose body is not JSON as upstream_error', async () => {
    const fake = await fakeUpstream((_req, res) => res.end('<html>gateway</html>'));
    const { up } = client();
    const r = await up.callChat({ target: fake.target, body, timeoutMs: 2000 });
    expect(r).toMatchObject({ ok: false, errorType: 'upstream_error', status: 502, upstreamStatus: 200 });
  });

  it('refuses a baseUrl that is not http(s) as a value, not an exception', async () => {
    const { up } = client();
    const r = await up.callChat({ target: { baseUrl: 'not a url' }, body, timeoutMs: 2000 });
    expect(r).toMatchObject({ ok: false, errorType: 'upstream_error', status: 502 });
    if (!r.ok) expect(r.message).toContain('not a URL');
  });

  it('reuses one keep-alive connection for calls to the same origin', async () => {
    const ports = new Set<number>();
    const fake = await fakeUpstream((req, res) => {
      ports.add(req.socket.remotePort ?? 0);
      ok(req, res);
    });
    const { up } = client();
    for (let i = 0; i < 10; i++) await up.callChat({ target: fake.target, body, timeoutMs: 2000 });
    // sequential calls share pooled sockets (undici may hand the next call to a second socket
    // while the first finishes its bookkeeping) instead of opening one per call
    expect(fake.seen).toHaveLength(10);
    expect(ports.size).toBeLessThanOrEqual(2);
    expect(up.get(fake.target)).toBe(up.get({ baseUrl: `${fake.target.baseUrl}/` }));
  });
});

/** SSE lines the way OpenAI streams a chat completion. */
function sse(events: unknown[]): string {
  return events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
}

const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-2',
  object: 'chat.completion.chunk',
  model: 'gpt-4.1-2025-04-14',
  system_fingerprint: 'fp_stream',
  choices: [{ index: 0, delta, finish_reason: null }],
  ...extra,
});

const usageChunk = {
  id: 'chatcmpl-2',
  object: 'chat.completion.chunk',
  model: 'gpt-4.1-2025-04-14',
  system_fingerprint: 'fp_stream',
  choices: [],
  usage: {
    prompt_tokens: 1200,
    completion_tokens: 300,
    total_tokens: 1500,
    prompt_tokens_details: { cached_tokens: 1024 },
    completion_tokens_details: { reasoning_tokens: 120 },
  },
};

function sseHead(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
}

describe('streamChat', () => {
  it('forwards the first chunk before the upstream has finished, then parses usage from the final chunk', async () => {
    const first = sse([chunk({ role: 'assistant', content: 'Hel' })]).replace('data: [DONE]\n\n', '');
    const rest =
      `data: ${JSON.stringify(chunk({ content: 'lo' }))}\n\n` +
      `data: ${JSON.stringify({ ...chunk({}), choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n` +
      `data: ${JSON.stringify(usageChunk)}\n\ndata: [DONE]\n\n`;
    let restSent = false;
    const fake = await fakeUpstream((_req, res) => {
      sseHead(res);
      res.write(first);
      later(200, () => {
        restSent = true;
        res.end(rest);
      });
    });
    const { up } = client();
    const received: Buffer[] = [];
    const restSentAtChunk: boolean[] = [];
    const r = await up.streamChat(
      { target: fake.target, body: { ...body, stream_options: { foo: 1 } }, timeoutMs: 2000 },
      {
        onChunk(raw) {
          restSentAtChunk.push(restSent);
          received.push(raw);
        },
      },
    );
    expect(restSentAtChunk[0]).toBe(false); // forwarded while the upstream was still waiting
    expect(restSentAtChunk.at(-1)).toBe(true);
    expect(Buffer.concat(received).toString('utf8')).toBe(first + rest); // verbatim
    expect(r).toMatchObject({
      ok: true,
      status: 200,
      attempts: 1,
      content: 'Hello',
      model: 'gpt-4.1-2025-04-14',
      systemFingerprint: 'fp_stream',
      finishReason: 'stop',
      usage: { inputTokens: 1200, cachedTokens: 1024, outputTokens: 300, reasoningTokens: 120 },
      toolCalls: [],
    });
    expect(fake.seen[0].body.stream).toBe(true);
    expect(fake.seen[0].body.stream_options).toEqual({ foo: 1, include_usage: true });
  });

  it('reads SSE split across TCP writes mid-line and mid-character, assembling text and tool calls', async () => {
    const text = sse([
      chunk({ role: 'assistant', content: 'Café ☕ ' }),
      chunk({ content: 'prêt' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"id":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"A-17"}' } }] }),
      usageChunk,
    ]).replace(/\n\n/g, '\r\n\r\n');
    const bytes = Buffer.from(text, 'utf8');
    const cafe = bytes.indexOf(Buffer.from('é'));
    const cup = bytes.indexOf(Buffer.from('☕'));
    // cut inside "data:", inside the two-byte é, inside the three-byte ☕, and between \r and \n
    const cuts = [3, cafe + 1, cup + 2, bytes.indexOf(Buffer.from('\r\n')) + 1, bytes.indexOf(Buffer.from('prêt')) + 3, bytes.length - 7];
    const pieces: Buffer[] = [];
    let at = 0;
    for (const c of [...new Set(cuts)].sort((a, b) => a - b)) {
      pieces.push(bytes.subarray(at, c));
      at = c;
    }
    pieces.push(bytes.subarray(at));
    const fake = await fakeUpstream((_req, res) => {
      sseHead(res);
      let i = 0;
      const next = () => {
        if (i === pieces.length) return res.end();
        res.write(pieces[i++]);
        later(15, next);
      };
      next();
    });
    const { up } = client();
    let calls = 0;
    const received: Buffer[] = [];
    const r = await up.streamChat({ target: fake.target, body, timeoutMs: 2000 }, {
      onChunk(raw) {
        calls++;
        received.push(raw);
      },
    });
    expect(calls).toBeGreaterThan(1);
    expect(Buffer.concat(received).equals(bytes)).toBe(true);
    expect(r).toMatchObject({
      ok: true,
      content: 'Café ☕ prêt',
      toolCalls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"id":"A-17"}' } }],
      usage: { inputTokens: 1200, cachedTokens: 1024, outputTokens: 300, reasoningTokens: 120 },
    });
  });

  it('retries a 429 before the stream began, forwarding nothing of it', async () => {
    const fake = await fakeUpstream(rateLimited(), (_req, res) => {
      sseHead(res);
      res.end(sse([chunk({ content: 'ok' }), usageChunk]));
    });
    const { up } = client();
    const received: string[] = [];
    const r = await up.streamChat({ target: fake.target, body, timeoutMs: 2000 }, { onChunk: (b) => received.push(b.toString()) });
    expect(r).toMatchObject({ ok: true, attempts: 2, content: 'ok' });
    expect(received.join('')).not.toContain('Rate limit');
  });

  it('does not retry a 500 and reports it as not started', async () => {
    const fake = await fakeUpstream(json(500, { error: { message: 'boom' } }));
    const { up } = client();
    let calls = 0;
    const r = await up.streamChat({ target: fake.target, body, timeoutMs: 2000 }, { onChunk: () => calls++ });
    expect(r).toMatchObject({ ok: false, errorType: 'upstream_error', status: 502, upstreamStatus: 500, started: false, attempts: 1 });
    expect(calls).toBe(0);
    expect(fake.seen).toHaveLength(1);
  });

  it('never retries once a 200 stream began: a dropped connection is a started upstream_error', async () => {
    const fake = await fakeUpstream((_req, res) => {
      sseHead(res);
      res.write(`data: ${JSON.stringify(chunk({ content: 'partial' }))}\n\n`);
      later(50, () => res.socket?.destroy());
    });
    const { up, sleeps } = client();
    const r = await up.streamChat({ target: fake.target, body, timeoutMs: 2000 }, { onChunk: () => {} });
    expect(r).toMatchObject({ ok: false, errorType: 'upstream_error', status: 502, started: true, attempts: 1 });
    expect(fake.seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('times out a stream that goes silent mid-way: started upstream_timeout', async () => {
    const fake = await fakeUpstream((_req, res) => {
      sseHead(res);
      res.write(`data: ${JSON.stringify(chunk({ content: 'partial' }))}\n\n`);
    });
    const { up } = client();
    const t0 = Date.now();
    const r = await up.streamChat({ target: fake.target, body, timeoutMs: 150 }, { onChunk: () => {} });
    expect(r).toMatchObject({ ok: false, errorType: 'upstream_timeout', status: 504, started: true });
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('keeps a stream that keeps flowing alive past timeoutMs (the timeout is per silence)', async () => {
    const fake = await fakeUpstream((_req, res) => {
      sseHead(res);
      let n = 0;
      const tick = () => {
        if (n === 4) return res.end(sse([usageChunk]));
        res.write(`data: ${JSON.stringify(chunk({ content: String(n++) }))}\n\n`);
        later(80, tick);
      };
      tick();
    });
    const { up } = client();
    const r = await up.streamChat({ target: fake.target, body, timeoutMs: 200 }, { onChunk: () => {} });
    expect(r).toMatchObject({ ok: true, content: '0123' });
  });

  it('stops when the caller aborts (client went away)', async () => {
    const fake = await fakeUpstream((_req, res) => {
      sseHead(res);
      res.write(`data: ${JSON.stringify(chunk({ content: 'partial' }))}\n\n`);
    });
    const { up } = client();
    const abort = new AbortController();
    const r = await up.streamChat({ target: fake.target, body, timeoutMs: 5000, signal: abort.signal }, { onChunk: () => abort.abort() });
    expect(r).toMatchObject({ ok: false, errorType: 'upstream_error', started: true });
    if (!r.ok) expect(r.message).toContain('cancelled');
  });
});
