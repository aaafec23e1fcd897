/**
 * Console sign-in: a personal token (scope `releases`) opens a session. The cookie carries only a
 * random session id; the store keeps its sha256, the token's hash (revoking the token ends every
 * session opened with it) and a per-session CSRF token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Person } from '../config/types.ts';
import type { AppContext } from '../services/context.ts';
import { findToken, hashToken } from '../store/tokens.ts';

export const SESSION_COOKIE = 'air_console';
export const SESSION_TTL_MS = 12 * 3_600_000;

export interface ConsoleSession {
  person: Person;
  csrf: string;
  expiresAt: number;
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

export type SignIn = { ok: true; sessionId: string; session: ConsoleSession } | { ok: false; message: string };

/** Checks the token and opens a session for its person. */
export function signIn(ctx: AppContext, rawToken: string): SignIn {
  const token = rawToken.trim();
  if (!token) return { ok: false, message: 'Paste a personal token (npx ai-release token create --name me --scopes releases --person <you>).' };
  const rec = findToken(ctx.db, token);
  if (!rec) return { ok: false, message: 'That token is unknown or revoked.' };
  if (rec.scope !== 'releases') return { ok: false, message: `That is a ${rec.scope} token; the console needs a personal token of scope releases.` };
  const person = rec.person ? ctx.config.people[rec.person] : undefined;
  if (!person) return { ok: false, message: `The token's person "${rec.person ?? ''}" is not in the configuration.` };
  const now = ctx.now();
  const sessionId = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const expiresAt = now + SESSION_TTL_MS;
  ctx.db.prepare('DELETE FROM console_sessions WHERE expires_at <= ?').run(now);
  ctx.db
    .prepare('INSERT INTO console_sessions (id_hash, token_hash, person, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(sha(sessionId), hashToken(token), person.name, csrf, now, expiresAt);
  return { ok: true, sessionId, session: { person, csrf, expiresAt } };
}

export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** The live session of the request's cookie, or null (expired, signed out, token revoked, person gone). */
export function sessionOf(ctx: AppContext, req: IncomingMessage): ConsoleSession | null {
  const id = cookieValue(req, SESSION_COOKIE);
  if (!id) return null;
  const row = ctx.db
    .prepare(
      `SELECT s.person, s.csrf, s.expires_at FROM console_sessions s JOIN tokens t ON t.hash = s.token_hash
       WHERE s.id_hash = ? AND s.expires_at > ? AND t.revoked_at IS NULL AND t.scope = 'releases'`,
    )
    .get(sha(id), ctx.now()) as { person: string; csrf: string; expires_at: number } | undefined;
  if (!row) return null;
  const person = ctx.config.people[row.person];
  if (!person) return null;
  return { person, csrf: row.csrf, expiresAt: row.expires_at };
}

export function signOut(ctx: AppContext, req: IncomingMessage): void {
  const id = cookieValue(req, SESSION_COOKIE);
  if (id) ctx.db.prepare('DELETE FROM console_sessions WHERE id_hash = ?').run(sha(id));
}

/** HttpOnly, SameSite=Strict; Secure when the request came over HTTPS (directly or via a proxy). */
export function sessionCookie(req: IncomingMessage, value: string, maxAgeMs: number): string {
  const secure = (req.socket as { encrypted?: boolean }).encrypted || req.headers['x-forwarded-proto'] === 'https';
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}${secure ? '; Secure' : ''}`;
}

export function csrfMatches(session: ConsoleSession, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A POST must come from our own pages: no Origin (same-origin form posts may omit it) or ours. */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return origin !== 'null';
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
