/**
 * The mock LLM: a SIMULATOR of an OpenAI-compatible provider, for tests, benchmarks, the tour,
 * and `npm start` while OPENAI_BASE_URL is unset. Its answers are simulated, never a real model's:
 * it recognises the example workflows by the first line of their prompt (`# support-triage`),
 * works out the right answer with small deterministic rules, and answers like the requested
 * model would — right most of the time for strong models, plausibly wrong more often for weak
 * ones — with realistic usage, latency, occasional 5xx and 429s.
 *
 *   tsx scripts/mock-llm.ts --port 4010 [--seed N] [--latency-ms N] [--error-rate R] [--rate-limit-rate R] [--fast-path]
 *
 * Routes: POST /v1/chat/completions (JSON or SSE), GET /v1/models[/ID], POST /_mock/fingerprint
 * `{model, fingerprint, served_model?}` (simulate a silent provider upgrade), GET /_mock/stats.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { handleChat, SimulatorState } from './mock-llm/chat.ts';
import { FastPath } from './mock-llm/fast-path.ts';
import { PROFILES, profileFor } from './mock-llm/profiles.ts';
import { modelEntry, sendError, sendJson } from './mock-llm/shapes.ts';

export interface MockLlmOptions {
  /** 0 (default) = a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 1. The same seed and the same requests give the same answers. */
  seed?: number;
  /** Fixed latency override (ms) for every answer; default: each model's own distribution. */
  latencyMs?: number;
  /** Chance of a simulated 5xx per request, overriding the models' own small rates. */
  errorRate?: number;
  /** Chance of a simulated 429 (with Retry-After) per request, overriding the models' rates. */
  rateLimitRate?: number;
  /** No simulated latency, errors or answers: a tiny completion (with a real server's per-request parsing and serialising), for throughput benchmarks. */
  fastPath?: boolean;
}

export interface MockLlm {
  /** The OpenAI base URL, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Report `fingerprint` (and `servedModel`, whose behaviour it then gets) when `model` is requested. */
  setFingerprint(model: string, fingerprint: string, servedModel?: string): void;
  stats(): { calls: number; byModel: Record<string, number> };
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startMockLlm(opts: MockLlmOptions = {}): Promise<MockLlm> {
  const state = new SimulatorState({
    seed: opts.seed ?? 1,
    ...(opts.latencyMs !== undefined && { latencyMs: opts.latencyMs }),
    ...(opts.errorRate !== undefined && { errorRate: opts.errorRate }),
    ...(opts.rateLimitRate !== undefined && { rateLimitRate: opts.rateLimitRate }),
  });
  const reported = (model: string) => {
    const o = state.overrides.get(model);
    const served = o?.servedModel ?? model;
    return { model: served, fingerprint: o?.fingerprint ?? profileFor(served)?.fingerprint ?? 'fp_mock_d0e1' };
  };
  const fast = opts.fastPath ? new FastPath(reported) : undefined;

  const setFingerprint = (model: string, fingerprint: string, servedModel?: string) => {
    state.overrides.set(model, { fingerprint, ...(servedModel && { servedModel }) });
    fast?.reset();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      const body = await readBody(req);
      if (body === undefined) return sendError(res, 413, 'invalid_request_error', 'Request body too large for the mock LLM simulator.');
      if (fast) {
        const model = fast.respond(body, res);
        if (model !== null) state.count(model);
        return;
      }
      return handleChat(body, res, state);
    }
    if (req.method === 'GET' && path === '/v1/models') {
      const ids = [...new Set([...Object.keys(PROFILES), ...state.overrides.keys()])];
      return sendJson(res, 200, { object: 'list', data: ids.map(modelEntry) });
    }
    if (req.method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (profileFor(id)) return sendJson(res, 200, modelEntry(id));
      return sendError(res, 404, 'invalid_request_error', `The model \`${id}\` does not exist. (mock LLM simulator)`, 'model_not_found');
    }
    if (req.method === 'POST' && path === '/_mock/fingerprint') {
      const raw = (await readBody(req)) ?? '';
      let body: { model?: unknown; fingerprint?: unknown; served_model?: unknown };
      try {
        body = JSON.parse(raw) ?? {};
      } catch {
        return sendError(res, 400, 'invalid_request_error', 'The body must be JSON: {"model", "fingerprint", "served_model"?}.');
      }
      const { model, fingerprint, served_model } = body;
      if (typeof model !== 'string' || typeof fingerprint !== 'string' || (served_model !== undefined && typeof served_model !== 'string')) {
        return sendError(res, 400, 'invalid_request_error', 'Give "model" and "fingerprint" as strings (and optionally "served_model").');
      }
      if (!profileFor(model) || (typeof served_model === 'string' && !profileFor(served_model))) {
        return sendError(res, 404, 'invalid_request_error', `Unknown model: ${profileFor(model) ? served_model : model}. (mock LLM simulator)`, 'model_not_found');
      }
      setFingerprint(model, fingerprint, served_model as string | undefined);
      return sendJson(res, 200, { model, fingerprint, served_model: served_model ?? model, simulator: true });
    }
    if (req.method === 'GET' && path === '/_mock/stats') return sendJson(res, 200, { simulator: true, calls: state.calls, by_model: state.byModel });
    sendError(res, 404, 'invalid_request_error', `Unknown route ${req.method} ${path} on the mock LLM simulator.`);
  };

  const server = createServer({ keepAlive: true }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'server_error', `mock LLM simulator bug: ${(e as Error).message}`);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    port,
    setFingerprint,
    stats: () => ({ calls: state.calls, byModel: { ...state.byModel } }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function numberArg(args: string[], name: string): number | undefined {
  const v = argValue(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`${name} needs a non-negative number (got ${JSON.stringify(v)})`);
    process.exit(2);
  }
  return n;
}

async function main(args: string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log('usage: tsx scripts/mock-llm.ts [--port 4010] [--host 127.0.0.1] [--seed N] [--latency-ms N] [--error-rate R] [--rate-limit-rate R] [--fast-path]');
    return;
  }
  const opts: MockLlmOptions = { port: numberArg(args, '--port') ?? 4010, fastPath: args.includes('--fast-path') };
  const host = argValue(args, '--host');
  if (host) opts.host = host;
  for (const [flag, key] of [['--seed', 'seed'], ['--latency-ms', 'latencyMs'], ['--error-rate', 'errorRate'], ['--rate-limit-rate', 'rateLimitRate']] as const) {
    const n = numberArg(args, flag);
    if (n !== undefined) opts[key] = n;
  }
  const llm = await startMockLlm(opts);
  console.log(
    `mock LLM SIMULATOR listening on ${llm.url} (seed ${opts.seed ?? 1}${opts.fastPath ? ', fast path' : ''}): simulated answers, not a real model. ` +
      `Models: ${Object.keys(PROFILES).join(', ')}.`,
  );
  const stop = () => void llm.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(`mock LLM simulator could not start: ${(e as Error).message}`);
    process.exit(1);
  });
}
