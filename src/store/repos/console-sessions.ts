/**
 * Web console sign-in sessions: only the sha256 of the session id is kept, with the hash of the
 * personal token that opened it (revoking the token ends the session) and its CSRF token.
 */
import type { SqlExecutor } from '../sql.ts';

export interface NewSession {
  idHash: string;
  tokenHash: string;
  person: string;
  csrf: string;
  createdAt: number;
  expiresAt: number;
}

export interface ConsoleSessionRepo {
  /** Opens a session (and forgets the ones expired by `createdAt`). */
  open(s: NewSession): Promise<void>;
  /** The live session of this id: not expired at `now`, its token not revoked and still of scope releases. */
  live(idHash: string, now: number): Promise<{ person: string; csrf: string; expiresAt: number } | undefined>;
  close(idHash: string): Promise<void>;
}

export function sqlConsoleSessions(db: SqlExecutor): ConsoleSessionRepo {
  return {
    async open(s) {
      await db.run('DELETE FROM console_sessions WHERE expires_at <= ?', [s.createdAt]);
      await db.run('INSERT INTO console_sessions (id_hash, token_hash, person, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)', [
        s.idHash, s.tokenHash, s.person, s.csrf, s.createdAt, s.expiresAt,
      ]);
    },
    async live(idHash, now) {
      const r = await db.get<{ person: string; csrf: string; expires_at: number }>(
        `SELECT s.person, s.csrf, s.expires_at FROM console_sessions s JOIN tokens t ON t.hash = s.token_hash
         WHERE s.id_hash = ? AND s.expires_at > ? AND t.revoked_at IS NULL AND t.scope = 'releases'`,
        [idHash, now],
      );
      return r && { person: r.person, csrf: r.csrf, expiresAt: r.expires_at };
    },
    async close(idHash) {
      await db.run('DELETE FROM console_sessions WHERE id_hash = ?', [idHash]);
    },
  };
}
