/**
 * Someone with access to the database file changes rows behind the store's back (the audit
 * chain must notice). The only SQL in the tests outside the store's own contract suite: it is
 * the attack, not a way in.
 */
import { openConnection } from '../../src/store/sqlite/connection.ts';

export function tamperWith(databasePath: string, sql: string, ...params: (string | number | null)[]): void {
  const db = openConnection(databasePath);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}
