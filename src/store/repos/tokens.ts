/** API tokens: only their sha256 is stored; the token is shown once at creation. */
import { createHash, randomBytes } from 'node:crypto';
import type { SqlExecutor } from '../sql.ts';

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

export interface TokenRepo {
  /** Mints a token; the token itself (only its hash is stored). */
  create(t: { name: string; scope: TokenScope; team?: string; person?: string; now: number }): Promise<string>;
  nameTaken(name: string): Promise<boolean>;
  /** False when no active token has that name. */
  revoke(name: string, now: number): Promise<boolean>;
  /** The active token with this value. */
  find(token: string): Promise<TokenRecord | undefined>;
  /** Every token, revoked ones too, by name. */
  list(): Promise<TokenRecord[]>;
}

interface Row {
  name: string;
  scope: TokenScope;
  team: string | null;
  person: string | null;
  created_at: number;
  revoked_at: number | null;
}

const toRecord = (r: Row): TokenRecord => ({ name: r.name, scope: r.scope, team: r.team, person: r.person, createdAt: r.created_at, revokedAt: r.revoked_at });

export function sqlTokens(db: SqlExecutor): TokenRepo {
  return {
    async create(t) {
      const token = `air_${t.scope === 'gateway' ? 'gw' : 'rel'}_${randomBytes(24).toString('base64url')}`;
      await db.run('INSERT INTO tokens (name, hash, scope, team, person, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        t.name, hashToken(token), t.scope, t.team ?? null, t.person ?? null, t.now,
      ]);
      return token;
    },
    async nameTaken(name) {
      return !!(await db.get('SELECT 1 AS one FROM tokens WHERE name = ?', [name]));
    },
    async revoke(name, now) {
      return (await db.run('UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL', [now, name])).changes > 0;
    },
    async find(token) {
      const r = await db.get<Row>('SELECT name, scope, team, person, created_at, revoked_at FROM tokens WHERE hash = ?', [hashToken(token)]);
      if (!r || r.revoked_at !== null) return undefined;
      return toRecord(r);
    },
    async list() {
      return (await db.all<Row>('SELECT name, scope, team, person, created_at, revoked_at FROM tokens ORDER BY name')).map(toRecord);
    },
  };
}
