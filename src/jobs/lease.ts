/**
 * A job never runs twice at once, across processes: before running, a job takes the lease row of
 * its name in the `jobs` table inside one BEGIN IMMEDIATE transaction. A lease that outlives its
 * holder (a crash) expires after `leaseMs`, so the next run goes ahead.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../store/db.ts';
import { tx } from '../store/db.ts';

export type LeasedRun<T> = { ran: true; value: T } | { ran: false; reason: string };

const HOLDER = `${process.pid}:${randomBytes(4).toString('hex')}`;

/** Takes the lease of `name` or says who holds it. */
export function takeLease(db: Db, name: string, now: number, leaseMs: number, holder = HOLDER): { ok: true } | { ok: false; reason: string } {
  return tx(db, () => {
    const row = db.prepare('SELECT lease_until, state FROM jobs WHERE name = ?').get(name) as
      | { lease_until: number | null; state: string | null }
      | undefined;
    if (row?.lease_until && row.lease_until > now)
      return { ok: false as const, reason: `job ${name} is already running (lease held by ${row.state ?? 'another run'} until ${new Date(row.lease_until).toISOString()})` };
    db.prepare(
      `INSERT INTO jobs (name, lease_until, state) VALUES (?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET lease_until = excluded.lease_until, state = excluded.state`,
    ).run(name, now + leaseMs, holder);
    return { ok: true as const };
  });
}

/** Gives the lease back and records the run. */
export function releaseLease(db: Db, name: string, now: number, holder = HOLDER): void {
  tx(db, () => {
    db.prepare('UPDATE jobs SET lease_until = NULL, last_run_at = ? WHERE name = ? AND state = ?').run(now, name, holder);
  });
}

/** Runs `fn` under the lease of `name`; a run already in progress (anywhere) makes this a no-op. */
export async function runLeased<T>(db: Db, name: string, now: number, leaseMs: number, fn: () => T | Promise<T>): Promise<LeasedRun<T>> {
  const lease = takeLease(db, name, now, leaseMs);
  if (!lease.ok) return { ran: false, reason: lease.reason };
  try {
    return { ran: true, value: await fn() };
  } finally {
    if (db.open) releaseLease(db, name, now);
  }
}

export function lastRunOf(db: Db, name: string): number | null {
  const row = db.prepare('SELECT last_run_at FROM jobs WHERE name = ?').get(name) as { last_run_at: number | null } | undefined;
  return row?.last_run_at ?? null;
}
