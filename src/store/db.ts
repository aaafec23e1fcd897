import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Db = Database.Database;

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'sqlite', 'migrations');

/** Opens the SQLite file in WAL mode with a busy timeout, shared safely with other processes. */
export function openDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  return db;
}

export interface MigrationResult {
  applied: string[];
  version: number;
}

/** Applies the numbered migrations not yet applied, each in its own immediate transaction. */
export function migrate(db: Db): MigrationResult {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort();
  const done = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const applied: string[] = [];
  for (const file of files) {
    const version = Number(file.split('_')[0]);
    if (done.has(version)) continue;
    const sql = readFileSync(join(MIGRATIONS_DIR, file), 'utf8');
    db.transaction(() => {
      // Another process may have applied it meanwhile: re-check inside the lock.
      const again = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(version);
      if (again) return;
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(version, file, Date.now());
      applied.push(file);
    }).immediate();
  }
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return { applied, version: row.v ?? 0 };
}

const generations = new WeakMap<Db, number>();

/** Runs `fn` as one BEGIN IMMEDIATE transaction (the write lock is taken up front). */
export function tx<T>(db: Db, fn: () => T): T {
  const out = db.transaction(fn).immediate();
  generations.set(db, (generations.get(db) ?? 0) + 1);
  return out;
}

/** A counter that changes whenever another connection commits (PRAGMA data_version). */
export function dataVersion(db: Db): number {
  // Prepared once per connection: `db.pragma()` compiles a statement on every call, too slow for
  // a check made on every gateway request.
  let stmt = dataVersionStmts.get(db);
  if (!stmt) dataVersionStmts.set(db, (stmt = db.prepare('PRAGMA data_version').pluck()));
  return stmt.get() as number;
}
const dataVersionStmts = new WeakMap<Db, Database.Statement>();

/**
 * Changes whenever state may have changed: a commit by another process (data_version) or a
 * transaction through `tx` in this one. Cheap enough to check on every gateway request.
 */
export function changeStamp(db: Db): string {
  return `${dataVersion(db)}:${generations.get(db) ?? 0}`;
}

/**
 * `changeStamp` with `PRAGMA data_version` read at most once per turn of the event loop: the
 * server's request handler, the route table and the token cache all look on every request, and
 * requests read in the same turn arrived together (a commit by another process between them has
 * no order relative to them). Commits through `tx` in this process still show at once.
 */
export function turnChangeStamp(db: Db): string {
  let v = turnVersions.get(db);
  if (v === undefined) {
    turnVersions.set(db, (v = dataVersion(db)));
    if (!turnClearScheduled) {
      turnClearScheduled = true;
      setImmediate(clearTurnVersions);
    }
  }
  return `${v}:${generations.get(db) ?? 0}`;
}
let turnVersions = new WeakMap<Db, number>();
let turnClearScheduled = false;
function clearTurnVersions(): void {
  turnVersions = new WeakMap();
  turnClearScheduled = false;
}
