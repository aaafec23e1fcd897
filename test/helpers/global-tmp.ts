/**
 * Vitest global setup: every temporary directory the tests make (servers' SQLite files, config
 * copies, packages, the run's PostgreSQL cluster) goes under one directory per run, removed when
 * the run ends, so test runs leave nothing behind in the system's temp directory.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopSharedPostgresCluster } from './postgres.ts';

export default function setup(): () => Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'air-vitest-'));
  // Searchable (not listable) by others: the throwaway PostgreSQL runs as the `postgres` user when
  // the tests run as root, and its data directory lives under here.
  chmodSync(root, 0o711);
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return async () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    try {
      await stopSharedPostgresCluster(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}
