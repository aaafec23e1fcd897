/**
 * Turning a client's chat.completions body into the one that goes upstream: the served config
 * decides the model and params, its prompt (rendered with `ai_release.vars`) goes first,
 * `guardrails.maxOutputTokens` clamps the output allowance, and only the config's own tools pass.
 */
import { canonicalJson } from '../core/canonical.ts';
import { renderTemplate } from '../core/template.ts';
import type { ServedConfig } from './route-table.ts';

export type Prepared =
  | {
      ok: true;
      body: Record<string, unknown>;
      /**
       * The most output tokens the call can be billed for (the worst-case cost): the output
       * allowance of one choice times `n`, the number of choices asked for (each is billed).
       */
      maxOutputTokens: number;
      /** Characters of input (messages and tools), for the token estimate. */
      inputChars: number;
      stream: boolean;
    }
  | { ok: false; status: 400 | 403; type: 'invalid_request' | 'tool_not_allowed'; message: string };

/** Used for the worst case when neither the client, the config nor its guardrails bound the output. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

const bad = (message: string): Prepared => ({ ok: false, status: 400, type: 'invalid_request', message });

export function prepareUpstreamBody(client: Record<string, unknown>, served: ServedConfig): Prepared {
  const cfg = served.config;
  const messages = client.messages;
  if (!Array.isArray(messages) || messages.length === 0) return bad('messages must be a non-empty array');

  const extra = client.ai_release;
  let vars: Record<string, unknown> = {};
  if (extra !== undefined) {
    if (!isObject(extra)) return bad('ai_release must be an object like {"vars": {...}}');
    if (extra.vars !== undefined && !isObject(extra.vars)) return bad('ai_release.vars must be an object');
    vars = (extra.vars as Record<string, unknown> | undefined) ?? {};
  }

  const tools = client.tools;
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return bad('tools must be an array');
    const allowed = cfg.guardrails.allowedTools;
    for (const t of tools) {
      const fn = isObject(t) && isObject(t.function) ? t.function : undefined;
      const name = fn && typeof fn.name === 'string' ? fn.name : undefined;
      if (!name) return bad('every tool needs function.name');
      const def = served.tools.get(name);
      if (!def || (allowed !== undefined && !allowed.includes(name))) {
        return { ok: false, status: 403, type: 'tool_not_allowed', message: `tool "${name}" is not allowed by the served config (allowed: ${(allowed ?? [...served.tools.keys()]).join(', ') || 'none'})` };
      }
      if (canonicalJson(fn?.parameters ?? {}) !== def.parametersJson) {
        return { ok: false, status: 403, type: 'tool_not_allowed', message: `tool "${name}" has parameters that differ from the served config's definition` };
      }
    }
  }

  let out = messages as unknown[];
  const prompt = cfg.prompt;
  if (prompt.trim().length > 0) {
    const r = renderTemplate(prompt, vars);
    if (!r.ok) return bad(`missing template variable "${r.missing}": pass it in ai_release.vars`);
    out = [{ role: 'system', content: r.text }, ...messages];
  }

  const cap = cfg.guardrails.maxOutputTokens;
  let max = DEFAULT_MAX_OUTPUT_TOKENS;
  let bounded = false;
  const limits: Record<string, number> = {};
  for (const field of ['max_tokens', 'max_completion_tokens'] as const) {
    const asked = client[field] ?? cfg.params[field];
    if (asked === undefined || asked === null) continue;
    if (typeof asked !== 'number' || !Number.isInteger(asked) || asked < 1) return bad(`${field} must be a positive integer`);
    const v = cap !== undefined ? Math.min(asked, cap) : asked;
    limits[field] = v;
    max = bounded ? Math.min(max, v) : v;
    bounded = true;
  }
  if (!bounded && cap !== undefined) {
    limits.max_tokens = cap;
    max = cap;
  }
  const stream = client.stream === true;
  const n = client.n ?? cfg.params.n ?? 1;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) return bad('n must be a positive integer (the number of choices)');

  // Built key by key (no spread-then-delete: `delete` turns the object into a slow dictionary
  // that JSON.stringify walks several times slower). Client fields first, then the config's
  // params, model and messages over them, in the order a spread would give.
  const body: Record<string, unknown> = {};
  for (const k in client) {
    if (!OVERRIDDEN.has(k) && !Object.hasOwn(cfg.params, k)) body[k] = client[k];
  }
  for (const k in cfg.params) if (!OVERRIDDEN.has(k)) body[k] = cfg.params[k];
  body.model = cfg.model;
  body.messages = out;
  if (limits.max_tokens !== undefined) body.max_tokens = limits.max_tokens;
  if (limits.max_completion_tokens !== undefined) body.max_completion_tokens = limits.max_completion_tokens;
  if (stream) {
    body.stream = true;
    if (client.stream_options !== undefined) body.stream_options = client.stream_options;
  }

  let inputChars = 0;
  for (const m of out) {
    const c = isObject(m) ? m.content : undefined;
    inputChars += typeof c === 'string' ? c.length : JSON.stringify(c ?? '').length;
  }
  if (tools !== undefined) inputChars += JSON.stringify(tools).length;
  return { ok: true, body, maxOutputTokens: max * n, inputChars, stream };
}

/** Client fields the gateway sets itself (or drops: ai_release never goes upstream). */
const OVERRIDDEN = new Set(['model', 'messages', 'ai_release', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens']);

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
