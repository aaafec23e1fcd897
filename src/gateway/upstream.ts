/**
 * The one client to OpenAI-compatible upstreams, used by the gateway and the eval runner.
 * One keep-alive undici Pool per origin; the request body is serialised once and reused across
 * retries; responses are parsed once. Failures come back as values mapped to the status the
 * gateway answers (502 upstream_error, 504 upstream_timeout, 429 upstream_rate_limited).
 *
 * Timeouts: `timeoutMs` bounds the whole non-streamed call, retries and backoff included. For a
 * stream it bounds the wait for the response to begin (retries included) and then every silence
 * between two chunks, so a long answer that keeps flowing is not cut off.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { Pool, util as undiciUtil } from 'undici';
import type { Dispatcher } from 'undici';
import type { Usage } from '../core/cost.ts';
import { redact } from '../server/log.ts';
import {
  MAX_HONOURED_RETRY_AFTER_SEC,
  backoffMs,
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  upstreamMessage,
} from './upstream-retry.ts';
import {
  CallControl,
  CancelSignal,
  failure,
  type CallerSignal,
  lostMidResponse,
  networkFailure,
  notStarted,
  type UpstreamFailure,
} from './upstream-call.ts';
import { ChatStreamReader, type StreamedToolCall } from './upstream-sse.ts';
import { maskBytes, StreamMask } from './secret-mask.ts';

export type { UpstreamErrorType, UpstreamFailure } from './upstream-call.ts';

export interface UpstreamTarget {
  /** e.g. http://127.0.0.1:4010/v1 — `/chat/completions` is appended. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` only when set. Never logged. */
  apiKey?: string;
}

export interface UpstreamRequest {
  target: UpstreamTarget;
  /** The chat.completions body, already rewritten by the caller. */
  body: Record<string, unknown>;
  timeoutMs: number;
  /** Cancels the call (an AbortSignal, or the cheaper CancelSignal on the gateway's hot path). */
  signal?: CallerSignal;
  /** Default 2 (so at most 3 attempts). */
  maxRetries?: number;
}

export type UpstreamResult =
  | {
      ok: true;
      status: number;
      json: any;
      /** The response body exactly as the upstream sent it (the gateway forwards these bytes). */
      raw: Buffer;
      headers: Record<string, string>;
      attempts: number;
    }
  | UpstreamFailure;

export interface StreamHandlers {
  /** Called with each received chunk, verbatim, as soon as it arrives. */
  onChunk(raw: Buffer): void;
}

export type StreamOutcome =
  | {
      ok: true;
      status: number;
      /** From the final usage chunk (we always ask for it); null if the upstream sent none. */
      usage: Usage | null;
      model: string | null;
      systemFingerprint: string | null;
      finishReason: string | null;
      /** The assembled text of choice 0. */
      content: string;
      /** The assembled tool calls of choice 0, in OpenAI message shape. */
      toolCalls: StreamedToolCall[];
      attempts: number;
    }
  | (UpstreamFailure & { /** Whether any byte was forwarded to onChunk. */ started: boolean });

export interface UpstreamsOptions {
  /** Max sockets per origin; default unlimited (HTTP/1.1: one in-flight call per socket). */
  connections?: number;
  /** Idle keep-alive socket lifetime when the server gives no hint; default 10 s. */
  keepAliveTimeoutMs?: number;
  /** Injectable for tests. Must resolve after `ms` (or reject when `signal` aborts). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Injectable jitter source in [0, 1). */
  random?: () => number;
  /** Wall clock in ms (deadlines, HTTP-date Retry-After). */
  now?: () => number;
}

interface Route {
  pool: Pool;
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** The key sent upstream, masked out of anything the upstream says back. */
  apiKey?: string;
  /** The same key as bytes, for masking answers (streamed or not) before they are passed on. */
  secret?: Buffer;
}

/**
 * What an upstream said, fit to pass on: some OpenAI-compatible servers echo the API key or the
 * Authorization header in their errors, and these messages reach callers, eval results and cards.
 */
function scrubbed(route: Route, text: string): string {
  const key = route.apiKey;
  const masked = key ? text.split(key).join('[redacted]') : text;
  return String(redact(masked)).replace(/\bBearer\s+[^\s"',;]+/gi, 'Bearer [redacted]');
}

const DEFAULT_MAX_RETRIES = 2;

export class Upstreams {
  private pools = new Map<string, Pool>();
  private routes = new WeakMap<UpstreamTarget, Route>();
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: UpstreamsOptions = {}) {
    this.sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal }));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** The pool for the target's origin, created on first use. Throws on a baseUrl that is not http(s). */
  get(target: UpstreamTarget): Pool {
    return this.route(target).pool;
  }

  /** Closes every pool (in-flight calls finish first). Later calls open new pools. */
  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools = new Map();
    this.routes = new WeakMap();
    await Promise.all(pools.map((p) => p.close()));
  }

  /** A non-streamed chat completion. */
  async callChat(req: UpstreamRequest): Promise<UpstreamResult> {
    const route = this.tryRoute(req.target);
    if (typeof route === 'string') return failure('upstream_error', 502, route, 0);
    const payload = JSON.stringify(req.body);
    const call = new CallControl(req.timeoutMs, req.signal, this.now);
    const maxRetries = req.maxRetries ?? DEFAULT_MAX_RETRIES;
    try {
      for (let attempt = 1; ; attempt++) {
        const res = await requestBuffered(route, payload, call.signal);
        if (!res.ok) {
          if (res.midResponse) return call.failureIfAborted(attempt) ?? lostMidResponse(route.origin, res.err, attempt);
          const fail = call.failureIfAborted(attempt) ?? networkFailure(route.origin, res.err, attempt);
          if (!call.aborted && isRetryableNetworkError(res.err) && (await this.backoff(call, attempt, maxRetries))) continue;
          return call.failureIfAborted(attempt) ?? fail;
        }
        const status = res.statusCode;
        if (status >= 200 && status < 300) {
          // A model can be made to repeat the key it was called with: never pass it on.
          const body = route.secret ? maskBytes(res.body, route.secret) : res.body;
          let json: unknown;
          try {
            json = JSON.parse(body.toString('utf8'));
          } catch {
            return failure('upstream_error', 502, `upstream ${route.origin} answered ${status} with a body that is not JSON`, attempt, status);
          }
          // The headers are parsed only if someone reads them (the gateway does not).
          const rawHeaders = res.rawHeaders;
          return {
            ok: true,
            status,
            json,
            raw: body,
            get headers() {
              return flatHeaders(parseRaw(rawHeaders));
            },
            attempts: attempt,
          };
        }
        const fail = this.statusFailure(route, status, parseRaw(res.rawHeaders), res.body.toString('utf8'), attempt);
        if (isRetryableStatus(status) && (await this.backoff(call, attempt, maxRetries, fail.retryAfterRaw))) continue;
        return call.failureIfAborted(attempt) ?? fail.failure;
      }
    } finally {
      call.dispose();
    }
  }

  /**
   * A streamed chat completion: forces `stream: true` and `stream_options.include_usage`, forwards
   * each chunk to `onChunk` as it arrives and reads the SSE on the side. Resolves when the stream ends.
   */
  async streamChat(req: UpstreamRequest, handlers: StreamHandlers): Promise<StreamOutcome> {
    const route = this.tryRoute(req.target);
    if (typeof route === 'string') return notStarted(failure('upstream_error', 502, route, 0));
    const streamOptions = req.body.stream_options;
    const payload = JSON.stringify({
      ...req.body,
      stream: true,
      stream_options: { ...(isObject(streamOptions) ? streamOptions : {}), include_usage: true },
    });
    const call = new CallControl(req.timeoutMs, req.signal, this.now);
    const maxRetries = req.maxRetries ?? DEFAULT_MAX_RETRIES;
    try {
      for (let attempt = 1; ; attempt++) {
        let res: Dispatcher.ResponseData;
        try {
          res = await route.pool.request({
            path: route.path,
            method: 'POST',
            headers: route.headers,
            body: payload,
            signal: call.signal,
          });
        } catch (err) {
          const fail = call.failureIfAborted(attempt) ?? networkFailure(route.origin, err, attempt);
          if (!call.aborted && isRetryableNetworkError(err) && (await this.backoff(call, attempt, maxRetries))) continue;
          return notStarted(call.failureIfAborted(attempt) ?? fail);
        }
        const status = res.statusCode;
        if (status >= 200 && status < 300) {
          // The upstream began answering (and billing): from here on, never retry.
          call.switchToIdleTimeout(req.timeoutMs);
          return await pipeStream(res, handlers, call, route, attempt);
        }
        let text = '';
        try {
          text = await res.body.text();
        } catch {
          // the status alone says enough
        }
        const fail = this.statusFailure(route, status, res.headers, text, attempt);
        if (isRetryableStatus(status) && (await this.backoff(call, attempt, maxRetries, fail.retryAfterRaw))) continue;
        return notStarted(call.failureIfAborted(attempt) ?? fail.failure);
      }
    } finally {
      call.dispose();
    }
  }

  /** Waits before retry `attempt` if one is allowed; false when the call must stop here. */
  private async backoff(call: CallControl, attempt: number, maxRetries: number, retryAfterSec?: number): Promise<boolean> {
    if (attempt > maxRetries || call.aborted) return false;
    if (retryAfterSec !== undefined && retryAfterSec > MAX_HONOURED_RETRY_AFTER_SEC) return false;
    const delay = retryAfterSec !== undefined ? retryAfterSec * 1000 : backoffMs(attempt, this.random);
    if (this.now() + delay >= call.deadline) return false;
    try {
      await this.sleep(delay, call.abortSignal);
    } catch {
      return false;
    }
    return !call.aborted;
  }

  private statusFailure(
    route: Route,
    status: number,
    headers: Record<string, string | string[] | undefined>,
    text: string,
    attempt: number,
  ): { failure: UpstreamFailure; retryAfterRaw?: number } {
    const said = scrubbed(route, upstreamMessage(text));
    const retryAfterRaw = parseRetryAfter(headers['retry-after'], this.now());
    if (status === 429) {
      const retryAfterSec = retryAfterRaw === undefined ? 1 : Math.max(1, Math.ceil(retryAfterRaw));
      const message = `upstream ${route.origin} is rate limiting (429): ${said}`;
      return { failure: failure('upstream_rate_limited', 429, message, attempt, status, retryAfterSec), retryAfterRaw };
    }
    const message = `upstream ${route.origin} answered ${status}: ${said}`;
    return { failure: failure('upstream_error', 502, message, attempt, status), retryAfterRaw };
  }

  private tryRoute(target: UpstreamTarget): Route | string {
    try {
      return this.route(target);
    } catch (err) {
      return (err as Error).message;
    }
  }

  private route(target: UpstreamTarget): Route {
    const cached = this.routes.get(target);
    if (cached) return cached;
    let url: URL;
    try {
      url = new URL(target.baseUrl);
    } catch {
      throw new Error(`upstream baseUrl "${target.baseUrl}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`upstream baseUrl "${url.origin}" must be http:// or https://`);
    }
    let pool = this.pools.get(url.origin);
    if (!pool) {
      pool = new Pool(url.origin, {
        connections: this.options.connections ?? null,
        pipelining: 1,
        keepAliveTimeout: this.options.keepAliveTimeoutMs ?? 10_000,
      });
      this.pools.set(url.origin, pool);
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
    const route: Route = {
      pool,
      origin: url.origin,
      path: `${url.pathname.replace(/\/+$/, '')}/chat/completions${url.search}`,
      headers,
      ...(target.apiKey ? { apiKey: target.apiKey, secret: Buffer.from(target.apiKey) } : {}),
    };
    this.routes.set(target, route);
    return route;
  }
}

/** Forwards the body's chunks as they arrive while reading the SSE on the side. */
function pipeStream(
  res: Dispatcher.ResponseData,
  handlers: StreamHandlers,
  call: CallControl,
  route: Route,
  attempt: number,
): Promise<StreamOutcome> {
  const reader = new ChatStreamReader();
  const body = res.body;
  const mask = route.secret ? new StreamMask(route.secret) : null;
  let started = false;
  let handlerError: unknown = null;
  const forward = (chunk: Buffer): boolean => {
    if (chunk.length === 0) return true;
    try {
      handlers.onChunk(chunk);
    } catch (err) {
      handlerError = err;
      body.destroy(err as Error);
      return false;
    }
    reader.push(chunk);
    return true;
  };
  return new Promise<StreamOutcome>((resolve) => {
    body.on('data', (chunk: Buffer) => {
      call.touch();
      started = true;
      forward(mask ? mask.push(chunk) : chunk);
    });
    body.on('error', (err) => {
      const stopped =
        call.failureIfAborted(attempt) ??
        (handlerError !== null
          ? failure('upstream_error', 502, `forwarding the stream failed: ${(handlerError as Error).message}`, attempt)
          : lostMidResponse(route.origin, err, attempt));
      resolve({ ...stopped, started });
    });
    body.on('end', () => {
      if (mask && !forward(mask.end())) return;
      reader.end();
      if (reader.streamError !== null) {
        const message = `upstream ${route.origin} reported an error mid-stream: ${scrubbed(route, reader.streamError)}`;
        resolve({ ...failure('upstream_error', 502, message, attempt, res.statusCode), started });
        return;
      }
      resolve({
        ok: true,
        status: res.statusCode,
        usage: reader.usage,
        model: reader.model,
        systemFingerprint: reader.systemFingerprint,
        finishReason: reader.finishReason,
        content: reader.content,
        toolCalls: reader.toolCalls,
        attempts: attempt,
      });
    });
  });
}

type Buffered =
  | { ok: true; statusCode: number; /** undici's [name, value, ...] buffers (parseRaw). */ rawHeaders: Buffer[]; body: Buffer }
  | { ok: false; err: unknown; /** The response had begun (never retried). */ midResponse: boolean };

/**
 * One POST whose whole answer is collected as a Buffer, straight through undici's dispatch
 * handler: `pool.request` wraps every call in an AsyncResource, a Readable body stream and an
 * abort-listener dance that cost more than the rest of the gateway's own work (measured). The
 * bytes stay as received, so the gateway can forward them unchanged.
 */
function requestBuffered(route: Route, payload: string, signal: CancelSignal): Promise<Buffered> {
  return new Promise<Buffered>((resolve) => {
    if (signal.aborted) return resolve({ ok: false, err: signal.reason, midResponse: false });
    route.pool.dispatch(
      { origin: route.origin, path: route.path, method: 'POST', headers: route.headers, body: payload },
      new BufferingHandler(signal, resolve),
    );
  });
}

/** undici's dispatch handler for requestBuffered (a class: no closures made per call). */
class BufferingHandler {
  private abort: ((reason?: Error) => void) | null = null;
  private statusCode = 0;
  private rawHeaders: Buffer[] = [];
  private started = false;
  private settled = false;
  private chunks: Buffer[] = [];

  constructor(
    private readonly signal: CancelSignal,
    private readonly resolve: (out: Buffered) => void,
  ) {
    signal.follow(this);
  }

  /** The caller cancelled (CancelSignal.follow). */
  cancelled(): void {
    if (this.abort) this.abort(this.signal.reason as Error);
    else this.finish({ ok: false, err: this.signal.reason, midResponse: false });
  }

  private finish(out: Buffered): void {
    if (this.settled) return;
    this.settled = true;
    this.signal.unfollow(this);
    this.resolve(out);
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.settled) abort(this.signal.reason as Error);
    else this.abort = abort;
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    if (status < 200) return true; // informational (100 Continue): the answer follows
    this.statusCode = status;
    this.rawHeaders = rawHeaders;
    this.started = true;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    const c = this.chunks;
    this.finish({ ok: true, statusCode: this.statusCode, rawHeaders: this.rawHeaders, body: c.length === 1 ? c[0]! : Buffer.concat(c) });
  }

  onError(err: Error): void {
    this.finish({ ok: false, err, midResponse: this.started });
  }
}

function parseRaw(raw: Buffer[]): Record<string, string | string[] | undefined> {
  return undiciUtil.parseHeaders(raw) as Record<string, string | string[] | undefined>;
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in headers) {
    const v = headers[key];
    if (v !== undefined) out[key] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

let shared: Upstreams | null = null;

/** The process-wide client (one pool per origin), shared by the gateway and the eval runner. */
export function sharedUpstreams(): Upstreams {
  shared ??= new Upstreams();
  return shared;
}

export function callChat(req: UpstreamRequest): Promise<UpstreamResult> {
  return sharedUpstreams().callChat(req);
}

export function streamChat(req: UpstreamRequest, handlers: StreamHandlers): Promise<StreamOutcome> {
  return sharedUpstreams().streamChat(req, handlers);
}

/** Closes the shared client's pools (on shutdown). */
export async function closeUpstreams(): Promise<void> {
  const s = shared;
  shared = null;
  await s?.close();
}
