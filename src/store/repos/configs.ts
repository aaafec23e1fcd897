/** Immutable release configs, stored once by content hash. */
import type { ReleaseConfig } from '../../config/types.ts';
import { canonicalJson, configHash } from '../../core/canonical.ts';
import type { SqlExecutor } from '../sql.ts';

export interface StoredConfig {
  hash: string;
  config: ReleaseConfig;
  promptFile: string | null;
}

export interface ConfigRepo {
  /** Stores the config (once per content hash); its hash. */
  put(cfg: ReleaseConfig, promptFile: string | null, now: number): Promise<string>;
  get(hash: string): Promise<StoredConfig | undefined>;
}

/**
 * `cache` holds configs already read: they never change once stored, so one cache serves every
 * executor of a store (transaction or not).
 */
export function sqlConfigs(db: SqlExecutor, cache: Map<string, StoredConfig>): ConfigRepo {
  return {
    async put(cfg, promptFile, now) {
      const hash = configHash(cfg);
      await db.run('INSERT INTO configs (hash, body, prompt_file, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING', [
        hash,
        canonicalJson(cfg),
        promptFile,
        now,
      ]);
      return hash;
    },
    async get(hash) {
      const hit = cache.get(hash);
      if (hit) return hit;
      const row = await db.get<{ hash: string; body: string; prompt_file: string | null }>('SELECT hash, body, prompt_file FROM configs WHERE hash = ?', [hash]);
      if (!row) return undefined;
      const stored = { hash: row.hash, config: JSON.parse(row.body) as ReleaseConfig, promptFile: row.prompt_file };
      cache.set(hash, stored);
      return stored;
    },
  };
}
