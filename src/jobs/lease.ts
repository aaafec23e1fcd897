/**
 * A job never runs twice at once, across processes: before running, a job takes the lease row of
 * its name (one conditional write). A lease that outlives its holder (a crash) expires after
 * `leaseMs`, so the next run goes ahead.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/store.ts';

export type LeasedRun<T> = { ran: true; value: T } | { ran: false; reason: string };

const HOLDER = `${process.pid}:${randomBytes(4).toString('hex')}`;

/** Takes the lease of `name` or says who holds it. */
export async function takeLease(store: Store, name: string, now: number, leaseMs: number, holder = HOLDER): Promise<{ ok: true } | { ok: false; reason: string }> {
  const got = await store.jobs.takeLease(name, holder, now, leaseMs);
  if (got.ok) return { ok: true };
  return { ok: false, reason: `job ${name} is already running (lease held by ${got.holder ?? 'another run'} until ${new Date(got.until).toISOString()})` };
}

/** Gives the lease back and records the run. */
export function releaseLease(store: Store, name: string, now: number, holder = HOLDER): Promise<void> {
  return store.jobs.releaseLease(name, holder, now);
}

/** Runs `fn` under the lease of `name`; a run already in progress (anywhere) makes this a no-op. */
export async function runLeased<T>(store: Store, name: string, now: number, leaseMs: number, fn: () => T | Promise<T>): Promise<LeasedRun<T>> {
  const lease = await takeLease(store, name, now, leaseMs);
  if (!lease.ok) return { ran: false, reason: lease.reason };
  try {
    return { ran: true, value: await fn() };
  } finally {
    if (!store.closed) await releaseLease(store, name, now);
  }
}

export function lastRunOf(store: Store, name: string): Promise<number | null> {
  return store.jobs.lastRun(name);
}
