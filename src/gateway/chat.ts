/**
 * `POST /v1/chat/completions`: the hot path. Authenticate (cached), resolve the workflow's route
 * (cached), rewrite the body for the served config, check the per-run cap, reserve the budgets,
 * call the provider (streamed chunk by chunk or not), settle, answer with the contract's headers,
 * and queue the run receipt — nothing here waits on disk.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Workflow } from '../config/types.ts';
import { costUsd, usageFromOpenAI, worstCaseCostUsd, type Usage } from '../core/cost.ts';
import { readJson, sendError, type ErrorType } from '../server/http.ts';
import type { ReceiptRecord } from '../store/repos/receipts.ts';
import type { Reservation } from './budget.ts';
import type { GatewayState } from './state.ts';
import { isObject, prepareUpstreamBody } from './prepare.ts';
import type { Resolution } from './route-table.ts';
import { observeCall } from './metrics.ts';
import { newReceiptId } from './receipt-id.ts';
import { CancelSignal } from './upstream-call.ts';
import { UsageChunkFilter } from './usage-chunk-filter.ts';

interface CallResult {
  status: 'ok' | 'error';
  errorType: string | null;
  usage: Usage | null;
  model: string | null;
  fingerprint: string | null;
  content: string | null;
  toolCalls: { id?: string; type?: string; function?: { name?: string; arguments?: string } }[];
  upstreamMs: number;
  forwarded: boolean;
}

const ZERO: Usage = { inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 };

export async function handleChat(g: GatewayState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const t0 = performance.now();
  // In memory, except the first use of a token (or after a change anywhere): then one store read.
  const authed = g.tokens.authenticate(req, res);
  const token = authed instanceof Promise ? await authed : authed;
  if (!token) return;
  const parsed = await readJson(req, g.bodyLimit);
  if (!parsed.ok) return sendError(res, parsed.status, parsed.type, parsed.message);
  const body = parsed.value;
  if (!isObject(body)) return sendError(res, 400, 'invalid_request', 'the body must be a JSON object');
  const name = body.model;
  if (typeof name !== 'string' || name.length === 0)
    return sendError(res, 400, 'invalid_request', 'model must name a workflow (e.g. "support-triage")');
  const wf = g.ctx.config.workflows[name];
  // The route table is rebuilt only when the store's change stamp moved.
  const stale = g.routes.refresh();
  if (stale) await stale;
  const route = wf ? g.routes.get(name) : undefined;
  if (!wf || !route) return sendError(res, 404, 'unknown_workflow', `unknown workflow "${name}" (GET /v1/models lists the workflows this token may call)`);
  if (token.team !== wf.team)
    return sendError(res, 403, 'forbidden', `workflow ${name} belongs to team ${wf.team}; this token is for team ${token.team ?? 'none'}`, {
      rule: 'team',
      headers: { 'x-ai-release-workflow': name },
    });

  const unitHeader = req.headers['x-ai-release-unit'];
  const given = typeof unitHeader === 'string' && unitHeader ? unitHeader : typeof body.user === 'string' && body.user ? body.user : null;
  const unit = given ?? randomUUID();
  const at = g.ctx.now();
  const resolved = g.routes.resolve(name, unit)!;
  const call = new Call(g, wf, resolved, newReceiptId(), at, t0, given === null ? null : sha256(given));

  const prepared = prepareUpstreamBody(body, resolved.served);
  if (!prepared.ok) return refuse(call, res, prepared.status, prepared.type, prepared.message);

  const cfg = resolved.served.config;
  const price = g.ctx.config.pricing[cfg.model];
  if (!price) return refuse(call, res, 502, 'upstream_error', `model ${cfg.model} has no price in the configuration's pricing table`);
  const worst = worstCaseCostUsd(Math.ceil(prepared.inputChars / 4), prepared.maxOutputTokens, price);
  const perRun = wf.caps.perRunUsd;
  if (perRun !== undefined && worst > perRun)
    return refuse(call, res, 429, 'budget_exceeded',
      `this call could cost up to $${round(worst)} (about ${Math.ceil(prepared.inputChars / 4)} input tokens + ${prepared.maxOutputTokens} output tokens), ` +
        `over ${name}'s per-run cap of $${perRun} (workflows.${name}.caps.perRunUsd); lower max_tokens or shorten the input`,
      { rule: `workflows.${name}.caps.perRunUsd`, resets_at: null });

  const target = g.providers.get(cfg.provider);
  if (!target) return refuse(call, res, 502, 'upstream_error', `provider ${cfg.provider} has no base URL`);

  const held = g.ledger.reserve(wf, worst, at);
  if (!held.ok) {
    g.writer.addAlerts(g.ledger.takeRefusals(wf));
    const resetSec = Math.max(1, Math.ceil((held.resetsAt - g.ctx.now()) / 1000));
    return refuse(call, res, 429, held.type, held.message, {
      rule: held.rule,
      resets_at: new Date(held.resetsAt).toISOString(),
      headers: { 'retry-after': String(resetSec) },
    });
  }
  const reservation = held.reservation;

  // The client went away mid-call: cancel the upstream call (a CancelSignal, not an
  // AbortController: ~4 µs less per request; one shared listener, no closure per request).
  const cancel = new CancelSignal();
  (res as ResWithCancel)[CANCEL] = cancel;
  res.on('close', cancelOnClose);
  let result: CallResult;
  try {
    result = prepared.stream
      ? await streamed(call, res, target, prepared.body, cancel)
      : await plain(call, res, target, prepared.body, cancel);
  } catch (e) {
    settle(call, reservation, null, false, 0);
    throw e;
  }
  const cost = result.usage ? costUsd(result.usage, price) : result.status === 'ok' ? worst : 0;
  settle(call, reservation, result, result.forwarded, cost);
  record(call, result, cost);
}

const CANCEL = Symbol('cancel');
type ResWithCancel = ServerResponse & { [CANCEL]?: CancelSignal };
function cancelOnClose(this: ResWithCancel): void {
  if (!this.writableFinished) this[CANCEL]?.abort();
}

class Call {
  constructor(
    readonly g: GatewayState,
    readonly wf: Workflow,
    readonly resolved: Resolution,
    readonly receiptId: string,
    readonly at: number,
    readonly t0: number,
    readonly unitHash: string | null,
  ) {}

  /** The contract's x-ai-release-* headers (a new object each time: callers add to it). */
  get headers(): Record<string, string> {
    const r = this.resolved;
    const h: Record<string, string> = {
      'x-ai-release-workflow': this.wf.name,
      'x-ai-release-variant': r.variant,
      'x-ai-release-config': r.served.hash,
      'x-ai-release-receipt': this.receiptId,
    };
    if (r.releaseKey) h['x-ai-release-release'] = r.releaseKey;
    return h;
  }
}

async function plain(call: Call, res: ServerResponse, target: Parameters<GatewayState['upstreams']['callChat']>[0]['target'], body: Record<string, unknown>, signal: CancelSignal): Promise<CallResult> {
  const u0 = performance.now();
  const out = await call.g.upstreams.callChat({ target, body, timeoutMs: call.g.timeoutMs, signal });
  const upstreamMs = performance.now() - u0;
  if (!out.ok) {
    const extra = call.headers;
    if (out.retryAfterSec !== undefined) extra['retry-after'] = String(out.retryAfterSec);
    if (!res.headersSent) sendError(res, out.status, out.errorType, out.message, { headers: extra });
    return failed(out.errorType, upstreamMs, true);
  }
  // The upstream's bytes go to the client unchanged (no re-serialising); the parsed copy feeds the receipt.
  const json = out.json as Record<string, any>;
  // A flat [name, value, ...] array: node:http writes it as is (no object keys walked).
  const r = call.resolved;
  const head = [
    'content-type', 'application/json; charset=utf-8',
    'content-length', String(out.raw.length),
    'x-ai-release-workflow', call.wf.name,
    'x-ai-release-variant', r.variant,
    'x-ai-release-config', r.served.hash,
    'x-ai-release-receipt', call.receiptId,
  ];
  if (r.releaseKey) head.push('x-ai-release-release', r.releaseKey);
  res.writeHead(200, head);
  res.end(out.raw);
  const message = Array.isArray(json?.choices) ? json.choices[0]?.message : undefined;
  return {
    status: 'ok',
    errorType: null,
    usage: usageFromOpenAI(json?.usage),
    model: typeof json?.model === 'string' ? json.model : null,
    fingerprint: typeof json?.system_fingerprint === 'string' ? json.system_fingerprint : null,
    content: typeof message?.content === 'string' ? message.content : null,
    toolCalls: Array.isArray(message?.tool_calls) ? message.tool_calls : [],
    upstreamMs,
    forwarded: true,
  };
}

const DONE = Buffer.from('data: [DONE]');

async function streamed(call: Call, res: ServerResponse, target: Parameters<GatewayState['upstreams']['streamChat']>[0]['target'], body: Record<string, unknown>, signal: CancelSignal): Promise<CallResult> {
  const u0 = performance.now();
  let started = false;
  let sawDone = false;
  const so = body.stream_options;
  const clientWantsUsage = so !== null && typeof so === 'object' && (so as { include_usage?: unknown }).include_usage === true;
  const filter = clientWantsUsage ? undefined : new UsageChunkFilter();
  const out = await call.g.upstreams.streamChat(
    { target, body, timeoutMs: call.g.timeoutMs, signal },
    {
      onChunk(raw) {
        if (!started) {
          started = true;
          res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...call.headers });
        }
        if (!sawDone && raw.includes(DONE)) sawDone = true;
        if (filter === undefined) res.write(raw);
        else {
          const text = filter.push(raw);
          if (text.length > 0) res.write(text);
        }
      },
    },
  );
  const upstreamMs = performance.now() - u0;
  if (!out.ok) {
    if (!started) {
      const extra: Record<string, string> = { ...call.headers };
      if (out.retryAfterSec !== undefined) extra['retry-after'] = String(out.retryAfterSec);
      sendError(res, out.status, out.errorType, out.message, { headers: extra });
    } else {
      if (!res.writableEnded) res.end(`data: ${JSON.stringify({ error: { type: out.errorType, message: out.message } })}\n\n`);
    }
    return failed(out.errorType, upstreamMs, true);
  }
  const tail = filter?.end();
  if (tail) res.write(tail);
  if (!sawDone) res.write('data: [DONE]\n\n');
  res.end();
  return {
    status: 'ok',
    errorType: null,
    usage: out.usage,
    model: out.model,
    fingerprint: out.systemFingerprint,
    content: out.content,
    toolCalls: out.toolCalls,
    upstreamMs,
    forwarded: true,
  };
}

function failed(errorType: string, upstreamMs: number, forwarded: boolean): CallResult {
  return { status: 'error', errorType, usage: null, model: null, fingerprint: null, content: null, toolCalls: [], upstreamMs, forwarded };
}

/** A refusal before anything went upstream: the error answer, a receipt, the metrics. */
function refuse(
  call: Call,
  res: ServerResponse,
  status: number,
  type: ErrorType,
  message: string,
  extra: { rule?: string; headers?: Record<string, string>; [k: string]: unknown } = {},
): void {
  sendError(res, status, type, message, { ...extra, headers: { ...call.headers, ...extra.headers } });
  record(call, failed(type, 0, false), 0);
}

function settle(call: Call, r: Reservation, _result: CallResult | null, forwarded: boolean, cost: number): void {
  const crossings = call.g.ledger.settle(r, cost, forwarded, call.wf.team);
  call.g.writer.addAlerts(crossings);
}

function record(call: Call, result: CallResult, cost: number): void {
  const { g, wf, resolved } = call;
  const cfg = resolved.served.config;
  const usage = result.usage ?? ZERO;
  const totalMs = performance.now() - call.t0;
  const writes = result.toolCalls.some((tc) => resolved.served.tools.get(tc.function?.name ?? '')?.effect === 'write');
  let output: string | null = null;
  if (result.content !== null) {
    if (wf.retention === 'full') output = result.content;
    else if (wf.retention === 'hash') output = sha256(result.content);
  }
  const receipt: ReceiptRecord = {
    id: call.receiptId,
    ts: call.at,
    purpose: 'production',
    workflow: wf.name,
    team: wf.team,
    release_id: resolved.route.releaseId,
    variant: resolved.variant,
    config_hash: resolved.served.hash,
    provider: cfg.provider,
    model_requested: cfg.model,
    model_served: result.model,
    system_fingerprint: result.fingerprint,
    unit_hash: call.unitHash,
    input_tokens: usage.inputTokens,
    cached_tokens: usage.cachedTokens,
    output_tokens: usage.outputTokens,
    reasoning_tokens: usage.reasoningTokens,
    cost_usd: cost,
    price_version: g.ctx.config.priceVersion,
    latency_ms: Math.round(totalMs * 1000) / 1000,
    status: result.status,
    error_type: result.errorType,
    tool_calls: result.toolCalls.length ? JSON.stringify(result.toolCalls) : null,
    sources: null,
    output,
    needs_approval: wf.authority === 'execute-with-approval' && writes ? 1 : 0,
    approved: null,
    edited: null,
    escalated: null,
    overridden: null,
    reported: null,
    csat: null,
  };
  g.writer.add({ receipt, forwarded: result.forwarded });
  observeCall(wf.name, resolved.variant, totalMs, result.upstreamMs, result.errorType, usage.inputTokens, usage.cachedTokens, usage.outputTokens, usage.reasoningTokens, cost);
}

export const sha256 = (s: string): string => hash('sha256', s, 'hex');
const round = (v: number): string => String(Number(v.toPrecision(4)));
