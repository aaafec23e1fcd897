/** SQLite's query plans of the digest's authority-ladder counts (bench:digest shows them). */
import { ladderSql } from '../repos/receipts.ts';
import { openConnection } from './connection.ts';
import { sqliteDialect } from './store.ts';

export function ladderQueryPlans(path: string): { unreviewedDrafts: string; awaitingApproval: string } {
  const db = openConnection(path);
  try {
    const sql = ladderSql(sqliteDialect);
    const plan = (q: string, ...args: (string | number)[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${q}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('; ');
    return { unreviewedDrafts: plan(sql.unreviewedDrafts, 'x', 0), awaitingApproval: plan(sql.awaitingApproval, 'x') };
  } finally {
    db.close();
  }
}
