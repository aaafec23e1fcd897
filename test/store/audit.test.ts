import { describe, expect, it } from 'vitest';
import { appendAudit, auditHead, GENESIS, verifyAudit } from '../../src/store/audit.ts';
import { migrate, openDb, tx, type Db } from '../../src/store/db.ts';

function chain(n = 5): Db {
  const db = openDb(':memory:');
  migrate(db);
  for (let i = 1; i <= n; i++)
    tx(db, () => appendAudit(db, { ts: 1_700_000_000_000 + i, actor: 'dana', action: 'release_approved', workflow: 'support-triage', releaseId: i, data: { n: i } }));
  return db;
}

describe('audit chain', () => {
  it('links every event to the one before and verifies with the head hash', () => {
    const db = chain();
    const rows = db.prepare('SELECT seq, prev_hash, hash FROM audit ORDER BY seq').all() as { seq: number; prev_hash: string; hash: string }[];
    expect(rows[0]!.prev_hash).toBe(GENESIS);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    const v = verifyAudit(db);
    expect(v).toEqual({ ok: true, head: rows[4]!.hash, count: 5 });
    expect(auditHead(db)).toBe(rows[4]!.hash);
  });

  it('names the first bad event when a row is edited', () => {
    const db = chain();
    db.prepare("UPDATE audit SET data = '{\"n\":99}' WHERE seq = 3").run();
    const v = verifyAudit(db);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.badSeq).toBe(3);
      expect(v.message).toMatch(/altered/);
    }
  });

  it('names the first bad event when a middle row is deleted', () => {
    const db = chain();
    db.prepare('DELETE FROM audit WHERE seq = 2').run();
    const v = verifyAudit(db);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.badSeq).toBe(3);
  });

  it('detects rows reordered with raw SQL', () => {
    const db = chain();
    tx(db, () => {
      db.prepare('UPDATE audit SET seq = -2 WHERE seq = 2').run();
      db.prepare('UPDATE audit SET seq = 2 WHERE seq = 4').run();
      db.prepare('UPDATE audit SET seq = 4 WHERE seq = -2').run();
    });
    const v = verifyAudit(db);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.badSeq).toBe(2);
  });

  it('an edited actor or action is caught too', () => {
    const db = chain();
    db.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = 5").run();
    const v = verifyAudit(db);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.badSeq).toBe(5);
  });
});
