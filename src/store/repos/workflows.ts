/** The live state of each workflow (its stable config and what the file last said), and small settings kept by key. */
import type { SqlExecutor } from '../sql.ts';

export interface LiveWorkflow {
  name: string;
  team: string;
  stableHash: string;
  fileHash: string;
  policy: string;
  createdAt: number;
  updatedAt: number;
}

export interface WorkflowRepo {
  get(name: string): Promise<LiveWorkflow | undefined>;
  list(): Promise<LiveWorkflow[]>;
  insert(w: Omit<LiveWorkflow, 'updatedAt'>): Promise<void>;
  setStableHash(name: string, hash: string, now: number): Promise<void>;
  /** Updates what the file says (the fields given; the others kept). */
  setFileState(name: string, fields: { fileHash?: string; policy?: string; team?: string }, now: number): Promise<void>;
  /** Remembers that the file stated this hash; false when it had before. */
  rememberFileHash(workflow: string, hash: string, now: number): Promise<boolean>;
  fileHashSeen(workflow: string, hash: string): Promise<boolean>;
}

/** Small values by key (e.g. `global_policy`). */
export interface MetaRepo {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
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

export function sqlWorkflows(db: SqlExecutor): WorkflowRepo {
  return {
    async get(name) {
      const r = await db.get<Row>('SELECT * FROM workflows WHERE name = ?', [name]);
      return r && toLive(r);
    },
    async list() {
      return (await db.all<Row>('SELECT * FROM workflows ORDER BY name')).map(toLive);
    },
    async insert(w) {
      await db.run('INSERT INTO workflows (name, team, stable_hash, file_hash, policy, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        w.name, w.team, w.stableHash, w.fileHash, w.policy, w.createdAt, w.createdAt,
      ]);
    },
    async setStableHash(name, hash, now) {
      await db.run('UPDATE workflows SET stable_hash = ?, updated_at = ? WHERE name = ?', [hash, now, name]);
    },
    async setFileState(name, fields, now) {
      await db.run(
        'UPDATE workflows SET file_hash = COALESCE(?, file_hash), policy = COALESCE(?, policy), team = COALESCE(?, team), updated_at = ? WHERE name = ?',
        [fields.fileHash ?? null, fields.policy ?? null, fields.team ?? null, now, name],
      );
    },
    async rememberFileHash(workflow, hash, now) {
      const r = await db.run('INSERT INTO file_hashes (workflow, hash, seen_at) VALUES (?, ?, ?) ON CONFLICT (workflow, hash) DO NOTHING', [workflow, hash, now]);
      return r.changes > 0;
    },
    async fileHashSeen(workflow, hash) {
      return !!(await db.get('SELECT 1 AS one FROM file_hashes WHERE workflow = ? AND hash = ?', [workflow, hash]));
    },
  };
}

export function sqlMeta(db: SqlExecutor): MetaRepo {
  return {
    async get(key) {
      return (await db.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]))?.value;
    },
    async put(key, value) {
      await db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
    },
  };
}
