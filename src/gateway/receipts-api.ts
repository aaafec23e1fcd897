/**
 * `POST /v1/receipts` (receipts reported by apps that call a provider themselves; one or a batch,
 * idempotent by id) and `POST /v1/receipts/{id}/feedback` (accepted before its receipt exists).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { costUsd } from '../core/cost.ts';
import { readJson, sendError, sendJson, type Params } from '../server/http.ts';
import type { ReceiptRecord } from '../store/repos/receipts.ts';
import { sha256 } from './chat.ts';
import { newReceiptId } from './receipt-id.ts';
import type { GatewayState } from './state.ts';

const count = z.number().int().nonnegative();
const flag = z.boolean().optional();

/** The feedback a receipt can carry (contract: approved, edited, escalated, overridden, reported, csat 1–5). */
const FEEDBACK_FIELDS = {
  approved: flag,
  edited: flag,
  escalated: flag,
  overridden: flag,
  reported: flag,
  csat: z.number().int().min(1).max(5).optional(),
};

const toolArgs = z.union([z.string(), z.record(z.string(), z.unknown())]).optional();
/** OpenAI's shape `{id?, type?, function: {name, arguments?}}`, or the flat `{name, arguments?}` an app reports. */
const toolCall = z
  .union([
    z.looseObject({ id: z.string().optional(), type: z.string().optional(), function: z.looseObject({ name: z.string().min(1), arguments: toolArgs }) }),
    z.looseObject({ id: z.string().optional(), name: z.string().min(1), arguments: toolArgs }),
  ])
  .transform((t) => {
    const fn = ('function' in t && t.function ? t.function : t) as { name: string; arguments?: string | Record<string, unknown> };
    const args = fn.arguments === undefined || typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments);
    return { ...(t.id !== undefined ? { id: t.id } : {}), type: 'function', function: { name: fn.name, ...(args !== undefined ? { arguments: args } : {}) } };
  });

export const reportedReceipt = z.strictObject({
  id: z.string().min(1).max(200).optional(),
  ts: z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })]).optional(),
  workflow: z.string().min(1),
  release_id: z.union([z.string().regex(/^REL-\d+$/), z.number().int().positive()]).nullable().optional(),
  variant: z.enum(['stable', 'candidate']).optional(),
  config_hash: z.string().optional(),
  provider: z.string().optional(),
  model_requested: z.string().optional(),
  model_served: z.string().nullable().optional(),
  system_fingerprint: z.string().nullable().optional(),
  unit: z.string().optional(),
  unit_hash: z.string().optional(),
  input_tokens: count.default(0),
  cached_tokens: count.default(0),
  output_tokens: count.default(0),
  reasoning_tokens: count.default(0),
  cost_usd: z.number().nonnegative().optional(),
  latency_ms: z.number().nonnegative().nullable().optional(),
  status: z.enum(['ok', 'error']).default('ok'),
  error_type: z.string().nullable().optional(),
  tool_calls: z.array(toolCall).default([]),
  sources: z.array(z.unknown()).default([]),
  output: z.string().nullable().optional(),
  ...FEEDBACK_FIELDS,
});

const wrapped = z.strictObject({ receipts: z.array(reportedReceipt).min(1).max(10_000) });

/**
 * One receipt, an array, or `{receipts: [...]}` — picked by the body's shape first, so a
 * validation error names the field that is wrong (`receipts.1.csat`, `input_tokens`).
 */
function parseBatch(body: unknown) {
  if (Array.isArray(body)) return wrapped.safeParse({ receipts: body });
  if (body !== null && typeof body === 'object' && 'receipts' in body) return wrapped.safeParse(body);
  return reportedReceipt.safeParse(body);
}

export const feedbackSchema = z
  .strictObject(FEEDBACK_FIELDS)
  .refine((f) => Object.values(f).some((v) => v !== undefined), 'give at least one of approved, edited, escalated, overridden, reported, csat');

const issues = (e: z.ZodError): string => e.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');

export async function handleReportReceipts(g: GatewayState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const token = await g.tokens.authenticate(req, res);
  if (!token) return;
  const parsed = await readJson(req, g.bodyLimit);
  if (!parsed.ok) return sendError(res, parsed.status, parsed.type, parsed.message);
  const r = parseBatch(parsed.value);
  if (!r.success) return sendError(res, 400, 'invalid_request', issues(r.error));
  const items = 'receipts' in r.data ? r.data.receipts : [r.data];
  const now = g.ctx.now();
  await g.routes.refresh();
  const records: { rec: ReceiptRecord; wfName: string }[] = [];
  for (const [i, item] of items.entries()) {
    const wf = g.ctx.config.workflows[item.workflow];
    const where = items.length > 1 ? `receipts[${i}]: ` : '';
    if (!wf) return sendError(res, 404, 'unknown_workflow', `${where}unknown workflow "${item.workflow}"`);
    if (wf.team !== token.team)
      return sendError(res, 403, 'forbidden', `${where}workflow ${wf.name} belongs to team ${wf.team}; this token is for team ${token.team ?? 'none'}`, { rule: 'team' });
    const route = g.routes.get(wf.name);
    const configHash = item.config_hash ?? route?.stable.hash ?? null;
    const model = item.model_requested ?? route?.stable.config.model ?? null;
    let cost = item.cost_usd;
    if (cost === undefined) {
      const price = model ? g.ctx.config.pricing[model] : undefined;
      if (!price) return sendError(res, 400, 'invalid_request', `${where}cost_usd is missing and model ${model ?? '(none)'} has no price to compute it`);
      cost = costUsd({ inputTokens: item.input_tokens, cachedTokens: item.cached_tokens, outputTokens: item.output_tokens, reasoningTokens: item.reasoning_tokens }, price);
    }
    const ts = item.ts === undefined ? now : typeof item.ts === 'number' ? item.ts : Date.parse(item.ts);
    const releaseId = item.release_id === undefined || item.release_id === null ? (route?.releaseId ?? null) : typeof item.release_id === 'number' ? item.release_id : Number(item.release_id.slice(4));
    const tools = item.tool_calls;
    const writes = tools.some((tc) => wf.config.tools.find((t) => t.name === tc.function.name)?.effect === 'write');
    const out = item.output ?? null;
    records.push({
      wfName: wf.name,
      rec: {
        id: item.id ?? newReceiptId(),
        ts,
        purpose: 'production',
        workflow: wf.name,
        team: wf.team,
        release_id: releaseId,
        variant: item.variant ?? 'stable',
        config_hash: configHash,
        provider: item.provider ?? route?.stable.config.provider ?? null,
        model_requested: model,
        model_served: item.model_served ?? null,
        system_fingerprint: item.system_fingerprint ?? null,
        unit_hash: item.unit !== undefined ? sha256(item.unit) : (item.unit_hash ?? null),
        input_tokens: item.input_tokens,
        cached_tokens: item.cached_tokens,
        output_tokens: item.output_tokens,
        reasoning_tokens: item.reasoning_tokens,
        cost_usd: cost,
        price_version: g.ctx.config.priceVersion,
        latency_ms: item.latency_ms ?? null,
        status: item.status,
        error_type: item.error_type ?? null,
        tool_calls: tools.length ? JSON.stringify(tools) : null,
        sources: item.sources.length ? JSON.stringify(item.sources) : null,
        output: out === null || wf.retention === 'none' ? null : wf.retention === 'hash' ? sha256(out) : out,
        needs_approval: wf.authority === 'execute-with-approval' && writes && item.approved !== true ? 1 : 0,
        approved: bit(item.approved),
        edited: bit(item.edited),
        escalated: bit(item.escalated),
        overridden: bit(item.overridden),
        reported: bit(item.reported),
        csat: item.csat ?? null,
      },
    });
  }
  const ids: string[] = [];
  let written = 0;
  for (const { rec, wfName } of records) {
    ids.push(rec.id);
    const wf = g.ctx.config.workflows[wfName]!;
    g.writer.add({
      receipt: rec,
      forwarded: true,
      // Only a receipt written for the first time counts against the budgets (idempotent by id).
      onWritten: () => {
        written++;
        g.writer.addAlerts(g.ledger.record(wf, rec.cost_usd, rec.ts));
      },
    });
  }
  await g.writer.flushNow();
  sendJson(res, 200, { received: records.length, written, duplicates: records.length - written, ids });
}

export async function handleFeedback(g: GatewayState, req: IncomingMessage, res: ServerResponse, params: Params): Promise<void> {
  const token = await g.tokens.authenticate(req, res);
  if (!token) return;
  const parsed = await readJson(req, g.bodyLimit);
  if (!parsed.ok) return sendError(res, parsed.status, parsed.type, parsed.message);
  const f = feedbackSchema.safeParse(parsed.value);
  if (!f.success) return sendError(res, 400, 'invalid_request', issues(f.error));
  const id = params.id!;
  // Any batch handed over from now on merges early feedback for this id; a receipt still queued is
  // written first, so the feedback lands on it.
  g.writer.pendingFeedback.add(id);
  await g.writer.flushNow();
  const outcome = await g.ctx.store.tx(async (t) => {
    const owner = await t.receipts.teamOf(id);
    if (owner) {
      if (owner.team !== token.team) return { refused: owner.team };
      await t.receipts.applyFeedback(id, f.data);
      return { applied: true };
    }
    await t.receipts.keepPendingFeedback(id, token.team ?? '', f.data, g.ctx.now());
    return { applied: false };
  });
  if (!('applied' in outcome) || outcome.applied) g.writer.pendingFeedback.delete(id);
  if ('refused' in outcome)
    return sendError(res, 403, 'forbidden', `receipt ${id} belongs to team ${outcome.refused ?? 'none'}; this token is for team ${token.team ?? 'none'}`, { rule: 'team' });
  if (outcome.applied) return sendJson(res, 200, { receipt_id: id, status: 'applied', feedback: f.data });
  // A batch may have taken the id meanwhile (finding no feedback yet): keep it marked.
  g.writer.pendingFeedback.add(id);
  sendJson(res, 202, { receipt_id: id, status: 'pending', feedback: f.data, message: 'no receipt with this id yet: the feedback is kept and applied when it is written' });
}

const bit = (v: boolean | undefined): 0 | 1 | null => (v === undefined ? null : v ? 1 : 0);
