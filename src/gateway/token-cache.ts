/**
 * Gateway tokens, looked up once and then held in memory (keyed by the token's sha256, never the
 * token itself) until the store changes anywhere (a revoke from the CLI moves the change stamp)
 * or `ttlMs` passes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hash } from 'node:crypto';
import type { AppContext } from '../services/context.ts';
import { turnChangeStamp } from '../store/db.ts';
import { findToken, type TokenRecord } from '../store/tokens.ts';
import { bearerToken, sendError } from '../server/http.ts';

const MAX_ENTRIES = 10_000;

export class GatewayTokens {
  private cache = new Map<string, { token: TokenRecord | null; at: number }>();
  private stamp = '';

  constructor(
    private ctx: AppContext,
    private ttlMs = 5_000,
  ) {}

  lookup(raw: string): TokenRecord | null {
    const stamp = turnChangeStamp(this.ctx.db);
    if (stamp !== this.stamp) {
      this.cache.clear();
      this.stamp = stamp;
    }
    const key = hash('sha256', raw, 'base64');
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.token;
    const token = findToken(this.ctx.db, raw) ?? null;
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(key, { token, at: now });
    return token;
  }

  /** Answers 401/403 itself and returns null when the request may not go on. */
  authenticate(req: IncomingMessage, res: ServerResponse): TokenRecord | null {
    const raw = bearerToken(req);
    if (!raw) {
      sendError(res, 401, 'unauthorized', 'missing bearer token (Authorization: Bearer <token>)', { headers: { 'www-authenticate': 'Bearer' } });
      return null;
    }
    const token = this.lookup(raw);
    if (!token) {
      sendError(res, 401, 'unauthorized', 'unknown or revoked token', { headers: { 'www-authenticate': 'Bearer' } });
      return null;
    }
    if (token.scope !== 'gateway') {
      sendError(res, 403, 'forbidden', `this route needs a token of scope gateway; this one has scope ${token.scope}`, { rule: 'scope' });
      return null;
    }
    return token;
  }
}
