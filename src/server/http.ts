/** A small router and the JSON helpers every route uses (contract error shape). */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Params = Record<string, string>;
export type Handler = (req: IncomingMessage, res: ServerResponse, params: Params, url: URL) => void | Promise<void>;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router {
  private routes: Route[] = [];
  private exact = new Map<string, Handler>();

  /** `pattern` like `/v1/releases/:id/:verb`; a trailing `*` matches the rest. */
  add(method: string, pattern: string, handler: Handler): this {
    if (!pattern.includes(':') && !pattern.includes('*')) this.exact.set(`${method} ${pattern}`, handler);
    else this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  /** HEAD is answered by the GET route (Node sends the headers only). */
  match(method: string, path: string): { handler: Handler; params: Params } | { allowed: string[] } | null {
    const found = this.matchMethod(method, path);
    if (method === 'HEAD' && (found === null || 'allowed' in found)) {
      const get = this.matchMethod('GET', path);
      if (get !== null && 'handler' in get) return get;
    }
    return found;
  }

  private matchMethod(method: string, path: string): { handler: Handler; params: Params } | { allowed: string[] } | null {
    const hit = this.exact.get(`${method} ${path}`);
    if (hit) return { handler: hit, params: {} };
    const segs = path.split('/').filter(Boolean);
    const allowed: string[] = [];
    for (const r of this.routes) {
      const params = matchParts(r.parts, segs);
      if (!params) continue;
      if (r.method === method) return { handler: r.handler, params };
      allowed.push(r.method);
    }
    for (const key of this.exact.keys()) {
      const [m, p] = key.split(' ');
      if (p === path) allowed.push(m!);
    }
    return allowed.length ? { allowed } : null;
  }
}

function matchParts(parts: string[], segs: string[]): Params | null {
  const params: Params = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p === '*') {
      params['*'] = segs.slice(i).join('/');
      return params;
    }
    const s = segs[i];
    if (s === undefined) return null;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(s);
      } catch {
        return null;
      }
    } else if (p !== s) return null;
  }
  return segs.length === parts.length ? params : null;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

export type ErrorType =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'tool_not_allowed'
  | 'unknown_workflow'
  | 'not_found'
  | 'state_conflict'
  | 'payload_too_large'
  | 'budget_exceeded'
  | 'quota_exceeded'
  | 'upstream_rate_limited'
  | 'upstream_error'
  | 'upstream_timeout'
  | 'method_not_allowed'
  | 'internal_error';

export function sendError(
  res: ServerResponse,
  status: number,
  type: ErrorType,
  message: string,
  extra?: { rule?: string; headers?: Record<string, string>; [k: string]: unknown },
): void {
  const { headers, ...rest } = extra ?? {};
  sendJson(res, status, { error: { type, message, ...rest } }, headers as Record<string, string> | undefined);
}

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

export class BodyTooLarge extends Error {}

/** Reads the whole body, refusing past `limit` bytes (413 payload_too_large). */
export function readBody(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new BodyTooLarge(`the body is ${declared} bytes; the limit is ${limit}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new BodyTooLarge(`the body is over the limit of ${limit} bytes`));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export type JsonBody = { ok: true; value: unknown } | { ok: false; status: number; type: ErrorType; message: string };

/** Reads and parses a JSON body; malformed JSON and oversize bodies become contract errors. */
export async function readJson(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<JsonBody> {
  let buf: Buffer;
  try {
    buf = await readBody(req, limit);
  } catch (e) {
    if (e instanceof BodyTooLarge) return { ok: false, status: 413, type: 'payload_too_large', message: e.message };
    return { ok: false, status: 400, type: 'invalid_request', message: 'the request body could not be read' };
  }
  if (buf.length === 0) return { ok: true, value: {} };
  try {
    // A UTF-8 byte order mark (some Windows tools write one) is not part of the JSON text.
    const text = buf.toString('utf8');
    return { ok: true, value: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown };
  } catch (e) {
    return { ok: false, status: 400, type: 'invalid_request', message: `malformed JSON: ${(e as Error).message}` };
  }
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h);
  return m?.[1]?.trim();
}
