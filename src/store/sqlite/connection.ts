/**
 * One SQLite connection (better-sqlite3), opened to share the file safely with other processes:
 * WAL, a busy timeout, foreign keys. Statements are prepared once per SQL text and reused.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Row, SqlValue } from '../sql.ts';

export type Connection = Database.Database;

/** How long a writer waits for another process's write lock (`busy_timeout`). */
export const BUSY_TIMEOUT_MS = 5000;

export function openConnection(path: string): Connection {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  return db;
}

/** Statements of more distinct SQL texts than this are forgotten (IN lists make many). */
const MAX_STATEMENTS = 500;

/** Synchronous statements on one connection, each prepared once. */
export class Statements {
  private cache = new Map<string, Database.Statement>();

  constructor(readonly db: Connection) {}

  private prepare(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      if (this.cache.size >= MAX_STATEMENTS) this.cache.clear();
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  all<T = Row>(sql: string, params: readonly SqlValue[] = []): T[] {
    return this.prepare(sql).all(...params) as T[];
  }

  get<T = Row>(sql: string, params: readonly SqlValue[] = []): T | undefined {
    return this.prepare(sql).get(...params) as T | undefined;
  }

  run(sql: string, params: readonly SqlValue[] = []): { changes: number } {
    return { changes: this.prepare(sql).run(...params).changes };
  }
}
