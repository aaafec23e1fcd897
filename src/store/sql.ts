/**
 * The seam between the repositories and a database engine. Repositories are written once, as SQL
 * with `?` placeholders that both SQLite and PostgreSQL accept, against this small async executor;
 * an engine supplies the executor (and the few pieces in `Dialect` where the two differ).
 *
 * SQL written here keeps to the common subset: `INSERT ... ON CONFLICT (...) DO NOTHING | DO
 * UPDATE` (never `INSERT OR IGNORE/REPLACE`), `RETURNING` for generated ids, `CASE` instead of
 * the scalar `MAX(a, b)`, integers 0/1 for booleans, no `rowid`. Integer columns come back as
 * JavaScript numbers (an engine whose driver returns int8/numeric as strings converts them).
 */

export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;

export interface SqlExecutor {
  /** Every row of a query. */
  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row of a query, if any. */
  get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** A statement that changes rows; how many it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Whether this executor runs inside a `store.tx` (its statements commit together). */
  readonly inTransaction: boolean;
  /**
   * Serializes, until the end of the current transaction, every transaction that takes the same
   * named lock (the audit chain's head, a job's lease). SQLite: nothing to do, `BEGIN IMMEDIATE`
   * already holds the database's one write lock. PostgreSQL: `pg_advisory_xact_lock`.
   * Only inside a transaction.
   */
  lock(name: string): Promise<void>;
}

/** The few SQL fragments that differ between engines. */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** An expression reading the text value of `key` in a column holding JSON text. */
  jsonText(column: string, key: string): string;
  /**
   * A hint after a table name that makes the planner use a partial index it would otherwise skip
   * (SQLite without ANALYZE statistics); empty where the planner needs none.
   */
  indexedBy(index: string): string;
}

/** `?, ?, ?` for `n` values (an `IN (...)` list). */
export const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** A boolean as stored (0/1), or null. */
export const bit = (v: boolean | null | undefined): 0 | 1 | null => (v === undefined || v === null ? null : v ? 1 : 0);
