/** The live state of each workflow: its stable config and what the file last said. */
import type { Db } from './db.ts';

export interface LiveWorkflow {
  name: string;
  team: string;
  stableHash: string;
  fileHash: string;
  policy: string;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  name: string;
  team: string;
  stable_hash: string;
  file_hash: string;
  policy: string;
  created_at: number;
  updated_at: number;
}

const toLive = (r: Row): LiveWorkflow => ({
  name: r.name,
  team: r.team,
  stableHash: r.stable_hash,
  fileHash: r.file_hash,
  policy: r.policy,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function getLiveWorkflow(db: Db, name: string): LiveWorkflow | undefined {
  const r = db.prepare('SELECT * FROM workflows WHERE name = ?').get(name) as Row | undefined;
  return r && toLive(r);
}

export function listLiveWorkflows(db: Db): LiveWorkflow[] {
  return (db.prepare('SELECT * FROM workflows ORDER BY name').all() as Row[]).map(toLive);
}

export function insertLiveWorkflow(db: Db, w: Omit<LiveWorkflow, 'updatedAt'>): void {
  db.prepare(
    'INSERT INTO workflows (name, team, stable_hash, file_hash, policy, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(w.name, w.team, w.stableHash, w.fileHash, w.policy, w.createdAt, w.createdAt);
}

export function setStableHash(db: Db, name: string, hash: string, now: number): void {
  db.prepare('UPDATE workflows SET stable_hash = ?, updated_at = ? WHERE name = ?').run(hash, now, name);
}

export function setFileState(db: Db, name: string, fields: { fileHash?: string; policy?: string; team?: string }, now: number): void {
  const cur = getLiveWorkflow(db, name);
  if (!cur) return;
  db.prepare('UPDATE workflows SET file_hash = ?, policy = ?, team = ?, updated_at = ? WHERE name = ?').run(
    fields.fileHash ?? cur.fileHash,
    fields.policy ?? cur.policy,
    fields.team ?? cur.team,
    now,
    name,
  );
}

export function rememberFileHash(db: Db, workflow: string, hash: string, now: number): boolean {
  const r = db.prepare('INSERT OR IGNORE INTO file_hashes (workflow, hash, seen_at) VALUES (?, ?, ?)').run(workflow, hash, now);
  return r.changes > 0;
}
