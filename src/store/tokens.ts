/** API tokens: only their sha256 is stored; the token is shown once at creation. */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db.ts';

export type TokenScope = 'gateway' | 'releases';

export interface TokenRecord {
  name: string;
  scope: TokenScope;
  team: string | null;
  person: string | null;
  createdAt: number;
  revokedAt: number | null;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export function createToken(
  db: Db,
  t: { name: string; scope: TokenScope; team?: string; person?: string; now: number },
): string {
  const token = `air_${t.scope === 'gateway' ? 'gw' : 'rel'}_${randomBytes(24).toString('base64url')}`;
  db.prepare('INSERT INTO tokens (name, hash, scope, team, person, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    t.name,
    hashToken(token),
    t.scope,
    t.team ?? null,
    t.person ?? null,
    t.now,
  );
  return token;
}

export function tokenNameTaken(db: Db, name: string): boolean {
  return !!db.prepare('SELECT 1 FROM tokens WHERE name = ?').get(name);
}

export function revokeToken(db: Db, name: string, now: number): boolean {
  return db.prepare('UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL').run(now, name).changes > 0;
}

interface Row {
  name: string;
  scope: TokenScope;
  team: string | null;
  person: string | null;
  created_at: number;
  revoked_at: number | null;
}

export function findToken(db: Db, token: string): TokenRecord | undefined {
  const r = db.prepare('SELECT name, scope, team, person, created_at, revoked_at FROM tokens WHERE hash = ?').get(hashToken(token)) as
    | Row
    | undefined;
  if (!r || r.revoked_at !== null) return undefined;
  return { name: r.name, scope: r.scope, team: r.team, person: r.person, createdAt: r.created_at, revokedAt: r.revoked_at };
}

export function listTokens(db: Db): TokenRecord[] {
  return (db.prepare('SELECT name, scope, team, person, created_at, revoked_at FROM tokens ORDER BY name').all() as Row[]).map((r) => ({
    name: r.name,
    scope: r.scope,
    team: r.team,
    person: r.person,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  }));
}
