/**
 * The SQLite engine (better-sqlite3, the embedded default): one connection per process, shared
 * with other processes (the CLI) through the file — WAL, `busy_timeout`, every change one
 * `BEGIN IMMEDIATE` transaction.
 *
 * In this process, `tx` and every statement outside one go through one FIFO lock: a transaction
 * holds it from BEGIN IMMEDIATE to COMMIT, so no other caller's statement can run inside it (or
 * read what it has not committed). Other processes wait on SQLite's own lock (busy_timeout).
 *
 * The change stamp is `PRAGMA data_version` (moves when another connection commits) and a count
 * of this store's committed transactions.
 */
import type Database from 'better-sqlite3';
import { resolve } from 'node:path';
import { Mutex } from '../mutex.ts';
import type { ReceiptSink, ReceiptSinkOptions } from '../receipt-sink.ts';
import type { BatchItem } from '../repos/receipts.ts';
import type { StoredConfig } from '../repos/configs.ts';
import { repositories, type EngineParts, type MigrationResult, type Repositories, type Store, type Tx } from '../store.ts';
import type { Dialect, Row, SqlExecutor, SqlValue } from '../sql.ts';
import { openConnection, Statements, type Connection } from './connection.ts';
import { migrateSqlite } from './migrate.ts';
import { SqliteReceiptBatch } from './receipt-batch.ts';
import { InlineSink, WorkerSink } from './receipt-sink.ts';

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  jsonText: (column, key) => `json_extract(${column}, '$.${key}')`,
  indexedBy: (index) => ` INDEXED BY ${index}`,
};

/**
 * How long a call waits for this process's transaction in progress before failing. Transactions
 * await nothing but the store, so only a store call made on `store` inside `store.tx` (a bug: it
 * waits for the transaction it is part of) waits this long.
 */
const LOCK_WAIT_MS = 15_000;

export interface SqliteStoreOptions {
  /** How long a call may wait for this process's open transaction (tests shorten it). */
  lockWaitMs?: number;
}

export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
  return new SqliteStore(path, openConnection(path), opts);
}

/**
 * One lock per database file in this process: two stores on one file in one process (a test
 * running the CLI beside a server) must not interleave their transactions, since a second
 * connection's BEGIN IMMEDIATE would block the thread the first one needs to commit.
 */
const fileLocks = new Map<string, { mutex: Mutex; users: number }>();

function takeFileLock(db: Connection): { mutex: Mutex; release(): void } {
  if (db.memory) return { mutex: new Mutex(), release: () => {} };
  const key = resolve(db.name);
  let entry = fileLocks.get(key);
  if (!entry) fileLocks.set(key, (entry = { mutex: new Mutex(), users: 0 }));
  entry.users++;
  const e = entry;
  return {
    mutex: e.mutex,
    release: () => {
      if (--e.users === 0 && fileLocks.get(key) === e) fileLocks.delete(key);
    },
  };
}

export class SqliteStore implements Store {
  readonly engine = 'sqlite' as const;
  private readonly stmts: Statements;
  private readonly mutex: Mutex;
  private readonly releaseFileLock: () => void;
  private readonly lockWaitMs: number;
  private batchWriter: SqliteReceiptBatch | undefined;
  private readonly configCache = new Map<string, StoredConfig>();
  private readonly dataVersionStmt: Database.Statement;
  private generation = 0;
  private turnVersion: number | undefined;
  private isClosed = false;
  private readonly repos: Repositories;

  constructor(
    readonly path: string,
    private readonly db: Connection,
    opts: SqliteStoreOptions,
  ) {
    this.stmts = new Statements(db);
    const lock = takeFileLock(db);
    this.mutex = lock.mutex;
    this.releaseFileLock = lock.release;
    this.lockWaitMs = opts.lockWaitMs ?? LOCK_WAIT_MS;
    this.dataVersionStmt = db.prepare('PRAGMA data_version').pluck();
    this.repos = repositories(new AutoExecutor(this), this.parts());
    Object.assign(this, this.repos);
  }

  // The repositories (assigned in the constructor from `repos`).
  declare releases: Repositories['releases'];
  declare approvals: Repositories['approvals'];
  declare audit: Repositories['audit'];
  declare events: Repositories['events'];
  declare configs: Repositories['configs'];
  declare workflows: Repositories['workflows'];
  declare meta: Repositories['meta'];
  declare tokens: Repositories['tokens'];
  declare receipts: Repositories['receipts'];
  declare spend: Repositories['spend'];
  declare alerts: Repositories['alerts'];
  declare servedModels: Repositories['servedModels'];
  declare jobs: Repositories['jobs'];
  declare digestRuns: Repositories['digestRuns'];
  declare chatPosts: Repositories['chatPosts'];
  declare deliveries: Repositories['deliveries'];
  declare conversations: Repositories['conversations'];
  declare consoleSessions: Repositories['consoleSessions'];
  declare evalResults: Repositories['evalResults'];
  declare evalCache: Repositories['evalCache'];
  declare review: Repositories['review'];
  declare canarySnapshots: Repositories['canarySnapshots'];

  get closed(): boolean {
    return this.isClosed;
  }

  /** `:memory:` or a file (the worker sink needs a file). */
  get inMemory(): boolean {
    return this.db.memory;
  }

  /** Prepared on first use (the tables exist only once migrated). */
  private get batch(): SqliteReceiptBatch {
    return (this.batchWriter ??= new SqliteReceiptBatch(this.db));
  }

  /** The engine's parts for the store's own executor, or for a transaction's. */
  private parts(tx?: TxExecutor): EngineParts {
    return {
      dialect: sqliteDialect,
      configCache: this.configCache,
      writeReceiptBatch: tx
        ? async (items, tz) => {
            tx.check();
            return this.batch.write(items, tz);
          }
        : (items, tz) => this.locked(() => this.writeBatchNow(items, tz)),
    };
  }

  /** A batch in its own BEGIN IMMEDIATE transaction (not counted in the change stamp). */
  private writeBatchNow(items: readonly BatchItem[], tz: string): Uint8Array {
    return this.db.transaction(() => this.batch.write(items, tz)).immediate();
  }

  /** Runs `fn` (synchronous) under the lock: at once when free, else in turn. */
  locked<T>(fn: () => T): Promise<T> {
    if (this.mutex.tryLock()) {
      try {
        return Promise.resolve(fn());
      } catch (e) {
        return Promise.reject(e as Error);
      } finally {
        this.mutex.unlock();
      }
    }
    return this.waitLock().then(() => {
      try {
        return fn();
      } finally {
        this.mutex.unlock();
      }
    });
  }

  private waitLock(): Promise<void> {
    return this.mutex.lock(
      this.lockWaitMs,
      () =>
        `store: waited ${this.lockWaitMs} ms for this process's open transaction; a store call awaited inside store.tx must go through the transaction's repositories (t), never the store`,
    );
  }

  /** Synchronous statements (the executors' and tests' way in). */
  get statements(): Statements {
    return this.stmts;
  }

  async tx<T>(fn: (t: Tx) => Promise<T>): Promise<T> {
    await this.waitLock();
    let exec: TxExecutor;
    try {
      this.db.exec('BEGIN IMMEDIATE');
      exec = new TxExecutor(this.stmts);
    } catch (e) {
      this.mutex.unlock();
      throw e;
    }
    try {
      const t: Tx = { ...repositories(exec, this.parts(exec)), inTransaction: true };
      const out = await fn(t);
      exec.end();
      this.db.exec('COMMIT');
      this.generation++;
      return out;
    } catch (e) {
      exec.end();
      if (this.db.inTransaction) {
        try {
          this.db.exec('ROLLBACK');
        } catch {
          // The connection already ended the transaction (e.g. a failed COMMIT); nothing to undo.
        }
      }
      throw e;
    } finally {
      this.mutex.unlock();
    }
  }

  changeStamp(opts: { fresh?: boolean } = {}): string {
    if (this.isClosed) return `closed:${this.generation}`;
    let v = opts.fresh ? undefined : this.turnVersion;
    if (v === undefined) {
      v = this.dataVersionStmt.get() as number;
      if (!opts.fresh) {
        // Read once per turn of the event loop: requests read in the same turn arrived together
        // (a commit by another process between them has no order relative to them).
        this.turnVersion = v;
        setImmediate(() => (this.turnVersion = undefined));
      }
    }
    return `${v}:${this.generation}`;
  }

  async ping(): Promise<void> {
    await this.locked(() => this.stmts.get('SELECT 1 AS one'));
  }

  migrate(): Promise<MigrationResult> {
    return this.locked(() => migrateSqlite(this.db));
  }

  receiptSink(opts: ReceiptSinkOptions): ReceiptSink {
    const inline = new InlineSink((items) => this.receipts.writeBatch(items, opts.tz));
    if (opts.thread !== 'worker' || this.db.memory) return inline;
    return new WorkerSink({ dbPath: this.db.name, tz: opts.tz, inline, onError: opts.onError });
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    await this.waitLock();
    try {
      if (!this.isClosed) {
        this.db.close();
        this.releaseFileLock();
      }
      this.isClosed = true;
    } finally {
      this.mutex.unlock();
    }
  }
}

/** Statements outside a transaction: each on its own, in turn with this process's transactions. */
class AutoExecutor implements SqlExecutor {
  readonly inTransaction = false;

  constructor(private readonly store: SqliteStore) {}

  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.store.locked(() => this.store.statements.all<T>(sql, params));
  }

  get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.store.locked(() => this.store.statements.get<T>(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.store.locked(() => this.store.statements.run(sql, params));
  }

  lock(): Promise<void> {
    return Promise.reject(new Error('store: a lock is only taken inside store.tx'));
  }
}

/** The statements of one open transaction; refuses to run once it has ended. */
class TxExecutor implements SqlExecutor {
  readonly inTransaction = true;
  private open = true;

  constructor(private readonly stmts: Statements) {}

  end(): void {
    this.open = false;
  }

  check(): void {
    if (!this.open) throw new Error('store: this transaction has ended; its repositories can no longer be used');
  }

  async all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    this.check();
    return this.stmts.all<T>(sql, params);
  }

  async get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    this.check();
    return this.stmts.get<T>(sql, params);
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    this.check();
    return this.stmts.run(sql, params);
  }

  async lock(): Promise<void> {
    // BEGIN IMMEDIATE holds SQLite's one write lock: every transaction is serialized already.
    this.check();
  }
}
