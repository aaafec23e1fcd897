/**
 * Console sign-in: a personal token (scope `releases`) opens a session. The cookie carries only a
 * random session id; the store keeps its sha256, the token's hash (revoking the token ends every
 * session opened with it) and a per-session CSRF token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Person } from '../config/types.ts';
import type { AppContext } from '../services/context.ts';
import { hashToken } from '../store/repos/tokens.ts';

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
export async function signIn(ctx: AppContext, rawToken: string): Promise<SignIn> {
  const token = rawToken.trim();
  if (!token) return { ok: false, message: 'Paste a personal token (npx ai-release token create --name me --scopes releases --person <you>).' };
  const rec = await ctx.store.tokens.find(token);
  if (!rec) return { ok: false, message: 'That token is unknown or revoked.' };
  if (rec.scope !== 'releases') return { ok: false, message: `That is a ${rec.scope} token; the console needs a personal token of scope releases.` };
  const person = rec.person ? ctx.config.people[rec.person] : undefined;
  if (!person) return { ok: false, message: `The token's person "${rec.person ?? ''}" is not in the configuration.` };
  const now = ctx.now();
  const sessionId = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const expiresAt = now + SESSION_TTL_MS;
  await ctx.store.consoleSessions.open({ idHash: sha(sessionId), tokenHash: hashToken(token), person: person.name, csrf, createdAt: now, expiresAt });
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
export async function sessionOf(ctx: AppContext, req: IncomingMessage): Promise<ConsoleSession | null> {
  const id = cookieValue(req, SESSION_COOKIE);
  if (!id) return null;
  const live = await ctx.store.consoleSessions.live(sha(id), ctx.now());
  if (!live) return null;
  const person = ctx.config.people[live.person];
  if (!person) return null;
  return { person, csrf: live.csrf, expiresAt: live.expiresAt };
}

export async function signOut(ctx: AppContext, req: IncomingMessage): Promise<void> {
  const id = cookieValue(req, SESSION_COOKIE);
  if (id) await ctx.store.consoleSessions.close(sha(id));
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
