/** Bearer tokens of the contract's two scopes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Person } from '../config/types.ts';
import type { AppContext } from '../services/context.ts';
import type { TokenRecord, TokenScope } from '../store/repos/tokens.ts';
import { bearerToken, sendError } from '../server/http.ts';

export type Authed = { token: TokenRecord; person?: Person };

/** Answers 401/403 itself and returns null when the request may not go on. */
export async function authenticate(ctx: AppContext, req: IncomingMessage, res: ServerResponse, scope: TokenScope): Promise<Authed | null> {
  const raw = bearerToken(req);
  if (!raw) {
    sendError(res, 401, 'unauthorized', 'missing bearer token (Authorization: Bearer <token>)', { headers: { 'www-authenticate': 'Bearer' } });
    return null;
  }
  const token = await ctx.store.tokens.find(raw);
  if (!token) {
    sendError(res, 401, 'unauthorized', 'unknown or revoked token', { headers: { 'www-authenticate': 'Bearer' } });
    return null;
  }
  if (token.scope !== scope) {
    sendError(res, 403, 'forbidden', `this route needs a token of scope ${scope}; this one has scope ${token.scope}`, { rule: 'scope' });
    return null;
  }
  if (scope === 'releases') {
    const person = token.person ? ctx.config.people[token.person] : undefined;
    if (!person) {
      sendError(res, 403, 'forbidden', `the token's person "${token.person}" is not in the configuration`, { rule: 'unknown_user' });
      return null;
    }
    return { token, person };
  }
  return { token };
}
