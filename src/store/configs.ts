/** Immutable release configs, stored once by content hash. */
import type { ReleaseConfig } from '../config/types.ts';
import { canonicalJson, configHash } from '../core/canonical.ts';
import type { Db } from './db.ts';

export function putConfig(db: Db, cfg: ReleaseConfig, promptFile: string | null, now: number): string {
  const hash = configHash(cfg);
  db.prepare('INSERT OR IGNORE INTO configs (hash, body, prompt_file, created_at) VALUES (?, ?, ?, ?)').run(
    hash,
    canonicalJson(cfg),
    promptFile,
    now,
  );
  return hash;
}

export interface StoredConfig {
  hash: string;
  config: ReleaseConfig;
  promptFile: string | null;
}

const cache = new WeakMap<Db, Map<string, StoredConfig>>();

/** Configs never change once stored, so they are cached per connection. */
export function getConfig(db: Db, hash: string): StoredConfig | undefined {
  let m = cache.get(db);
  if (!m) cache.set(db, (m = new Map()));
  const hit = m.get(hash);
  if (hit) return hit;
  const row = db.prepare('SELECT hash, body, prompt_file FROM configs WHERE hash = ?').get(hash) as
    | { hash: string; body: string; prompt_file: string | null }
    | undefined;
  if (!row) return undefined;
  const stored = { hash: row.hash, config: JSON.parse(row.body) as ReleaseConfig, promptFile: row.prompt_file };
  m.set(hash, stored);
  return stored;
}
