/**
 * Exactly-once for incoming Slack deliveries: the first delivery of a key is recorded in the
 * store; a retry (X-Slack-Retry-Num) or a second copy of it finds the key and does nothing. The
 * services' state check covers two *different* deliveries racing (double clicks).
 */
import type { Store } from '../../store/store.ts';

const KEEP_MS = 24 * 3600_000;

/** True the first time `key` is seen (and records it), false for every later delivery. */
export function firstDelivery(store: Store, key: string, now: number): Promise<boolean> {
  return store.deliveries.first(key, now);
}

/** Forgets Slack delivery keys older than a day (Slack retries within minutes). */
export function pruneDeliveries(store: Store, now: number): Promise<number> {
  return store.deliveries.prune('slack:', now - KEEP_MS);
}
