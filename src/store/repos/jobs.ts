/**
 * Job leases (a job never runs twice at once, across processes: a run takes the lease row of its
 * name; a lease that outlives its holder expires) and the time of each team's last digest.
 */
import type { SqlExecutor } from '../sql.ts';

export type LeaseOutcome = { ok: true } | { ok: false; holder: string | null; until: number };

export interface JobRepo {
  /** Takes the lease of `name` until `now + leaseMs` unless another holder's lease runs past `now`. */
  takeLease(name: string, holder: string, now: number, leaseMs: number): Promise<LeaseOutcome>;
  /** Gives the lease back (only the holder's) and records the run. */
  releaseLease(name: string, holder: string, now: number): Promise<void>;
  /** When the job last finished a run. */
  lastRun(name: string): Promise<number | null>;
}

export interface DigestRunRepo {
  /** When the team's last digest went out. */
  lastAt(team: string): Promise<number | null>;
  record(team: string, at: number): Promise<void>;
}

export function sqlJobs(db: SqlExecutor): JobRepo {
  return {
    async takeLease(name, holder, now, leaseMs) {
      // One statement, so two processes racing for the lease cannot both take it.
      const r = await db.run(
        `INSERT INTO jobs (name, lease_until, state) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET lease_until = excluded.lease_until, state = excluded.state
         WHERE jobs.lease_until IS NULL OR jobs.lease_until <= ?`,
        [name, now + leaseMs, holder, now],
      );
      if (r.changes === 1) return { ok: true };
      const row = await db.get<{ lease_until: number | null; state: string | null }>('SELECT lease_until, state FROM jobs WHERE name = ?', [name]);
      return { ok: false, holder: row?.state ?? null, until: row?.lease_until ?? now };
    },
    async releaseLease(name, holder, now) {
      await db.run('UPDATE jobs SET lease_until = NULL, last_run_at = ? WHERE name = ? AND state = ?', [now, name, holder]);
    },
    async lastRun(name) {
      return (await db.get<{ last_run_at: number | null }>('SELECT last_run_at FROM jobs WHERE name = ?', [name]))?.last_run_at ?? null;
    },
  };
}

export function sqlDigestRuns(db: SqlExecutor): DigestRunRepo {
  return {
    async lastAt(team) {
      return (await db.get<{ last_at: number }>('SELECT last_at FROM digest_runs WHERE team = ?', [team]))?.last_at ?? null;
    },
    async record(team, at) {
      await db.run('INSERT INTO digest_runs (team, last_at) VALUES (?, ?) ON CONFLICT (team) DO UPDATE SET last_at = excluded.last_at', [team, at]);
    },
  };
}
