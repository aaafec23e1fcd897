/**
 * Gateway tokens, looked up once and then held in memory (keyed by the token's sha256, never the
 * token itself) until the store changes anywhere (a revoke from the CLI moves the change stamp)
 * or `ttlMs` passes. Only a token not held (first use, or after a change) waits on the store.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hash } from 'node:crypto';
import type { AppContext } from '../services/context.ts';
import type { TokenRecord } from '../store/repos/tokens.ts';
import { bearerToken, sendError } from '../server/http.ts';

const MAX_ENTRIES = 10_000;

export class GatewayTokens {
  private cache = new Map<string, { token: TokenRecord | null; at: number }>();
  private reading = new Map<string, Promise<TokenRecord | null>>();
  private stamp = '';

  constructor(
    private ctx: AppContext,
    private ttlMs = 5_000,
  ) {}

  /** The token (null: unknown or revoked); a promise only when it has to be read from the store. */
  lookup(raw: string): TokenRecord | null | Promise<TokenRecord | null> {
    const stamp = this.ctx.store.changeStamp();
    if (stamp !== this.stamp) {
      this.cache.clear();
      this.reading.clear();
      this.stamp = stamp;
    }
    const key = hash('sha256', raw, 'base64');
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.token;
    let pending = this.reading.get(key);
    if (!pending) {
      pending = this.ctx.store.tokens.find(raw).then((found) => {
        const token = found ?? null;
        // Read before a change that cleared the cache meanwhile: answer, but do not keep it.
        if (this.stamp === stamp) {
          if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
          this.cache.set(key, { token, at: now });
        }
        if (this.reading.get(key) === pending) this.reading.delete(key);
        return token;
      });
      this.reading.set(key, pending);
    }
    return pending;
  }

  /** Answers 401/403 itself and gives null when the request may not go on (a promise only on a store read). */
  authenticate(req: IncomingMessage, res: ServerResponse): TokenRecord | null | Promise<TokenRecord | null> {
    const raw = bearerToken(req);
    if (!raw) {
      sendError(res, 401, 'unauthorized', 'missing bearer token (Authorization: Bearer <token>)', { headers: { 'www-authenticate': 'Bearer' } });
      return null;
    }
    const token = this.lookup(raw);
    return token instanceof Promise ? token.then((t) => this.admit(t, res)) : this.admit(token, res);
  }

  private admit(token: TokenRecord | null, res: ServerResponse): TokenRecord | null {
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
